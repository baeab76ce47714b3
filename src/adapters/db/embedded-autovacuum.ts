// The embedded PGlite has no autovacuum: it is PostgreSQL in one process, without the
// background workers that keep each table's statistics and free space up to date. Left alone,
// its planner keeps the statistics of the day the tables were created (empty) for ever, and so
// do the plans it caches: a booking's check of a time's other counters went on scanning every
// appointment, 4.5 ms where an index takes 0.6 (BENCHMARKS.md, session 17). This does what the
// launcher of a PostgreSQL server would, with its default thresholds: a table whose rows
// changed by more than 50 + 10 % of its size since its last ANALYZE is analyzed; one with more
// than 50 + 20 % of dead rows (or 1,000 + 20 % of rows inserted since its last VACUUM) is
// vacuumed too. Both are cheap on the tables an embedded site holds; ANALYZE samples at most
// 30,000 rows of any table. Runs as a background job of the one process (main.ts startJobs).
import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface AutovacuumReport {
  vacuumed: string[];
  analyzed: string[];
}

interface TableActivity {
  table: string;
  rows: number;
  dead: number;
  changedSinceAnalyze: number;
  insertedSinceVacuum: number;
}

type Upkeep = 'vacuum' | 'analyze' | 'vacuum-analyze' | null;

/** What PostgreSQL's autovacuum would do to this table now (its default settings). */
export function upkeepFor(t: TableActivity): Upkeep {
  const rows = Math.max(t.rows, 0); // -1: never vacuumed nor analyzed
  const vacuum = t.dead > 50 + 0.2 * rows || t.insertedSinceVacuum > 1000 + 0.2 * rows;
  const analyze = t.changedSinceAnalyze > 50 + 0.1 * rows;
  if (vacuum) return analyze ? 'vacuum-analyze' : 'vacuum';
  return analyze ? 'analyze' : null;
}

export async function vacuumStaleTables(db: Db): Promise<AutovacuumReport> {
  const { rows } = await sql<TableActivity>`
    select s.relname as "table", c.reltuples::float8 as rows, s.n_dead_tup::float8 as dead,
           s.n_mod_since_analyze::float8 as "changedSinceAnalyze", s.n_ins_since_vacuum::float8 as "insertedSinceVacuum"
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
     where s.schemaname = current_schema()
     order by s.relname`.execute(db);
  const report: AutovacuumReport = { vacuumed: [], analyzed: [] };
  for (const table of rows) {
    const upkeep = upkeepFor(table);
    if (!upkeep) continue;
    const name = sql.table(table.table);
    if (upkeep === 'analyze') await sql`analyze ${name}`.execute(db);
    else await sql`vacuum ${sql.raw(upkeep === 'vacuum-analyze' ? '(analyze) ' : '')}${name}`.execute(db);
    if (upkeep !== 'analyze') report.vacuumed.push(table.table);
    if (upkeep !== 'vacuum') report.analyzed.push(table.table);
  }
  return report;
}
