// The embedded database on a thread of its own (src/adapters/db/pglite-thread.ts), as
// `creneau serve` runs it: the same answers as PGlite on this thread (every type, arrays both
// ways, dates as text), the engine's errors with their code and constraint, transactions that
// roll back whole, what it wrote kept on disk after a close, and a thread that stops refusing
// what comes after. End to end (migrations, the demo seed, bookings): test/cli/creneau.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createPglite, type OpenDatabase, wrapPglite, wrapPgliteEngine } from '../../src/adapters/db/database.ts';
import { openPgliteOnThread, startPgliteThread } from '../../src/adapters/db/pglite-thread.ts';
import { migratedPgliteTemplate, releaseClosedPglite } from '../support/databases.ts';

const PROBE = sql`create table probe (id int primary key, day date, at timestamptz, doc jsonb, tags text[], refs uuid[], big int8, ratio numeric, ok boolean)`;
const AT = new Date('2026-12-07T08:30:00.123Z');
const REFS = ['0b9f4f3e-2f7e-4a5c-9c1e-0d6b7f5a3e21', '7d0e8a52-9f7b-4a43-9c57-1d7c5e2b7a01'];

describe('PGlite on a thread of its own', () => {
  let onThread: OpenDatabase;
  before(async () => {
    onThread = wrapPgliteEngine(
      await startPgliteThread({ from: await migratedPgliteTemplate(), sharedBuffers: '16MB' }),
    );
    await PROBE.execute(onThread.db);
  });
  after(async () => {
    await onThread?.close();
  });

  it('answers as PGlite on this thread: every type, arrays sent and read, dates as text, the migrated schema', async () => {
    const here = await createPglite({ sharedBuffers: '16MB' });
    const onThisThread = wrapPglite(here);
    try {
      await PROBE.execute(onThisThread.db);
      for (const db of [onThread.db, onThisThread.db]) {
        await sql`insert into probe values (${1}, ${'2026-12-07'}, ${AT}, ${JSON.stringify({ a: [1, 'é'] })}, ${['x', 'y z']}, ${REFS}, ${'9007199254740993'}, ${'1.50'}, ${true})`.execute(
          db,
        );
        await sql`insert into probe (id) values (${2})`.execute(db);
      }
      const read = (db: OpenDatabase['db']) =>
        sql<Record<string, unknown>>`select * from probe where id = any(${[1, 2]}::int[]) order by id`.execute(db);
      const [theirs, ours] = [(await read(onThisThread.db)).rows, (await read(onThread.db)).rows];
      assert.deepEqual(ours, theirs);
      assert.deepEqual(
        [ours[0]!.day, ours[0]!.at, ours[0]!.doc, ours[0]!.tags, ours[0]!.refs, ours[0]!.big],
        ['2026-12-07', AT, { a: [1, 'é'] }, ['x', 'y z'], REFS, 9007199254740993n],
      );
      assert.equal(ours[1]!.tags, null);
      const { rows } = await sql<{
        migrated: boolean;
      }>`select to_regclass('appointment') is not null as migrated`.execute(onThread.db);
      assert.deepEqual(rows, [{ migrated: true }], 'started from the migrated dump');
    } finally {
      await onThisThread.close();
      await releaseClosedPglite(here);
    }
  });

  it("throws the engine's error with its code and constraint, and rolls a failed transaction back whole", async () => {
    await assert.rejects(sql`insert into probe (id) values (${1})`.execute(onThread.db), {
      code: '23505',
      constraint: 'probe_pkey',
    });
    await assert.rejects(
      onThread.db.transaction().execute(async (tx) => {
        await sql`insert into probe (id) values (${10})`.execute(tx);
        await sql`insert into probe (id) values (${10})`.execute(tx);
      }),
      { code: '23505' },
    );
    assert.deepEqual((await sql`select id from probe where id = ${10}`.execute(onThread.db)).rows, []);
    await onThread.db.transaction().execute(async (tx) => {
      await sql`insert into probe (id) values (${11})`.execute(tx);
    });
    assert.deepEqual((await sql`select id from probe where id = ${11}`.execute(onThread.db)).rows, [{ id: 11 }]);
  });

  it('keeps on disk what it wrote; once closed, refuses what comes after', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'creneau-pglite-thread-'));
    try {
      const first = await openPgliteOnThread(dataDir);
      await sql`create table kept (id int primary key)`.execute(first.db);
      await sql`insert into kept values (${7})`.execute(first.db);
      await first.close();
      await assert.rejects(sql`select 1`.execute(first.db), /EMBEDDED_DATABASE_STOPPED|closed|destroyed/);
      const again = await openPgliteOnThread(dataDir);
      try {
        assert.deepEqual((await sql`select id from kept`.execute(again.db)).rows, [{ id: 7 }]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
