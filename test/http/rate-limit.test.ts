import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { type BufferedSecurityEventLog, createSecurityEventLog } from '../../src/adapters/db/security-event-log.ts';
import { createRateLimitCounter } from '../../src/adapters/limits/rate-limit-counter.ts';
import { closeRedis, openRedis } from '../../src/adapters/redis.ts';
import { registerRateLimits, SENSITIVE_ROUTE } from '../../src/http/rate-limit.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PER_MINUTE = 3;
const SENSITIVE_PER_MINUTE = 2;

/** Statuses of `count` identical requests, in order. */
async function statuses(app: FastifyInstance, request: InjectOptions | string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await app.inject(request)).statusCode);
  return out;
}

function assertRateLimited(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 429);
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
    `Retry-After ${res.headers['retry-after']}`,
  );
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, 'RATE_LIMITED');
  assert.equal(body.status, 429);
  assert.equal(body.type, '/api/errors#RATE_LIMITED');
  assert.equal(body.details.retryAfterSeconds, retryAfter);
}

describeEachEngine('rate limits', (database) => {
  const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
  const logs: BufferedSecurityEventLog[] = [];
  const apps: FastifyInstance[] = [];
  const clients: Redis[] = [];
  const keyPrefix = `creneau-test:${randomBytes(6).toString('hex')}:`;

  /** A server like production's, with the limits, a sensitive test route, and its own event log. */
  async function limitedServer(redis: Redis | null, keyPrefix?: string) {
    const events = createSecurityEventLog(database().db, { flushIntervalMs: 3_600_000 });
    logs.push(events);
    const app = await testServer(database(), clock, {
      setup: async (instance) => {
        await registerRateLimits(instance, {
          counter: createRateLimitCounter(redis, keyPrefix ? { keyPrefix } : {}),
          perMinute: PER_MINUTE,
          sensitivePerMinute: SENSITIVE_PER_MINUTE,
          events,
        });
        instance.post('/test/sensitive', { config: SENSITIVE_ROUTE }, async () => ({ ok: true }));
      },
    });
    apps.push(app);
    return { app, events };
  }

  after(async () => {
    for (const app of apps) await app.close();
    for (const log of logs) await log.close();
    for (const client of clients) {
      const keys = await client.keys(`${keyPrefix}*`);
      if (keys.length) await client.del(...keys);
      await closeRedis(client);
    }
  });

  describe('in memory', () => {
    let app: FastifyInstance;
    let events: BufferedSecurityEventLog;
    before(async () => {
      ({ app, events } = await limitedServer(null));
    });

    it('answers 429 problem+json with Retry-After past the budget, and records the refusal', async () => {
      const ip = { remoteAddress: '203.0.113.10' };
      const passed = await statuses(app, { url: '/api/errors', ...ip }, PER_MINUTE - 1);
      assert.deepEqual(passed, [200, 200]);
      const last = await app.inject({ url: '/api/errors', ...ip });
      assert.equal(last.statusCode, 200);
      // Within the budget, nothing says how much of it is left.
      assert.deepEqual(
        Object.keys(last.headers).filter((name) => name.startsWith('x-ratelimit')),
        [],
      );
      const refused = await app.inject({ url: '/api/errors', ...ip });
      assertRateLimited(refused);
      assert.equal(refused.headers['x-ratelimit-limit'], String(PER_MINUTE));

      await events.flush();
      const rows = await database()
        .db.selectFrom('security_event')
        .selectAll()
        .where('ip', '=', '203.0.113.10')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.reason, r.route]),
        [['rate_limited', 'GET /api/errors']],
      );
      assert.deepEqual(rows[0]!.details, { budget: 'general' });
    });

    it('counts per IP', async () => {
      assert.deepEqual(
        await statuses(app, { url: '/openapi.json', remoteAddress: '203.0.113.11' }, 4),
        [200, 200, 200, 429],
      );
      assert.equal((await app.inject({ url: '/openapi.json', remoteAddress: '203.0.113.12' })).statusCode, 200);
    });

    it('counts per route: each route pattern has its own budget, whatever the query', async () => {
      const ip = { remoteAddress: '203.0.113.13' };
      assert.deepEqual(await statuses(app, { url: '/api/errors', ...ip }, 4), [200, 200, 200, 429]);
      assert.equal((await app.inject({ url: '/openapi.json', ...ip })).statusCode, 200);
      assert.equal((await app.inject({ url: '/api/errors?again=1', ...ip })).statusCode, 429);
    });

    it('gives routes declared sensitive the smaller budget', async () => {
      const res = await statuses(
        app,
        { method: 'POST', url: '/test/sensitive', remoteAddress: '203.0.113.14' },
        SENSITIVE_PER_MINUTE + 1,
      );
      assert.deepEqual(res, [200, 200, 429]);
      await events.flush();
      const [row] = await database()
        .db.selectFrom('security_event')
        .selectAll()
        .where('ip', '=', '203.0.113.14')
        .execute();
      assert.deepEqual([row?.route, row?.details], ['POST /test/sensitive', { budget: 'sensitive' }]);
    });

    it('limits unknown URLs too, as one budget', async () => {
      const ip = { remoteAddress: '203.0.113.15' };
      const res = [];
      for (const url of ['/nope', '/wp-login.php', '/.env', '/admin'])
        res.push((await app.inject({ url, ...ip })).statusCode);
      assert.deepEqual(res, [404, 404, 404, 429]);
      assertRateLimited(await app.inject({ url: '/another', ...ip }));
    });

    it('never limits /health', async () => {
      assert.deepEqual(
        await statuses(app, { url: '/health', remoteAddress: '203.0.113.16' }, PER_MINUTE + 3),
        Array(PER_MINUTE + 3).fill(200),
      );
    });
  });

  describe('in Redis, shared by two instances', () => {
    let one: FastifyInstance;
    let two: FastifyInstance;
    before(async () => {
      // Each instance with its own connection, as two processes would have.
      const [a, b] = [await openRedis(redisUrl), await openRedis(redisUrl)];
      clients.push(a, b);
      one = (await limitedServer(a, keyPrefix)).app;
      two = (await limitedServer(b, keyPrefix)).app;
    });

    it('refuses, on either instance, requests beyond the budget spent across both', async () => {
      const ip = { remoteAddress: '198.51.100.20' };
      const res = [];
      for (let i = 0; i < PER_MINUTE; i++)
        res.push((await (i % 2 === 0 ? one : two).inject({ url: '/api/errors', ...ip })).statusCode);
      assert.deepEqual(res, [200, 200, 200]);
      assertRateLimited(await two.inject({ url: '/api/errors', ...ip }));
      assertRateLimited(await one.inject({ url: '/api/errors', ...ip }));
      assert.equal(
        (await one.inject({ url: '/api/errors', remoteAddress: '198.51.100.21' })).statusCode,
        200,
        'another IP is not affected',
      );
    });

    it('keeps distinct budgets for distinct routes', async () => {
      const ip = { remoteAddress: '198.51.100.22' };
      assert.deepEqual(await statuses(one, { url: '/api/errors', ...ip }, PER_MINUTE + 1), [200, 200, 200, 429]);
      assert.equal((await two.inject({ url: '/openapi.json', ...ip })).statusCode, 200);
      assert.deepEqual(
        [
          (await one.inject({ method: 'POST', url: '/test/sensitive', ...ip })).statusCode,
          (await two.inject({ method: 'POST', url: '/test/sensitive', ...ip })).statusCode,
          (await one.inject({ method: 'POST', url: '/test/sensitive', ...ip })).statusCode,
        ],
        [200, 200, 429],
      );
    });
  });
});
