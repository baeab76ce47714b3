// The supervisors' review list and its signals over time (issue 16 §3):
//   * held requests first, the nearest lapse first, then appointments flagged at the hold score,
//     then the decisions and lapses of the last 30 days;
//   * before listing, holds past their lapse are noted: each becomes a clearance by nobody
//     (reason "lapsed", the kinds it was held for covered), audited as
//     'request.fraud_hold_lapsed' — the lapse itself already took effect in the draws at
//     lapses_at, without a job;
//   * the signals over time: per local day, the requests and appointments that scored above
//     zero, and the requests held, over the last 30 days.
import type { AgentScope } from '../../domain/agent-rules.ts';
import type { ReviewItem, SignalDay } from '../../ports/fraud-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { FraudContext } from './fraud-context.ts';
import { reviewedPrefecture } from './review-scope.ts';

const DAY = 86_400_000;
export const REVIEW_WINDOW_DAYS = 30;
export const REVIEW_LIST_LIMIT = 200;

export interface FraudReviewList {
  prefectureId: string;
  items: ReviewItem[];
  /** Every local day of the window, oldest first (0 where nothing was observed). */
  days: SignalDay[];
  /** Holds that had lapsed and were noted by this listing. */
  lapsesNoted: number;
}

/** Holds past their lapse, noted as clearances by nobody and audited, in one transaction. */
export async function noteLapsedHolds(ctx: FraudContext, prefectureId: string | null): Promise<number> {
  const now = ctx.clock.now();
  return ctx.fraud.transaction(async (tx) => {
    const lapsed = await tx.noteLapses(prefectureId, now);
    for (const hold of lapsed)
      await recordAudit(tx, {
        agent: null,
        prefectureId: hold.prefectureId,
        action: 'request.fraud_hold_lapsed',
        at: now,
        target: { type: 'allocation_request', id: hold.id },
        before: { reference: hold.reference, reviewState: 'held' },
        after: {
          reference: hold.reference,
          reviewState: 'cleared',
          reason: 'lapsed',
          lapsesAt: hold.lapsesAt.toISOString(),
        },
      });
    return lapsed.length;
  });
}

export async function listFraudReview(
  ctx: FraudContext,
  agent: AgentScope,
  filter: { prefectureId: string | null },
): Promise<FraudReviewList> {
  const prefectureId = reviewedPrefecture(agent, filter.prefectureId);
  const lapsesNoted = await noteLapsedHolds(ctx, prefectureId);
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - REVIEW_WINDOW_DAYS * DAY);
  const [items, days] = await Promise.all([
    ctx.fraud.reviewList({ prefectureId, now, since, limit: REVIEW_LIST_LIMIT, flagScore: ctx.thresholds.holdScore }),
    ctx.fraud.signalsOverTime(prefectureId, since, now),
  ]);
  return { prefectureId, items, days, lapsesNoted };
}
