// What a feature registers on the server, each part where it belongs: its public API, its
// public pages (inside the web plugin: CSRF on forms, HTML errors, language), its back-office
// API and pages (behind the agent session check). Built by src/features/.
import type { FastifyPluginAsync } from 'fastify';

export interface FeaturePlugins {
  /** Public JSON API routes (/api/…). */
  readonly routes?: FastifyPluginAsync;
  /** Public pages, inside the web plugin. */
  readonly pages?: FastifyPluginAsync;
  /** Back-office JSON routes, inside the agent API (bearer session checked first). */
  readonly agentRoutes?: FastifyPluginAsync;
  /** Back-office pages, inside the agent area (session cookie checked first). */
  readonly agentPages?: FastifyPluginAsync;
}
