// What the configuration use cases need: ports only, wired in main.ts (and test/support/http.ts).
import type { Clock } from '../../ports/clock.ts';
import type { ConfigurationStore } from '../../ports/configuration-store.ts';

export interface ConfigurationContext {
  store: ConfigurationStore;
  clock: Clock;
  /** Days of slots kept ahead (SLOTS_HORIZON_DAYS): how far a change reconciles the slots. */
  horizonDays: number;
}
