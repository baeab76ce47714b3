// Declining an offer gives the slot back to a draw (after a full collection window, never to
// the public at once). The request returns to the queue in today's batch — someone who says
// no keeps no seniority — and sits the next draw out. Beyond max_declines the request is
// closed, with an email on how to file again, written to the outbox in the same transaction
// (see domain/offer-rules.ts for why).
import { localDateOf } from '../../domain/local-time.ts';
import { afterDecline, isShortNotice } from '../../domain/offer-rules.ts';
import type { AllocationContext } from '../draws/allocation-context.ts';
import { requestClosedNotification } from '../notifications/notifications.ts';
import { type OfferView, toOfferView } from './offer-view.ts';
import { lockOfferOfToken } from './open-offer.ts';

export async function declineOffer(
  ctx: AllocationContext<never, 'requests' | 'offers' | 'slots' | 'outbox'>,
  managementToken: string,
): Promise<OfferView> {
  const outcome = await ctx.draws.transaction(async (tx) => {
    const { request, offer } = await lockOfferOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    // A short-notice offer was a chance, not a duty: declining it costs nothing.
    const noFault = isShortNotice({ createdAt: offer.createdAt, slotStartsAt: offer.slot.startsAt });
    const next = noFault
      ? { status: 'waiting' as const, declinedCount: request.declinedCount, ignoredCount: request.ignoredCount }
      : afterDecline(request, offer.procedure);
    await tx.offers.update(offer.id, { status: 'declined', decidedAt: now });
    await tx.slots.free(offer.slot.id, now);
    await tx.requests.update(
      request.id,
      {
        status: next.status,
        declinedCount: next.declinedCount,
        ...(next.status === 'closed'
          ? { closedAt: now }
          : noFault
            ? {}
            : { queuedOn: localDateOf(now, offer.timeZone) }),
      },
      now,
    );
    if (next.status === 'closed')
      await tx.outbox.enqueueMessages([requestClosedNotification(request, offer.procedure, now)], now);
    return {
      now,
      request: { ...request, status: next.status, declinedCount: next.declinedCount },
      offer: { ...offer, status: 'declined' as const, decidedAt: now },
    };
  });
  return toOfferView(outcome.offer, outcome.request, outcome.now);
}
