import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import { EMAIL_CODE_PURPOSES } from '../../domain/one-time-code.ts';
import { IDEMPOTENCY_KEY_DOC, proofOfWorkRoute } from '../proof-of-work-guard.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { LanguageSchema, ProblemSchema } from '../schemas.ts';

const ROUTE = '/api/email-verifications';

export const EmailVerificationRequest = z
  .object({
    email: z.email().max(254),
    // 'access' (the way back in by reference) is asked for by its own page, never here.
    purpose: z.enum(EMAIL_CODE_PURPOSES.filter((p) => p !== 'access') as ['booking', 'request', 'reschedule']),
    /** ALTCHA proof-of-work payload (base64 JSON); checked by the proof-of-work preHandler. */
    altcha: z.string().max(4096).optional(),
    language: LanguageSchema,
  })
  .strict();

export const EmailVerificationResponse = z.object({
  verificationId: z.string().describe('Send it back with the code; alone it is worth nothing.'),
  expiresAt: z.string().describe('When the code stops working (ISO 8601, at most 10 minutes ahead).'),
});

export const emailVerificationRoutes =
  (applicants: ApplicantUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      ROUTE,
      {
        config: SENSITIVE_ROUTE,
        ...proofOfWorkRoute(applicants),
        schema: {
          tags: ['protection'],
          summary:
            'Send a one-time code that proves the email address (before booking, filing a request or rescheduling)',
          description:
            'Sends an 8-digit code, valid 10 minutes, single use, 5 tries. The answer is the same for every address. ' +
            `Sending is limited per address and per network (429 EMAIL_CODE_SEND_LIMITED with Retry-After). ${IDEMPOTENCY_KEY_DOC}`,
          headers: z.object({ 'idempotency-key': z.string().optional() }).loose(),
          body: EmailVerificationRequest,
          response: {
            202: EmailVerificationResponse,
            400: ProblemSchema,
            403: ProblemSchema,
            409: ProblemSchema,
            422: ProblemSchema,
            429: ProblemSchema,
            503: ProblemSchema,
          },
        },
      },
      async (request, reply) => {
        // A refusal for too many sends carries Retry-After (set by sendProblem from its details).
        const { email, purpose, language } = request.body;
        const sent = await applicants.sendEmailCode({ email, purpose, language, ip: request.ip, route: ROUTE });
        reply.header('cache-control', 'no-store');
        return reply.status(202).send({ verificationId: sent.verificationId, expiresAt: sent.expiresAt.toISOString() });
      },
    );
  };
