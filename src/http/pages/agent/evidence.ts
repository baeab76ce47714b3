// Evidence packs for a complaint (inside agentArea: the session is checked), for supervisors
// (their prefecture) and national administrators ('evidence.export'):
//   GET  /agent/evidence[?prefecture=&from=&to=&request=…&appointment=…&ip=…]
//            the form of a pack, filled from the query (the fraud review links a case here with
//            its ids), and the active holds (those placed by the prefecture's agents)
//   POST /agent/evidence/pack            → the signed ZIP as a download; it places a legal hold
//            and is audited; a refusal shows the form again with what was typed (4xx)
//   POST /agent/evidence/holds/:id/release → 303 back, the hold released (audited)
// Works without JavaScript.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import type { EvidencePackUseCases } from '../../../app/evidence/evidence-pack-use-cases.ts';
import { DomainError, type ErrorCode } from '../../../domain/errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Agent } from '../../../ports/agent-store.ts';
import type { Prefecture } from '../../../ports/booking-store.ts';
import { languageOf } from '../../web/render.ts';
import { errorText, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const EVIDENCE_PATH = '/agent/evidence';

/** What the form holds, as typed (lists one item per line). */
interface PackForm {
  prefecture: string;
  from: string;
  to: string;
  requests: string;
  appointments: string;
  ips: string;
  reason: string;
}

/** Refusals shown on the form (the agent keeps what they typed); others get the error page. */
const SHOWN_ON_FORM = new Set<ErrorCode>([
  'VALIDATION_FAILED',
  'DATE_RANGE_INVALID',
  'EVIDENCE_SCOPE_EMPTY',
  'EVIDENCE_RECORD_NOT_FOUND',
  'PREFECTURE_NOT_FOUND',
]);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A list typed one per line (or separated by commas or spaces), at most 200 items. */
const items = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 200);
/** A query parameter, repeated or not, as text. */
function queryList(value: unknown): string {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .filter((v): v is string => typeof v === 'string')
    .flatMap(items)
    .join('\n');
}
const queryDate = (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : '');
/** A UTC midnight, or null (the use case refuses it: DATE_RANGE_INVALID). */
const utcDay = (text: string) => (DATE.test(text) ? new Date(`${text}T00:00:00Z`) : null);

export const evidencePages =
  (
    packs: Pick<EvidencePackUseCases, 'exportEvidencePack' | 'listPackHolds' | 'releasePackHold'>,
    catalogue: Pick<CatalogueUseCases, 'listPrefectures'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-evidence');

    async function showPage(
      request: FastifyRequest,
      reply: FastifyReply,
      agent: Agent,
      form: PackForm,
      problem: { code: ErrorCode; message: string } | null = null,
    ) {
      const holds = await packs.listPackHolds(agent);
      const prefectures: Prefecture[] = agent.role === 'admin' ? await catalogue.listPrefectures() : [];
      const released = (request.query as { released?: unknown }).released;
      return sendAgentPage(
        request,
        reply,
        'agent/evidence',
        {
          title: t(request)('title'),
          form,
          prefectures,
          holds: holds.map((hold) => ({
            ...hold,
            names: [
              ...hold.requestIds.map((id) => ['request', id] as const),
              ...hold.appointmentIds.map((id) => ['appointment', id] as const),
              ...hold.ipPrefixes.map((prefix) => ['address', prefix] as const),
            ],
          })),
          released: typeof released === 'string' && /^\d{1,18}$/.test(released) ? released : null,
          problem,
        },
        problem ? statusOf(problem.code) : 200,
      );
    }

    app.get(EVIDENCE_PATH, async (request, reply) => {
      const agent = agentWith(request, 'evidence.export');
      const query = (request.query ?? {}) as Record<string, unknown>;
      const prefecture = typeof query.prefecture === 'string' ? query.prefecture.slice(0, 3) : '';
      return showPage(request, reply, agent, {
        prefecture: agent.role === 'admin' ? prefecture : (agent.prefectureId ?? ''),
        from: queryDate(query.from),
        to: queryDate(query.to),
        requests: queryList(query.request),
        appointments: queryList(query.appointment),
        ips: queryList(query.ip),
        reason: '',
      });
    });

    app.post(`${EVIDENCE_PATH}/pack`, async (request, reply) => {
      const agent = agentWith(request, 'evidence.export');
      const body = formOf(request);
      const form: PackForm = {
        prefecture: agent.role === 'admin' ? (body.prefecture ?? '').slice(0, 3) : (agent.prefectureId ?? ''),
        from: (body.from ?? '').slice(0, 10),
        to: (body.to ?? '').slice(0, 10),
        requests: (body.requests ?? '').slice(0, 10_000),
        appointments: (body.appointments ?? '').slice(0, 10_000),
        ips: (body.ips ?? '').slice(0, 10_000),
        reason: (body.reason ?? '').slice(0, 2_000),
      };
      try {
        const pack = await packs.exportEvidencePack({
          by: { agent },
          prefectureId: form.prefecture,
          from: utcDay(form.from),
          to: utcDay(form.to),
          requestIds: items(form.requests),
          appointmentIds: items(form.appointments),
          ipPrefixes: items(form.ips),
          reason: form.reason,
          ip: request.ip ?? null,
        });
        return reply
          .header('cache-control', 'no-store')
          .header('content-type', 'application/zip')
          .header('content-disposition', `attachment; filename="${pack.fileName}"`)
          .header('x-evidence-hold', pack.hold.id)
          .send(Buffer.from(pack.bytes));
      } catch (error) {
        const refusal = refusalOf(error);
        if (!SHOWN_ON_FORM.has(refusal.code)) throw refusal;
        const details = (refusal.details?.errors ?? []) as { message: string }[];
        const message = [errorText(request, refusal.code), ...details.map((e) => e.message)].join(' ');
        return showPage(request, reply, agent, form, { code: refusal.code, message });
      }
    });

    app.post(`${EVIDENCE_PATH}/holds/:id/release`, async (request, reply) => {
      const agent = agentWith(request, 'evidence.export');
      const id = (request.params as { id?: string }).id ?? '';
      if (!/^\d{1,18}$/.test(id)) throw new DomainError('VALIDATION_FAILED');
      await packs.releasePackHold(agent, id);
      return reply.redirect(`${EVIDENCE_PATH}?released=${id}#holds`, 303);
    });
  };
