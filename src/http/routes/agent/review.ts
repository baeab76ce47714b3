// The review lists in the back-office JSON API (bearer session), the same use cases as the
// pages (pages/agent/urgency.ts, pages/agent/duplicates.ts):
//   GET  /api/agent/urgency?view=pending|decided&prefecture=&after=&limit=   declared urgencies
//   POST /api/agent/urgency/{id}/decision   { decision: "confirmed" | "refused", reason? }
//   GET  /api/agent/duplicates?prefecture=  groups of likely duplicates, with why
// A decision races another agent's: one wins, the other gets 409 URGENCY_ALREADY_REVIEWED.
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReviewUseCases } from '../../../app/review/review-use-cases.ts';
import { URGENCY_PAGE_SIZE } from '../../../app/review/urgency-reviews.ts';
import { URGENCY_STATUSES } from '../../../domain/priority.ts';
import { URGENCY_DECISIONS, URGENCY_REASON_MAX_LENGTH, URGENCY_VIEWS } from '../../../domain/urgency-review-rules.ts';
import type { UrgencyDeclaration } from '../../../ports/review-store.ts';
import { agentWith } from '../../pages/agent/agent-area.ts';
import { DepartementCode, ProblemSchema, Uuid } from '../../schemas.ts';
import { AGENT_API_SECURITY } from './agent-api.ts';

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const CHANNEL = z.enum(['online', 'phone', 'counter']);

const DeclarationSchema = z.object({
  requestId: z.string(),
  reference: z.string(),
  prefectureId: z.string(),
  procedureId: z.string(),
  siteIds: z.array(z.string()),
  surname: z.string(),
  givenNames: z.string(),
  birthDate: z.string(),
  urgencyDate: z.string().describe('The declared expiry of the permit or récépissé, YYYY-MM-DD'),
  urgencyStatus: z.enum(URGENCY_STATUSES).exclude(['none']),
  requestStatus: z.string(),
  channel: CHANNEL,
  email: z.string().nullable(),
  filedAt: z.string(),
  reviewedBy: z.string().nullable(),
  reviewedByName: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewReason: z.string().nullable(),
});

const declarationView = (d: UrgencyDeclaration) => ({
  requestId: d.requestId,
  reference: d.reference,
  prefectureId: d.prefectureId,
  procedureId: d.procedureId,
  siteIds: d.siteIds,
  surname: d.surname,
  givenNames: d.givenNames,
  birthDate: d.birthDate,
  urgencyDate: d.urgencyDate,
  urgencyStatus: d.urgencyStatus,
  requestStatus: d.requestStatus,
  channel: d.channel,
  email: d.email,
  filedAt: d.filedAt.toISOString(),
  reviewedBy: d.reviewedBy,
  reviewedByName: d.reviewedByName,
  reviewedAt: d.reviewedAt?.toISOString() ?? null,
  reviewReason: d.reviewReason,
});

const RecordSchema = z.object({
  kind: z.enum(['request', 'appointment']),
  id: z.string(),
  reference: z.string(),
  documentNumber: z
    .number()
    .int()
    .describe('Which identity document of the group (1, 2…): records with the same number share one'),
  surname: z.string(),
  givenNames: z.string(),
  birthDate: z.string(),
  nationality: z.string(),
  email: z.string().nullable(),
  channel: CHANNEL,
  status: z.string(),
  procedureId: z.string(),
  siteIds: z.array(z.string()),
  since: z.string().describe('Filed (request) or booked (appointment)'),
  startsAt: z.string().nullable(),
  localDate: z.string().nullable(),
});

const GroupSchema = z.object({
  identityCount: z.number().int(),
  reasons: z.array(
    z.object({
      kind: z.enum(['name_birth_date', 'email']),
      value: z.string().describe('Normalised names and birth date ("DIALLO AMINATA|1990-04-12"), or the email key'),
      references: z.array(z.string()),
    }),
  ),
  records: z.array(RecordSchema),
});

