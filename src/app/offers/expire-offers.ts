// The sweep of offers whose deadline passed without an answer ("ignored"): each becomes
// 'expired', its slot goes back to a draw, and its request counts one more ignored offer —
// 'paused' until its owner reconfirms it (an email says how), or 'closed' at
// max_ignored_offers (an email says how to file again); a short-notice offer costs nothing
// (domain/offer-rules.ts). The emails are written to the outbox in the batch's transaction.
//
// Safe on several instances at once: each batch locks its offers and requests with SKIP
// LOCKED, so two sweeps share the work instead of waiting for each other, and an applicant
// answering at that very moment either wins the row lock (and the sweep skips the offer) or
// waits and then finds the offer expired.
import { afterIgnore, isShortNotice } from '../../domain/offer-rules.ts';
import type { NewOutboxMessage } from '../../ports/outbox.ts';
import type { AllocationContext } from '../draws/allocation-context.ts';
import { fraudThresholdsOf } from '../fraud/filing-signals.ts';
import { scoreRequests } from '../fraud/score-requests.ts';
import { requestClosedNotification, requestPausedNotification } from '../notifications/notifications.ts';

export interface ExpiryReport {
  expired: number;
  /** Requests closed because of it (each one's email written to the outbox). */
  closed: number;
}

const BATCH = 500;

export async function expireOffers(
  ctx: AllocationContext<never, 'offers' | 'requests' | 'outbox' | 'fraud'>,
  options: { batchSize?: number } = {},
): Promise<ExpiryReport> {
  const report: ExpiryReport = { expired: 0, closed: 0 };
  for (;;) {
    const batch = await ctx.draws.transaction(async (tx) => {
      const now = ctx.clock.now();
      const rows = await tx.offers.lockExpired(now, options.batchSize ?? BATCH);
      if (rows.length === 0) return null;
      await tx.offers.expire(
        rows.map((r) => r.offer.id),
        now,
      );
      const messages: NewOutboxMessage[] = [];
      const settled = [];
      for (const { request, offer } of rows) {
        // Only an 'offered' request waits on this offer (a withdrawn one keeps its status).
        if (request.status !== 'offered') continue;
        // An unanswered short-notice offer costs nothing: the request simply waits again.
        const next = isShortNotice({ createdAt: offer.createdAt, slotStartsAt: offer.slot.startsAt })
          ? { status: 'waiting' as const, ignoredCount: request.ignoredCount }
          : afterIgnore(request, offer.procedure);
        settled.push({ id: request.id, status: next.status, ignoredCount: next.ignoredCount });
        if (next.status === 'closed') messages.push(requestClosedNotification(request, offer.procedure, now));
        if (next.status === 'paused') messages.push(requestPausedNotification(request, offer.procedure, offer.id, now));
      }
      await tx.requests.settle(settled, now);
      await tx.outbox.enqueueMessages(messages, now);
      // An offer left unanswered counts against its request (ignored_offers): scored again, in this transaction.
      await scoreRequests(
        { fraud: tx.fraud, enqueueMessages: (m, at) => tx.outbox.enqueueMessages(m, at) },
        fraudThresholdsOf(ctx),
        settled.filter((r) => r.status !== 'closed').map((r) => r.id),
        'ignored_offer',
        now,
      );
      return { expired: rows.length, closed: settled.filter((r) => r.status === 'closed').length };
    });
    if (!batch) return report;
    report.expired += batch.expired;
    report.closed += batch.closed;
  }
}
