// Declared urgencies to check (inside agentArea: the session is checked), for every agent
// with 'urgency.review' — counter agents (the requests naming their sites) and supervisors of
// a prefecture, national administrators any (?prefecture=):
//   GET  /agent/urgency[?view=pending|decided&prefecture=&after=]
//                                     the declarations to check, oldest filed first; or
//                                     those decided in the last 30 days
//   POST /agent/urgency/:id/decision  decision=confirmed|refused, reason → 303 back to the list,
//                                     or the list again with the refusal (400, 409)
// Works without JavaScript.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import type { ReviewUseCases } from '../../../app/review/review-use-cases.ts';
import { DomainError, type ErrorCode } from '../../../domain/errors.ts';
import {
  RECENTLY_DECIDED_DAYS,
  URGENCY_REASON_MAX_LENGTH,
  URGENCY_VIEWS,
} from '../../../domain/urgency-review-rules.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Prefecture } from '../../../ports/booking-store.ts';
import { DepartementCode, Uuid } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { errorText, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { parsed } from './agenda.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const URGENCY_PATH = '/agent/urgency';

/** The list's filter, from the query string or a form's `return` field. */
export const UrgencyListQuery = z.object({
  view: z.enum(URGENCY_VIEWS).default('pending'),
  prefecture: DepartementCode.optional(),
  after: z.string().max(80).optional(),
});
export type UrgencyListQuery = z.infer<typeof UrgencyListQuery>;

/** Refusals shown on the list itself (the agent keeps their place); others get the error page. */
const SHOWN_ON_LIST = new Set<ErrorCode>(['URGENCY_ALREADY_REVIEWED', 'REQUEST_NOT_ACTIVE', 'VALIDATION_FAILED']);
const DONE = ['confirmed', 'refused'] as const;

/** The list's address for a filter (only known fields: a form's `return` cannot send anyone elsewhere). */
function listHref(query: UrgencyListQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (query.view !== 'pending') params.set('view', query.view);
  if (query.prefecture) params.set('prefecture', query.prefecture);
  if (query.after) params.set('after', query.after);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return `${URGENCY_PATH}${params.size ? `?${params.toString()}` : ''}`;
}

export const urgencyPages =
  (
    review: Pick<ReviewUseCases, 'listUrgencyDeclarations' | 'decideUrgency'>,
    catalogue: Pick<CatalogueUseCases, 'listPrefectures'>,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-review');

    async function showList(
      request: FastifyRequest,
      reply: FastifyReply,
      query: UrgencyListQuery,
      problem: { code: ErrorCode; message: string; requestId?: string } | null = null,
    ) {
      const agent = agentWith(request, 'urgency.review');
      const list = await review.listUrgencyDeclarations(agent, {
        prefectureId: query.prefecture ?? null,
        view: query.view,
        ...(query.after ? { after: query.after } : {}),
      });
      const prefectures: Prefecture[] = agent.role === 'admin' ? await catalogue.listPrefectures() : [];
      const done = (request.query as { done?: unknown }).done;
      return sendAgentPage(
        request,
        reply,
        'agent/review/urgency',
        {
          title: t(request)('urgency.title'),
          query,
          returnTo: listHref(query).replace(/^\/agent\/urgency\??/, ''),
          prefectureId: list.prefectureId,
          prefectures,
          views: URGENCY_VIEWS,
          items: list.items,
          next: list.next ? listHref({ ...query, after: list.next }) : null,
          first: query.after ? listHref({ ...query, after: undefined }) : null,
          done: !problem && DONE.includes(done as (typeof DONE)[number]) ? done : null,
          problem,
          reasonMax: URGENCY_REASON_MAX_LENGTH,
          recentDays: RECENTLY_DECIDED_DAYS,
        },
        problem ? statusOf(problem.code) : 200,
      );
    }

    app.get(`${URGENCY_PATH}`, async (request, reply) =>
      showList(request, reply, parsed(UrgencyListQuery, request.query ?? {})),
    );

    app.post(`${URGENCY_PATH}/:id/decision`, async (request, reply) => {
      const agent = agentWith(request, 'urgency.review');
      const id = Uuid.safeParse((request.params as { id?: unknown }).id);
      if (!id.success) throw new DomainError('URGENCY_NOT_FOUND');
      const form = formOf(request);
      const back = UrgencyListQuery.safeParse(
        Object.fromEntries(new URLSearchParams((form.return ?? '').slice(0, 300))),
      );
      const query = back.success ? back.data : parsed(UrgencyListQuery, {});
      try {
        const decided = await review.decideUrgency(
          agent,
          {
            requestId: id.data,
            decision: form.decision ?? '',
            reason: (form.reason ?? '').slice(0, 4 * URGENCY_REASON_MAX_LENGTH),
          },
          { ip: request.ip ?? null },
        );
        return reply.redirect(`${listHref(query, { done: decided.urgencyStatus })}#urgency-list`, 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (!SHOWN_ON_LIST.has(refusal.code)) throw refusal;
        const tr = t(request);
        const message =
          refusal.code === 'VALIDATION_FAILED'
            ? tr('urgency.invalid', {
                details: ((refusal.details?.errors ?? []) as { path: string }[])
                  .map((e) => tr(`urgency.fields.${e.path}`, { defaultValue: e.path }))
                  .join(', '),
              })
            : errorText(request, refusal.code);
        return showList(request, reply, query, { code: refusal.code, message, requestId: id.data });
      }
    });
  };
