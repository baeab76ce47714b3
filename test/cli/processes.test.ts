// `creneau serve --processes N` and `creneau worker` as an operator runs them, on a PostgreSQL
// database of the test's own: one port answered by distinct processes, a killed process
// replaced, a booking's emails sent by a separate worker woken by NOTIFY (its polling set to
// an hour, so nothing else could send them in time), and SIGTERM finishing a request held in
// flight by a lock the test owns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  bookFirstFreeSlot,
  type CreneauProcess,
  createPostgresDatabase,
  eventually,
  listeningUrl,
  outboxDrained,
  sleep,
  startCreneau,
} from '../support/creneau-process.ts';
import { assertPostgresReachable, postgresSkipReason } from '../support/databases.ts';
import { codeFromMail, startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

/** GET on a connection of its own (no keep-alive): the primary hands each new connection to the next process. */
function getFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pidOf = async (url: string): Promise<number> => JSON.parse((await getFresh(`${url}/health`)).body).pid;

/** The pids that answer /health over `tries` fresh connections. */
async function answeringPids(url: string, tries = 12): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries; i++) pids.add(await pidOf(url));
  return pids;
}

describe('creneau serve --processes and creneau worker', { skip: postgresSkipReason() }, () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let smtp: TestSmtpServer;
  let serve: CreneauProcess;
  let worker: CreneauProcess;
  let url: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'creneau-processes-'));

  before(async () => {
    assertPostgresReachable();
    database = await createPostgresDatabase('creneau_processes');
    smtp = await startTestSmtpServer();
    // The demo seeded by the primary on this first start; the two processes and the worker
    // share DATA_DIR's generated secrets.
    const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url, DATA_DIR: dataDir };
    serve = startCreneau(['serve', '--processes', '2'], { ...env, SEED_DEMO_ON_FIRST_START: 'true' });
    url = await listeningUrl(serve, 240_000);
    worker = startCreneau(['worker'], { ...env, OUTBOX_POLL_SECONDS: '3600' });
    await worker.waitFor(/Créneau worker running/, 240_000);
  });
  after(async () => {
    await serve?.stop();
    await worker?.stop();
    await smtp?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers on one port from two distinct processes, and runs no job itself', { timeout: 120_000 }, async () => {
    const pids = await eventually(
      'two processes answering',
      async () => {
        const seen = await answeringPids(url);
        return seen.size === 2 ? seen : undefined;
      },
      60_000,
    );
    assert.ok(!pids.has(serve.child.pid!), 'the primary serves nothing itself');
    assert.match(serve.logs(), /"processes":2/);
    assert.doesNotMatch(serve.logs(), /background jobs started/, 'serve on PostgreSQL runs no jobs by default');
    assert.match(
      worker.logs(),
      /"listening":true[^\n]*background jobs started/,
      'the worker LISTENs for outbox notifications',
    );
    assert.doesNotMatch(worker.logs(), /autovacuum/, 'PostgreSQL keeps its tables up itself');
  });

  it("delivers a booking's emails from the separate worker, woken by NOTIFY (its polling is an hour)", {
    timeout: 600_000,
  }, async () => {
    await outboxDrained(database.url, 400_000);
    const readCode = async (email: string) =>
      codeFromMail(await smtp.waitForMessage((m) => m.recipients.includes(email), 60_000));
    const booking = await bookFirstFreeSlot(url, readCode);
    assert.equal(booking.status, 201);
    const confirmation = await smtp.waitForMessage(
      (m) => m.recipients.includes(booking.email) && /Rendez-vous confirmé/.test(m.parsed.subject ?? ''),
      60_000,
    );
    assert.ok(confirmation.parsed.attachments.some((a) => a.contentType === 'text/calendar'));
    assert.doesNotMatch(serve.logs(), /"msg":"outbox delivered"/, 'sent by the worker, not by a serve process');
  });

  it('replaces a process that dies', { timeout: 240_000 }, async () => {
    const before = await answeringPids(url);
    const victim = [...before][0]!;
    process.kill(victim, 'SIGKILL');
    await serve.waitFor(new RegExp(`"pid":${victim}[^\\n]*died unexpectedly|died unexpectedly[^\\n]*"pid":${victim}`));
    const after = await eventually(
      'a new process answering',
      async () => {
        const seen = await answeringPids(url, 8);
        return [...seen].some((pid) => !before.has(pid)) ? seen : undefined;
      },
      180_000,
    );
    assert.ok(!after.has(victim), 'the killed process answers no more');
    assert.equal(serve.child.exitCode, null, 'the primary lives on');
  });

  it('on SIGTERM, finishes a request held in flight, then every process exits 0', { timeout: 180_000 }, async () => {
    // The test holds a lock on the prefectures: GET /api/prefectures waits in the server.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table prefecture in access exclusive mode');
      const inFlight = getFresh(`${url}/api/prefectures`);
      await eventually(
        'the request waiting on the lock',
        async () => {
          const { rows } = await locker.query(
            "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
          );
          return rows[0].n > 0 ? true : undefined;
        },
        30_000,
      );
      const exited = serve.stop('SIGTERM');
      await serve.waitFor(/shutting down: every process finishes/);
      await sleep(1_000); // the processes are stopping, the request still held
      assert.equal(serve.child.exitCode, null, 'the primary waits for its processes');
      await locker.query('commit');
      const answer = await inFlight;
      assert.equal(answer.status, 200, 'the request in flight was answered');
      assert.ok(JSON.parse(answer.body).prefectures.length > 0);
      assert.equal(await exited, 0);
    } finally {
      await locker.end().catch(() => {});
    }
  });

  it('the worker stops gracefully on SIGTERM', { timeout: 60_000 }, async () => {
    assert.equal(await worker.stop('SIGTERM'), 0);
    assert.match(worker.logs(), /"signal":"SIGTERM"[^\n]*shutting down/);
  });
});
