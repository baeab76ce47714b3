// Allocation requests as draws and offers see them.
import type { OfferRequest, RequestChanges, WaitingRequest } from './records.ts';

export interface OfferRequestReader {
  /** The request the management token opens. */
  findByToken(tokenHash: string): Promise<OfferRequest | null>;
}

export interface DrawRequestRepository extends OfferRequestReader {
  /**
   * Waiting requests of the queue, except those that declined an offer after `declinedSince`
   * and those held for a fraud check at `now` (a hold past its lapse no longer counts).
   */
  waiting(prefectureId: string, procedureId: string, declinedSince: Date | null, now: Date): Promise<WaitingRequest[]>;
  /** The request the management token opens, locked for update. */
  lockByToken(tokenHash: string): Promise<OfferRequest | null>;
  update(requestId: string, changes: RequestChanges, now: Date): Promise<void>;
  /** Bulk form of update, for the sweep of expired offers. */
  settle(changes: ({ id: string } & RequestChanges)[], now: Date): Promise<void>;
}
