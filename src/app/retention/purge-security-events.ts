// Security events (refused attempts, with the network address) are kept 6 months, unless a
// hold keeps them: each batch deleted writes the chained purge record that names its links
// (migration 0022), so `creneau audit verify` accounts for the gone rows.
import { type EvidenceHold, retentionCutoffs } from '../../domain/retention.ts';
import type { RetentionContext } from './retention-context.ts';
import { type SweepResult, sweepCandidates } from './sweep-candidates.ts';

export function purgeSecurityEvents(
  ctx: RetentionContext,
  input: { now: Date; period: string; holds: readonly EvidenceHold[] },
): Promise<SweepResult> {
  const cutoff = retentionCutoffs(ctx.policy, input.now).security;
  return sweepCandidates(ctx, { kind: 'security', cutoff, ...input }, (ids) =>
    ctx.retention.purgeSecurityEvents(ids, cutoff, input.period, input.now),
  );
}
