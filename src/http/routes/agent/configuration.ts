// The configuration's JSON API (/api/agent/configuration/…): the same use cases as the pages
// (src/http/pages/agent/configuration.ts), for a prefecture's own tools. Supervisors: their
// prefecture; administrators: any, and the national settings. Bad values → 400
// VALIDATION_FAILED with `errors` [{ path, message }]; another prefecture's object → 403.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { wayBackKindOf } from '../../../app/configuration/close-site.ts';
import type { ConfigurationUseCases } from '../../../app/configuration/configuration-use-cases.ts';
import { DomainError } from '../../../domain/errors.ts';
import type { IsoWeekday } from '../../../domain/slot-generation.ts';
import type { CounterMove } from '../../../ports/configuration/records.ts';
import type { AffectedAppointment, ConfigOpeningRule } from '../../../ports/configuration-store.ts';
import { agentOf } from '../../pages/agent/agent-area.ts';
import { ProblemSchema } from '../../schemas.ts';
import { AGENT_API_SECURITY } from './agent-api.ts';

const Id = z.string().min(1).max(64);
const Day = z.string().max(10).describe('YYYY-MM-DD, local date of the prefecture');
const Time = z.string().max(5).describe('HH:MM, local time');

const PrefectureSchema = z.object({ id: z.string(), name: z.string(), timeZone: z.string() });
const SiteSchema = z.object({
  id: z.string(),
  prefectureId: z.string(),
  kind: z.enum(['prefecture', 'sub_prefecture', 'antenna']),
  name: z.string(),
  address: z.string(),
  phone: z.string().nullable(),
  publicHours: z.string().nullable(),
});
const CounterSchema = z.object({
  id: z.string(),
  siteId: z.string(),
  prefectureId: z.string(),
  name: z.string(),
  active: z.boolean(),
});
const ProcedureSchema = z.object({
  id: z.string(),
  nameFr: z.string(),
  nameEn: z.string(),
  slotMinutes: z.number(),
  channel: z.enum(['appointment', 'postal', 'online']),
  releaseDaysAhead: z.number(),
  releaseTime: z.string(),
  offerHours: z.number(),
  maxIgnoredOffers: z.number().describe('Ignored offers before the request is closed'),
  maxDeclines: z.number().describe('Declines a request may make; the next one closes it'),
});
const WindowSchema = z.object({ start: Time, end: Time });
const RuleSchema = z.object({
  id: z.string(),
  counterId: z.string(),
  siteId: z.string(),
  prefectureId: z.string(),
  procedureId: z.string(),
  weekdays: z.array(z.number()),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  windows: z.array(WindowSchema),
  slotMinutes: z.number(),
});
const OpeningSchema = z.object({
  id: z.string(),
  counterId: z.string(),
  siteId: z.string(),
  prefectureId: z.string(),
  procedureId: z.string(),
  date: z.string(),
  windows: z.array(WindowSchema),
  slotMinutes: z.number(),
});
const ClosureSchema = z.object({
  id: z.string(),
  siteId: z.string(),
  counterId: z.string().nullable(),
  dateFrom: z.string(),
  dateTo: z.string(),
  reason: z.string(),
});
const DrawScheduleSchema = z.object({
  prefectureId: z.string(),
  dailyAt: z.string().describe('HH:MM, local time of the daily draws'),
});
const DrawCadenceSchema = z
  .object({
    prefectureId: z.string(),
    procedureId: z.string(),
    everyMinutes: z.number(),
    fromTime: z.string(),
    untilTime: z.string(),
  })
  .describe('Draws every `everyMinutes` from `fromTime` to `untilTime` (local times), instead of once a day');
const DrawsSchema = z.object({
  procedureId: z.string(),
  cadence: DrawCadenceSchema.nullable().describe('null: drawn once a day at dailyAt'),
});
const SlotsSchema = z
  .object({
    prefectureId: z.string(),
    fromDate: z.string(),
    toDate: z.string(),
    withdrawn: z.number(),
    updated: z.number(),
    inserted: z.number(),
  })
  .describe('What the change did to the future free slots (booked ones are never touched)');
