// The phone and counter channel in the back-office JSON API (bearer session), the same use
// cases as the pages (pages/agent/on-behalf.ts):
//   GET  /api/agent/on-behalf/slots?procedure=&site=   free slots of the agents' reserve, coming 4 weeks
//   POST /api/agent/on-behalf/appointments             books one of them for a caller (email optional)
//   POST /api/agent/on-behalf/requests                 files a request for a caller (email required)
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentChannelUseCases } from '../../../app/agent-channel/agent-channel-use-cases.ts';
import { AGENT_CHANNELS, callerEmailOf } from '../../../domain/agent-channel-rules.ts';
import { localTimeOf } from '../../../domain/local-time.ts';
import { agentWith } from '../../pages/agent/agent-area.ts';
import {
  ApplicantSchema,
  AppointmentSchema,
  DepartementCode,
  FreeSlotSchema,
  LanguageSchema,
  LocalDate,
  ProblemSchema,
  Slug,
  Uuid,
} from '../../schemas.ts';
import { FileRequestResponse, PreferencesSchema } from '../requests.ts';
import { AGENT_API_SECURITY } from './agent-api.ts';

const problems = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
  503: ProblemSchema,
};

/** The online applicant's shape, the email optional (absent, null or "": the caller has none). */
const CallerSchema = ApplicantSchema.extend({
  email: z
    .union([z.email().max(254), z.literal(''), z.null()])
    .optional()
    .describe('Absent, null or "" when the caller has no email: print the convocation'),
  phone: z
    .string()
    .max(40)
    .nullable()
    .optional()
    .describe('A number to call the caller on ("06 12 34 56 78", "+221 77 123 45 67"); required without email'),
});
const Channel = z.enum(AGENT_CHANNELS).describe('"phone" or "counter"');

const BookBody = z
  .object({ slotId: Uuid, applicant: CallerSchema, channel: Channel, language: LanguageSchema })
  .strict();
const RequestBody = z
  .object({
    prefectureId: DepartementCode,
    procedureId: Slug,
    preferences: PreferencesSchema,
    urgencyDate: LocalDate.nullable().optional(),
    applicant: CallerSchema,
    channel: Channel,
    language: LanguageSchema,
  })
  .strict();

const BookedResponse = z.object({
  appointment: AppointmentSchema,
  managementToken: z.string().describe('Shown once: read it to the caller (cancel, move)'),
  convocation: z.object({
    token: z.string().describe('The QR code content'),
    shortCode: z.string(),
    expiresAt: z.string(),
  }),
});

export const agentOnBehalfRoutes = (channel: AgentChannelUseCases): FastifyPluginAsync =>
  (async (app) => {
    const route = (method: string, path: string) => `${method} ${path}`;

    app.get(
      '/api/agent/on-behalf/slots',
      {
        schema: {
          tags: ['agent'],
          summary: "Free slots of the agents' reserve at a site (coming 4 weeks)",
          security: AGENT_API_SECURITY,
          description: 'Only slots reserved for the phone / counter channel; counter agents: their own sites.',
          querystring: z.object({ procedure: Slug, site: Slug }).strict(),
          response: {
            200: z.object({ timeZone: z.string(), slots: z.array(FreeSlotSchema), truncated: z.boolean() }),
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'channel.book');
        const result = await channel.listReservedSlots(agent, {
          procedureId: request.query.procedure,
          siteId: request.query.site,
        });
        reply.header('cache-control', 'no-store');
        return {
          timeZone: result.timeZone,
          truncated: result.truncated,
          slots: result.slots.map((s) => ({
            slotId: s.slotId,
            siteId: s.siteId,
            startsAt: s.startsAt.toISOString(),
            endsAt: s.endsAt.toISOString(),
            localDate: s.localDate,
            localTime: localTimeOf(s.startsAt, result.timeZone),
            freeCounters: s.freeCounters,
          })),
        };
      },
    );

    app.post(
      '/api/agent/on-behalf/appointments',
      {
        schema: {
          tags: ['agent'],
          summary: 'Book a reserved slot for a caller (phone or counter)',
          security: AGENT_API_SECURITY,
          description:
            'The checks and caps of online booking, without the email code. With an email the caller gets the confirmation; without, print the convocation.',
          body: BookBody,
          response: { 201: BookedResponse, ...problems },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'channel.book');
        const { applicant, ...rest } = request.body;
        const booked = await channel.bookForCaller(
          agent,
          { ...rest, applicant: { ...applicant, email: callerEmailOf(applicant.email) } },
          { ip: request.ip, route: route('POST', '/api/agent/on-behalf/appointments') },
        );
        reply.header('cache-control', 'no-store');
        const { token, shortCode, expiresAt } = booked.convocation;
        return reply.status(201).send({ ...booked.confirmation, convocation: { token, shortCode, expiresAt } });
      },
    );

    app.post(
      '/api/agent/on-behalf/requests',
      {
        schema: {
          tags: ['agent'],
          summary: 'File an appointment request for a caller (any procedure done at a counter)',
          security: AGENT_API_SECURITY,
          description:
            'The checks of an online request, without the email code; an email is required (the offers are sent by email). The request is drawn with the others.',
          body: RequestBody,
          response: { 201: FileRequestResponse, ...problems },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'channel.book');
        const { applicant, ...rest } = request.body;
        const filed = await channel.fileForCaller(
          agent,
          { ...rest, applicant: { ...applicant, email: callerEmailOf(applicant.email) } },
          { ip: request.ip, route: route('POST', '/api/agent/on-behalf/requests') },
        );
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(filed);
      },
    );
  }) as FastifyPluginAsyncZod as unknown as FastifyPluginAsync;
