// What the supervisors' review of fraud signals needs: ports only, put together in src/features/fraud.ts.
import type { FraudThresholds } from '../../domain/fraud-signals.ts';
import type { Clock } from '../../ports/clock.ts';
import type { FraudStore } from '../../ports/fraud-store.ts';

export interface FraudContext {
  fraud: FraudStore;
  clock: Clock;
  thresholds: FraudThresholds;
}

/** Where an agent's request came from, for the audit trail. */
export interface FraudOrigin {
  ip: string | null;
}
