// Extending an offer's deadline (RGAA 13.1: a time limit the user can adjust): once, by the
// offer duration again, never past 2 hours before the appointment (domain/offer-rules.ts).
import { extendDeadline } from '../../domain/offer-rules.ts';
import type { AllocationContext } from '../draws/allocation-context.ts';
import { type OfferView, offerStateOf, toOfferView } from './offer-view.ts';
import { lockOfferOfToken } from './open-offer.ts';

export async function extendOffer(
  ctx: AllocationContext<never, 'requests' | 'offers'>,
  managementToken: string,
): Promise<OfferView> {
  return ctx.draws.transaction(async (tx) => {
    const { request, offer } = await lockOfferOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    const expiresAt = extendDeadline(offerStateOf(offer), offer.procedure.offerHours, now);
    await tx.offers.update(offer.id, { expiresAt, extended: true });
    return toOfferView({ ...offer, expiresAt, extended: true }, request, now);
  });
}
