// The agent back-office's pages: the log-in (open) and everything behind it, registered in
// agentArea (the session checked on every request) inside the web plugin (CSRF on every
// form, HTML errors). Each feature is one plugin of the list below.
import type { FastifyPluginAsync } from 'fastify';
import type { ServerOptions } from '../../server.ts';
import { agendaPages } from './agenda.ts';
import { agentArea } from './agent-area.ts';
import { agentAdminPages } from './agents.ts';
import { agentBackOfficePages } from './back-office.ts';
import { checkInPages } from './check-in.ts';
import { configurationPages } from './configuration.ts';
import { duplicatesPages } from './duplicates.ts';
import { agentLoginPages } from './login.ts';
import { agentOnBehalfPages } from './on-behalf.ts';
import { statisticsPages } from './statistics.ts';
import { urgencyPages } from './urgency.ts';

export const agentPages =
  (options: ServerOptions, featurePages: readonly FastifyPluginAsync[]): FastifyPluginAsync =>
  async (app) => {
    const secure = options.secureCookies ?? false;
    await app.register(agentLoginPages(options.agents, secure));
    await app.register(
      agentArea(options.agents, secure, [
        agentBackOfficePages(options.agents, secure),
        configurationPages(options),
        agentAdminPages(options),
        agendaPages(options),
        checkInPages(options),
        statisticsPages(options),
        agentOnBehalfPages(options),
        urgencyPages(options),
        duplicatesPages(options),
        ...featurePages,
      ]),
    );
  };
