// Verifiable draws (issue 16, part 1; domain/draw-commitment.ts).
//   * draw_commitment: one secret per (prefecture, procedure, tick), drawn AHEAD of the tick by
//     the scheduler, and its commitment = SHA-256(secret) published at once. Inserted with
//     ON CONFLICT DO NOTHING on the unique tick: whichever instance inserts first, every one then
//     reads the same row. The secret never leaves the server before the draw of that tick has
//     committed (the public page reads it from the finished draw row, never from here).
//   * draw: the commitment used, its secret (revealed once the draw committed), when it was
//     committed (before the tick, or at the draw for a manual one) and the closing digest
//     (digest of the pseudonymised requests and slots, before any seed). Null for draws
//     before this migration.
//   * each commitment is chained (migration 0016's evidence chain, kind 'commitment') as it is
//     inserted — its id, queue, tick, commitment and instant, NOT its secret: once the day's head
//     is published, a commitment replaced before its tick breaks its link. (Inserted in its own
//     short transaction, never in a draw's: appending locks the chain's head until the commit.)
//   * evidence_draw_text (migration 0016) now also covers those four columns, appended only
//     when a commitment is set: concat_ws skips a NULL argument, so the text of every draw
//     chained before is unchanged, byte for byte, and its link still verifies; for a new
//     draw, a superuser who rewrites the secret, the commitment or the closing digest breaks
//     its link ('row-altered').
import { type Kysely, sql } from 'kysely';

const OLD_FIELDS = sql.raw(`evidence_field(d.id::text), evidence_field(d.prefecture_id),
        evidence_field(d.procedure_id), evidence_field(evidence_time(d.tick)), evidence_field(d.trigger),
        evidence_field(d.allocation_order), evidence_field(d.seed), evidence_field(d.input_digest),
        evidence_field(d.result_digest), evidence_field(encode(sha256(d.input_snapshot), 'hex')),
        evidence_field(d.requests_count::text), evidence_field(d.slots_count::text),
        evidence_field(d.assigned_count::text), evidence_field(d.opened_count::text),
        evidence_field(evidence_time(d.started_at)), evidence_field(evidence_time(d.finished_at))`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table draw_commitment (
      id uuid not null unique default gen_random_uuid(),
      prefecture_id text not null references prefecture (id),
      procedure_id text not null references procedure (id),
      tick timestamptz not null,
      secret text not null check (secret ~ '^[0-9a-f]{64}$'),
      commitment text not null check (commitment ~ '^[0-9a-f]{64}$'),
      committed_at timestamptz not null,
      primary key (prefecture_id, procedure_id, tick)
    )`.execute(db);
  await sql`alter table draw add column commitment text`.execute(db);
  await sql`alter table draw add column secret text`.execute(db);
  await sql`alter table draw add column committed_at timestamptz`.execute(db);
  await sql`alter table draw add column closing_digest text`.execute(db);
  await sql`
    create or replace function evidence_draw_text(d draw) returns text language sql stable as $$
      select concat_ws('|', ${OLD_FIELDS},
        case when d.commitment is not null then concat_ws('|', evidence_field(d.commitment), evidence_field(d.secret),
          evidence_field(evidence_time(d.committed_at)), evidence_field(d.closing_digest)) end)
    $$`.execute(db);

  await sql`alter table evidence_link drop constraint evidence_link_kind_check`.execute(db);
  await sql`alter table evidence_link add constraint evidence_link_kind_check
    check (kind in ('audit', 'security', 'draw', 'commitment'))`.execute(db);
  await sql`
    create function evidence_commitment_text(c draw_commitment) returns text language sql stable as $$
      select concat_ws('|', evidence_field(c.id::text), evidence_field(c.prefecture_id), evidence_field(c.procedure_id),
        evidence_field(evidence_time(c.tick)), evidence_field(c.commitment), evidence_field(evidence_time(c.committed_at)))
    $$`.execute(db);
  await sql`
    create function evidence_chain_commitment() returns trigger language plpgsql as $$
    begin
      perform evidence_append('commitment', new.id::text, new.committed_at, evidence_commitment_text(new));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger draw_commitment_evidence after insert on draw_commitment
    for each row execute function evidence_chain_commitment()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists draw_commitment_evidence on draw_commitment`.execute(db);
  await sql`drop function if exists evidence_chain_commitment()`.execute(db);
  await sql`drop function if exists evidence_commitment_text(draw_commitment)`.execute(db);
  await sql`delete from evidence_link where kind = 'commitment'`.execute(db);
  await sql`alter table evidence_link drop constraint evidence_link_kind_check`.execute(db);
  await sql`alter table evidence_link add constraint evidence_link_kind_check
    check (kind in ('audit', 'security', 'draw'))`.execute(db);
  await sql`
    create or replace function evidence_draw_text(d draw) returns text language sql stable as $$
      select concat_ws('|', ${OLD_FIELDS})
    $$`.execute(db);
  for (const column of ['closing_digest', 'committed_at', 'secret', 'commitment'])
    await sql`alter table draw drop column if exists ${sql.raw(column)}`.execute(db);
  await sql`drop table if exists draw_commitment`.execute(db);
}
