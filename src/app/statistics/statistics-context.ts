// What the public numbers' use cases need: ports only, put together in src/features/statistics.ts.

import type { CapacityStore } from '../../ports/capacity-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PublicStatisticsStore } from '../../ports/public-statistics-store.ts';

export interface StatisticsContext {
  statistics: PublicStatisticsStore;
  capacity: CapacityStore;
  clock: Clock;
}
