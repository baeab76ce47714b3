// The sweep of offers whose deadline passed without an answer ("ignored"): each becomes
// 'expired', its slot goes back to the next draw, and its request counts one more ignored
// offer — back to 'waiting' with its place, or 'closed' at max_ignored_offers, with an email
// on how to file again (domain/offer-rules.ts).
//
// Safe on several instances at once: each batch locks its offers and requests with SKIP
// LOCKED, so two sweeps share the work instead of waiting for each other, and an applicant
// answering at that very moment either wins the row lock (and the sweep skips the offer) or
// waits and then finds the offer expired.
import { afterIgnore } from '../domain/offer-rules.ts';
import type { MailMessage } from '../ports/mailer.ts';
import { sendAfterCommit, type AllocationContext, type MailReport } from './allocation-context.ts';
import { requestClosedMessage } from './offer-emails.ts';

export interface ExpiryReport {
  expired: number;
  /** Requests closed because of it. */
  closed: number;
  mail: MailReport;
}

const BATCH = 500;

export async function expireOffers(ctx: AllocationContext, options: { batchSize?: number } = {}): Promise<ExpiryReport> {
  const report: ExpiryReport = { expired: 0, closed: 0, mail: { sent: 0, failed: 0 } };
  for (;;) {
    const batch = await ctx.draws.offerTransaction(async (tx) => {
      const now = ctx.clock.now();
      const rows = await tx.lockExpiredOffers(now, options.batchSize ?? BATCH);
      if (rows.length === 0) return null;
      await tx.expireOffers(rows.map((r) => r.offer.id), now);
      const messages: MailMessage[] = [];
      const settled = [];
      for (const { request, offer } of rows) {
        // Only an 'offered' request waits on this offer (a withdrawn one keeps its status).
        if (request.status !== 'offered') continue;
        const next = afterIgnore(request, offer.procedure.maxIgnoredOffers);
        settled.push({ id: request.id, status: next.status, ignoredCount: next.ignoredCount });
        if (next.status === 'closed') messages.push(requestClosedMessage(request, offer.procedure, offer.procedure.maxIgnoredOffers));
      }
      await tx.settleRequests(settled, now);
      return { expired: rows.length, closed: messages.length, messages };
    });
    if (!batch) return report;
    report.expired += batch.expired;
    report.closed += batch.closed;
    const mail = await sendAfterCommit(ctx, batch.messages);
    report.mail.sent += mail.sent;
    report.mail.failed += mail.failed;
  }
}
