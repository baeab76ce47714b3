// The back-office JSON API: session routes, then each feature's routes behind the bearer check.
import type { FastifyPluginAsync } from 'fastify';
import type { ServerOptions } from '../../server.ts';
import { agentApi } from './agent-api.ts';

export const agentApiRoutes =
  (options: ServerOptions): FastifyPluginAsync =>
    agentApi(options.agents, [
    ]);
