// Offers: written by a draw, answered by the applicant, swept when their deadline passes.
// One pending offer per slot and per request (offer_one_pending_per_slot, _per_request).
import type { NewOffer, OfferChanges, OfferDetails, OfferNotice, OfferRequest } from './records.ts';

export interface OfferReader {
  /** The request's latest offer (pending or answered), for viewing. */
  latestOf(requestId: string): Promise<OfferDetails | null>;
}

export interface OfferRepository extends OfferReader {
  /**
   * Records the assignments: requests still waiting become 'offered' with a pending offer;
   * a request that left the queue meanwhile (withdrawn) gets its offer as 'withdrawn', so the
   * draw's record stays whole and the slot stays free. Returns how many offers are pending.
   * Offers listed in the order their requests were read go fastest (the store may visit the
   * requests in that order).
   */
  record(drawId: string, offers: NewOffer[], now: Date): Promise<{ pending: number }>;
  /** What the offer emails say, for the draw's pending offers (read in its transaction, to enqueue them with it). */
  notices(drawId: string): Promise<OfferNotice[]>;
  /** The request's latest offer, locked for update. */
  lockLatestOf(requestId: string): Promise<OfferDetails | null>;
  update(offerId: string, changes: OfferChanges): Promise<void>;
  /**
   * Pending offers whose deadline passed by `now`, oldest first, with their requests — both
   * locked; rows another transaction holds are skipped (the next sweep takes them).
   */
  lockExpired(now: Date, limit: number): Promise<{ request: OfferRequest; offer: OfferDetails }[]>;
  /** Expires these pending offers; their slots go back to a draw after a full collection window. */
  expire(offerIds: string[], now: Date): Promise<void>;
}
