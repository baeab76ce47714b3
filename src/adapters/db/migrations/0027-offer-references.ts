// An offer's draw, request and slot are checked once per statement, not once per row (issue
// 14: a draw in seconds). A draw writes all its offers in one statement — 500,000 in the 1M ×
// 500k benchmark — and PostgreSQL checks a foreign key row by row, through a query of its own
// per row and per key: 11 of the 20.6 s of that statement (EXPLAIN ANALYZE, BENCHMARKS.md). One
// statement-level trigger now checks every new offer with three anti-joins (1.6 s).
//
// What a foreign key also does — keep a referenced row from going away while a writer still
// references it — is done by one advisory lock instead of a lock on each referenced row:
//   * writing offers takes it shared, then checks their draws, requests and slots exist;
//   * deleting draws, requests or slots takes it exclusive, then looks for offers of them.
// Each check is a new statement after the lock, so under READ COMMITTED it sees what committed
// before: either the deletion committed first (the offers' check finds the row gone) or the
// offers did (the deletion's check finds them). Both sides refuse other isolation levels, where
// a check would read an older snapshot. Deletions are rare (retention); writers of offers never
// wait for each other (shared). Updates of offers are checked as inserts are (one offer at a
// time, or a few: an index probe per reference); the referenced ids never change.
// The errors keep the foreign keys' names and SQLSTATE (23503). The offer's appointment keeps its
// foreign key: it is set one offer at a time, when one is confirmed.
import { type Kysely, sql } from 'kysely';

/** Namespace of the advisory lock between writers of offers and deleters of what they reference: 'CRN2'. */
export const OFFER_REFERENCES_LOCK_CLASS = 0x43524e32;

const REFERENCES = [
  { table: 'draw', column: 'draw_id' },
  { table: 'allocation_request', column: 'request_id' },
  { table: 'slot', column: 'slot_id' },
] as const;

const constraintOf = (column: string) => `offer_${column}_fkey`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { column } of REFERENCES)
    await sql`alter table offer drop constraint ${sql.id(constraintOf(column))}`.execute(db);

  await sql`
    create function offer_references_read_committed() returns void language plpgsql as $$
    begin
      if current_setting('transaction_isolation') <> 'read committed' then
        raise exception 'offers, draws, requests and slots are written under READ COMMITTED only'
          using errcode = 'feature_not_supported', hint = 'their references are checked after a lock, with a fresh snapshot';
      end if;
    end $$`.execute(db);

  const checks = REFERENCES.map(
    ({ table, column }) => `
      if exists (select 1 from new_offers n where not exists (select 1 from ${table} t where t.id = n.${column})) then
        raise exception 'an offer references a missing row of ${table}'
          using errcode = 'foreign_key_violation', constraint = '${constraintOf(column)}', table = 'offer';
      end if;`,
  ).join('');
  await sql`
    create function offer_references_exist() returns trigger language plpgsql as $$
    begin
      perform offer_references_read_committed();
      perform pg_advisory_xact_lock_shared(${sql.lit(OFFER_REFERENCES_LOCK_CLASS)}, 0);
      ${sql.raw(checks)}
      return null;
    end $$`.execute(db);
  await sql`
    create trigger offer_references_exist after insert on offer
      referencing new table as new_offers for each statement execute function offer_references_exist()`.execute(db);

  await sql`
    create trigger offer_references_still_exist after update on offer
      referencing new table as new_offers for each statement execute function offer_references_exist()`.execute(db);

  await sql`
    create function referenced_id_unchanged() returns trigger language plpgsql as $$
    begin
      raise exception 'the id of a row of % never changes', tg_table_name
        using errcode = 'foreign_key_violation', table = tg_table_name;
    end $$`.execute(db);
  for (const { table, column } of REFERENCES) {
    await sql`
      create function ${sql.id(`${table}_offers_gone`)}() returns trigger language plpgsql as $$
      begin
        perform offer_references_read_committed();
        perform pg_advisory_xact_lock(${sql.lit(OFFER_REFERENCES_LOCK_CLASS)}, 0);
        if exists (select 1 from offer o where o.${sql.raw(column)} in (select id from gone)) then
          raise exception 'a deleted row of ${sql.raw(table)} still has offers'
            using errcode = 'foreign_key_violation', constraint = ${sql.lit(constraintOf(column))}, table = 'offer';
        end if;
        return null;
      end $$`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_offers_gone`)} after delete on ${sql.id(table)}
        referencing old table as gone for each statement execute function ${sql.id(`${table}_offers_gone`)}()`.execute(
      db,
    );
    await sql`
      create trigger ${sql.id(`${table}_id_unchanged`)} before update of id on ${sql.id(table)} for each row
        when (old.id <> new.id) execute function referenced_id_unchanged()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const { table } of REFERENCES) {
    await sql`drop trigger ${sql.id(`${table}_id_unchanged`)} on ${sql.id(table)}`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_offers_gone`)} on ${sql.id(table)}`.execute(db);
    await sql`drop function ${sql.id(`${table}_offers_gone`)}()`.execute(db);
  }
  await sql`drop function referenced_id_unchanged()`.execute(db);
  await sql`drop trigger offer_references_still_exist on offer`.execute(db);
  await sql`drop trigger offer_references_exist on offer`.execute(db);
  await sql`drop function offer_references_exist()`.execute(db);
  await sql`drop function offer_references_read_committed()`.execute(db);
  for (const { table, column } of REFERENCES)
    await sql`alter table offer add constraint ${sql.id(constraintOf(column))}
      foreign key (${sql.id(column)}) references ${sql.id(table)} (id)`.execute(db);
}
