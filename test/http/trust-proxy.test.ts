// TRUST_PROXY: X-Forwarded-For names the client only when the nearest peer is a proxy we
// trust (by address, or a hop count). A client that rotates a forged X-Forwarded-For from an
// untrusted address stays one address for every per-address budget (rate limits, proof-of-work
// difficulty, code and registry budgets all key on request.ip).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type BufferedSecurityEventLog, createSecurityEventLog } from '../../src/adapters/db/security-event-log.ts';
import { createRateLimitCounter } from '../../src/adapters/limits/rate-limit-counter.ts';
import { registerRateLimits } from '../../src/http/rate-limit.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

const SENSITIVE_PER_MINUTE = 3;
let forged = 0;
/** A new made-up address each call, as a client rotating X-Forwarded-For would send. */
const rotating = () => `198.51.100.${++forged % 250}`;

describeEachEngine('TRUST_PROXY', (database) => {
  const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
  const logs: BufferedSecurityEventLog[] = [];
  const apps: FastifyInstance[] = [];

  /** A server with production-like limits, and a route that says which address it saw. */
  async function serverTrusting(trustProxy: false | number | readonly string[]): Promise<FastifyInstance> {
    const events = createSecurityEventLog(database().db, { flushIntervalMs: 3_600_000 });
    logs.push(events);
    const app = await testServer(database(), clock, {
      trustProxy,
      setup: async (instance) => {
        await registerRateLimits(instance, {
          counter: createRateLimitCounter(null),
          perMinute: 1000,
          sensitivePerMinute: SENSITIVE_PER_MINUTE,
          events,
        });
        instance.get('/test/ip', async (request) => ({ ip: request.ip }));
      },
    });
    apps.push(app);
    return app;
  }

  after(async () => {
    for (const app of apps) await app.close();
    for (const log of logs) await log.close();
  });

  /** Statuses of proof-of-work challenges asked from `remoteAddress`, each with the header `xff()` gives. */
  async function challenges(
    app: FastifyInstance,
    remoteAddress: string,
    xff: () => string,
    count: number,
  ): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < count; i++)
      out.push(
        (await app.inject({ url: '/api/pow/challenge', remoteAddress, headers: { 'x-forwarded-for': xff() } }))
          .statusCode,
      );
    return out;
  }

  describe('named proxies (TRUST_PROXY=10.0.0.1)', () => {
    let app: FastifyInstance;
    before(async () => {
      app = await serverTrusting(['10.0.0.1']);
    });

    it('ignores X-Forwarded-For from an untrusted address: a rotating header is one client', async () => {
      const seen = await app.inject({
        url: '/test/ip',
        remoteAddress: '203.0.113.9',
        headers: { 'x-forwarded-for': rotating() },
      });
      assert.equal(seen.json().ip, '203.0.113.9');
      assert.deepEqual(
        await challenges(app, '203.0.113.9', rotating, SENSITIVE_PER_MINUTE + 2),
        [200, 200, 200, 429, 429],
      );
    });

    it('takes the forwarded address from the trusted proxy: each client its own budget', async () => {
      const seen = await app.inject({
        url: '/test/ip',
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': '192.0.2.44' },
      });
      assert.equal(seen.json().ip, '192.0.2.44');
      assert.deepEqual(
        await challenges(app, '10.0.0.1', rotating, SENSITIVE_PER_MINUTE + 2),
        [200, 200, 200, 200, 200],
      );
    });

    it('through the proxy, a client that forges an X-Forwarded-For of its own is still the address the proxy saw', async () => {
      // nginx appends the peer it saw ($proxy_add_x_forwarded_for): "forged, real".
      const xff = () => `${rotating()}, 192.0.2.77`;
      assert.equal(
        (await app.inject({ url: '/test/ip', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': xff() } })).json()
          .ip,
        '192.0.2.77',
      );
      assert.deepEqual(await challenges(app, '10.0.0.1', xff, SENSITIVE_PER_MINUTE + 1), [200, 200, 200, 429]);
    });
  });

  describe('a hop count (TRUST_PROXY=1)', () => {
    let app: FastifyInstance;
    before(async () => {
      app = await serverTrusting(1);
    });

    it('takes the address the nearest proxy appended, whatever the client put before it', async () => {
      const xff = () => `${rotating()}, 192.0.2.88`;
      assert.equal(
        (await app.inject({ url: '/test/ip', remoteAddress: '10.9.9.9', headers: { 'x-forwarded-for': xff() } })).json()
          .ip,
        '192.0.2.88',
      );
      assert.deepEqual(await challenges(app, '10.9.9.9', xff, SENSITIVE_PER_MINUTE + 1), [200, 200, 200, 429]);
    });

    it('trusts no further than the count: of several entries, the last one (the one the proxy appended)', async () => {
      const seen = await app.inject({
        url: '/test/ip',
        remoteAddress: '10.9.9.9',
        headers: { 'x-forwarded-for': '192.0.2.1, 192.0.2.2, 192.0.2.3' },
      });
      assert.equal(seen.json().ip, '192.0.2.3');
    });
  });

  describe('no proxy (TRUST_PROXY=false, the default)', () => {
    it('uses the socket address only', async () => {
      const app = await serverTrusting(false);
      const seen = await app.inject({
        url: '/test/ip',
        remoteAddress: '203.0.113.19',
        headers: { 'x-forwarded-for': '192.0.2.5' },
      });
      assert.equal(seen.json().ip, '203.0.113.19');
      assert.deepEqual(await challenges(app, '203.0.113.19', rotating, SENSITIVE_PER_MINUTE + 1), [200, 200, 200, 429]);
    });
  });
});
