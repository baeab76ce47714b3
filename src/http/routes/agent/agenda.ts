// The agenda, check-in and no-show statistics in the agent JSON API (bearer agent session,
// checked by agentApi before these routes run). The same use cases as the pages.
//   POST /api/convocations/verify                      scanned token or typed short code → identity
//   GET  /api/agent/agenda?site=&date=&counter=        one site's day
//   GET  /api/agent/appointments/{id}                  the check-in view of one appointment
//   POST /api/agent/appointments/{id}/arrived          booked → arrived (its local day only)
//   POST /api/agent/appointments/{id}/served           arrived → served
//   POST /api/agent/appointments/{id}/no-show          booked → no_show (15 min after the start)
//   POST /api/agent/appointments/{id}/undo             the last step taken back, the same day
//   GET  /api/agent/statistics/no-shows?from=&to=&prefecture=
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgendaUseCases } from '../../../app/agenda/agenda-use-cases.ts';
import type { CheckInView } from '../../../app/agenda/check-in.ts';
import { APPOINTMENT_STATUSES, type CheckInCommand, NO_SHOW_GRACE_MINUTES } from '../../../domain/agenda-rules.ts';
import { AgendaQuery, agendaFilterOf } from '../../pages/agent/agenda.ts';
import { agentWith } from '../../pages/agent/agent-area.ts';
import { StatisticsQuery, statisticsFilterOf } from '../../pages/agent/statistics.ts';
import { SENSITIVE_ROUTE } from '../../rate-limit.ts';
import { ProblemSchema, Uuid } from '../../schemas.ts';
import { VERIFY_PATH, VerifiedConvocationSchema, VerifyConvocationRequest } from '../convocations.ts';
import { AGENT_API_SECURITY } from './agent-api.ts';

const STATUS = z.enum(APPOINTMENT_STATUSES);
const CHANNEL = z.enum(['online', 'phone', 'counter']);

const AgendaEntrySchema = z.object({
  appointmentId: z.string(),
  reference: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  siteId: z.string(),
  counterId: z.string(),
  counterName: z.string(),
  procedureId: z.string(),
  procedureNameFr: z.string(),
  procedureNameEn: z.string(),
  surname: z.string(),
  givenNames: z.string(),
  channel: CHANNEL,
  status: STATUS,
  possibleDuplicate: z
    .boolean()
    .describe('The person also seems booked or queued under another identity document (GET /api/agent/duplicates)'),
});

const AgendaSchema = z.object({
  siteId: z.string().nullable().describe('null when the agent serves no site'),
  date: z.string().describe('The local day, e.g. 2026-06-02'),
  timeZone: z.string().nullable(),
  counterId: z.string().nullable(),
  entries: z.array(AgendaEntrySchema),
});

const CheckInSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: STATUS,
  surname: z.string(),
  givenNames: z.string(),
  birthDate: z.string(),
  nationality: z.string(),
  agdrefNumber: z.string().nullable(),
  passportNumber: z.string().nullable(),
  channel: CHANNEL,
  startsAt: z.string(),
  endsAt: z.string(),
  timeZone: z.string(),
  siteId: z.string(),
  siteName: z.string(),
  prefectureId: z.string(),
  counterId: z.string(),
  counterName: z.string(),
  procedureId: z.string(),
  procedureNameFr: z.string(),
  procedureNameEn: z.string(),
  checkedInAt: z.string().nullable(),
  servedAt: z.string().nullable(),
  noShowAt: z.string().nullable(),
  statusChangedAt: z.string().nullable(),
  actions: z.array(z.enum(['arrived', 'served', 'no_show'])).describe('The transitions open now'),
  canUndo: z.boolean().describe('Whether the last step may be taken back now (POST …/undo)'),
  possibleDuplicate: z.boolean().describe('The person also seems booked or queued under another identity document'),
  noArrival: z
    .enum(['future_day', 'past_day', 'cancelled', 'closed'])
    .nullable()
    .describe(
      'Why arrival cannot be recorded now (future_day: the appointment is on another day, see startsAt), or null',
    ),
});

