// The call-back queue of the back-office (inside agentArea: the session is checked), for
// every agent with 'callbacks.handle' — counter agents and supervisors of a prefecture,
// national administrators any (?prefecture=):
//   GET  /agent/callbacks[?status=to_call&mine=1&prefecture=&after=]
//                                   the queue, oldest first, with each call-back's history
//   POST /agent/callbacks/:id/assign   take it (assignee=me) or, supervisors, give it
//                                      (assignee=<agent id>|none) → 303 back to the queue
//   POST /agent/callbacks/:id/status   status and note → 303 back to the queue
// Each form carries the version the agent saw: if another agent acted meanwhile, the queue
// is shown again with the reason (409), nothing is overwritten. Works without JavaScript.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CallbackUseCases } from '../../../app/callbacks/callback-use-cases.ts';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import { can } from '../../../domain/agent-rules.ts';
import {
  CALLBACK_NOTE_MAX_LENGTH,
  CALLBACK_STATUSES,
  callbackAge,
  displayPhoneNumber,
} from '../../../domain/callback-rules.ts';
import { DomainError, type ErrorCode } from '../../../domain/errors.ts';
import { isUuid } from '../../../domain/identifiers.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Prefecture } from '../../../ports/booking-store.ts';
import { DepartementCode } from '../../schemas.ts';
import { languageOf } from '../../web/render.ts';
import { errorText, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

/** The queue's filter, from the query string or a form's `return` field. */
export const CallbackQueueQuery = z.object({
  status: z.enum(CALLBACK_STATUSES).default('to_call'),
  mine: z.enum(['1']).optional(),
  prefecture: DepartementCode.optional(),
  after: z.string().max(80).optional(),
});
export type CallbackQueueQuery = z.infer<typeof CallbackQueueQuery>;

/** Refusals shown on the queue itself (the agent keeps their place); others get the error page. */
const SHOWN_ON_QUEUE = new Set<ErrorCode>([
  'CALLBACK_ALREADY_TAKEN',
  'CALLBACK_CHANGED',
  'CALLBACK_ALREADY_OPEN',
  'VALIDATION_FAILED',
]);

function queryOf(raw: unknown): CallbackQueueQuery {
  const parsed = CallbackQueueQuery.safeParse(raw ?? {});
  if (!parsed.success)
    throw new DomainError('VALIDATION_FAILED', undefined, {
      errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return parsed.data;
}

/** The queue's address for a filter (only known fields: a form's `return` cannot send anyone elsewhere). */
function queueHref(query: CallbackQueueQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (query.status !== 'to_call') params.set('status', query.status);
  if (query.mine) params.set('mine', '1');
  if (query.prefecture) params.set('prefecture', query.prefecture);
  if (query.after) params.set('after', query.after);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return `/agent/callbacks${params.size ? `?${params.toString()}` : ''}`;
}

export const agentCallbackPages =
  (callbacks: CallbackUseCases, catalogue: CatalogueUseCases): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-callbacks');

    async function showQueue(
      request: FastifyRequest,
      reply: FastifyReply,
      query: CallbackQueueQuery,
      problem: { code: ErrorCode; message: string; callbackId?: string } | null = null,
    ) {
      const agent = agentWith(request, 'callbacks.handle');
      const queue = await callbacks.listCallbacks(agent, {
        prefectureId: query.prefecture ?? null,
        status: query.status,
        mine: query.mine === '1',
        ...(query.after ? { after: query.after } : {}),
      });
      const now = queue.asOf;
      const prefectures: Prefecture[] = agent.role === 'admin' ? await catalogue.listPrefectures() : [];
      const zoneOf = new Map(prefectures.map((p) => [p.id, p.timeZone]));
      const ownZone = agent.prefectureId
        ? (await catalogue.getPrefectureWithSites(agent.prefectureId)).prefecture.timeZone
        : undefined;
      const done =
        typeof (request.query as { done?: unknown }).done === 'string'
          ? (request.query as { done: string }).done
          : null;
      const tr = t(request);
      return sendAgentPage(
        request,
        reply,
        'agent/callbacks/queue',
        {
          title: tr('title'),
          query,
          returnTo: queueHref(query).replace(/^\/agent\/callbacks\??/, ''),
          prefectureId: queue.prefectureId,
          prefectures,
          statuses: CALLBACK_STATUSES,
          items: queue.items.map((c) => ({
            ...c,
            phoneDisplay: displayPhoneNumber(c.phone),
            age: callbackAge(c.createdAt, now),
            timeZone: zoneOf.get(c.prefectureId) ?? ownZone ?? 'Europe/Paris',
            mine: c.assignedAgent === agent.id,
            // A counter agent acts on the call-backs that are theirs or nobody's.
            canAct: agent.role !== 'counter' || c.assignedAgent === null || c.assignedAgent === agent.id,
          })),
          assignees: queue.assignees,
          canAssign: agent.role !== 'counter' && queue.prefectureId !== null,
          // "Book for this caller": the booking form with the call-back's id (never its number) in the address.
          canBook: can(agent, 'channel.book'),
          next: queue.next ? queueHref({ ...query, after: queue.next }) : null,
          first: query.after ? queueHref({ ...query, after: undefined }) : null,
          done: done && ['assigned', 'status'].includes(done) ? done : null,
          problem,
          noteMax: CALLBACK_NOTE_MAX_LENGTH,
        },
        problem ? statusOf(problem.code) : 200,
      );
    }

    app.get('/agent/callbacks', async (request, reply) => showQueue(request, reply, queryOf(request.query)));

    /** Runs a form's action: 303 back to the queue, or the queue again with the refusal. */
    async function act(
      request: FastifyRequest,
      reply: FastifyReply,
      action: (id: string, form: Record<string, string>) => Promise<unknown>,
      done: string,
    ) {
      agentWith(request, 'callbacks.handle');
      const { id } = request.params as { id: string };
      if (!isUuid(id)) throw new DomainError('CALLBACK_NOT_FOUND');
      const form = formOf(request);
      const back = CallbackQueueQuery.safeParse(
        Object.fromEntries(new URLSearchParams((form.return ?? '').slice(0, 300))),
      );
      const query = back.success ? back.data : queryOf({});
      try {
        await action(id, form);
      } catch (error) {
        const refusal = refusalOf(error);
        if (!SHOWN_ON_QUEUE.has(refusal.code)) throw refusal;
        const tr = t(request);
        const message =
          refusal.code === 'VALIDATION_FAILED'
            ? tr('invalid', {
                details: ((refusal.details?.errors ?? []) as { path: string }[])
                  .map((e) => tr(`fields.${e.path}`, { defaultValue: e.path }))
                  .join(', '),
              })
            : errorText(request, refusal.code);
        return showQueue(request, reply, query, { code: refusal.code, message, callbackId: id });
      }
      return reply.redirect(`${queueHref(query, { done })}#callback-${id}`, 303);
    }

    const versionOf = (form: Record<string, string>): number | undefined =>
      /^\d{1,9}$/.test(form.version ?? '') ? Number(form.version) : undefined;

    app.post('/agent/callbacks/:id/assign', async (request, reply) =>
      act(
        request,
        reply,
        async (id, form) => {
          const agent = agentWith(request, 'callbacks.handle');
          const raw = (form.assignee ?? 'me').trim();
          const assignTo = raw === 'none' ? null : raw === '' ? 'me' : raw.slice(0, 64);
          const expectedVersion = versionOf(form);
          await callbacks.assignCallback(
            agent,
            { callbackId: id, assignTo, ...(expectedVersion !== undefined ? { expectedVersion } : {}) },
            { ip: request.ip ?? null },
          );
        },
        'assigned',
      ),
    );

    app.post('/agent/callbacks/:id/status', async (request, reply) =>
      act(
        request,
        reply,
        async (id, form) => {
          const agent = agentWith(request, 'callbacks.handle');
          const expectedVersion = versionOf(form);
          await callbacks.changeCallbackStatus(
            agent,
            {
              callbackId: id,
              status: form.status ?? '',
              note: (form.note ?? '').slice(0, 4 * CALLBACK_NOTE_MAX_LENGTH),
              ...(expectedVersion !== undefined ? { expectedVersion } : {}),
            },
            { ip: request.ip ?? null },
          );
        },
        'status',
      ),
    );
  };
