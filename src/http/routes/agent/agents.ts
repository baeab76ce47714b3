// Agent accounts in the back-office JSON API (bearer session), the same use cases as the
// pages (pages/agent/agents.ts):
//   GET  /api/agent/agents[?prefecture=]          the accounts in scope
//   POST /api/agent/agents                         creates one; answers the generated password
//                                                  and the TOTP secret + otpauth URI, once
//   POST /api/agent/agents/{id}/disable            disables it and revokes its sessions
//   POST /api/agent/agents/{id}/totp-reset         a new TOTP secret (once), sessions revoked
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import { AGENT_ROLES } from '../../../domain/agent-rules.ts';
import type { Agent } from '../../../ports/agent-store.ts';
import { agentWith } from '../../pages/agent/agent-area.ts';
import { originOf } from '../../pages/agent/login.ts';
import { DepartementCode, ProblemSchema, Slug, Uuid } from '../../schemas.ts';
import { AGENT_API_SECURITY } from './agent-api.ts';

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };

const AccountSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(AGENT_ROLES),
  prefectureId: z.string().nullable(),
  siteIds: z.array(z.string()),
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
});

const accountView = (a: Agent) => ({
  id: a.id,
  email: a.email,
  displayName: a.displayName,
  role: a.role,
  prefectureId: a.prefectureId,
  siteIds: a.siteIds,
  disabledAt: a.disabledAt?.toISOString() ?? null,
  createdAt: a.createdAt.toISOString(),
});

const EnrolmentSchema = z.object({
  totpSecret: z.string().describe('Base32, for the authenticator app: shown once, never again'),
  totpUri: z.string().describe('otpauth:// URI (what the QR code holds)'),
});

const IdParams = z.object({ id: Uuid });

export const agentAdminRoutes = (agents: AgentUseCases): FastifyPluginAsync =>
  (async (app) => {
    app.get(
      '/api/agent/agents',
      {
        schema: {
          tags: ['agent'],
          summary: 'Agent accounts in scope',
          security: AGENT_API_SECURITY,
          description:
            "Supervisors: the accounts of their prefecture; administrators: every account, or one prefecture's. `manageable`: the caller may disable it or reset its second factor.",
          querystring: z.object({ prefecture: DepartementCode.optional() }).strict(),
          response: {
            200: z.object({
              prefectureId: z.string().nullable(),
              agents: z.array(AccountSchema.extend({ manageable: z.boolean() })),
            }),
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'agents.manage');
        const listed = await agents.listAgentAccounts(agent, { prefectureId: request.query.prefecture ?? null });
        reply.header('cache-control', 'no-store');
        return {
          prefectureId: listed.prefectureId,
          agents: listed.agents.map((a) => ({ ...accountView(a), manageable: a.manageable })),
        };
      },
    );

    app.post(
      '/api/agent/agents',
      {
        schema: {
          tags: ['agent'],
          summary: 'Create an agent account',
          security: AGENT_API_SECURITY,
          description:
            'Supervisors create counter agents of their prefecture; administrators any account. The password is generated and returned once with the TOTP enrolment.',
          body: z
            .object({
              email: z.string().max(320),
              displayName: z.string().max(200),
              role: z.enum(AGENT_ROLES),
              prefectureId: DepartementCode.nullable(),
              siteIds: z.array(Slug).max(100).default([]),
            })
            .strict(),
          response: {
            201: z
              .object({ agent: AccountSchema, password: z.string().describe('Generated: shown once') })
              .extend(EnrolmentSchema.shape),
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'agents.manage');
        const created = await agents.createAgent(agent, request.body, originOf(request));
        reply.header('cache-control', 'no-store');
        return reply.status(201).send({
          agent: accountView(created.agent),
          password: created.password ?? '',
          totpSecret: created.totpSecret,
          totpUri: created.totpUri,
        });
      },
    );

    app.post(
      '/api/agent/agents/:id/disable',
      {
        schema: {
          tags: ['agent'],
          summary: 'Disable an agent account (its sessions end at once)',
          security: AGENT_API_SECURITY,
          params: IdParams,
          response: { 200: z.object({ revokedSessions: z.number().int() }), ...problems },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'agents.manage');
        const result = await agents.disableAgentById(agent, request.params.id, originOf(request));
        reply.header('cache-control', 'no-store');
        return result;
      },
    );

    app.post(
      '/api/agent/agents/:id/totp-reset',
      {
        schema: {
          tags: ['agent'],
          summary: "Reset an agent's second factor (new TOTP secret, sessions revoked)",
          security: AGENT_API_SECURITY,
          params: IdParams,
          response: {
            200: z.object({ agent: AccountSchema, revokedSessions: z.number().int() }).extend(EnrolmentSchema.shape),
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const agent = agentWith(request, 'agents.manage');
        const reset = await agents.resetAgentTotp(agent, request.params.id, originOf(request));
        reply.header('cache-control', 'no-store');
        return {
          agent: accountView(reset.agent),
          revokedSessions: reset.revokedSessions,
          totpSecret: reset.totpSecret,
          totpUri: reset.totpUri,
        };
      },
    );
  }) as FastifyPluginAsyncZod as unknown as FastifyPluginAsync;
