// The configuration tests run with: the same loadConfig/completeConfig as production, from a
// test environment, then the few budgets tests need beyond what an operator may set (email
// code sends and registry checks effectively unlimited, so only tests about limits meet them).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type Config, completeConfig, loadConfig } from '../../src/config.ts';

export const TEST_IDENTITY_SECRET = 'test-identity-secret-0123456789abcdef';
export const TEST_POW_HMAC_KEY = 'test-pow-hmac-key-0123456789abcdef0123';

/** How far ahead a configuration change reconciles the slots in HTTP tests (SLOTS_HORIZON_DAYS). */
export const CONFIGURATION_HORIZON_DAYS = 28;

/** What the SMS gateway presents on POST /api/sms/inbound in tests. */
export const TEST_SMS_GATEWAY_KEY = 'test-sms-gateway-key-0123456789';

export function testConfig(env: NodeJS.ProcessEnv = {}): Config {
  const loaded = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'creneau-test-')),
    IDENTITY_KEY_SECRET: TEST_IDENTITY_SECRET,
    POW_HMAC_KEY: TEST_POW_HMAC_KEY,
    // Proof of work at its lowest difficulty: tests pay about a millisecond per solution.
    POW_MIN_MAX_NUMBER: '1000',
    POW_MAX_MAX_NUMBER: '1000',
    SLOT_HORIZON_DAYS: String(CONFIGURATION_HORIZON_DAYS),
    MAIL_FROM: 'Créneau <test@creneau.localhost>',
    // The key the SMS gateway presents on POST /api/sms/inbound (no URL: text messages as files).
    SMS_GATEWAY_KEY: TEST_SMS_GATEWAY_KEY,
    // Tests file many look-alike requests (one address, one name, example.org): scored, never
    // held, except where a test asks for holds (test/storage/fraud.test.ts, test/http/fraud.test.ts).
    FRAUD_HOLD_SCORE: '10000',
    // A booking shows in the very next calendar answer, however soon (test/storage/free-slot-cache.test.ts
    // covers the production pace: three computations at once, then one every 250 ms at most).
    CALENDAR_RECOMPUTE_MS: '0',
    // Emails rendered on the jobs' thread: a thread per test server would cost its start (about
    // 0.5 s of CPU) hundreds of times; test/adapters/render-thread.test.ts and
    // test/storage/outbox-delivery.test.ts run the thread.
    MAIL_RENDER_THREAD: 'off',
    ...env,
  });
  const config = completeConfig(loaded, () => {
    throw new Error('the test configuration names every secret');
  });
  return Object.freeze({
    ...config,
    emailCodes: { ...config.emailCodes, sendsPerEmailPerHour: 1000, sendsPerIpPerHour: 100_000 },
    registry: { ...config.registry, attemptsPerIpPerHour: 100_000, attemptsPerNumberPerHour: 1000 },
  });
}

export const silentLogger = pino({ level: 'silent' });
