// The agent back-office's pages: the log-in (open) and everything behind it (a session
// checked on every request). Registered in the web plugin (CSRF on every form, HTML errors).
import type { FastifyPluginAsync } from 'fastify';
import type { AgentContext } from '../../../app/agents/agent-context.ts';
import { agentBackOfficePages } from './back-office.ts';
import { agentLoginPages } from './login.ts';

export const agentPages =
  (ctx: AgentContext, secure: boolean): FastifyPluginAsync =>
  async (app) => {
    await app.register(agentLoginPages(ctx, secure));
    await app.register(agentBackOfficePages(ctx, secure));
  };
