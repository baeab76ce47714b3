// The embedded database's stand-in for autovacuum (src/adapters/db/embedded-autovacuum.ts):
// PostgreSQL's thresholds, applied to what pg_stat_user_tables says; and what it is for — a
// plan cached while a table was empty stops scanning it once the table has been analyzed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { upkeepFor, vacuumStaleTables } from '../../src/adapters/db/embedded-autovacuum.ts';
import { describeEachEngine } from '../support/databases.ts';

describe("autovacuum's thresholds", () => {
  const table = { table: 't', rows: 1000, dead: 0, changedSinceAnalyze: 0, insertedSinceVacuum: 0 };
  it('analyzes past 50 + 10 % of the rows changed, vacuums past 50 + 20 % dead or 1,000 + 20 % inserted', () => {
    assert.equal(upkeepFor(table), null);
    assert.equal(upkeepFor({ ...table, changedSinceAnalyze: 150 }), null);
    assert.equal(upkeepFor({ ...table, changedSinceAnalyze: 151 }), 'analyze');
    assert.equal(upkeepFor({ ...table, dead: 250 }), null);
    assert.equal(upkeepFor({ ...table, dead: 251 }), 'vacuum');
    assert.equal(upkeepFor({ ...table, insertedSinceVacuum: 1201 }), 'vacuum');
    assert.equal(upkeepFor({ ...table, dead: 251, changedSinceAnalyze: 151 }), 'vacuum-analyze');
    // Never analyzed (reltuples -1): counted as empty.
    assert.equal(upkeepFor({ ...table, rows: -1, changedSinceAnalyze: 51 }), 'analyze');
  });
});

describeEachEngine('the embedded autovacuum', (database, engine) => {
  const db = () => database().db;
  /** The table's activity as the statistics system reports it, once it has caught up (it reports about once a second). */
  const activity = async (on: Db, table: string, until: (row: { changed: number; dead: number }) => boolean) => {
    for (let i = 0; ; i++) {
      const { rows } = await sql<{ changed: number; dead: number; analyzed: boolean }>`
        select n_mod_since_analyze::int as changed, n_dead_tup::int as dead, last_analyze is not null as analyzed
          from pg_stat_user_tables where relname = ${table}`.execute(on);
      if (until(rows[0]!) || i === 50) return rows[0]!;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('analyzes and vacuums the tables past their thresholds, and only those', async () => {
    // (The PostgreSQL server's own autovacuum kept out of these two: this test is about ours.)
    await sql`create table busy (id int primary key, kind text) with (autovacuum_enabled = false)`.execute(db());
    await sql`create table quiet (id int primary key) with (autovacuum_enabled = false)`.execute(db());
    await sql`analyze busy`.execute(db());
    await sql`analyze quiet`.execute(db());
    await sql`insert into busy select g, 'k' || (g % 7) from generate_series(1, 2000) g`.execute(db());
    await sql`delete from busy where id <= 500`.execute(db());
    await sql`insert into quiet select g from generate_series(1, 10) g`.execute(db());
    assert.equal((await activity(db(), 'busy', (r) => r.changed >= 2500)).changed, 2500);

    const report = await vacuumStaleTables(db());
    assert.ok(report.vacuumed.includes('busy'), JSON.stringify(report));
    assert.ok(report.analyzed.includes('busy'), JSON.stringify(report));
    assert.ok(!report.analyzed.includes('quiet') && !report.vacuumed.includes('quiet'), JSON.stringify(report));
    const after = await activity(db(), 'busy', (r) => r.changed === 0 && r.dead === 0);
    assert.deepEqual([after.changed, after.dead], [0, 0]);
    const { rows } = await sql<{
      rows: number;
    }>`select reltuples::int as rows from pg_class where relname = 'busy'`.execute(db());
    assert.equal(rows[0]!.rows, 1500);
    // Nothing left to do.
    assert.equal((await vacuumStaleTables(db())).analyzed.includes('busy'), false);
  });

  if (engine === 'pglite')
    it('a plan cached while a table was empty scans it; once analyzed, the same prepared statement uses its index', async () => {
      await sql`create table visit (id int primary key, slot int not null)`.execute(db());
      await sql`create index visit_slot on visit (slot)`.execute(db());
      await sql`analyze visit`.execute(db());
      const count = (slot: number) => sql`select count(*)::int as n from visit where slot = ${slot}`.execute(db());
      // Prepared and run six times on the empty table: PostgreSQL then keeps a generic plan.
      for (let i = 0; i < 6; i++) await count(i);
      await sql`insert into visit select g, g % 2000 from generate_series(1, 20000) g`.execute(db());
      const { rows: named } = await sql<{ name: string }>`
        select name from pg_prepared_statements where statement like 'select count(*)::int as n from visit%'`.execute(
        db(),
      );
      const plan = async () =>
        (await sql.raw<Record<string, string>>(`explain execute ${named[0]!.name}(7)`).execute(db())).rows
          .map((r) => Object.values(r).join(''))
          .join('\n');
      assert.match(await plan(), /Seq Scan on visit/);
      await activity(db(), 'visit', (r) => r.changed >= 20000);
      assert.ok((await vacuumStaleTables(db())).analyzed.includes('visit'));
      assert.match(
        await plan(),
        /Index Only Scan using visit_slot|Index Scan using visit_slot|Bitmap Index Scan on visit_slot/,
      );
      assert.deepEqual((await count(7)).rows, [{ n: 10 }]);
    });
});
