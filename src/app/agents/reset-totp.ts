// Resets an agent's second factor (a lost or replaced phone): a new TOTP secret, shown once
// to whoever resets it (for the agent's app), and every session of the agent revoked in the
// same transaction — whoever held the old factor is out. Same scope as disabling (an
// administrator any account, a supervisor the counter agents of their prefecture), never
// one's own. Audited as 'agent.reset_totp' (never the secret).
import { isSelf } from '../../domain/agent-admin-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';
import { managedAgentRecord, visibleAgent } from './managed-agent.ts';

export interface ResetTotp {
  agent: Agent;
  totpSecret: string;
  totpUri: string;
  revokedSessions: number;
}

export async function resetAgentTotp(
  ctx: AgentContext<'accounts', 'accounts' | 'sessions' | 'audit'>,
  actor: Agent,
  id: string,
  origin: AgentOrigin = { ip: null, userAgent: null },
): Promise<ResetTotp> {
  const target = await managedAgentRecord(ctx, actor, id);
  if (isSelf(actor, target)) throw new DomainError('AGENT_SELF_ACTION');
  if (target.disabledAt !== null) throw new DomainError('AGENT_NOT_FOUND');
  const totpSecret = ctx.credentials.newTotpSecret();
  const now = ctx.clock.now();
  const revokedSessions = await ctx.agents.transaction(async (tx) => {
    if (!(await tx.accounts.replaceTotpSecret(target.id, totpSecret))) throw new DomainError('AGENT_NOT_FOUND');
    const revoked = await tx.sessions.revokeAllOf(target.id, now);
    await recordAudit(tx.audit, {
      agent: actor,
      prefectureId: target.prefectureId,
      action: 'agent.reset_totp',
      at: now,
      ip: origin.ip,
      target: { type: 'agent', id: target.id },
      after: { revokedSessions: revoked },
    });
    return revoked;
  });
  return {
    agent: visibleAgent(target),
    totpSecret,
    totpUri: ctx.credentials.totpUri(totpSecret, target.email),
    revokedSessions,
  };
}
