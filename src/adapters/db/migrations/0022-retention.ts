// Retention (issue 16, part 5): legal holds, the daily purge's election, and the purge records
// the evidence chain accounts gone rows with (domain/retention.ts, domain/evidence-chain.ts).
//   * evidence_hold: what an evidence pack (or an operator, `creneau evidence hold`) keeps past
//     its time until released — a time range and/or request ids, appointment ids, address prefixes.
//   * retention_run: one row per period (UTC day); inserting it elects the one instance that
//     purges that day (insert … on conflict do nothing, as draws are elected).
//   * evidence_purge: one row per purge batch, chained as a link of kind 'purge' by a trigger
//     (as audit and security events are): the links whose rows it deleted, the digest of their
//     hashes, the cutoff. Append-only, like audit_event.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table evidence_hold (
      id bigint generated always as identity primary key,
      reason text not null check (length(reason) between 3 and 500),
      created_by uuid not null references agent(id),
      created_at timestamptz not null default now(),
      released_by uuid references agent(id),
      released_at timestamptz,
      from_at timestamptz,
      to_at timestamptz,
      request_ids uuid[] not null default '{}',
      appointment_ids uuid[] not null default '{}',
      ip_prefixes text[] not null default '{}',
      check (from_at is null or to_at is null or from_at < to_at),
      check ((released_at is null) = (released_by is null)),
      constraint evidence_hold_names_something check (
        from_at is not null or to_at is not null
        or cardinality(request_ids) + cardinality(appointment_ids) + cardinality(ip_prefixes) > 0)
    )`.execute(db);
  await sql`create index evidence_hold_active on evidence_hold (id) where released_at is null`.execute(db);

  await sql`
    create table retention_run (
      period text primary key check (period ~ '^\\d{4}-\\d{2}-\\d{2}$'),
      started_at timestamptz not null,
      finished_at timestamptz,
      report jsonb
    )`.execute(db);

  await sql`
    create table evidence_purge (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      period text not null,
      kind text not null check (kind in ('security')),
      cutoff timestamptz not null,
      seqs bigint[] not null,
      links_digest text not null,
      row_count integer not null check (row_count >= 0)
    )`.execute(db);
  await sql`
    create function evidence_purge_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'evidence_purge is append-only' using errcode = 'P0001', constraint = 'evidence_purge_append_only';
    end $$`.execute(db);
  await sql`
    create trigger evidence_purge_append_only before update or delete on evidence_purge
    for each statement execute function evidence_purge_append_only()`.execute(db);

  await sql`alter table evidence_link drop constraint evidence_link_kind_check`.execute(db);
  await sql`alter table evidence_link add constraint evidence_link_kind_check
    check (kind in ('audit', 'security', 'draw', 'commitment', 'purge'))`.execute(db);
  await sql`
    create function evidence_purge_text(p evidence_purge) returns text language sql stable as $$
      select concat_ws('|', evidence_field(p.id::text), evidence_field(evidence_time(p.at)), evidence_field(p.period),
        evidence_field(p.kind), evidence_field(evidence_time(p.cutoff)), evidence_field(p.seqs::text),
        evidence_field(p.links_digest), evidence_field(p.row_count::text))
    $$`.execute(db);
  await sql`
    create function evidence_chain_purge() returns trigger language plpgsql as $$
    begin
      perform evidence_append('purge', new.id::text, new.at, evidence_purge_text(new));
      return null;
    end $$`.execute(db);
  await sql`
    create trigger evidence_purge_evidence after insert on evidence_purge
    for each row execute function evidence_chain_purge()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists evidence_purge_evidence on evidence_purge`.execute(db);
  await sql`drop function if exists evidence_chain_purge()`.execute(db);
  await sql`drop function if exists evidence_purge_text(evidence_purge)`.execute(db);
  await sql`drop table if exists evidence_purge`.execute(db);
  await sql`drop function if exists evidence_purge_append_only()`.execute(db);
  await sql`delete from evidence_link where kind = 'purge'`.execute(db);
  await sql`alter table evidence_link drop constraint evidence_link_kind_check`.execute(db);
  await sql`alter table evidence_link add constraint evidence_link_kind_check
    check (kind in ('audit', 'security', 'draw', 'commitment'))`.execute(db);
  await sql`drop table if exists retention_run`.execute(db);
  await sql`drop table if exists evidence_hold`.execute(db);
}
