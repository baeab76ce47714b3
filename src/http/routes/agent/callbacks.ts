// The call-back queue in the back-office JSON API (bearer session), the same use cases as the
// pages (pages/agent/callbacks.ts):
//   GET  /api/agent/callbacks?status=&mine=&prefecture=&after=&limit=   the queue, oldest first
//   POST /api/agent/callbacks/{id}/assign    { assignTo: "me" | <agent id> | null, version? }
//   POST /api/agent/callbacks/{id}/status    { status, note?, version? }
// `version` is what the client last read: a change made by someone else meanwhile answers
// 409 CALLBACK_CHANGED (or CALLBACK_ALREADY_TAKEN), never overwrites it.
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CallbackUseCases } from '../../../app/callbacks/callback-use-cases.ts';
import { type CallbackQueueItem, QUEUE_PAGE_SIZE } from '../../../app/callbacks/list-callbacks.ts';
import { CALLBACK_NOTE_MAX_LENGTH, CALLBACK_STATUSES } from '../../../domain/callback-rules.ts';
import type { CallbackRequest } from '../../../ports/callback-store.ts';
import { agentWith } from '../../pages/agent/agent-area.ts';
import { DepartementCode, ProblemSchema, Uuid } from '../../schemas.ts';
import { AGENT_API_SECURITY } from './agent-api.ts';

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };

const CallbackSchema = z.object({
  id: z.string(),
  prefectureId: z.string(),
  phone: z.string(),
  language: z.string(),
  situation: z.string(),
  status: z.enum(CALLBACK_STATUSES),
  assignedAgentId: z.string().nullable(),
  assignedAgentName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int().describe('Send it back with a change: a change by someone else meanwhile is refused (409)'),
});

const NoteSchema = z.object({
  at: z.string(),
  agentId: z.string().nullable(),
  agentName: z.string().nullable(),
  statusBefore: z.enum(CALLBACK_STATUSES).nullable(),
  statusAfter: z.enum(CALLBACK_STATUSES).nullable(),
  text: z.string(),
});

const QueueItemSchema = CallbackSchema.extend({ history: z.array(NoteSchema) });

const callbackView = (c: CallbackRequest) => ({
  id: c.id,
  prefectureId: c.prefectureId,
  phone: c.phone,
  language: c.language,
  situation: c.situation,
  status: c.status,
  assignedAgentId: c.assignedAgent,
  assignedAgentName: c.assignedAgentName,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  version: c.version,
});

const queueItemView = (c: CallbackQueueItem) => ({
  ...callbackView(c),
  history: c.history.map((n) => ({
    at: n.at.toISOString(),
    agentId: n.agentId,
    agentName: n.agentName,
    statusBefore: n.statusBefore,
    statusAfter: n.statusAfter,
    text: n.text,
  })),
});

const IdParams = z.object({ id: Uuid });
const Version = z.number().int().min(0).max(2_000_000_000).optional();

export const agentCallbackRoutes = (callbacks: CallbackUseCases): FastifyPluginAsync =>
  (async (app) => {
    app.get(
      '/api/agent/callbacks',
      {
        schema: {
          tags: ['agent'],
          summary: 'The call-back queue, oldest first',
          security: AGENT_API_SECURITY,
          description:
            'Counter agents and supervisors: their prefecture; national administrators: any (`prefecture`) or all.',
          querystring: z
            .object({
              status: z.enum(CALLBACK_STATUSES).default('to_call'),
              mine: z.enum(['true', 'false']).default('false').describe('Only the call-backs assigned to me'),
              prefecture: DepartementCode.optional(),
              after: z.string().max(80).optional().describe('`next` of the previous page'),
              limit: z.coerce.number().int().min(1).max(QUEUE_PAGE_SIZE).default(QUEUE_PAGE_SIZE),
            })
            .strict(),
          response: {
            200: z.object({
              prefectureId: z.string().nullable(),
              items: z.array(QueueItemSchema),
              next: z.string().nullable(),
            }),
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'callbacks.handle');
        const q = request.query;
        const queue = await callbacks.listCallbacks(agent, {
          prefectureId: q.prefecture ?? null,
          status: q.status,
          mine: q.mine === 'true',
          limit: q.limit,
          ...(q.after ? { after: q.after } : {}),
        });
        reply.header('cache-control', 'no-store');
        return { prefectureId: queue.prefectureId, items: queue.items.map(queueItemView), next: queue.next };
      },
    );

    app.post(
      '/api/agent/callbacks/:id/assign',
      {
        schema: {
          tags: ['agent'],
          summary: 'Take a call-back, or assign it (supervisors)',
          security: AGENT_API_SECURITY,
          description:
            '"me" takes it if nobody has it (409 CALLBACK_ALREADY_TAKEN otherwise); an agent id or null assigns it (supervisors and administrators, agents of its prefecture).',
          params: IdParams,
          body: z.object({ assignTo: z.union([z.literal('me'), Uuid, z.null()]), version: Version }).strict(),
          response: { 200: CallbackSchema, ...problems },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'callbacks.handle');
        const { assignTo, version } = request.body;
        const updated = await callbacks.assignCallback(
          agent,
          { callbackId: request.params.id, assignTo, ...(version !== undefined ? { expectedVersion: version } : {}) },
          { ip: request.ip ?? null },
        );
        reply.header('cache-control', 'no-store');
        return callbackView(updated);
      },
    );

    app.post(
      '/api/agent/callbacks/:id/status',
      {
        schema: {
          tags: ['agent'],
          summary: 'Record the outcome of a call-back, with a note',
          security: AGENT_API_SECURITY,
          description:
            'Back to "to_call" releases it for anyone to take. The same status with a note adds the note only.',
          params: IdParams,
          body: z
            .object({
              status: z.enum(CALLBACK_STATUSES),
              note: z
                .string()
                .max(4 * CALLBACK_NOTE_MAX_LENGTH)
                .default(''),
              version: Version,
            })
            .strict(),
          response: { 200: CallbackSchema, ...problems },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'callbacks.handle');
        const { status, note, version } = request.body;
        const updated = await callbacks.changeCallbackStatus(
          agent,
          {
            callbackId: request.params.id,
            status,
            note,
            ...(version !== undefined ? { expectedVersion: version } : {}),
          },
          { ip: request.ip ?? null },
        );
        reply.header('cache-control', 'no-store');
        return callbackView(updated);
      },
    );
  }) as FastifyPluginAsyncZod as unknown as FastifyPluginAsync;
