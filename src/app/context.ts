// What every use case may use: ports only, wired in main.ts.
import type { BookingStore } from '../ports/booking-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Hasher, SecretGenerator } from '../ports/secrets.ts';

export interface BookingPolicy {
  maxReschedules: number;
}

export interface AppContext {
  store: BookingStore;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
  policy: BookingPolicy;
}
