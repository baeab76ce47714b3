// What a feature registers on the server, each part where it belongs: its public API, its
// public pages (inside the web plugin: CSRF on forms, HTML errors, language), its back-office
// API and pages (behind the agent session check). Built by src/features/.
import type { FastifyPluginAsync } from 'fastify';

/** What pages need to know of the deployment. */
export interface WebSettings {
  /** Cookies only over HTTPS (production). */
  secureCookies: boolean;
}

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

/**
 * A plugin whose module is imported when the server registers it, not when its feature is
 * built: the worker and the CLI commands build every feature and serve no page, and the HTTP
 * layer (pages, templates, PDF rendering) was about 70 % of what such a process loaded.
 */
export const lazyPlugin =
  (load: () => Promise<FastifyPluginAsync>): FastifyPluginAsync =>
  async (app) => {
    await app.register(await load());
  };

/** Several plugins of a feature as one (each registered in turn, in its own scope). */
export const pluginsInTurn =
  (...plugins: readonly FastifyPluginAsync[]): FastifyPluginAsync =>
  async (app) => {
    for (const plugin of plugins) await app.register(plugin);
  };

/**
 * The back-office's gates, built by the agents feature from its use cases: the log-in, and the
 * session check every feature's back-office pages and routes are registered behind.
 */
export interface BackOffice {
  /** The log-in pages, then the agents' own pages and `features` behind the session cookie's check. */
  pages(features: readonly FastifyPluginAsync[], web: WebSettings): FastifyPluginAsync;
  /** The session routes (one-call log-in, log-out), then the agents' own routes and `features` behind the bearer check. */
  api(features: readonly FastifyPluginAsync[]): FastifyPluginAsync;
}