export const agentReviewRoutes = (review: ReviewUseCases): FastifyPluginAsync =>
  (async (app) => {
    app.get(
      '/api/agent/urgency',
      {
        schema: {
          tags: ['agent'],
          summary: 'Declared urgencies to check (or decided lately)',
          security: AGENT_API_SECURITY,
          description:
            'Pending: oldest filed first. Decided: the last 30 days, latest first. Counter agents: the requests naming their sites; supervisors: their prefecture; administrators: any (`prefecture`) or all.',
          querystring: z
            .object({
              view: z.enum(URGENCY_VIEWS).default('pending'),
              prefecture: DepartementCode.optional(),
              after: z.string().max(80).optional().describe('`next` of the previous page'),
              limit: z.coerce.number().int().min(1).max(URGENCY_PAGE_SIZE).default(URGENCY_PAGE_SIZE),
            })
            .strict(),
          response: {
            200: z.object({
              prefectureId: z.string().nullable(),
              view: z.enum(URGENCY_VIEWS),
              items: z.array(DeclarationSchema),
              next: z.string().nullable(),
            }),
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'urgency.review');
        const q = request.query;
        const list = await review.listUrgencyDeclarations(agent, {
          prefectureId: q.prefecture ?? null,
          view: q.view,
          limit: q.limit,
          ...(q.after ? { after: q.after } : {}),
        });
        reply.header('cache-control', 'no-store');
        return {
          prefectureId: list.prefectureId,
          view: list.view,
          items: list.items.map(declarationView),
          next: list.next,
        };
      },
    );

    app.post(
      '/api/agent/urgency/:id/decision',
      {
        schema: {
          tags: ['agent'],
          summary: 'Confirm or refuse a declared urgency',
          security: AGENT_API_SECURITY,
          description:
            'After seeing the permit or récépissé. A refusal needs a reason; a confirmation may carry a note. Only a pending declaration of a live request: otherwise 409 URGENCY_ALREADY_REVIEWED (or REQUEST_NOT_ACTIVE).',
          params: z.object({ id: Uuid }),
          body: z
            .object({
              decision: z.enum(URGENCY_DECISIONS),
              reason: z
                .string()
                .max(4 * URGENCY_REASON_MAX_LENGTH)
                .default(''),
            })
            .strict(),
          response: { 200: DeclarationSchema, ...problems },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'urgency.review');
        const decided = await review.decideUrgency(
          agent,
          { requestId: request.params.id, decision: request.body.decision, reason: request.body.reason },
          { ip: request.ip ?? null },
        );
        reply.header('cache-control', 'no-store');
        return declarationView(decided);
      },
    );

    app.get(
      '/api/agent/duplicates',
      {
        schema: {
          tags: ['agent'],
          summary: 'Likely duplicates: one person under several identity documents',
          security: AGENT_API_SECURITY,
          description:
            'Live requests and active appointments of a prefecture under different identity documents with the same names and birth date, or the same email. Supervisors: their prefecture; administrators: the `prefecture` asked (none: no group).',
          querystring: z.object({ prefecture: DepartementCode.optional() }).strict(),
          response: {
            200: z.object({
              prefectureId: z.string().nullable(),
              total: z.number().int(),
              groups: z.array(GroupSchema),
            }),
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'duplicates.read');
        const list = await review.listLikelyDuplicates(agent, { prefectureId: request.query.prefecture ?? null });
        reply.header('cache-control', 'no-store');
        return {
          prefectureId: list.prefectureId,
          total: list.total,
          groups: list.groups.map((g) => {
            const documents = [...new Set(g.records.map((r) => r.identityKey))];
            const referenceOf = new Map(g.records.map((r) => [r.key, r.reference]));
            return {
              identityCount: g.identityCount,
              reasons: g.reasons.map((reason) => ({
                kind: reason.kind,
                value: reason.value,
                references: reason.recordKeys.map((k) => referenceOf.get(k)!),
              })),
              records: g.records.map((r) => ({
                kind: r.kind,
                id: r.id,
                reference: r.reference,
                documentNumber: documents.indexOf(r.identityKey) + 1,
                surname: r.surname,
                givenNames: r.givenNames,
                birthDate: r.birthDate,
                nationality: r.nationality,
                email: r.email,
                channel: r.channel,
                status: r.status,
                procedureId: r.procedureId,
                siteIds: r.siteIds,
                since: r.since.toISOString(),
                startsAt: r.startsAt?.toISOString() ?? null,
                localDate: r.localDate,
              })),
            };
          }),
        };
      },
    );
  }) as FastifyPluginAsyncZod as unknown as FastifyPluginAsync;
