// Every port a feature may be built from: the interfaces only. src/composition/create-ports.ts
// chooses the implementations.
import type { RateLimitOptions } from '../http/rate-limit.ts';
import type { AccessStore } from '../ports/access-store.ts';
import type { AgendaStore } from '../ports/agenda-store.ts';
import type { AgentCredentials } from '../ports/agent-credentials.ts';
import type { AgentStore } from '../ports/agent-store.ts';
import type { AttemptCounter } from '../ports/attempt-limiter.ts';
import type { BookingStore } from '../ports/booking-store.ts';
import type { CallbackStore } from '../ports/callback-store.ts';
import type { CallerSearch } from '../ports/caller-search.ts';
import type { CapacityStore } from '../ports/capacity-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { ConfigurationStore } from '../ports/configuration-store.ts';
import type { ConvocationStore } from '../ports/convocation-store.ts';
import type { DrawStore } from '../ports/draw-store.ts';
import type { EmailRenderer } from '../ports/email-renderer.ts';
import type { EmailVerificationStore } from '../ports/email-verification-store.ts';
import type { EvidenceChainReader } from '../ports/evidence-chain.ts';
import type { EvidencePackFormat, EvidencePackStore, PackSigner } from '../ports/evidence-pack.ts';
import type { FraudStore } from '../ports/fraud-store.ts';
import type { FreeSlotCache } from '../ports/free-slot-cache.ts';
import type { IdempotentResponseStore } from '../ports/idempotent-response-store.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { OutboxStore } from '../ports/outbox.ts';
import type { ProofOfWork } from '../ports/proof-of-work.ts';
import type { PublicStatisticsStore } from '../ports/public-statistics-store.ts';
import type { Registry } from '../ports/registry.ts';
import type { RequestStore } from '../ports/request-store.ts';
import type { RetentionStore } from '../ports/retention-store.ts';
import type { ReviewStore } from '../ports/review-store.ts';
import type { ScheduleStore } from '../ports/schedule-store.ts';
import type { Hasher, SecretGenerator } from '../ports/secrets.ts';
import type { SecurityEventLog } from '../ports/security-events.ts';
import type { SmsGuard, SmsSender } from '../ports/sms.ts';

/** Every port the features are built from. */
export interface Ports {
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
  bookings: BookingStore;
  requests: RequestStore;
  /** The way back in by reference, birth date and email code. */
  access: AccessStore;
  draws: DrawStore;
  convocations: ConvocationStore;
  callbacks: CallbackStore;
  agenda: AgendaStore;
  /** The public numbers' weekly figures (migration 0021). */
  publicStatistics: PublicStatisticsStore;
  /** Capacity planning's readings (issue 17 part 2). */
  capacity: CapacityStore;
  /** The agents' search for people (appointments and requests) by name, reference, phone, email, document. */
  callerSearch: CallerSearch;
  review: ReviewStore;
  /** Fraud signals over time, held requests and their decisions (migration 0023). */
  fraud: FraudStore;
  /** The tamper-evident chain of audit events, security events and draws (migration 0016). */
  evidence: EvidenceChainReader;
  /** What an evidence pack holds, read for its scope; the holds of the supervisors' page (issue 16 part 4). */
  evidencePacks: EvidencePackStore;
  /** The pack's ZIP, PDF summary and signature check. */
  evidencePackFormat: EvidencePackFormat;
  /** The retention purge's election, candidates and deletions, and the legal holds (migration 0022). */
  retention: RetentionStore;
  configuration: ConfigurationStore;
  agents: AgentStore;
  agentCredentials: AgentCredentials;
  emailVerifications: EmailVerificationStore;
  idempotentResponses: IdempotentResponseStore;
  outbox: OutboxStore;
  /** The public free-slot calendar's answers, shared until the slots change (bounded age: maxAgeMs). */
  freeSlotCache: FreeSlotCache;
  schedules: ScheduleStore;
  mailer: Mailer;
  /** Renders the outbox's emails on a thread of their own (MAIL_RENDER_THREAD); absent: on the jobs' thread. */
  emailRenderer?: EmailRenderer;
  /** Text messages: an HTTP gateway, or .txt files under DATA_DIR/sms (migration 0019). */
  sms: SmsSender;
  /** Opt-outs (STOP) and the per-number daily limit of text messages. */
  smsGuard: SmsGuard;
  limiter: AttemptCounter;
  securityEvents: SecurityEventLog;
  registry: Registry;
  pow: ProofOfWork;
  /** Spent proof-of-work solutions kept in the database (purged by the upkeep). */
  powReplays: { purgeExpired(now: Date): Promise<number> };
  /** Ed25519: convocations and evidence packs' manifests; its public key is published. */
  signer: PackSigner;
  rateLimits: RateLimitOptions;
  /** Flushes buffered security events, closes the SMTP pool and Redis, stops watching free-slot changes. */
  close(): Promise<void>;
}
