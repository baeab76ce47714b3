// Convocations: the applicant fetches theirs with the management token. Agents verify one
// (scanned token or typed short code) at POST /api/convocations/verify, inside the agent
// API (routes/agent/agenda.ts): an agent session, scoped to the agent's sites.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ConvocationUseCases } from '../../app/convocations/convocation-use-cases.ts';
import { APPOINTMENT_STATUSES } from '../../domain/agenda-rules.ts';
import { managementTokenOf } from '../credentials.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { ProblemSchema } from '../schemas.ts';

export const VERIFY_PATH = '/api/convocations/verify';

export const ConvocationSchema = z.object({
  token: z.string().describe('Signed convocation: the content of the QR code (149 characters, A–Z, 2–7 and one ".")'),
  shortCode: z.string().describe('What an agent types when the QR code cannot be scanned: the booking reference'),
  qrSvg: z.string().describe('The QR code as a standalone SVG document'),
  expiresAt: z
    .string()
    .describe('Instant after which the convocation is refused (end of the local day of the appointment)'),
});

export const VerifyConvocationRequest = z
  .union([z.object({ token: z.string().max(512) }).strict(), z.object({ shortCode: z.string().max(64) }).strict()])
  .describe('Either the scanned token or the typed short code');

export const VerifiedConvocationSchema = z.object({
  id: z.string().describe('The appointment id (for the check-in routes /api/agent/appointments/{id}/…)'),
  reference: z.string(),
  surname: z.string(),
  givenNames: z.string(),
  birthDate: z.string(),
  nationality: z.string(),
  procedureId: z.string(),
  siteId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  status: z.enum(APPOINTMENT_STATUSES).extract(['booked', 'arrived']),
});

export const convocationRoutes =
  (convocations: Pick<ConvocationUseCases, 'convocationOfManagementToken'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/appointment/convocation',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['manage'],
          summary: 'The nominative convocation of the appointment: signed token, QR code (SVG) and short code',
          security: [{ managementToken: [] }],
          response: { 200: ConvocationSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return convocations.convocationOfManagementToken(managementTokenOf(request.headers));
      },
    );
  };
