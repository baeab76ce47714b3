// An in-process API server over a test database (requests go through app.inject: the full
// Fastify pipeline — parsing, validation, error mapping — without a socket).
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../../src/adapters/db/connection-errors.ts';
import { type OpenDatabase, ping } from '../../src/adapters/db/database.ts';
import { createDevOutboxFeature } from '../../src/features/dev-outbox.ts';
import type { RateLimitOptions } from '../../src/http/rate-limit.ts';
import { buildServer } from '../../src/http/server.ts';
import type { TestClock } from './scenario.ts';
import { type PortOverrides, testServices } from './services.ts';

export interface TestServerOptions {
  /** Extra setup on the built application before it is made ready (plugins, hooks, test routes). */
  setup?: (app: FastifyInstance) => Promise<void> | void;
  rateLimits?: RateLimitOptions;
  /** Adapters replaced (e.g. a mailer to the in-process SMTP server). */
  ctx?: PortOverrides;
  /** The `.eml` outbox directory to show at /dev/outbox. */
  devOutboxDir?: string;
  /** The `.txt` text messages shown beside them. */
  devSmsDir?: string;
  /** False while the database is "not migrated yet" (the start-up gate of main.ts). */
  started?: () => boolean;
  /** TRUST_PROXY as parsed by the configuration (default: false). */
  trustProxy?: false | number | readonly string[];
  /** Production's cookies (Secure) and HSTS. */
  secureCookies?: boolean;
  /** How long a request may take to arrive whole (the server's default: 30 s). */
  requestTimeoutMs?: number;
}

export { CONFIGURATION_HORIZON_DAYS } from './config.ts';

/** Proof of work at its lowest difficulty (testConfig): tests pay about a millisecond per solution. */
export const TEST_POW_DIFFICULTY = { minMaxNumber: 1000, maxMaxNumber: 1000 };

/** The server as main.ts builds it (the same services: test/support/services.ts) over a test database. */
export async function testServer(
  database: OpenDatabase,
  clock: TestClock,
  options: TestServerOptions = {},
): Promise<FastifyInstance> {
  const services = testServices(
    database.db,
    clock,
    options.ctx,
    options.secureCookies ? { secureCookies: true } : undefined,
  );
  const app = await buildServer({
    clock: services.ports.clock,
    secrets: services.ports.secrets,
    features: [
      ...services.features.all,
      ...(options.devOutboxDir ? [createDevOutboxFeature(options.devOutboxDir, options.devSmsDir ?? null)] : []),
    ],
    backOffice: services.features.agents.backOffice,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    logger: false,
    version: 'test',
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
