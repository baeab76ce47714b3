// An in-process API server over a test database (requests go through app.inject: the full
// Fastify pipeline — parsing, validation, error mapping — without a socket).
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { FastifyInstance } from 'fastify';
import { createAgendaStore } from '../../src/adapters/db/agenda-store.ts';
import { createCallbackStore } from '../../src/adapters/db/callback-store.ts';
import { createConfigurationStore } from '../../src/adapters/db/configuration-store.ts';
import { isDatabaseUnavailable } from '../../src/adapters/db/connection-errors.ts';
import { createConvocationStore } from '../../src/adapters/db/convocation-store.ts';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { ping } from '../../src/adapters/db/database.ts';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { createReviewStore } from '../../src/adapters/db/review-store.ts';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { createAltchaProofOfWork } from '../../src/adapters/pow/altcha-proof-of-work.ts';
import { createDbReplayStore } from '../../src/adapters/pow/db-replay-store.ts';
import type { AppContext } from '../../src/app/shared/context.ts';
import { createDifficultyPolicy } from '../../src/domain/pow-difficulty.ts';
import type { RateLimitOptions } from '../../src/http/rate-limit.ts';
import { buildServer } from '../../src/http/server.ts';
import { testAgentContext } from './agents.ts';
import { TEST_IDENTITY_SECRET, type TestClock, testContext } from './scenario.ts';

export interface TestServerOptions {
  /** Extra setup on the built application before it is made ready (plugins, hooks, test routes). */
  setup?: (app: FastifyInstance) => Promise<void> | void;
  rateLimits?: RateLimitOptions;
  /** Overrides of the use cases' context (e.g. a mailer to the in-process SMTP server). */
  ctx?: Partial<AppContext>;
  /** The `.eml` outbox directory to show at /dev/outbox. */
  devOutboxDir?: string;
  /** False while the database is "not migrated yet" (the start-up gate of main.ts). */
  started?: () => boolean;
  /** TRUST_PROXY as parsed by the configuration (default: false). */
  trustProxy?: false | number | readonly string[];
  /** Production's cookies (Secure) and HSTS. */
  secureCookies?: boolean;
  /** How long a request may take to arrive whole (the server's default: 30 s). */
  requestTimeoutMs?: number;
}

/** How far ahead a configuration change reconciles the slots in HTTP tests (SLOTS_HORIZON_DAYS). */
export const CONFIGURATION_HORIZON_DAYS = 28;

/** Proof of work at its lowest difficulty: tests pay about a millisecond per solution. */
export const TEST_POW_DIFFICULTY = { minMaxNumber: 1000, maxMaxNumber: 1000 };

export async function testServer(
  database: OpenDatabase,
  clock: TestClock,
  options: TestServerOptions = {},
): Promise<FastifyInstance> {
  const ctx = testContext(database.db, clock, options.ctx);
  const pow = createAltchaProofOfWork({
    hmacKey: 'test-pow-hmac-key-0123456789abcdef0123',
    clock,
    replayStore: createDbReplayStore(database.db, clock),
    difficulty: createDifficultyPolicy(TEST_POW_DIFFICULTY),
  });
  const app = await buildServer({
    ctx,
    pow,
    convocations: {
      store: createConvocationStore(database.db),
      signer: signerFromConfig({ convocationSigningKey: null, identityKeySecret: TEST_IDENTITY_SECRET }),
      clock,
      securityEvents: ctx.securityEvents,
    },
    requests: createRequestStore(database.db),
    draws: createDrawStore(database.db),
    callbacks: createCallbackStore(database.db),
    agents: testAgentContext(database.db, clock),
    agenda: createAgendaStore(database.db),
    review: createReviewStore(database.db),
    configuration: { store: createConfigurationStore(database.db), clock, horizonDays: CONFIGURATION_HORIZON_DAYS },
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    logger: false,
    version: 'test',
    ...(options.devOutboxDir ? { devOutboxDir: options.devOutboxDir } : {}),
    ...(options.started ? { started: options.started } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.secureCookies ? { secureCookies: true } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    health: async () => ({ database: (await ping(database.db)) ? 'up' : 'down', engine: database.engine }),
    isDatabaseUnavailable,
  });
  await options.setup?.(app);
  await app.ready();
  return app;
}

/** Fetches a challenge from the server and solves it, as the ALTCHA widget does. */
export async function solvedPow(app: FastifyInstance): Promise<string> {
  const challenge = (await app.inject('/api/pow/challenge')).json();
  const solution = await solveChallenge({ challenge: challenge as Challenge, deriveKey, timeout: 30_000 });
  if (!solution) throw new Error('no proof-of-work solution found');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}
