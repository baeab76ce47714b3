// The back-office JSON API: session routes, then the agents' own routes and each feature's
// behind the bearer check.
import type { FastifyPluginAsync } from 'fastify';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import { agentApi } from './agent-api.ts';
import { agentAdminRoutes } from './agents.ts';

export const backOfficeApi =
  (agents: AgentUseCases) =>
  (features: readonly FastifyPluginAsync[]): FastifyPluginAsync =>
    agentApi(agents, [agentAdminRoutes(agents), ...features]);