const AffectedSchema = z.object({
  reference: z.string(),
  startsAt: z.string(),
  givenNames: z.string(),
  surname: z.string(),
  procedureId: z.string(),
  hasEmail: z.boolean(),
  phone: z.string().nullable().describe('The number to call them on (required for people without email)'),
  wayBack: z
    .enum(['requeued', 'filed', 'call'])
    .describe(
      'requeued: their request is back in the queue, first class; filed: a request filed for them, first class; call: no email, call them',
    ),
});

const ruleView = (r: ConfigOpeningRule) => ({ ...r, weekdays: [...r.weekdays] });
const affectedView = (a: AffectedAppointment) => ({
  reference: a.reference,
  startsAt: a.startsAt.toISOString(),
  givenNames: a.givenNames,
  surname: a.surname,
  procedureId: a.procedureId,
  hasEmail: a.email !== null,
  phone: a.phone,
  wayBack: wayBackKindOf(a),
});
const MovedSchema = z.object({
  reference: z.string(),
  startsAt: z.string(),
  toCounterId: z.string().describe('The counter that takes it, at the same time'),
});
const movedView = (m: CounterMove) => ({
  reference: m.reference,
  startsAt: m.startsAt.toISOString(),
  toCounterId: m.toCounterId,
});
const origin = (request: FastifyRequest) => ({ ip: request.ip ?? null });
const common = { tags: ['agent'], security: AGENT_API_SECURITY };
const refusals = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

