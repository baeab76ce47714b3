import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bookSlot } from '../../app/book-slot.ts';
import { cancelAppointment } from '../../app/cancel-appointment.ts';
import type { AppContext } from '../../app/context.ts';
import { rescheduleAppointment } from '../../app/reschedule-appointment.ts';
import { viewAppointment } from '../../app/view-appointment.ts';
import { DomainError } from '../../domain/errors.ts';
import { AppointmentSchema, BookingRequest, BookingResponse, ProblemSchema, RescheduleRequest } from '../schemas.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,128}$/;

function idempotencyKeyOf(headers: Record<string, unknown>): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY.test(raw)) throw new DomainError('IDEMPOTENCY_KEY_INVALID');
  return raw;
}

/** The management token travels only in the Authorization header: never in a URL, never logged. */
function managementTokenOf(headers: Record<string, unknown>): string {
  const raw = headers.authorization;
  const match = typeof raw === 'string' ? /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(raw.trim()) : null;
  if (typeof raw !== 'string' || raw.trim() === '') throw new DomainError('MANAGEMENT_TOKEN_MISSING');
  if (!match) throw new DomainError('APPOINTMENT_NOT_FOUND');
  return match[1]!;
}

const bearer = [{ managementToken: [] }];
const problems = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

export const bookingRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/api/bookings', {
      schema: {
        tags: ['booking'],
        summary: 'Book a free slot (direct mode)',
        description: 'Send an Idempotency-Key header (8–128 visible ASCII characters) to retry safely: a replay returns the same ' +
          'response with Idempotent-Replayed: true; the same key with another body is refused (422). The response holds the ' +
          'management token, shown only once.',
        headers: z.object({ 'idempotency-key': z.string().optional() }).loose(),
        body: BookingRequest,
        response: { 201: BookingResponse, ...problems },
      },
    }, async (request, reply) => {
      const key = idempotencyKeyOf(request.headers);
      const { confirmation, replayed } = await bookSlot(ctx, request.body, key);
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.header('cache-control', 'no-store');
      return reply.status(201).send(confirmation);
    });

    app.get('/api/appointment', {
      schema: { tags: ['manage'], summary: 'The appointment opened by the management token', security: bearer, response: { 200: AppointmentSchema, ...problems } },
    }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return viewAppointment(ctx, managementTokenOf(request.headers));
    });

    app.post('/api/appointment/cancel', {
      schema: { tags: ['manage'], summary: 'Cancel the appointment; its slot is freed at once', security: bearer, response: { 200: AppointmentSchema, ...problems } },
    }, async (request) => cancelAppointment(ctx, managementTokenOf(request.headers)));

    app.post('/api/appointment/reschedule', {
      schema: {
        tags: ['manage'], summary: 'Move the appointment to another free slot of the same procedure (limited number of times)',
        security: bearer, body: RescheduleRequest, response: { 200: AppointmentSchema, ...problems },
      },
    }, async (request) => rescheduleAppointment(ctx, managementTokenOf(request.headers), request.body.slotId));
  };
