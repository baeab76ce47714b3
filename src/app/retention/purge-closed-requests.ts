// Requests withdrawn, closed or booked are deleted, with their identity and their offers, once
// RETENTION_RECORDS_MONTHS have passed since their closing — unless a hold names them. Deleted
// rather than pseudonymised: no statistic reads a closed request's row, and the draws that
// ranked it keep their own counts and digests.
import { type EvidenceHold, retentionCutoffs } from '../../domain/retention.ts';
import type { RetentionContext } from './retention-context.ts';
import { type SweepResult, sweepCandidates } from './sweep-candidates.ts';

export function purgeClosedRequests(
  ctx: RetentionContext,
  input: { now: Date; holds: readonly EvidenceHold[] },
): Promise<SweepResult> {
  const cutoff = retentionCutoffs(ctx.policy, input.now).records;
  return sweepCandidates(ctx, { kind: 'request', cutoff, ...input }, (ids) =>
    ctx.retention.deleteRecords('request', ids, cutoff),
  );
}
