// What the retention use cases work with: the store, the clock, the periods in force.
import type { RetentionPolicy } from '../../domain/retention.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RetentionStore } from '../../ports/retention-store.ts';

export interface RetentionContext {
  retention: RetentionStore;
  clock: Clock;
  policy: RetentionPolicy;
}

/** Rows read and deleted per round trip. */
export const PURGE_BATCH = 500;
