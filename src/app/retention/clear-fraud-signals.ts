// The fraud signals' network (/24, /64) and device digest are personal data kept for the
// security purpose only (migration 0023): cleared SECURITY_EVENT_RETENTION_MONTHS (6) after the
// filing or booking, like the security log — unless an evidence hold names the request or
// appointment (or covers its filing time). The rest of the row follows its own retention.
import { type EvidenceHold, isHeld, retentionCutoffs } from '../../domain/retention.ts';
import { PURGE_BATCH, type RetentionContext } from './retention-context.ts';
import type { SweepResult } from './sweep-candidates.ts';

export async function clearFraudSignals(
  ctx: RetentionContext,
  input: { now: Date; holds: readonly EvidenceHold[] },
): Promise<SweepResult> {
  const cutoff = retentionCutoffs(ctx.policy, input.now).security;
  const result: SweepResult = { purged: 0, held: 0 };
  for (const kind of ['request', 'appointment'] as const) {
    for (let after: string | null = null; ; ) {
      const rows = await ctx.retention.signalCandidates(kind, cutoff, after, PURGE_BATCH);
      const past = rows.filter((row) => !isHeld(row, input.holds));
      result.held += rows.length - past.length;
      if (past.length > 0)
        result.purged += await ctx.retention.clearSignals(
          kind,
          past.map((row) => row.id),
          cutoff,
        );
      if (rows.length < PURGE_BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
  }
  return result;
}
