// What every use case may use: ports only, wired in main.ts.

import type { FraudThresholds } from '../../domain/fraud-signals.ts';
import type { AttemptLimiter } from '../../ports/attempt-limiter.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EmailVerificationStore } from '../../ports/email-verification-store.ts';
import type { IdempotentResponseStore } from '../../ports/idempotent-response-store.ts';
import type { Mailer } from '../../ports/mailer.ts';
import type { Registry } from '../../ports/registry.ts';
import type { Hasher, SecretGenerator } from '../../ports/secrets.ts';
import type { SecurityEventLog } from '../../ports/security-events.ts';
import type { RegistryCheckLimits } from '../applicants/check-registry.ts';
import type { EmailCodePolicy } from '../applicants/email-verification.ts';

export interface BookingPolicy {
  maxReschedules: number;
}

export interface AppContext {
  store: BookingStore;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
  policy: BookingPolicy;
  // Identity and anti-automation.
  emailVerifications: EmailVerificationStore;
  mailer: Mailer;
  limiter: AttemptLimiter;
  securityEvents: SecurityEventLog;
  emailCodes: EmailCodePolicy;
  registry: Registry;
  registryLimits: RegistryCheckLimits;
  /** Answers of requests sent with an Idempotency-Key on proof-of-work routes (app/shared/idempotent-requests.ts). */
  idempotentResponses: IdempotentResponseStore;
  /** The fraud signals' rules and hold (config FRAUD_*); absent: DEFAULT_FRAUD_THRESHOLDS. */
  fraud?: FraudThresholds;
}

/** Where a request came from, for per-IP limits and security events. */
export interface RequestOrigin {
  ip: string | null;
  route: string;
  /** The first-party device cookie (creneau_device) as sent, for the fraud signals; stored only as a keyed digest. */
  device?: string | null;
}
