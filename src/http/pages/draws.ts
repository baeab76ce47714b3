// A prefecture's draws, in public (issue 16, part 1; domain/draw-commitment.ts):
//   GET /tirages/:prefectureId                  the draws (time, commitment, revealed secret,
//                                               counts, digests, downloads), the commitments to
//                                               the coming ticks, the evidence chain's head, and
//                                               the "check my place" form
//   GET /tirages/:prefectureId/place?tirage=…&pseudonyme=…
//                                               the same page with one pseudonym's place in one draw
//   GET /tirages/:prefectureId/:drawId.json     the draw as published (creneau-draw-publication/1),
//       …/:drawId.json.gz                       and gzipped: `creneau draw verify FILE` takes either
// Reading a draw's place or its file decodes its whole input (seconds for a large draw): both go
// through the strict rate limit. Nothing here reads a secret before its draw has committed.
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { DrawUseCases } from '../../app/draws/draw-use-cases.ts';
import type { PlaceInDraw } from '../../app/draws/published-draws.ts';
import type { EvidenceUseCases } from '../../app/evidence/evidence-use-cases.ts';
import { PSEUDONYM_LENGTH } from '../../domain/draw-commitment.ts';
import { DomainError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/identifiers.ts';
import { translator } from '../../i18n/i18n.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { languageOf, sendPage } from '../web/render.ts';
import { type FieldError, fieldError, statusOf } from './page-forms.ts';

const PREFECTURE_ID = /^[0-9A-Za-z]{2,3}$/;
const PSEUDONYM = new RegExp(`^[0-9a-f]{${PSEUDONYM_LENGTH}}$`);
const DOWNLOAD = /^([0-9a-f-]{36})\.json(\.gz)?$/;

interface PlaceQuery {
  drawId: string;
  pseudonym: string;
}

export const drawPages =
  (
    draws: Pick<DrawUseCases, 'listPublicDraws' | 'publishedDraw' | 'placeInDraw'>,
    evidence: Pick<EvidenceUseCases, 'evidenceHead'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'draws');

    const prefectureOf = (request: FastifyRequest): string => {
      const { prefectureId } = request.params as { prefectureId: string };
      if (!PREFECTURE_ID.test(prefectureId)) throw new DomainError('PREFECTURE_NOT_FOUND', undefined, { prefectureId });
      return prefectureId;
    };

    async function show(
      request: FastifyRequest,
      reply: FastifyReply,
      prefectureId: string,
      check: { query: PlaceQuery; place: PlaceInDraw | null; errors: FieldError[] } | null,
      status = 200,
    ) {
      const [list, head] = await Promise.all([draws.listPublicDraws(prefectureId), evidence.evidenceHead()]);
      return sendPage(
        request,
        reply,
        'draws/list',
        {
          title: t(request)('title', { prefecture: list.prefecture.name }),
          ...list,
          evidenceHead: head,
          check: check ?? { query: { drawId: '', pseudonym: '' }, place: null, errors: [] },
          checked: check !== null && check.errors.length === 0,
        },
        status,
      );
    }

    app.get('/tirages/:prefectureId', async (request, reply) => show(request, reply, prefectureOf(request), null));

    app.get('/tirages/:prefectureId/place', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const prefectureId = prefectureOf(request);
      const q = request.query as { tirage?: unknown; pseudonyme?: unknown };
      const query = {
        drawId: typeof q.tirage === 'string' ? q.tirage.trim().slice(0, 64) : '',
        pseudonym: typeof q.pseudonyme === 'string' ? q.pseudonyme.trim().toLowerCase().slice(0, 64) : '',
      };
      const errors: FieldError[] = [];
      if (!isUuid(query.drawId)) errors.push({ ...fieldError(request, 'DRAW_NOT_FOUND'), field: 'tirage' });
      if (!PSEUDONYM.test(query.pseudonym))
        errors.push({ field: 'pseudonyme', message: t(request)('check.badPseudonym') });
      if (errors.length)
        return show(request, reply, prefectureId, { query, place: null, errors }, statusOf('VALIDATION_FAILED'));
      try {
        const place = await draws.placeInDraw({ prefectureId, drawId: query.drawId, pseudonym: query.pseudonym });
        return await show(request, reply, prefectureId, { query, place, errors: [] });
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'DRAW_NOT_FOUND') throw error;
        const notFound = [{ ...fieldError(request, 'DRAW_NOT_FOUND'), field: 'tirage' }];
        return show(request, reply, prefectureId, { query, place: null, errors: notFound }, statusOf('DRAW_NOT_FOUND'));
      }
    });

    app.get('/tirages/:prefectureId/:file', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const prefectureId = prefectureOf(request);
      const match = DOWNLOAD.exec((request.params as { file: string }).file);
      if (!match) throw new DomainError('DRAW_NOT_FOUND');
      const [, drawId, gz] = match;
      const text = `${JSON.stringify(await draws.publishedDraw(prefectureId, drawId!))}\n`;
      const name = `tirage-${prefectureId}-${drawId}.json${gz ? '.gz' : ''}`;
      reply
        .header('content-disposition', `attachment; filename="${name}"`)
        // A finished draw never changes.
        .header('cache-control', 'public, max-age=86400, immutable');
      return gz
        ? reply.type('application/gzip').send(gzipSync(text))
        : reply.type('application/json; charset=utf-8').send(text);
    });
  };
