// A draw's finish in a fraction of a second (issue 14): the draw row gets its input snapshot
// (34 MB of gzip for the 1M × 500k benchmark) and is chained as evidence, and that took 3.1 s.
//   * The snapshot is stored without compression (storage EXTERNAL): it is gzip already, and
//     PostgreSQL tried to compress it again before giving up (0.5 → 0.15 s for 34 MB).
//   * The evidence text of the finished draw is read from the stored row (`select … from draw`)
//     instead of being built from the trigger's NEW: PostgreSQL built the whole row again,
//     snapshot included, for each of its fields the text reads (2.3 s → 0.1 s). Same function,
//     same row: the text and its link are byte for byte what they were (chains verify as before).
import { type Kysely, sql } from 'kysely';

const chainDraw = (text: ReturnType<typeof sql.raw>) => sql`
    create or replace function evidence_chain_draw() returns trigger language plpgsql as $$
    begin
      perform evidence_append('draw', new.id::text, new.finished_at, ${text});
      return null;
    end $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table draw alter column input_snapshot set storage external`.execute(db);
  await chainDraw(sql.raw('(select evidence_draw_text(d) from draw d where d.id = new.id)')).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await chainDraw(sql.raw('evidence_draw_text(new)')).execute(db);
  await sql`alter table draw alter column input_snapshot set storage extended`.execute(db);
}
