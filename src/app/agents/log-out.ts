// Log-out revokes the session in the database (the cookie alone would not be enough: a
// copied token must stop working too), audited as 'agent.logout'.

import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';
import type { AuthenticatedAgent } from './authenticate-session.ts';

export async function logOut(
  ctx: AgentContext<never, 'sessions' | 'audit'>,
  session: AuthenticatedAgent,
  origin: AgentOrigin,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.agents.transaction(async (tx) => {
    if (await tx.sessions.revoke(session.sessionId, now)) {
      await recordAudit(tx.audit, {
        agent: session.agent,
        action: 'agent.logout',
        at: now,
        ip: origin.ip,
        target: { type: 'agent', id: session.agent.id },
      });
    }
  });
}
