// Convocations: the applicant fetches theirs with the management token; an agent verifies
// one (scanned token or typed short code) with the agent bearer token.
//
// Until agent accounts exist, agents share AGENT_API_TOKEN. When it is not configured the
// verification route is not registered at all, so it answers ROUTE_NOT_FOUND like any
// unknown path: no endpoint that checks identities is ever open without authentication.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { convocationOfManagementToken } from '../../app/issue-convocation.ts';
import { verifyConvocation, type ConvocationContext } from '../../app/verify-convocation.ts';
import { DomainError } from '../../domain/errors.ts';
import { managementTokenOf } from '../credentials.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { ProblemSchema } from '../schemas.ts';

export interface ConvocationRoutesOptions {
  /** The booking context: the applicant route opens the appointment with the management token. */
  ctx: AppContext;
  convocations: ConvocationContext;
  /** config.agentApiToken; null disables the verification route. */
  agentApiToken: string | null;
}

const VERIFY_PATH = '/api/convocations/verify';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time check of "Authorization: Bearer <agent token>": both sides are hashed first,
 * so neither the content nor the length of the expected token leaks through timing.
 */
function agentGuard(agentApiToken: string) {
  const expected = digest(agentApiToken);
  return async (request: FastifyRequest): Promise<void> => {
    const raw = request.headers.authorization;
    const match = typeof raw === 'string' ? /^Bearer +(\S{1,512})$/i.exec(raw.trim()) : null;
    const given = digest(match ? match[1]! : '');
    if (!match || !timingSafeEqual(given, expected)) throw new DomainError('AGENT_TOKEN_INVALID');
  };
}

export const ConvocationSchema = z.object({
  token: z.string().describe('Signed convocation: the content of the QR code (149 characters, A–Z, 2–7 and one ".")'),
  shortCode: z.string().describe('What an agent types when the QR code cannot be scanned: the booking reference'),
  qrSvg: z.string().describe('The QR code as a standalone SVG document'),
  expiresAt: z.string().describe('Instant after which the convocation is refused (end of the local day of the appointment)'),
});

export const VerifyConvocationRequest = z.union([
  z.object({ token: z.string().max(512) }).strict(),
  z.object({ shortCode: z.string().max(64) }).strict(),
]).describe('Either the scanned token or the typed short code');

export const VerifiedConvocationSchema = z.object({
  reference: z.string(),
  surname: z.string(),
  givenNames: z.string(),
  birthDate: z.string(),
  nationality: z.string(),
  procedureId: z.string(),
  siteId: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  status: z.enum(['booked', 'arrived']),
});

export const convocationRoutes =
  (options: ConvocationRoutesOptions): FastifyPluginAsyncZod =>
  async (app) => {
    const { ctx, convocations, agentApiToken } = options;

    app.get('/api/appointment/convocation', {
      config: SENSITIVE_ROUTE,
      schema: {
        tags: ['manage'],
        summary: 'The nominative convocation of the appointment: signed token, QR code (SVG) and short code',
        security: [{ managementToken: [] }],
        response: { 200: ConvocationSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema },
      },
    }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return convocationOfManagementToken(ctx, convocations.signer, managementTokenOf(request.headers));
    });

    if (!agentApiToken) return;

    app.post(VERIFY_PATH, {
      // The sensitive budget: short codes can be typed, so they could be guessed.
      config: SENSITIVE_ROUTE,
      onRequest: agentGuard(agentApiToken),
      schema: {
        tags: ['agent'],
        summary: 'Verify a convocation at the counter',
        description: 'Answers the person and appointment for a valid, unexpired, non-cancelled convocation, and one uniform ' +
          '404 CONVOCATION_INVALID for anything else (altered, unknown, cancelled, expired, mistyped). Needs the agent token.',
        security: [{ agentToken: [] }],
        body: VerifyConvocationRequest,
        response: { 200: VerifiedConvocationSchema, 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 429: ProblemSchema },
      },
    }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return verifyConvocation(convocations, request.body, { ip: request.ip, route: VERIFY_PATH });
    });
  };
