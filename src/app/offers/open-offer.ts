// Shared by the offer use cases: the request the management token opens and its latest
// offer, both locked for update (request first, then offer — the order every writer of
// these rows follows), and refused unless the offer can still be answered.
import { DomainError } from '../../domain/errors.ts';
import { assertAnswerable } from '../../domain/offer-rules.ts';
import type { DrawRepositories, OfferDetails, OfferRequest } from '../../ports/draw-store.ts';
import type { AllocationContext } from '../draws/allocation-context.ts';
import { offerStateOf } from './offer-view.ts';

export interface OpenOffer {
  request: OfferRequest;
  offer: OfferDetails;
}

export async function lockOfferOfToken(
  ctx: Pick<AllocationContext, 'hasher' | 'clock'>,
  tx: Pick<DrawRepositories, 'requests' | 'offers'>,
  managementToken: string,
): Promise<OpenOffer> {
  const request = await tx.requests.lockByToken(ctx.hasher.tokenDigest(managementToken));
  if (!request) throw new DomainError('REQUEST_NOT_FOUND');
  const offer = await tx.offers.lockLatestOf(request.id);
  if (!offer) throw new DomainError('OFFER_NOT_FOUND');
  assertAnswerable(offerStateOf(offer), ctx.clock.now());
  // A pending offer belongs to an 'offered' request; anything else is answered already.
  if (request.status !== 'offered')
    throw new DomainError('OFFER_NOT_FOUND', undefined, { requestStatus: request.status });
  return { request, offer };
}