const CountsSchema = z.object({
  due: z.number(),
  came: z.number(),
  served: z.number(),
  noShows: z.number(),
  unmarked: z.number(),
  rate: z.number().nullable(),
});
const StatisticsSchema = z.object({
  prefectureId: z.string().nullable(),
  fromDate: z.string(),
  toDate: z.string(),
  rows: z.array(
    CountsSchema.extend({
      prefectureId: z.string(),
      siteId: z.string(),
      siteName: z.string(),
      procedureId: z.string(),
      procedureNameFr: z.string(),
      procedureNameEn: z.string(),
    }),
  ),
  bySite: z.array(CountsSchema.extend({ id: z.string(), name: z.string() })),
  byProcedure: z.array(CountsSchema.extend({ id: z.string(), nameFr: z.string(), nameEn: z.string() })),
  total: CountsSchema,
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const checkInBody = ({ appointment: a, actions, canUndo, possibleDuplicate, noArrival }: CheckInView) => ({
  ...a,
  startsAt: a.startsAt.toISOString(),
  endsAt: a.endsAt.toISOString(),
  checkedInAt: iso(a.checkedInAt),
  servedAt: iso(a.servedAt),
  noShowAt: iso(a.noShowAt),
  statusChangedAt: iso(a.statusChangedAt),
  actions,
  canUndo,
  possibleDuplicate,
  noArrival,
});

const TRANSITION_ROUTES: { path: string; action: CheckInCommand; summary: string }[] = [
  {
    path: 'arrived',
    action: 'arrived',
    summary: 'Check the person in (booked → arrived), on the day of the appointment',
  },
  { path: 'served', action: 'served', summary: 'The person was served (arrived → served)' },
  {
    path: 'no-show',
    action: 'no_show',
    summary: `The person did not come (booked → no_show), from ${NO_SHOW_GRACE_MINUTES} minutes after the start`,
  },
  {
    path: 'undo',
    action: 'undo',
    summary: 'Take the last step back (arrived → booked, served → arrived, no_show → booked), on the day it was made',
  },
];

const routes =
  (agenda: AgendaUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      VERIFY_PATH,
      {
        // The sensitive budget: short codes can be typed, so they could be guessed.
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['agent'],
          summary: 'Verify a convocation at the counter',
          description:
            'Answers the person and appointment for a valid, unexpired, non-cancelled convocation of a site the agent serves, ' +
            'and one uniform 404 CONVOCATION_INVALID for anything else (altered, unknown, cancelled, expired, mistyped, another prefecture or site).',
          security: AGENT_API_SECURITY,
          body: VerifyConvocationRequest,
          response: {
            200: VerifiedConvocationSchema,
            400: ProblemSchema,
            401: ProblemSchema,
            403: ProblemSchema,
            404: ProblemSchema,
            429: ProblemSchema,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'checkin.write');
        reply.header('cache-control', 'no-store');
        return agenda.verifyConvocation(agent, request.body, { ip: request.ip, route: VERIFY_PATH });
      },
    );

    app.get(
      '/api/agent/agenda',
      {
        schema: {
          tags: ['agent'],
          summary: "A site's appointments of one local day (default: the agent's first site, today)",
          security: AGENT_API_SECURITY,
          querystring: AgendaQuery,
          response: { 200: AgendaSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'agenda.read');
        const view = await agenda.viewAgenda(agent, agendaFilterOf(request.query));
        reply.header('cache-control', 'no-store');
        return {
          siteId: view.site?.id ?? null,
          date: view.date,
          timeZone: view.site?.timeZone ?? null,
          counterId: view.counterId,
          entries: view.entries.map((e) => ({
            ...e,
            startsAt: e.startsAt.toISOString(),
            endsAt: e.endsAt.toISOString(),
          })),
        };
      },
    );

    const IdParams = z.object({ id: Uuid });

    app.get(
      '/api/agent/appointments/:id',
      {
        schema: {
          tags: ['agent'],
          summary: 'An appointment as the check-in screen shows it (identity, appointment, status, open transitions)',
          description:
            '404 CONVOCATION_INVALID for an unknown appointment and for one of a site the agent does not serve alike.',
          security: AGENT_API_SECURITY,
          params: IdParams,
          response: {
            200: CheckInSchema,
            400: ProblemSchema,
            401: ProblemSchema,
            403: ProblemSchema,
            404: ProblemSchema,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'checkin.write');
        reply.header('cache-control', 'no-store');
        return checkInBody(await agenda.viewCheckIn(agent, request.params.id));
      },
    );

    for (const route of TRANSITION_ROUTES) {
      app.post(
        `/api/agent/appointments/:id/${route.path}`,
        {
          schema: {
            tags: ['agent'],
            summary: route.summary,
            description:
              'Audited (appointment.' +
              route.action +
              '). 409 APPOINTMENT_STATUS_CONFLICT when the appointment is not in the starting status ' +
              '(of two concurrent calls exactly one succeeds), CHECK_IN_NOT_TODAY, NO_SHOW_TOO_EARLY, CHECK_IN_UNDO_TOO_LATE; 404 CONVOCATION_INVALID out of scope.',
            security: AGENT_API_SECURITY,
            params: IdParams,
            response: {
              200: CheckInSchema,
              400: ProblemSchema,
              401: ProblemSchema,
              403: ProblemSchema,
              404: ProblemSchema,
              409: ProblemSchema,
            },
          },
        },
        async (request, reply) => {
          const agent = agentWith(request, 'checkin.write');
          reply.header('cache-control', 'no-store');
          return checkInBody(
            await agenda.changeAppointmentStatus(agent, request.params.id, route.action, { ip: request.ip }),
          );
        },
      );
    }

    app.get(
      '/api/agent/statistics/no-shows',
      {
        schema: {
          tags: ['agent'],
          summary: 'No-show statistics per site and procedure over local days (default: the last 30 days)',
          security: AGENT_API_SECURITY,
          querystring: StatisticsQuery,
          response: { 200: StatisticsSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'stats.read');
        reply.header('cache-control', 'no-store');
        return agenda.noShowStatistics(agent, statisticsFilterOf(request.query));
      },
    );
  };

export const agendaApiRoutes = (agenda: AgendaUseCases): FastifyPluginAsync =>
  routes(agenda) as unknown as FastifyPluginAsync;
