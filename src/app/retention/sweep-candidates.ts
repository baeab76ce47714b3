// One kind's sweep: the rows past the cutoff, a page at a time in id order, filtered by the
// retention rules (domain/retention.ts: held rows stay), then removed by `remove`. Paging by
// id steps over the held rows instead of reading them again.
import { type EvidenceHold, isPastRetention, type RetainedRow } from '../../domain/retention.ts';
import { PURGE_BATCH, type RetentionContext } from './retention-context.ts';

export interface SweepResult {
  purged: number;
  held: number;
}

export async function sweepCandidates(
  ctx: RetentionContext,
  input: { kind: RetainedRow['kind']; cutoff: Date; now: Date; holds: readonly EvidenceHold[] },
  remove: (ids: string[]) => Promise<number>,
): Promise<SweepResult> {
  const result: SweepResult = { purged: 0, held: 0 };
  for (let after: string | null = null; ; ) {
    const rows = await ctx.retention.candidates(input.kind, input.cutoff, after, PURGE_BATCH);
    const past = rows.filter((row) => isPastRetention(row, ctx.policy, input.now, input.holds));
    result.held += rows.length - past.length;
    if (past.length > 0) result.purged += await remove(past.map((row) => row.id));
    if (rows.length < PURGE_BATCH) return result;
    after = rows[rows.length - 1]!.id;
  }
}
