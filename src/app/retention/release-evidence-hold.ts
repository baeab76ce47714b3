// Releasing a hold (`creneau evidence release`): what it kept is purged by the next daily run
// if its time has passed. By a named agent, audited in the same transaction.
import { normaliseAgentEmail } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { EvidenceHold } from '../../domain/retention.ts';
import type { HoldTransaction } from '../../ports/retention-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { RetentionContext } from './retention-context.ts';

/** The active agent account behind a hold's placing or release; refused when there is none. */
export async function holdAgent(tx: HoldTransaction, email: string) {
  const agent = await tx.agentByEmail(email);
  if (!agent)
    throw new DomainError('VALIDATION_FAILED', `no active agent account ${email}`, {
      errors: [{ path: 'by', message: 'no active agent account with this email' }],
    });
  return agent;
}

export async function releaseEvidenceHold(
  ctx: Pick<RetentionContext, 'retention' | 'clock'>,
  input: { id: string; by: string },
): Promise<EvidenceHold> {
  const at = ctx.clock.now();
  return ctx.retention.holdTransaction(async (tx) => {
    const agent = await holdAgent(tx, normaliseAgentEmail(input.by));
    const released = await tx.releaseHold(input.id, agent.id, at);
    if (!released)
      throw new DomainError('VALIDATION_FAILED', `no active hold ${input.id}`, {
        errors: [{ path: 'id', message: 'no active hold with this id' }],
      });
    await recordAudit(tx, {
      agent,
      prefectureId: null,
      action: 'evidence_hold.release',
      target: { type: 'evidence_hold', id: released.id },
      before: { releasedAt: null },
      after: { releasedAt: at.toISOString() },
      at,
    });
    return released;
  });
}
