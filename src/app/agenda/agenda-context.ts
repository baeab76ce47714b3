// What the agenda, check-in and statistics use cases need: ports only, put together in src/features/agenda.ts.
import type { FraudThresholds } from '../../domain/fraud-signals.ts';
import type { AgendaStore } from '../../ports/agenda-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ReviewStore } from '../../ports/review-store.ts';
import type { ConvocationContext } from '../convocations/verify-convocation.ts';

export interface AgendaContext {
  agenda: AgendaStore;
  /** Checking a scanned or typed convocation (signature, rate-limited refusals in the security log). */
  convocations: ConvocationContext;
  clock: Clock;
  /** Likely duplicates, flagged on the agenda and at check-in; absent: no flag. */
  review?: Pick<ReviewStore, 'duplicateCandidatesAround'>;
  /** The fraud signals' rules: a no-show or an identity refused scores the requests around it again. */
  fraud?: FraudThresholds;
}
