// Every adapter, built once from the configuration: the only place that chooses an
// implementation (PostgreSQL or PGlite stores, SMTP or .eml files, Redis or memory limits,
// HTTP or embedded registry). main.ts, the CLI, the benchmarks and the tests all build their
// ports here; tests pass `overrides` for the few they replace (an in-process SMTP server).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { agentCredentials, createSecretBox } from '../adapters/agent-credentials.ts';
import { createHasher, cryptoSecrets } from '../adapters/crypto-secrets.ts';
import { createAccessStore } from '../adapters/db/access-store.ts';
import { createAgendaStore } from '../adapters/db/agenda-store.ts';
import { createAgentStore } from '../adapters/db/agent-store.ts';
import { createBookingStore } from '../adapters/db/booking-store.ts';
import { createCallbackStore } from '../adapters/db/callback-store.ts';
import { createCallerSearch } from '../adapters/db/caller-search.ts';
import { createCapacityStore } from '../adapters/db/capacity-store.ts';
import { createConfigurationStore } from '../adapters/db/configuration-store.ts';
import { createConvocationStore } from '../adapters/db/convocation-store.ts';
import type { Db } from '../adapters/db/database.ts';
import { createDrawStore } from '../adapters/db/draw-store.ts';
import { createEmailVerificationStore } from '../adapters/db/email-verification-store.ts';
import { createEvidenceChainReader } from '../adapters/db/evidence-chain-store.ts';
import { createEvidencePackStore } from '../adapters/db/evidence-pack-store.ts';
import { createFraudStore } from '../adapters/db/fraud-store.ts';
import { createFreeSlotCache } from '../adapters/db/free-slot-cache.ts';
import { createIdempotentResponseStore } from '../adapters/db/idempotent-response-store.ts';
import { createOutboxStore } from '../adapters/db/outbox-store.ts';
import { createPublicStatisticsStore } from '../adapters/db/public-statistics-store.ts';
import { createRequestStore } from '../adapters/db/request-store.ts';
import { createRetentionStore } from '../adapters/db/retention-store.ts';
import { createReviewStore } from '../adapters/db/review-store.ts';
import { createScheduleStore } from '../adapters/db/schedule-store.ts';
import { createSecurityEventLog } from '../adapters/db/security-event-log.ts';
import { createSmsGuard } from '../adapters/db/sms-guard.ts';
import { signerFromConfig } from '../adapters/ed25519-signer.ts';
import { evidencePackFormat } from '../adapters/evidence/evidence-pack-format.ts';
import { createMemoryAttemptLimiter } from '../adapters/limits/memory-attempt-limiter.ts';
import { createRateLimitCounter } from '../adapters/limits/rate-limit-counter.ts';
import { createRedisAttemptLimiter } from '../adapters/limits/redis-attempt-limiter.ts';
import { createOutboxMailer } from '../adapters/mail/outbox-mailer.ts';
import { startRenderThread } from '../adapters/mail/render-thread.ts';
import { createSmtpMailer } from '../adapters/mail/smtp-mailer.ts';
import { createAltchaProofOfWork } from '../adapters/pow/altcha-proof-of-work.ts';
import { createDbReplayStore } from '../adapters/pow/db-replay-store.ts';
import { createRedisReplayStore } from '../adapters/pow/redis-replay-store.ts';
import { closeRedis, openRedisOrReconnect, throttledErrorReporter } from '../adapters/redis.ts';
import { createDbRegistry } from '../adapters/registry/db-registry.ts';
import { createHttpRegistry } from '../adapters/registry/http-registry.ts';
import { createFileSmsSender } from '../adapters/sms/file-sms-sender.ts';
import { createHttpSmsGateway } from '../adapters/sms/http-sms-gateway.ts';
import { systemClock } from '../adapters/system-clock.ts';
import type { Config } from '../config.ts';
import { createDifficultyPolicy } from '../domain/pow-difficulty.ts';
import type { Ports } from '../features/ports.ts';
import type { Clock } from '../ports/clock.ts';

export interface PortOptions {
  clock?: Clock;
  /** The shared Redis (openSharedRedis); null: limits counted by this instance alone. */
  redis?: Redis | null;
  /**
   * Adapters a test replaces (an in-process SMTP server as mailer, say). Whoever passes one
   * keeps it and closes it: the ports' close() closes only what createPorts made.
   */
  overrides?: Partial<Omit<Ports, 'close'>>;
}

/**
 * The shared Redis of several instances (rate limits, attempts, proof-of-work replays), or
 * null without REDIS_URL. Unreachable at start: the instance counts on its own meanwhile.
 */
export async function openSharedRedis(config: Config, logger: Logger): Promise<Redis | null> {
  return config.redisUrl
    ? await openRedisOrReconnect(config.redisUrl, {
        onError: throttledErrorReporter((err) => logger.warn({ err }, 'Redis connection error'), systemClock),
        onUnreachable: (err) =>
          logger.error(
            { err },
            'Redis not reachable at start: rate limits and attempts counted per instance until it answers (reconnecting in the background)',
          ),
      })
    : null;
}

