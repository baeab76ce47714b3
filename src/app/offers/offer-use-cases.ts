// The offers' use cases, bound to the allocation context: the offer a request's token opens,
// and its answers (confirm, decline, extend once).
import type { AllocationContext } from '../draws/allocation-context.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { confirmOffer } from './confirm-offer.ts';
import { declineOffer } from './decline-offer.ts';
import { extendOffer } from './extend-offer.ts';
import { viewOffer } from './view-offer.ts';

export const offerUseCases = (ctx: AllocationContext) =>
  bindUseCases(ctx, { viewOffer, confirmOffer, declineOffer, extendOffer });

export type OfferUseCases = ReturnType<typeof offerUseCases>;
