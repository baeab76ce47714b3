// The agent back-office's pages: the log-in (open) and everything behind it, registered in
// agentArea (the session checked on every request) inside the web plugin (CSRF on every
// form, HTML errors): the agents' own pages (home, log-out, audit, accounts), then each
// feature's back-office pages.
import type { FastifyPluginAsync } from 'fastify';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import type { WebSettings } from '../../feature-plugins.ts';
import { agentArea } from './agent-area.ts';
import { agentAdminPages } from './agents.ts';
import { agentBackOfficePages } from './back-office.ts';
import { agentLoginPages } from './login.ts';

export const backOfficePages =
  (agents: AgentUseCases, catalogue: CatalogueUseCases) =>
  (features: readonly FastifyPluginAsync[], web: WebSettings): FastifyPluginAsync =>
  async (app) => {
    await app.register(agentLoginPages(agents, web));
    await app.register(
      agentArea(agents, web.secureCookies, [
        agentBackOfficePages(agents, web),
        agentAdminPages(agents, catalogue),
        ...features,
      ]),
    );
  };
