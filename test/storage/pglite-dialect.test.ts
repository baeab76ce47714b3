// Kysely on PGlite through our dialect (src/adapters/db/pglite-dialect.ts): a statement with
// parameters is prepared once and then costs one call into the engine; what comes back is what
// PGlite's own query() gives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { type OpenDatabase, wrapPglite } from '../../src/adapters/db/database.ts';
import { freshPgliteInstance, releaseClosedPglite } from '../support/databases.ts';

describe('the PGlite dialect', () => {
  let pglite: PGlite;
  let database: OpenDatabase;
  let calls = 0;
  before(async () => {
    pglite = await freshPgliteInstance();
    const execProtocol = pglite.execProtocol.bind(pglite);
    pglite.execProtocol = (...args) => {
      calls++;
      return execProtocol(...args);
    };
    database = wrapPglite(pglite);
    await sql`create table probe (id int primary key, day date, at timestamptz, doc jsonb, tags text[], big int8, ratio numeric, ok boolean, ref uuid)`.execute(
      database.db,
    );
  });
  after(async () => {
    await database.close();
    await releaseClosedPglite(pglite);
  });

  it('stores and reads back every type as PGlite itself does, null included', async () => {
    const at = new Date('2026-12-07T08:30:00.123Z');
    for (const [id, values] of [
      [
        1,
        [
          '2026-12-07',
          at,
          JSON.stringify({ a: [1, 'é'] }),
          ['x', 'y z'],
          '9007199254740993',
          '1.50',
          true,
          '0b9f4f3e-2f7e-4a5c-9c1e-0d6b7f5a3e21',
        ],
      ],
      [2, [null, null, null, null, null, null, null, null]],
    ] as const)
      await sql`insert into probe values (${id}, ${values[0]}, ${values[1]}, ${values[2]}, ${values[3]}, ${values[4]}, ${values[5]}, ${values[6]}, ${values[7]})`.execute(
        database.db,
      );
    const text = 'select * from probe where id >= $1 order by id';
    const ours = await sql.raw(text.replace('$1', '1')).execute(database.db);
    const withParameter = await sql`select * from probe where id >= ${1} order by id`.execute(database.db);
    const theirs = await pglite.query(text, [1]);
    assert.deepEqual(ours.rows, theirs.rows);
    assert.deepEqual(withParameter.rows, theirs.rows);
    const [row] = theirs.rows as Record<string, unknown>[];
    // The engine's own parsers, and ours for dates (kept as text): the comparison means something.
    assert.equal(row!.day, '2026-12-07');
    assert.deepEqual(row!.at, at);
    assert.deepEqual(row!.doc, { a: [1, 'é'] });
    assert.deepEqual(row!.tags, ['x', 'y z']);
    assert.equal(row!.big, 9007199254740993n);
  });

  it('prepares a statement with parameters once: each later run is one call into the engine', async () => {
    const lookup = (id: number) => sql<{ ok: boolean }>`select ok from probe where id = ${id}`.execute(database.db);
    calls = 0;
    assert.deepEqual((await lookup(1)).rows, [{ ok: true }]);
    assert.equal(calls, 2, 'the first run: its parameter types, then the run');
    calls = 0;
    assert.deepEqual((await lookup(2)).rows, [{ ok: null }]);
    assert.deepEqual((await lookup(3)).rows, []);
    assert.equal(calls, 2);
    // Another Kysely over the same instance (one session) finds it prepared.
    const other = wrapPglite(pglite);
    calls = 0;
    assert.deepEqual((await sql<{ ok: boolean }>`select ok from probe where id = ${1}`.execute(other.db)).rows, [
      { ok: true },
    ]);
    assert.equal(calls, 1);
    // Without parameters (BEGIN, COMMIT, DDL): one call each.
    calls = 0;
    await database.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
    });
    assert.equal(calls, 3);
  });

  it('counts the rows a statement changed, and none for a read', async () => {
    const update = await sql`update probe set ok = ${false} where id in (${1}, ${2})`.execute(database.db);
    assert.equal(update.numAffectedRows, 2n);
    const insert = await sql`insert into probe (id) values (${3}), (${4})`.execute(database.db);
    assert.equal(insert.numAffectedRows, 2n);
    const remove = await sql`delete from probe where id > ${2}`.execute(database.db);
    assert.equal(remove.numAffectedRows, 2n);
    const read = await sql`select id from probe where id = ${1}`.execute(database.db);
    assert.equal(read.numAffectedRows, undefined);
  });

  it("throws PostgreSQL's error, with its code and the statement's text, and goes on working after it", async () => {
    const duplicate = sql`insert into probe (id) values (${1})`;
    await assert.rejects(duplicate.execute(database.db), (error: { code?: string; query?: string }) => {
      assert.equal(error.code, '23505');
      assert.match(error.query ?? '', /^insert into probe/);
      return true;
    });
    // A statement that never prepared (a syntax error) is not taken for prepared.
    const broken = (id: number) => sql`select id fron probe where id = ${id}`.execute(database.db);
    await assert.rejects(broken(1), { code: '42601' });
    await assert.rejects(broken(1), { code: '42601' });
    // In a transaction: the error rolls it back whole, and the session is usable at once.
    await assert.rejects(
      database.db.transaction().execute(async (tx) => {
        await sql`insert into probe (id) values (${10})`.execute(tx);
        await sql`insert into probe (id) values (${10})`.execute(tx);
      }),
      { code: '23505' },
    );
    assert.deepEqual((await sql`select id from probe where id = ${10}`.execute(database.db)).rows, []);
    assert.equal(pglite.isInTransaction(), false);
  });
});
