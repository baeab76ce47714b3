import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createHasher } from '../../src/adapters/crypto-secrets.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { type BufferedSecurityEventLog, createSecurityEventLog } from '../../src/adapters/db/security-event-log.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TestClock } from '../support/scenario.ts';

const HOUR = 3_600_000;
const hasher = createHasher('test-identity-secret-0123456789abcdef');

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachEngine('security event log', (database) => {
  const logs: BufferedSecurityEventLog[] = [];
  const open = (options: Parameters<typeof createSecurityEventLog>[1]) => {
    const log = createSecurityEventLog(database().db, options);
    logs.push(log);
    return log;
  };
  after(async () => {
    for (const log of logs) await log.close();
  });
  const rowsOf = (route: string) =>
    database().db.selectFrom('security_event').selectAll().where('route', '=', route).orderBy('id').execute();

  it('buffers events and writes a full batch in one go, without waiting for the timer', async () => {
    const log = open({ batchSize: 3, flushIntervalMs: HOUR });
    log.record({ ip: '203.0.113.1', route: 'batch', reason: 'pow_invalid' });
    log.record({ ip: '203.0.113.2', route: 'batch', reason: 'pow_invalid' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await rowsOf('batch')).length, 0, 'nothing written below a batch');
    assert.equal(log.stats().buffered, 2);
    log.record({ ip: '203.0.113.3', route: 'batch', reason: 'pow_replayed' });
    await until(() => log.stats().written === 3);
    assert.deepEqual(
      (await rowsOf('batch')).map((r) => [r.ip, r.reason]),
      [
        ['203.0.113.1', 'pow_invalid'],
        ['203.0.113.2', 'pow_invalid'],
        ['203.0.113.3', 'pow_replayed'],
      ],
    );
  });

  it('writes what is buffered every interval, and on flush()', async () => {
    const ticking = open({ flushIntervalMs: 30 });
    ticking.record({ ip: null, route: 'tick', reason: 'rate_limited' });
    await until(() => ticking.stats().written === 1);
    assert.equal((await rowsOf('tick')).length, 1);

    const manual = open({ flushIntervalMs: HOUR });
    for (let i = 0; i < 7; i++) manual.record({ ip: '198.51.100.7', route: 'manual', reason: 'email_code_invalid' });
    await manual.flush();
    assert.deepEqual(manual.stats(), { buffered: 0, written: 7, dropped: 0 });
    assert.equal((await rowsOf('manual')).length, 7);
  });

  it('stores the time of the attempt, the IP, the route, the reason, the digests and the details', async () => {
    const clock = new TestClock(new Date('2026-06-01T08:00:00.123Z'));
    const log = open({ clock, flushIntervalMs: HOUR });
    const emailHash = hasher.identityKey('email:jeanne.martin@example.org');
    const identityKey = hasher.identityKey('agdref:0123456789');
    log.record({
      ip: '2001:db8::1',
      route: 'POST /api/bookings',
      reason: 'registry_mismatch',
      emailHash,
      identityKey,
      details: { procedureId: 'titre-renouvellement' },
    });
    clock.set('2026-06-01T08:05:00Z'); // written later: the row keeps the time of the attempt
    await log.flush();
    const [row] = await rowsOf('POST /api/bookings');
    assert.ok(row);
    assert.equal(row.at.toISOString(), '2026-06-01T08:00:00.123Z');
    assert.equal(row.ip, '2001:db8::1');
    assert.equal(row.reason, 'registry_mismatch');
    assert.equal(row.email_hash, emailHash);
    assert.equal(row.identity_key, identityKey);
    assert.deepEqual(row.details, { procedureId: 'titre-renouvellement' });
  });

  it('stores an email only as a digest: a readable address is refused', async () => {
    const log = open({ flushIntervalMs: HOUR });
    log.record({
      ip: '192.0.2.1',
      route: 'leak',
      reason: 'email_code_send_limited',
      emailHash: 'jeanne.martin@example.org',
      identityKey: '0123456789',
    });
    await log.flush();
    const rows = await database().db.selectFrom('security_event').selectAll().where('route', '=', 'leak').execute();
    assert.equal(rows.length, 1, 'the event itself is kept');
    assert.equal(rows[0]!.email_hash, null);
    assert.equal(rows[0]!.identity_key, null, 'a bare AGDREF number is not a digest either');
    assert.doesNotMatch(JSON.stringify(rows), /example\.org|0123456789/);
  });
});

describe('security event log while the database is down', () => {
  // Nothing listens on port 1: every query fails at once.
  const deadDb: Db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 500 }),
    }),
  });
  after(async () => deadDb.destroy());

  it('never throws, keeps at most maxBuffered events (dropping the oldest) and reports the failure', async () => {
    const failures: number[] = [];
    const log = createSecurityEventLog(deadDb, {
      batchSize: 2,
      maxBuffered: 5,
      flushIntervalMs: HOUR,
      onError: (_e, stats) => failures.push(stats.buffered),
    });
    for (let i = 0; i < 8; i++) log.record({ ip: '203.0.113.5', route: `down-${i}`, reason: 'rate_limited' });
    await log.flush();
    await log.close();
    const stats = log.stats();
    assert.equal(stats.written, 0);
    assert.equal(stats.buffered, 5);
    assert.equal(stats.dropped, 3);
    assert.ok(failures.length >= 1);
    assert.doesNotThrow(() =>
      log.record({ ip: null, route: 'x'.repeat(10_000), reason: 'pow_missing', details: { self: 1n } as never }),
    );
  });
});
