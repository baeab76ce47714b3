// Disables an account and revokes all its sessions in the same transaction: the agent is
// out on their next request; the open call-backs they had taken go back to the queue (else
// nobody would see them as theirs to call). By an administrator (any account), a supervisor (the counter
// agents of their prefecture: domain/agent-admin-rules.ts) or the CLI (actor null). Nobody
// disables themselves. Audited with before / after.
//   disableAgent(ctx, actor, email)      — the CLI's way (and older callers)
//   disableAgentById(ctx, actor, id)     — the back-office pages and API
import { canManageAgent, isSelf } from '../../domain/agent-admin-rules.ts';
import { normaliseAgentEmail } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent, AgentCredentialsRecord } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';
import { managedAgentRecord } from './managed-agent.ts';

/** What disabling writes in its transaction. */
type DisableRepositories = 'accounts' | 'sessions' | 'callbacks' | 'audit';

async function disableTarget(
  ctx: AgentContext<never, DisableRepositories>,
  actor: Agent | null,
  target: AgentCredentialsRecord,
  origin: AgentOrigin,
): Promise<{ revokedSessions: number }> {
  if (actor && isSelf(actor, target)) throw new DomainError('AGENT_SELF_ACTION');
  const now = ctx.clock.now();
  return ctx.agents.transaction(async (tx) => {
    const changed = await tx.accounts.disable(target.id, now);
    const revokedSessions = await tx.sessions.revokeAllOf(target.id, now);
    const releasedCallbacks = await tx.callbacks.releaseAssignedTo(target.id, now);
    if (changed || revokedSessions > 0 || releasedCallbacks > 0) {
      await recordAudit(tx.audit, {
        agent: actor,
        prefectureId: target.prefectureId,
        action: 'agent.disable',
        at: now,
        ip: origin.ip,
        target: { type: 'agent', id: target.id },
        before: { disabledAt: target.disabledAt?.toISOString() ?? null },
        after: { disabledAt: (target.disabledAt ?? now).toISOString(), revokedSessions, releasedCallbacks },
      });
    }
    return { revokedSessions };
  });
}

const inScope = (actor: Agent | null, target: AgentCredentialsRecord): boolean =>
  actor === null || canManageAgent(actor, target);

export async function disableAgent(
  ctx: AgentContext<'accounts', DisableRepositories>,
  actor: Agent | null,
  email: string,
  origin: AgentOrigin = { ip: null, userAgent: null },
): Promise<{ revokedSessions: number }> {
  const target = await ctx.agents.accounts.findByEmail(normaliseAgentEmail(email));
  // Out of scope looks like unknown: a supervisor learns nothing of other prefectures' accounts.
  if (!target || !inScope(actor, target))
    throw new DomainError(
      actor ? 'FORBIDDEN_SCOPE' : 'VALIDATION_FAILED',
      actor ? undefined : 'no agent with this email',
    );
  return disableTarget(ctx, actor, target, origin);
}

export async function disableAgentById(
  ctx: AgentContext<'accounts', DisableRepositories>,
  actor: Agent,
  id: string,
  origin: AgentOrigin = { ip: null, userAgent: null },
): Promise<{ revokedSessions: number }> {
  return disableTarget(ctx, actor, await managedAgentRecord(ctx, actor, id), origin);
}
