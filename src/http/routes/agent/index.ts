// The back-office JSON API: session routes, then each feature's routes behind the bearer check.
import type { FastifyPluginAsync } from 'fastify';
import type { ServerOptions } from '../../server.ts';
import { agendaApiRoutes } from './agenda.ts';
import { agentApi } from './agent-api.ts';
import { agentAdminRoutes } from './agents.ts';
import { configurationApiRoutes } from './configuration.ts';
import { agentOnBehalfRoutes } from './on-behalf.ts';
import { agentReviewRoutes } from './review.ts';

export const agentApiRoutes = (
  options: ServerOptions,
  featureRoutes: readonly FastifyPluginAsync[],
): FastifyPluginAsync =>
  agentApi(options.agents, [
    configurationApiRoutes(options),
    agentAdminRoutes(options),
    agendaApiRoutes(options),
    agentOnBehalfRoutes(options),
    agentReviewRoutes(options),
    ...featureRoutes,
  ]);
