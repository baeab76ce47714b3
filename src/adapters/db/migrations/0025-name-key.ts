// The likely-duplicate signal (domain/fraud-signals.ts likely_duplicate) counted in SQL: each
// request and appointment stores its names and birth date as domain/duplicate-rules.ts
// nameBirthDateKey normalises them, indexed over the live requests and the active
// appointments. Before, each filing and booking fetched every record of the same birth date and
// compared the names in JavaScript: under a storm of shared birth dates that cost 15 ms of CPU
// per filing and answered 503s (BENCHMARKS.md, "the fraud signals' cost").
// The key is computed by the application (one definition of a name's normalisation, in the
// domain): existing rows are filled here, in batches.
import { type Kysely, sql } from 'kysely';
import { nameBirthDateKey } from '../../../domain/duplicate-rules.ts';

const BATCH = 5_000;

/** Fills `table`'s name_key where it is missing, in batches (exported for its test). */
export async function fillNameKeys(db: Kysely<unknown>, table: 'allocation_request' | 'appointment'): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql<{ id: string; surname: string; given_names: string; birth_date: string }>`
      select id, surname, given_names, birth_date::text as birth_date from ${sql.table(table)}
       where name_key is null and id > ${after}::uuid order by id limit ${BATCH}`.execute(db);
    if (rows.length === 0) return;
    const keys = rows.map((r) =>
      nameBirthDateKey({ surname: r.surname, givenNames: r.given_names, birthDate: r.birth_date }),
    );
    await sql`
      update ${sql.table(table)} t set name_key = k.name_key
        from unnest(${rows.map((r) => r.id)}::uuid[], ${keys}::text[]) as k(id, name_key)
       where t.id = k.id`.execute(db);
    after = rows[rows.length - 1]!.id;
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['allocation_request', 'appointment'] as const) {
    await sql`alter table ${sql.table(table)} add column name_key text check (name_key is null or length(name_key) <= 1024)`.execute(
      db,
    );
    await fillNameKeys(db, table);
  }
  // Whole-table indexes: the fraud case lists every record sharing the names, whatever its status.
  await sql`create index allocation_request_name_key on allocation_request (name_key)`.execute(db);
  await sql`create index appointment_name_key on appointment (name_key)`.execute(db);
}
