// The back-office's JSON API (/api/agent/…): what the pages do, for a prefecture's own tools.
// An agent opens a session with email, password and TOTP code in one call and gets a bearer
// token (the same session as the pages': 12 h at most, 2 h idle, revoked with the account);
// every other route needs "Authorization: Bearer <token>". No cookie is read here, so a
// third-party page cannot ride an agent's browser session (no CSRF surface).
// Each feature registers its routes inside `agentApi` (the check runs before all of them,
// at onRequest: before parsing and validation)
// and reads the agent with `agentOf` / `agentWith` (pages/agent/agent-area.ts).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import { agentOf, rememberSession, sessionOf } from '../../pages/agent/agent-area.ts';
import { originOf } from '../../pages/agent/login.ts';
import { SENSITIVE_ROUTE } from '../../rate-limit.ts';
import { ProblemSchema } from '../../schemas.ts';

export const AGENT_API_SECURITY = [{ agentSession: [] }];

/** The bearer token of "Authorization: Bearer <token>", or undefined. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const raw = request.headers.authorization;
  const match = typeof raw === 'string' ? /^Bearer +(\S{1,200})$/i.exec(raw.trim()) : null;
  return match ? match[1] : undefined;
}

const AgentSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(['counter', 'supervisor', 'admin']),
  prefectureId: z.string().nullable(),
  siteIds: z.array(z.string()),
});

const agentView = (agent: ReturnType<typeof agentOf>) => ({
  id: agent.id,
  email: agent.email,
  displayName: agent.displayName,
  role: agent.role,
  prefectureId: agent.prefectureId,
  siteIds: agent.siteIds,
});

/** Log-in and log-out: open routes (the log-in) and the session's own. */
const sessionRoutes =
  (agents: Pick<AgentUseCases, 'checkPassword' | 'checkSecondFactor'>): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/agent/sessions',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['agent'],
          summary: 'Open an agent session (password and TOTP code)',
          description:
            'One uniform 401 AGENT_LOGIN_FAILED for any wrong part; 429 AGENT_LOCKED after 5 failures (15 min).',
          body: z
            .object({
              email: z.string().max(320),
              password: z.string().max(1024),
              code: z.string().max(20),
            })
            .strict(),
          response: {
            201: z.object({ token: z.string(), expiresAt: z.string(), agent: AgentSchema }),
            400: ProblemSchema,
            401: ProblemSchema,
            429: ProblemSchema,
          },
        },
      },
      async (request, reply) => {
        const origin = originOf(request);
        const step = await agents.checkPassword(request.body, origin);
        const session = await agents.checkSecondFactor({ ticket: step.ticket, code: request.body.code }, origin);
        reply.header('cache-control', 'no-store');
        return reply
          .status(201)
          .send({ token: session.token, expiresAt: session.expiresAt.toISOString(), agent: agentView(session.agent) });
      },
    );
  };

export const agentApi =
  (agents: AgentUseCases, features: readonly FastifyPluginAsync[]): FastifyPluginAsync =>
  async (app) => {
    await app.register(sessionRoutes(agents));
    await app.register(async (area) => {
      // onRequest: the session first, before the body is even parsed or validated, so a caller
      // without one learns nothing of a route's fields (401, never 400 with the field list).
      area.addHook('onRequest', async (request) => {
        rememberSession(request, await agents.authenticateSession(bearerOf(request)));
      });
      const typed = area as unknown as Parameters<FastifyPluginAsyncZod>[0];
      typed.get(
        '/api/agent/me',
        {
          schema: {
            tags: ['agent'],
            summary: 'The agent of this session',
            security: AGENT_API_SECURITY,
            response: { 200: AgentSchema, 401: ProblemSchema },
          },
        },
        async (request, reply) => {
          reply.header('cache-control', 'no-store');
          return agentView(agentOf(request));
        },
      );
      typed.delete(
        '/api/agent/sessions/current',
        {
          schema: {
            tags: ['agent'],
            summary: 'Close this session (log out)',
            security: AGENT_API_SECURITY,
            response: { 204: z.null(), 401: ProblemSchema },
          },
        },
        async (request, reply) => {
          await agents.logOut(sessionOf(request), originOf(request));
          return reply.status(204).send(null);
        },
      );
      for (const feature of features) await area.register(feature);
    });
  };
