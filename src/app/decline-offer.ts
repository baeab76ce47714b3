// Declining an offer gives the slot back to the next draw at once. The first decline is
// free: the request keeps its place (filing time and priority unchanged). Further declines
// count like ignored offers, and a request that reaches max_ignored_offers is closed, with
// an email on how to file again, written to the outbox in the same transaction (see
// domain/offer-rules.ts for why).
import { afterDecline } from '../domain/offer-rules.ts';
import type { AllocationContext } from './allocation-context.ts';
import { requestClosedNotification } from './notifications.ts';
import { toOfferView, type OfferView } from './offer-view.ts';
import { lockOfferOfToken } from './open-offer.ts';

export async function declineOffer(ctx: AllocationContext, managementToken: string): Promise<OfferView> {
  const outcome = await ctx.draws.offerTransaction(async (tx) => {
    const { request, offer } = await lockOfferOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    const next = afterDecline(request, offer.procedure.maxIgnoredOffers);
    await tx.updateOffer(offer.id, { status: 'declined', decidedAt: now });
    await tx.updateRequest(request.id, {
      status: next.status, declinedCount: next.declinedCount, ...(next.status === 'closed' ? { closedAt: now } : {}),
    }, now);
    if (next.status === 'closed') await tx.enqueueMessages([requestClosedNotification(request, offer.procedure, now)], now);
    return {
      now,
      request: { ...request, status: next.status, declinedCount: next.declinedCount },
      offer: { ...offer, status: 'declined' as const, decidedAt: now },
    };
  });
  return toOfferView(outcome.offer, outcome.request, outcome.now);
}
