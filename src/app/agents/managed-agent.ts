// The account an agent asks to see or change in the back-office, if they manage it
// (domain/agent-admin-rules.ts); any other — unknown, another prefecture's, a peer
// supervisor's — answers AGENT_NOT_FOUND alike, so nothing tells them apart.
import { canManageAgent } from '../../domain/agent-admin-rules.ts';
import { can } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent, AgentCredentialsRecord } from '../../ports/agent-store.ts';
import type { AgentContext } from './agent-context.ts';

export async function managedAgentRecord(
  ctx: AgentContext<'accounts', never>,
  actor: Agent,
  id: string,
): Promise<AgentCredentialsRecord> {
  if (!can(actor, 'agents.manage')) throw new DomainError('FORBIDDEN_SCOPE');
  const target = await ctx.agents.accounts.findById(id);
  if (!target || (target.id !== actor.id && !canManageAgent(actor, target))) throw new DomainError('AGENT_NOT_FOUND');
  return target;
}

/** The account as shown (never its secrets). */
export function visibleAgent(record: AgentCredentialsRecord): Agent {
  const {
    passwordHash: _p,
    totpSecret: _s,
    lastTotpStep: _l,
    failedAttempts: _f,
    lockedUntil: _u,
    ...visible
  } = record;
  return visible;
}

/** The managed account, for its page. */
export async function viewManagedAgent(
  ctx: AgentContext<'accounts', never>,
  actor: Agent,
  id: string,
): Promise<{ agent: Agent; self: boolean }> {
  const record = await managedAgentRecord(ctx, actor, id);
  return { agent: visibleAgent(record), self: record.id === actor.id };
}
