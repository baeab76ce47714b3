// Disables an account and revokes all its sessions in the same transaction: the agent is
// out on their next request. By an administrator (any account), a supervisor (accounts of
// their prefecture) or the CLI (actor null). Audited with before / after.
import { canAccessPrefecture, normaliseAgentEmail } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';

export async function disableAgent(ctx: AgentContext, actor: Agent | null, email: string, origin: AgentOrigin = { ip: null, userAgent: null }): Promise<{ revokedSessions: number }> {
  const target = await ctx.agents.findAgentByEmail(normaliseAgentEmail(email));
  // Out of scope looks like unknown: a supervisor learns nothing of other prefectures' accounts.
  const inScope = target !== null && (actor === null || actor.role === 'admin'
    || (actor.role === 'supervisor' && target.prefectureId !== null && canAccessPrefecture(actor, target.prefectureId)));
  if (!target || !inScope) throw new DomainError(actor ? 'FORBIDDEN_SCOPE' : 'VALIDATION_FAILED', actor ? undefined : 'no agent with this email');
  const now = ctx.clock.now();
  return ctx.agents.transaction(async (tx) => {
    const changed = await tx.disableAgent(target.id, now);
    const revokedSessions = await tx.revokeAgentSessions(target.id, now);
    if (changed || revokedSessions > 0) {
      await recordAudit(tx, {
        agent: actor, prefectureId: target.prefectureId, action: 'agent.disable', at: now, ip: origin.ip,
        target: { type: 'agent', id: target.id },
        before: { disabledAt: target.disabledAt?.toISOString() ?? null },
        after: { disabledAt: (target.disabledAt ?? now).toISOString(), revokedSessions },
      });
    }
    return { revokedSessions };
  });
}
