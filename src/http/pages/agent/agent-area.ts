// The authenticated part of the agent back-office. One onRequest hook checks the session on
// every request, before anything else (app/agents/authenticate-session.ts): without a live one, a page (GET)
// redirects to the log-in, anything else is refused with AGENT_SESSION_INVALID (401).
// Each feature of the back-office (agenda, configuration, call-backs…) is a plugin
// registered inside, so none of them can forget the check; they read the agent with
// `agentOf(request)` and render with `sendAgentPage` (the agent header and its menu).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentUseCases } from '../../../app/agents/agent-use-cases.ts';
import type { AuthenticatedAgent } from '../../../app/agents/authenticate-session.ts';
import { type AgentPermission, can } from '../../../domain/agent-rules.ts';
import { DomainError, isDomainError } from '../../../domain/errors.ts';
import type { Agent } from '../../../ports/agent-store.ts';
import { sendPage } from '../../web/render.ts';
import { clearAgentCookie, SESSION_COOKIE } from './agent-cookies.ts';

const sessions = new WeakMap<FastifyRequest, AuthenticatedAgent>();

/** The agent of a request that went through the area's check. */
export function sessionOf(request: FastifyRequest): AuthenticatedAgent {
  const session = sessions.get(request);
  if (!session) throw new DomainError('AGENT_SESSION_INVALID');
  return session;
}

export const agentOf = (request: FastifyRequest): Agent => sessionOf(request).agent;

/** The agent, who must hold `permission`; FORBIDDEN_SCOPE (403) otherwise. */
export function agentWith(request: FastifyRequest, permission: AgentPermission): Agent {
  const agent = agentOf(request);
  if (!can(agent, permission)) throw new DomainError('FORBIDDEN_SCOPE');
  return agent;
}

/** Remembers the agent of a request authenticated elsewhere (the JSON API's bearer check). */
export function rememberSession(request: FastifyRequest, session: AuthenticatedAgent): void {
  sessions.set(request, session);
}

/** The back-office menu: each entry shown only to the roles that may use it. */
const MENU: { href: string; key: string; permission: AgentPermission }[] = [
  { href: '/agent/search', key: 'search', permission: 'channel.book' },
  { href: '/agent/agenda', key: 'agenda', permission: 'agenda.read' },
  { href: '/agent/check-in', key: 'checkIn', permission: 'checkin.write' },
  { href: '/agent/on-behalf', key: 'onBehalf', permission: 'channel.book' },
  { href: '/agent/callbacks', key: 'callbacks', permission: 'callbacks.handle' },
  { href: '/agent/urgency', key: 'urgency', permission: 'urgency.review' },
  { href: '/agent/duplicates', key: 'duplicates', permission: 'duplicates.read' },
  { href: '/agent/fraud', key: 'fraud', permission: 'fraud.review' },
  { href: '/agent/configuration', key: 'configuration', permission: 'configuration.edit' },
  { href: '/agent/statistics', key: 'statistics', permission: 'stats.read' },
  { href: '/agent/capacity', key: 'capacity', permission: 'stats.capacity' },
  { href: '/agent/national-statistics', key: 'nationalStatistics', permission: 'stats.national' },
  { href: '/agent/agents', key: 'agents', permission: 'agents.manage' },
  { href: '/agent/audit', key: 'audit', permission: 'audit.read' },
  { href: '/agent/evidence', key: 'evidence', permission: 'evidence.export' },
];

export interface AgentMenuEntry {
  href: string;
  key: string;
  current: boolean;
}

export function agentMenu(agent: Agent, path: string): AgentMenuEntry[] {
  return MENU.filter((entry) => can(agent, entry.permission)).map((entry) => ({
    href: entry.href,
    key: entry.key,
    current: path === entry.href || path.startsWith(`${entry.href}/`),
  }));
}

/** A back-office page: the agent header (name, menu, log-out) around the template. */
export function sendAgentPage(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: { title: string } & Record<string, unknown>,
  status = 200,
): FastifyReply {
  const agent = agentOf(request);
  const path = new URL(request.url, 'http://x').pathname;
  reply.header('cache-control', 'no-store');
  return sendPage(request, reply, template, { ...data, agent, agentMenu: agentMenu(agent, path) }, status);
}

export const agentArea =
  (
    agents: Pick<AgentUseCases, 'authenticateSession'>,
    secure: boolean,
    features: readonly FastifyPluginAsync[],
  ): FastifyPluginAsync =>
  async (app) => {
    // onRequest: before the body is parsed, the CSRF token or the fields checked.
    app.addHook('onRequest', async (request, reply) => {
      try {
        sessions.set(request, await agents.authenticateSession(request.cookies[SESSION_COOKIE]));
      } catch (error) {
        if (!isDomainError(error) || error.code !== 'AGENT_SESSION_INVALID') throw error;
        clearAgentCookie(reply, secure, SESSION_COOKIE, '/agent');
        if (request.method === 'GET') return reply.redirect('/agent/login', 303);
        throw error;
      }
    });
    for (const feature of features) await app.register(feature);
  };
