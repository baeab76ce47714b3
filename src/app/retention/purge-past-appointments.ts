// Appointments served, missed or cancelled are deleted, with their identity and the offers that
// led to them, once RETENTION_RECORDS_MONTHS have passed since their date (or their last
// change, if later) — unless a hold names them. The slot stays: the agenda's history of
// capacity has no identity in it.
import { type EvidenceHold, retentionCutoffs } from '../../domain/retention.ts';
import type { RetentionContext } from './retention-context.ts';
import { type SweepResult, sweepCandidates } from './sweep-candidates.ts';

export function purgePastAppointments(
  ctx: RetentionContext,
  input: { now: Date; holds: readonly EvidenceHold[] },
): Promise<SweepResult> {
  const cutoff = retentionCutoffs(ctx.policy, input.now).records;
  return sweepCandidates(ctx, { kind: 'appointment', cutoff, ...input }, (ids) =>
    ctx.retention.deleteRecords('appointment', ids, cutoff),
  );
}