export function createPorts(
  config: Config,
  db: Db,
  logger: Logger,
  { clock = systemClock, redis = null, overrides = {} }: PortOptions = {},
): Ports {
  const securityEvents = createSecurityEventLog(db, {
    clock,
    onError: (err, stats) => logger.error({ err, ...stats }, 'security events not written yet'),
  });
  const limiter = redis
    ? createRedisAttemptLimiter(redis, {
        onError: (err) => logger.warn({ err }, 'Redis unreachable: attempts counted per instance'),
      })
    : createMemoryAttemptLimiter({ clock });
  const mailer = config.mail.smtpUrl
    ? createSmtpMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from })
    : createOutboxMailer({ dir: config.mail.outboxDir, from: config.mail.from });
  // Started at the first email: a process that never sends one never starts it.
  const emailRenderer = config.mail.renderThread
    ? startRenderThread({ publicUrl: config.publicUrl, organizer: config.mail.sender })
    : undefined;
  const dbReplayStore = createDbReplayStore(db, clock);
  const pow = createAltchaProofOfWork({
    hmacKey: config.pow.hmacKey,
    clock,
    replayStore: redis
      ? createRedisReplayStore(redis, {
          clock,
          fallback: dbReplayStore,
          onError: (err) => logger.warn({ err }, 'Redis unreachable: proof-of-work replays kept in the database'),
        })
      : dbReplayStore,
    difficulty: createDifficultyPolicy({
      minMaxNumber: config.pow.minMaxNumber,
      maxMaxNumber: config.pow.maxMaxNumber,
    }),
  });
  const freeSlotCache = createFreeSlotCache(db, {
    clock,
    recomputeEveryMs: config.calendar.recomputeEveryMs,
    onError: (err) => logger.warn({ err }, 'free-slot changes not read: cached calendars dropped'),
  });
  const signer = signerFromConfig(config);
  logger.info({ keyId: signer.keyId, source: signer.source }, 'convocation signing key');
  if (signer.source === 'derived')
    logger.warn(
      'CONVOCATION_SIGNING_KEY is not set: convocations are signed with a key derived from the identity secret',
    );

  const ports: Ports = {
    clock,
    secrets: cryptoSecrets,
    hasher: createHasher(config.identityKeySecret),
    bookings: createBookingStore(db),
    requests: createRequestStore(db),
    access: createAccessStore(db),
    // A second connection for a draw's slots needs a pool that has one (PGlite: a single connection).
    draws: createDrawStore(db, {
      readSlotsBeside: config.database.kind === 'postgres' && config.database.poolSize > 1,
    }),
    convocations: createConvocationStore(db),
    callbacks: createCallbackStore(db),
    agenda: createAgendaStore(db),
    publicStatistics: createPublicStatisticsStore(db),
    capacity: createCapacityStore(db),
    callerSearch: createCallerSearch(db),
    review: createReviewStore(db),
    fraud: createFraudStore(db),
    evidence: createEvidenceChainReader(db),
    retention: createRetentionStore(db),
    evidencePacks: createEvidencePackStore(db),
    evidencePackFormat,
    configuration: createConfigurationStore(db),
    agents: createAgentStore(db, createSecretBox(config.identityKeySecret)),
    agentCredentials,
    emailVerifications: createEmailVerificationStore(db),
    idempotentResponses: createIdempotentResponseStore(db),
    outbox: createOutboxStore(db),
    freeSlotCache,
    schedules: createScheduleStore(db),
    mailer,
    ...(emailRenderer ? { emailRenderer } : {}),
    sms:
      config.sms.gatewayUrl && config.sms.gatewayKey
        ? createHttpSmsGateway({ url: config.sms.gatewayUrl, key: config.sms.gatewayKey })
        : createFileSmsSender(config.sms.dir),
    smsGuard: createSmsGuard(db),
    limiter,
    securityEvents,
    registry: config.registry.url
      ? createHttpRegistry({ baseUrl: config.registry.url, timeoutMs: config.registry.timeoutMs })
      : createDbRegistry(db),
    pow,
    powReplays: dbReplayStore,
    signer,
    rateLimits: {
      counter: createRateLimitCounter(redis, {
        clock,
        onError: (err) => logger.warn({ err }, 'Redis unreachable: rate limits counted per instance'),
      }),
      events: securityEvents,
      perMinute: config.rateLimit.perMinute,
      sensitivePerMinute: config.rateLimit.sensitivePerMinute,
    },
    ...overrides,
    async close() {
      freeSlotCache.close();
      await securityEvents.close();
      if ('close' in mailer && typeof mailer.close === 'function') mailer.close();
      await emailRenderer?.close();
      if (redis) await closeRedis(redis);
    },
  };
  return ports;
}
