// The free-slot calendar's change feed (issue 14, "polling storm"): every statement that may
// change the free slots of a procedure leaves one row per procedure it touched, written in its
// own transaction by the triggers below — whatever wrote it (a booking, a cancel, a move, a draw
// offer, a release, materialised slots, a closure, the CLI, raw SQL). Each HTTP process reads
// the rows committed since its last read (adapters/db/free-slot-cache.ts) and forgets the cached
// calendars of those procedures.
//   * Why not LISTEN/NOTIFY: PostgreSQL serialises the commits of every transaction that
//     notified (a database-wide lock held through the commit's WAL flush); on this machine that
//     cut an insert-per-transaction pgbench from 4,129 to 237 tps. These rows are plain inserts:
//     no lock shared between bookings.
//   * `xid`: the writing transaction. A reader keeps the xmin of its last snapshot as its
//     horizon: every transaction below it has finished, so rows at or above it are all it may
//     not have seen yet (a row's id would not do: ids are drawn before commit, in any order).
//   * procedure_id null: every procedure (a site, prefecture or procedure changed).
//   * Unlogged: a feed of hints, read within a second; lost on a crash, when every cache is
//     rebuilt anyway.
//   * Statement triggers with transition tables: one row per statement and procedure (a
//     materialisation of 10,000 slots writes one), none when no row changed (a lost booking race).
import { type Kysely, sql } from 'kysely';

const WATCHED = [
  ['slot', 'insert', 'new'],
  ['slot', 'update', 'new'],
  ['slot', 'delete', 'old'],
  ['appointment', 'insert', 'new'],
  ['appointment', 'update', 'new'],
  ['appointment', 'delete', 'old'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table free_slot_change (
      xid xid8 not null default pg_current_xact_id(),
      procedure_id text,
      inserted_at timestamptz not null default clock_timestamp()
    )`.execute(db);
  await sql`create index free_slot_change_xid on free_slot_change (xid)`.execute(db);

  await sql`
    create function free_slot_changed() returns trigger language plpgsql as $$
    begin
      insert into free_slot_change (procedure_id) select distinct procedure_id from changed_rows;
      return null;
    end $$`.execute(db);
  // A slot or appointment never changes procedure (a move stays within one): the new rows name it.
  for (const [table, event, rows] of WATCHED) {
    await sql`
      create trigger ${sql.raw(`${table}_${event}_free_slot_change`)}
        after ${sql.raw(event)} on ${sql.raw(table)}
        referencing ${sql.raw(rows)} table as changed_rows
        for each statement execute function free_slot_changed()`.execute(db);
  }

  await sql`
    create function free_slots_all_changed() returns trigger language plpgsql as $$
    begin
      insert into free_slot_change (procedure_id) values (null);
      return null;
    end $$`.execute(db);
  // What the search checks besides the slots: the procedure (booking mode), the sites and their
  // prefecture (time zone). Rare changes: every cached calendar goes.
  for (const table of ['procedure', 'site', 'prefecture']) {
    await sql`
      create trigger ${sql.raw(`${table}_free_slot_change`)}
        after update or delete on ${sql.raw(table)}
        for each statement execute function free_slots_all_changed()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table, event] of WATCHED)
    await sql`drop trigger if exists ${sql.raw(`${table}_${event}_free_slot_change`)} on ${sql.raw(table)}`.execute(db);
  for (const table of ['procedure', 'site', 'prefecture'])
    await sql`drop trigger if exists ${sql.raw(`${table}_free_slot_change`)} on ${sql.raw(table)}`.execute(db);
  await sql`drop function if exists free_slots_all_changed()`.execute(db);
  await sql`drop function if exists free_slot_changed()`.execute(db);
  await sql`drop table if exists free_slot_change`.execute(db);
}
