// While the database is not ready (start-up) or unreachable (an outage), every answer is a
// 503 SERVICE_UNAVAILABLE with Retry-After — never a 500 — and liveness stays 200.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { sharedForAMoment } from '../../src/http/server.ts';
import { assetCatalogue } from '../../src/http/web/assets.ts';
import { freshDatabase } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

describe('HTTP availability', () => {
  let database: OpenDatabase;
  let started = false;
  let app: FastifyInstance;
  before(async () => {
    database = await freshDatabase('pglite');
    app = await testServer(database, new TestClock(new Date('2026-06-01T08:00:00Z')), {
      started: () => started,
      // What node-postgres throws when the server goes away mid-query, and when the pool waits in vain.
      setup: (server) => {
        server.get('/api/test/connection-lost', async () => {
          throw new Error('Connection terminated unexpectedly');
        });
        server.get('/api/test/pool-timeout', async () => {
          throw new Error('timeout exceeded when trying to connect');
        });
        server.get('/api/test/refused', async () => {
          throw new AggregateError(
            [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
            '',
          );
        });
      },
    });
  });
  after(async () => {
    await app?.close();
    await database?.close();
  });

  it('before the database is ready: 503 with Retry-After on the API and the pages, /health 200, /ready 503', async () => {
    started = false;
    const api = await app.inject('/api/prefectures/93');
    assert.equal(api.statusCode, 503);
    assert.equal(api.json().code, 'SERVICE_UNAVAILABLE');
    assert.equal(api.headers['retry-after'], '1');
    assert.match(api.headers['content-type'] as string, /application\/problem\+json/);

    const page = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 503);
    assert.equal(page.headers['retry-after'], '1');
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /SERVICE_UNAVAILABLE/);

    const post = await app.inject({ method: 'POST', url: '/api/bookings', payload: {} });
    assert.equal(post.statusCode, 503, 'refused before validation: nothing runs before the database is ready');

    const health = await app.inject('/health');
    assert.equal(health.statusCode, 200);
    assert.deepEqual([health.json().status, health.json().database], ['ok', 'up']);
    const ready = await app.inject('/ready');
    assert.equal(ready.statusCode, 503);
    assert.deepEqual([ready.json().status, ready.json().migrated], ['not-ready', false]);
    assert.equal(ready.headers['retry-after'], '1');
    assert.equal((await app.inject(assetCatalogue().urls.styles)).statusCode, 200, 'static files need no database');
  });

  it('once ready: /ready 200 and every route served', async () => {
    started = true;
    const ready = await app.inject('/ready');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(
      [ready.json().status, ready.json().migrated, ready.json().database, ready.json().engine],
      ['ready', true, 'up', 'pglite'],
    );
    assert.equal(ready.headers['cache-control'], 'no-store');
    const api = await app.inject('/api/prefectures');
    assert.equal(api.statusCode, 200);
    assert.ok(Array.isArray(api.json().prefectures));
  });

  it('a lost connection, a pool timeout or a refused connection is a 503 SERVICE_UNAVAILABLE with Retry-After, never a 500', async () => {
    started = true;
    for (const url of ['/api/test/connection-lost', '/api/test/pool-timeout', '/api/test/refused']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 503, url);
      assert.equal(res.json().code, 'SERVICE_UNAVAILABLE', url);
      assert.equal(res.headers['retry-after'], '1', url);
    }
  });

  it('publishes /ready in the OpenAPI document, next to /health', async () => {
    const spec = (await app.inject('/openapi.json')).json();
    assert.ok(spec.paths['/ready'].get);
    assert.ok(spec.paths['/health'].get);
  });
});

describe("sharedForAMoment (the probes' database ping)", () => {
  it('answers a flood of probes with one call per moment, and tries again after a failure', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const ping = sharedForAMoment(
      async () => {
        calls += 1;
        if (fail) throw new Error('down');
        return calls;
      },
      500,
      () => now,
    );
    const answers = await Promise.all(Array.from({ length: 20 }, () => ping()));
    assert.deepEqual([calls, new Set(answers).size], [1, 1], 'twenty concurrent probes, one ping');
    now = 499;
    assert.equal(await ping(), 1);
    now = 500;
    assert.equal(await ping(), 2, 'a new ping once the moment is over');
    fail = true;
    now = 1000;
    await assert.rejects(ping(), /down/);
    await assert.rejects(ping(), /down/);
    assert.equal(calls, 4, 'a failed ping is not kept');
  });
});