export const configurationApiRoutes =
  (configuration: ConfigurationUseCases): FastifyPluginAsync =>
  async (area) => {
    const app = area as unknown as Parameters<FastifyPluginAsyncZod>[0];
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    app.get(
      '/api/agent/configuration',
      {
        schema: {
          ...common,
          summary: 'The configuration of a prefecture: sites, draw schedule and cadences, national settings',
          description:
            'Supervisors: their prefecture (another one → 403). Administrators: `prefecture` (default: the first).',
          querystring: z.object({ prefecture: z.string().max(3).optional() }),
          response: {
            200: z.object({
              prefecture: PrefectureSchema,
              prefectures: z.array(PrefectureSchema),
              sites: z.array(SiteSchema),
              drawSchedule: DrawScheduleSchema,
              draws: z.array(DrawsSchema).describe('How each procedure done at a counter is drawn in the prefecture'),
              procedures: z.array(ProcedureSchema),
              emailCap: z.number(),
              canEditNational: z.boolean(),
            }),
            ...refusals,
          },
        },
      },
      async (request) => configuration.viewConfiguration(agentOf(request), request.query.prefecture ?? null),
    );

    app.get(
      '/api/agent/configuration/sites/:siteId',
      {
        schema: {
          ...common,
          summary: 'A site: details, counters, procedures offered (and reserved share), closures to come',
          params: z.object({ siteId: Id }),
          response: {
            200: z.object({
              prefecture: PrefectureSchema,
              site: SiteSchema,
              counters: z.array(CounterSchema),
              closures: z.array(ClosureSchema),
              today: z.string(),
              offers: z.array(
                z.object({ procedure: ProcedureSchema, offered: z.boolean(), reservedPercent: z.number() }),
              ),
            }),
            ...refusals,
          },
        },
      },
      async (request) => configuration.viewSite(agentOf(request), request.params.siteId),
    );

    app.patch(
      '/api/agent/configuration/sites/:siteId',
      {
        schema: {
          ...common,
          summary: "Change a site's details (audited: site.update)",
          params: z.object({ siteId: Id }),
          body: z
            .object({
              name: z.string().max(1000),
              address: z.string().max(1000),
              phone: z.string().max(100).nullable(),
              publicHours: z.string().max(2000).nullable(),
            })
            .strict(),
          response: { 200: SiteSchema, ...refusals },
        },
      },
      async (request) => {
        const b = request.body;
        return configuration.updateSite(
          agentOf(request),
          request.params.siteId,
          { name: b.name, address: b.address, phone: b.phone ?? '', publicHours: b.publicHours ?? '' },
          origin(request),
        );
      },
    );

    app.post(
      '/api/agent/configuration/sites/:siteId/counters',
      {
        schema: {
          ...common,
          summary: 'Add a counter to a site (audited: counter.create)',
          params: z.object({ siteId: Id }),
          body: z.object({ name: z.string().max(1000) }).strict(),
          response: { 201: CounterSchema, ...refusals, 409: ProblemSchema },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await configuration.addCounter(agentOf(request), request.params.siteId, request.body, origin(request))),
    );

    app.put(
      '/api/agent/configuration/sites/:siteId/procedures/:procedureId',
      {
        schema: {
          ...common,
          summary:
            'Offer a procedure at a site or not, and the share of new slots kept for phone and counter (audited: site_procedure.update)',
          description: 'Future free slots follow at once (withdrawn, re-marked, added); booked ones stay.',
          params: z.object({ siteId: Id, procedureId: Id }),
          body: z.object({ offered: z.boolean(), reservedPercent: z.number() }).strict(),
          response: {
            200: z.object({
              offer: z.object({
                siteId: z.string(),
                procedureId: z.string(),
                offered: z.boolean(),
                reservedPercent: z.number(),
              }),
              slots: SlotsSchema,
            }),
            ...refusals,
          },
        },
      },
      async (request) =>
        configuration.updateSiteOffer(
          agentOf(request),
          { siteId: request.params.siteId, procedureId: request.params.procedureId, ...request.body },
          origin(request),
        ),
    );

    app.post(
      '/api/agent/configuration/sites/:siteId/closures',
      {
        schema: {
          ...common,
          summary: 'Close a site, or one counter, on a day or a range (audited: closure.create, appointment.cancel…)',
          description:
            'Closing one counter first moves its appointments to a free slot of another counter of the site at the same time (`moved`). ' +
            'When booked appointments are left: 409 CLOSURE_CONFIRMATION_REQUIRED, nothing written, with `details.count` and ' +
            '`details.appointments`; send again with `confirmAppointments` = that count to close, cancel them and email their applicants ' +
            '(their request back in the queue with priority, or a link to file one).',
          params: z.object({ siteId: Id }),
          body: z
            .object({
              counterId: Id.nullable().optional(),
              dateFrom: Day,
              dateTo: Day,
              reason: z.string().max(2000),
              confirmAppointments: z.number().int().min(0).optional(),
              confirmReferences: z
                .array(z.string().max(40))
                .max(10_000)
                .optional()
                .describe('The references of details.appointments: then exactly those must still be there'),
            })
            .strict(),
          response: {
            201: z.object({
              closure: ClosureSchema,
              cancelled: z.array(AffectedSchema),
              moved: z
                .array(MovedSchema)
                .describe('Closing one counter: appointments moved to another counter at the same time'),
              slotsWithdrawn: z.number(),
              requeued: z.number(),
              offersWithdrawn: z.number(),
            }),
            ...refusals,
            409: ProblemSchema,
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await configuration.closeSite(
          agentOf(request),
          {
            siteId: request.params.siteId,
            counterId: b.counterId ?? null,
            dateFrom: b.dateFrom,
            dateTo: b.dateTo,
            reason: b.reason,
            confirmAppointments: b.confirmAppointments,
            confirmReferences: b.confirmReferences,
          },
          origin(request),
        );
        if (result.status === 'needs-confirmation') {
          throw new DomainError('CLOSURE_CONFIRMATION_REQUIRED', undefined, {
            count: result.appointments.length,
            appointments: result.appointments.map(affectedView),
            moved: result.moved.map(movedView),
          });
        }
        return reply
          .status(201)
          .send({ ...result, cancelled: result.cancelled.map(affectedView), moved: result.moved.map(movedView) });
      },
    );

    app.get(
      '/api/agent/configuration/counters/:counterId',
      {
        schema: {
          ...common,
          summary: 'A counter and its opening rules',
          params: z.object({ counterId: Id }),
          response: {
            200: z.object({
              site: SiteSchema,
              counter: CounterSchema,
              rules: z.array(RuleSchema),
              openings: z.array(OpeningSchema),
              procedures: z.array(ProcedureSchema),
              today: z.string(),
            }),
            ...refusals,
          },
        },
      },
      async (request) => {
        const view = await configuration.viewCounter(agentOf(request), request.params.counterId);
        return { ...view, rules: view.rules.map(ruleView) };
      },
    );

    app.patch(
      '/api/agent/configuration/counters/:counterId',
      {
        schema: {
          ...common,
          summary:
            'Rename a counter, or put it out of (or back in) service (audited: counter.update, counter.deactivate, counter.activate)',
          params: z.object({ counterId: Id }),
          body: z.object({ name: z.string().max(1000).optional(), active: z.boolean().optional() }).strict(),
          response: { 200: CounterSchema, ...refusals, 409: ProblemSchema },
        },
      },
      async (request) =>
        configuration.updateCounter(agentOf(request), request.params.counterId, request.body, origin(request)),
    );

    app.post(
      '/api/agent/configuration/counters/:counterId/opening-rules',
      {
        schema: {
          ...common,
          summary: 'Add an opening rule to a counter (audited: opening_rule.create); its slots are created at once',
          params: z.object({ counterId: Id }),
          body: z
            .object({
              procedureId: z.string().max(64),
              weekdays: z.array(z.number().int()).max(7),
              validFrom: Day,
              validUntil: Day.nullable().optional(),
              windows: z.array(WindowSchema).max(12),
              slotMinutes: z.number().int(),
            })
            .strict(),
          response: { 201: z.object({ rule: RuleSchema, slots: SlotsSchema }), ...refusals },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const result = await configuration.addOpeningRule(
          agentOf(request),
          request.params.counterId,
          {
            procedureId: b.procedureId,
            weekdays: b.weekdays as IsoWeekday[],
            validFrom: b.validFrom,
            validUntil: b.validUntil ?? null,
            windows: b.windows,
            slotMinutes: b.slotMinutes,
          },
          origin(request),
        );
        return reply.status(201).send({ rule: ruleView(result.rule), slots: result.slots });
      },
    );

    app.post(
      '/api/agent/configuration/opening-rules/:ruleId/end',
      {
        schema: {
          ...common,
          summary: 'End an opening rule from a date, the first day without it (audited: opening_rule.end or .delete)',
          description:
            'Its free slots from that day are withdrawn; booked ones stay. A rule that had not started by then is removed.',
          params: z.object({ ruleId: z.string().max(64) }),
          body: z.object({ endsFrom: Day }).strict(),
          response: {
            200: z.object({
              status: z.enum(['ended', 'removed', 'unchanged']),
              rule: RuleSchema.optional(),
              slots: SlotsSchema.optional(),
            }),
            ...refusals,
          },
        },
      },
      async (request) => {
        const result = await configuration.endOpeningRule(
          agentOf(request),
          request.params.ruleId,
          request.body,
          origin(request),
        );
        return 'rule' in result ? { ...result, rule: ruleView(result.rule) } : result;
      },
    );

    app.post(
      '/api/agent/configuration/counters/:counterId/exceptional-openings',
      {
        schema: {
          ...common,
          summary: 'Open a counter for a procedure on one date beyond its rules (audited: exceptional_opening.create)',
          params: z.object({ counterId: Id }),
          body: z
            .object({
              procedureId: z.string().max(64),
              date: Day,
              windows: z.array(WindowSchema).max(12),
              slotMinutes: z.number().int(),
            })
            .strict(),
          response: { 201: z.object({ opening: OpeningSchema, slots: SlotsSchema }), ...refusals },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(
            await configuration.addExceptionalOpening(
              agentOf(request),
              request.params.counterId,
              request.body,
              origin(request),
            ),
          ),
    );

    app.delete(
      '/api/agent/configuration/exceptional-openings/:openingId',
      {
        schema: {
          ...common,
          summary: 'Remove an exceptional opening; its free slots are withdrawn (audited: exceptional_opening.delete)',
          params: z.object({ openingId: z.string().max(64) }),
          response: { 200: z.object({ counterId: z.string(), slots: SlotsSchema }), ...refusals },
        },
      },
      async (request) =>
        configuration.removeExceptionalOpening(agentOf(request), request.params.openingId, origin(request)),
    );

    app.put(
      '/api/agent/configuration/prefectures/:prefectureId/draw-schedule',
      {
        schema: {
          ...common,
          summary: "The time of the prefecture's daily draws (audited: draw_schedule.update)",
          description: 'Every procedure without a cadence is drawn once a day at this local time.',
          params: z.object({ prefectureId: z.string().max(3) }),
          body: z.object({ dailyAt: Time }).strict(),
          response: { 200: DrawScheduleSchema, ...refusals },
        },
      },
      async (request) =>
        configuration.updateDrawSchedule(agentOf(request), request.params.prefectureId, request.body, origin(request)),
    );

    app.put(
      '/api/agent/configuration/prefectures/:prefectureId/draw-cadences/:procedureId',
      {
        schema: {
          ...common,
          summary: 'Draw a procedure through the day in the prefecture (audited: draw_cadence.update)',
          description:
            'Every `everyMinutes` (5–720) from `fromTime` to `untilTime` (local, at least two draws a day) instead of once a day: ' +
            'suits calm procedures, whose slots nobody asked for become open quickly. A slot is drawn once it has been free a full step.',
          params: z.object({ prefectureId: z.string().max(3), procedureId: Id }),
          body: z.object({ everyMinutes: z.number().int(), fromTime: Time, untilTime: Time }).strict(),
          response: { 200: DrawCadenceSchema, ...refusals },
        },
      },
      async (request) =>
        configuration.setDrawCadence(
          agentOf(request),
          request.params.prefectureId,
          request.params.procedureId,
          request.body,
          origin(request),
        ),
    );

    app.delete(
      '/api/agent/configuration/prefectures/:prefectureId/draw-cadences/:procedureId',
      {
        schema: {
          ...common,
          summary: 'Back to one draw a day for a procedure in the prefecture (audited: draw_cadence.delete)',
          description: '`removed` is false when the procedure had no cadence (nothing changed).',
          params: z.object({ prefectureId: z.string().max(3), procedureId: Id }),
          response: {
            200: z.object({ prefectureId: z.string(), procedureId: z.string(), removed: z.boolean() }),
            ...refusals,
          },
        },
      },
      async (request) =>
        configuration.removeDrawCadence(
          agentOf(request),
          request.params.prefectureId,
          request.params.procedureId,
          origin(request),
        ),
    );

    app.patch(
      '/api/agent/configuration/procedures/:procedureId',
      {
        schema: {
          ...common,
          summary: "A procedure's national policy — administrators only (audited: procedure.update)",
          description:
            'Release of slots, offer deadline, and how many offers a request may ignore or decline before it is closed.',
          params: z.object({ procedureId: Id }),
          body: z
            .object({
              releaseDaysAhead: z.number().int(),
              releaseTime: Time,
              offerHours: z.number().int(),
              maxIgnoredOffers: z.number().int(),
              maxDeclines: z.number().int(),
            })
            .strict(),
          response: { 200: z.object({ procedure: ProcedureSchema, slots: z.array(SlotsSchema) }), ...refusals },
        },
      },
      async (request) =>
        configuration.updateProcedurePolicy(
          agentOf(request),
          request.params.procedureId,
          request.body,
          origin(request),
        ),
    );

    app.put(
      '/api/agent/configuration/settings/max-active-per-email',
      {
        schema: {
          ...common,
          summary:
            'The national cap of active appointments per email address — administrators only (audited: setting.update)',
          description: 'Once set here, MAX_ACTIVE_APPOINTMENTS_PER_EMAIL no longer overrides it at start-up.',
          body: z.object({ value: z.number().int() }).strict(),
          response: { 200: z.object({ value: z.number() }), ...refusals },
        },
      },
      async (request) => ({
        value: await configuration.updateEmailCap(
          agentOf(request),
          { maxActivePerEmail: request.body.value },
          origin(request),
        ),
      }),
    );
  };
