// Every agent request: the cookie's token → its session → its agent, checked each time
// (no cache), so that revoking a session or disabling an account takes effect on the very
// next request. last_seen_at slides at most once a minute (domain/agent-rules.ts).
import { isSessionLive, needsTouch } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { AgentContext } from './agent-context.ts';

export interface AuthenticatedAgent {
  agent: Agent;
  /** The session's id (the token's digest): what log-out revokes. */
  sessionId: string;
}

export async function authenticateSession(
  ctx: AgentContext<'sessions', never>,
  token: string | undefined,
): Promise<AuthenticatedAgent> {
  if (!token || token.length > 200) throw new DomainError('AGENT_SESSION_INVALID');
  const sessionId = ctx.hasher.tokenDigest(token);
  const found = await ctx.agents.sessions.find(sessionId);
  const now = ctx.clock.now();
  if (!found || found.agent.disabledAt !== null || !isSessionLive(found.session, now))
    throw new DomainError('AGENT_SESSION_INVALID');
  if (needsTouch(found.session.lastSeenAt, now)) await ctx.agents.sessions.touch(sessionId, now);
  return { agent: found.agent, sessionId };
}
