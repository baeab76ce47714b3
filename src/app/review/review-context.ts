// What the review lists (declared urgencies, likely duplicates) need: ports only, put
// together in src/features/review.ts.
import type { Clock } from '../../ports/clock.ts';
import type { ReviewStore } from '../../ports/review-store.ts';

export interface ReviewContext {
  review: ReviewStore;
  clock: Clock;
}

/** Where an agent's request came from, for the audit trail. */
export interface ReviewOrigin {
  ip: string | null;
}

/** Appointments that started more than a day ago are past, even if nobody marked them. */
export const activeFrom = (now: Date): Date => new Date(now.getTime() - 86_400_000);
