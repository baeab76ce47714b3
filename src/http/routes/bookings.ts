import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import type { BookingUseCases } from '../../app/booking/booking-use-cases.ts';
import { idempotencyKeyOf, managementTokenOf } from '../credentials.ts';
import { IDEMPOTENCY_KEY_DOC, proofOfWorkRoute } from '../proof-of-work-guard.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { AppointmentSchema, BookingRequest, BookingResponse, ProblemSchema, RescheduleRequest } from '../schemas.ts';

const bearer = [{ managementToken: [] }];
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

export const bookingRoutes =
  (booking: BookingUseCases, applicants: ApplicantUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    const proofOfWork = proofOfWorkRoute(applicants);

    app.post(
      '/api/bookings',
      {
        config: SENSITIVE_ROUTE,
        ...proofOfWork,
        schema: {
          tags: ['booking'],
          summary: 'Book a free slot (direct mode)',
          description:
            'Before booking: solve a proof-of-work challenge (GET /api/pow/challenge → `altcha`) and prove the email with ' +
            'the code sent by POST /api/email-verifications (purpose "booking") → `emailVerification`. Procedures that check the ' +
            'registry need the AGDREF number, surname and birth date as the registry holds them. ' +
            `${IDEMPOTENCY_KEY_DOC} The response holds the management token, shown only once.`,
          headers: z.object({ 'idempotency-key': z.string().optional() }).loose(),
          body: BookingRequest,
          response: { 201: BookingResponse, ...problems },
        },
      },
      async (request, reply) => {
        const idempotencyKey = idempotencyKeyOf(request.headers);
        const { slotId, applicant, emailVerification, language } = request.body;
        const { confirmation, replayed } = await booking.bookSlot(
          { slotId, applicant, emailProof: emailVerification, language },
          { idempotencyKey, origin: { ip: request.ip, route: 'POST /api/bookings' } },
        );
        if (replayed) reply.header('idempotent-replayed', 'true');
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(confirmation);
      },
    );

    app.get(
      '/api/appointment',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['manage'],
          summary: 'The appointment opened by the management token',
          security: bearer,
          response: { 200: AppointmentSchema, ...problems },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return booking.viewAppointment(managementTokenOf(request.headers));
      },
    );

    app.post(
      '/api/appointment/cancel',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['manage'],
          summary: 'Cancel the appointment; its slot is freed at once',
          security: bearer,
          response: { 200: AppointmentSchema, ...problems },
        },
      },
      async (request) => booking.cancelAppointment(managementTokenOf(request.headers)),
    );

    app.post(
      '/api/appointment/reschedule',
      {
        config: SENSITIVE_ROUTE,
        ...proofOfWork,
        schema: {
          tags: ['manage'],
          summary: 'Move the appointment to another free slot of the same procedure (limited number of times)',
          description: `Needs a proof-of-work solution (\`altcha\`) and a code sent to the appointment's email with purpose "reschedule". ${IDEMPOTENCY_KEY_DOC}`,
          headers: z.object({ 'idempotency-key': z.string().optional() }).loose(),
          security: bearer,
          body: RescheduleRequest,
          response: { 200: AppointmentSchema, ...problems },
        },
      },
      async (request) => {
        const managementToken = managementTokenOf(request.headers);
        const { slotId, emailVerification } = request.body;
        return booking.rescheduleAppointment(
          { managementToken, slotId, emailProof: emailVerification },
          { ip: request.ip, route: 'POST /api/appointment/reschedule' },
        );
      },
    );
  };
