// `creneau serve` through database outages, on a PostgreSQL of the test's own (a throwaway
// cluster it stops and starts): an immediate stop under load, and a start while it is down.
// The server runs as a real process, so "it did not crash" is its exit code, not a hope.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type CreneauProcess, sleep, startCreneau } from '../support/creneau-process.ts';
import {
  createThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresSkipReason,
} from '../support/throwaway-postgres.ts';

/** `creneau serve` without the demo and with rate limits out of the way (the load comes from one address). */
function serve(env: Record<string, string>): CreneauProcess {
  return startCreneau(['serve'], { SEED_DEMO_ON_FIRST_START: 'false', RATE_LIMIT_PER_MINUTE: '100000', ...env });
}

/** Polls until `check` passes (a generous deadline, not a timing assertion). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await sleep(50);
  }
}

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers, signal: AbortSignal.timeout(10_000) });

describe('creneau serve through database outages', { skip: throwawayPostgresSkipReason() }, () => {
  let postgres: ThrowawayPostgres;
  const dataDir = mkdtempSync(join(tmpdir(), 'creneau-outage-'));
  before(async () => {
    postgres = await createThrowawayPostgres();
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query('create database under_load');
    await admin.query('create database cold_start');
    await admin.end();
  });
  after(async () => {
    await postgres?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const databaseUrl = (name: string) => postgres.url.replace(/\/postgres$/, `/${name}`);

  it('survives an immediate stop of PostgreSQL under load: 503 with Retry-After while it is down, served again once it is back', {
    timeout: 600_000,
  }, async () => {
    const server = serve({ DATABASE_URL: databaseUrl('under_load'), DATA_DIR: dataDir });
    let loading = true;
    try {
      // Several processes start (serve --processes: the cores): minutes on a busy machine.
      const url = (await server.waitFor(/Créneau listening on (http:\/\/[0-9.:]+)/, 300_000))[1]!;
      const api = `${url}/api/prefectures`;
      assert.equal((await get(api)).status, 200);

      // Load: requests in flight on checked-out connections when the server goes away.
      const statuses = new Map<number | string, number>();
      const loops = Array.from({ length: 8 }, async () => {
        while (loading) {
          const status = await get(api).then(
            (r) => r.status,
            (e: Error) => `fetch failed: ${e.message}`,
          );
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          await sleep(5);
        }
      });
      await eventually('load running', async () => ((statuses.get(200) ?? 0) >= 50 ? true : undefined));
      await postgres.stop('immediate');

      const down = await eventually('a 503 while PostgreSQL is down', async () => {
        const res = await get(api);
        return res.status === 503 ? res : undefined;
      });
      assert.equal(down.headers.get('retry-after'), '1');
      assert.equal((await down.json()).code, 'SERVICE_UNAVAILABLE');
      const page = await get(`${url}/`, { accept: 'text/html' });
      assert.equal(page.status, 503, 'pages too: the HTML error page');
      assert.equal(page.headers.get('retry-after'), '1');
      const ready = await get(`${url}/ready`);
      assert.equal(ready.status, 503);
      assert.equal((await ready.json()).database, 'down');
      const health = await get(`${url}/health`);
      assert.equal(health.status, 200, 'liveness holds through the outage');
      assert.deepEqual([(await health.json()).database], ['down']);
      await sleep(500); // the load goes on against the dead database a little longer
      assert.equal(server.child.exitCode, null, `the server is still running:\n${server.logs()}`);

      await postgres.start();
      const restartedAt = Date.now();
      await eventually(
        'a request served after PostgreSQL is back',
        async () => ((await get(api)).status === 200 ? true : undefined),
        10_000,
      );
      const recoveryMs = Date.now() - restartedAt;
      assert.equal((await get(`${url}/ready`)).status, 200);
      loading = false;
      await Promise.all(loops);

      const seen = Object.fromEntries(statuses);
      assert.deepEqual(
        Object.keys(seen).filter((s) => s !== '200' && s !== '503'),
        [],
        `only 200 and 503, never a 500 nor a dropped connection: ${JSON.stringify(seen)}`,
      );
      assert.ok((seen['503'] ?? 0) > 0 && (seen['200'] ?? 0) > 0, JSON.stringify(seen));
      assert.match(server.logs(), /database connection lost/);
      console.log(
        `# served again ${recoveryMs} ms after PostgreSQL was back; statuses under load ${JSON.stringify(seen)}`,
      );
    } finally {
      loading = false;
      assert.equal(await server.stop(), 0, 'SIGTERM: a graceful exit');
    }
  });

  it('starts while PostgreSQL is down: listens, /health 200, /ready 503, then migrates and serves once it comes up', {
    timeout: 600_000,
  }, async () => {
    await postgres.stop('immediate');
    const server = serve({ DATABASE_URL: databaseUrl('cold_start'), DATA_DIR: dataDir });
    try {
      const url = (await server.waitFor(/Server listening at (http:\/\/[0-9.:]+)/, 300_000))[1]!;
      await server.waitFor(/database not reachable, retrying in/);
      await sleep(1_200); // a retry or two: still alive, still waiting
      assert.equal(server.child.exitCode, null, 'waiting, not exited');

      const health = await get(`${url}/health`);
      assert.equal(health.status, 200);
      assert.equal((await health.json()).database, 'down');
      const ready = await get(`${url}/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual((({ status, migrated }) => ({ status, migrated }))(await ready.json()), {
        status: 'not-ready',
        migrated: false,
      });
      const api = await get(`${url}/api/prefectures`);
      assert.equal(api.status, 503);
      assert.equal(api.headers.get('retry-after'), '1');
      assert.equal((await api.json()).code, 'SERVICE_UNAVAILABLE');

      await postgres.start();
      await server.waitFor(/Créneau listening on/, 120_000);
      const readyNow = await get(`${url}/ready`);
      assert.equal(readyNow.status, 200);
      assert.deepEqual((({ status, migrated }) => ({ status, migrated }))(await readyNow.json()), {
        status: 'ready',
        migrated: true,
      });
      assert.equal((await get(`${url}/api/prefectures`)).status, 200);
      const check = new pg.Client({ connectionString: databaseUrl('cold_start') });
      await check.connect();
      const { rows } = await check.query('select count(*)::int as n from kysely_migration');
      await check.end();
      assert.ok(rows[0].n > 0, 'the migrations ran once the database came up');
    } finally {
      assert.equal(await server.stop(), 0, 'SIGTERM: a graceful exit');
    }
  });
});
