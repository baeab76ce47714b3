// The applicant's latest offer (pending, or what became of it), with its deadline.
import { DomainError } from '../../domain/errors.ts';
import type { AllocationContext } from '../draws/allocation-context.ts';
import { type OfferView, toOfferView } from './offer-view.ts';

export async function viewOffer(ctx: AllocationContext, managementToken: string): Promise<OfferView> {
  const found = await ctx.draws.findOfferByToken(ctx.hasher.tokenDigest(managementToken));
  if (!found) throw new DomainError('REQUEST_NOT_FOUND');
  if (!found.offer) throw new DomainError('OFFER_NOT_FOUND', 'No offer was made for this request yet.');
  return toOfferView(found.offer, found.request, ctx.clock.now());
}
