// The applicant's answer to an offer, with the management token of the request
// (Authorization: Bearer …; never in the URL): view, confirm, decline, extend once.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OfferUseCases } from '../../app/offers/offer-use-cases.ts';
import { DomainError, isDomainError } from '../../domain/errors.ts';
import { OFFER_STATUSES } from '../../domain/offer-rules.ts';
import { REQUEST_STATUSES } from '../../domain/request-rules.ts';
import { managementTokenOf } from '../credentials.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { AppointmentSchema, ProblemSchema } from '../schemas.ts';

const bearer = [{ managementToken: [] }];
const problems = {
  400: ProblemSchema,
  401: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  410: ProblemSchema,
  429: ProblemSchema,
  503: ProblemSchema,
};

export const OfferSchema = z.object({
  status: z.enum(OFFER_STATUSES),
  procedureId: z.string(),
  slot: z.object({
    slotId: z.string(),
    siteId: z.string(),
    siteName: z.string(),
    siteAddress: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    localDate: z.string(),
    localTime: z.string(),
  }),
  timeZone: z.string(),
  expiresAt: z.string().describe('Answer before this instant (ISO 8601)'),
  expiresAtLocal: z.string().describe('The same deadline in the prefecture\'s local time, "YYYY-MM-DD HH:MM"'),
  extended: z.boolean(),
  extensionWouldEndAt: z
    .string()
    .nullable()
    .describe('The deadline POST …/extend would give now; null when it cannot be extended'),
  request: z.object({
    reference: z.string(),
    status: z.enum(REQUEST_STATUSES),
    declinedCount: z.number(),
    ignoredCount: z.number(),
    declinesLeft: z.number().describe('Declines still allowed; one more closes the request'),
    unansweredLeft: z
      .number()
      .describe(
        'Offers that may still go unanswered (each pauses the request until reconfirmed); the next one closes it',
      ),
  }),
});
export const OfferConfirmationSchema = z.object({ appointment: AppointmentSchema, offer: OfferSchema });

/** The request's management token; a malformed one is refused like an unknown one. */
function requestTokenOf(headers: Record<string, unknown>): string {
  try {
    return managementTokenOf(headers);
  } catch (error) {
    if (isDomainError(error) && error.code === 'APPOINTMENT_NOT_FOUND') throw new DomainError('REQUEST_NOT_FOUND');
    throw error;
  }
}

export const offerRoutes =
  (offers: OfferUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/request/offer',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary: 'The latest offer made to the request: slot, site, deadline (pending, or what became of it)',
          security: bearer,
          response: { 200: OfferSchema, ...problems },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return offers.viewOffer(requestTokenOf(request.headers));
      },
    );

    app.post(
      '/api/request/offer/confirm',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary: 'Confirm the offer: the appointment is made, managed with the same token',
          description:
            "Before the deadline (`expiresAt`). The appointment and its convocation are then managed with the request's " +
            'management token (GET /api/appointment, GET /api/appointment/convocation). 410 OFFER_EXPIRED after the deadline.',
          security: bearer,
          response: { 200: OfferConfirmationSchema, ...problems },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return offers.confirmOffer(requestTokenOf(request.headers));
      },
    );

    app.post(
      '/api/request/offer/decline',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary: 'Decline the offer: the slot goes to a draw among other requests',
          description:
            "The request returns to the queue in today's batch (it keeps no seniority) and sits the next draw out; a decline " +
            'when `declinesLeft` is 0 closes the request.',
          security: bearer,
          response: { 200: OfferSchema, ...problems },
        },
      },
      async (request) => offers.declineOffer(requestTokenOf(request.headers)),
    );

    app.post(
      '/api/request/offer/extend',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary: 'Extend the deadline once, by the offer duration, at the latest 2 hours before the appointment',
          security: bearer,
          response: { 200: OfferSchema, ...problems },
        },
      },
      async (request) => offers.extendOffer(requestTokenOf(request.headers)),
    );
  };
