// The applicant's latest offer (pending, or what became of it), with its deadline.
import { DomainError } from '../../domain/errors.ts';
import type { AllocationContext } from '../draws/allocation-context.ts';
import { type OfferView, toOfferView } from './offer-view.ts';

export async function viewOffer(
  ctx: AllocationContext<'requests' | 'offers', never>,
  managementToken: string,
): Promise<OfferView> {
  const request = await ctx.draws.requests.findByToken(ctx.hasher.tokenDigest(managementToken));
  if (!request) throw new DomainError('REQUEST_NOT_FOUND');
  const offer = await ctx.draws.offers.latestOf(request.id);
  if (!offer) throw new DomainError('OFFER_NOT_FOUND', 'No offer was made for this request yet.');
  return toOfferView(offer, request, ctx.clock.now());
}
