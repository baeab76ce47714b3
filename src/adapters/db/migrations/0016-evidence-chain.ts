// A tamper-evident record (issue 16, part 2): every audit event, security event and finished
// draw is linked, as it is written, into one hash chain. Each link carries the digest of its
// row's content and the hash of the link before it; the head (last sequence number and hash)
// is published, so a rewrite of the past shows (`creneau audit verify`, domain/evidence-chain.ts).
//
// Links are appended by triggers, in the writing transaction: whatever writes a row (the app,
// a script, psql), it is chained — unless a superuser disables the triggers, and then the row
// has no link, which the verification reports. Appending locks the one `evidence_head` row until
// the transaction ends: links are numbered without gaps and in commit order. (Audit events come
// at the end of agents' short transactions, security events in batches, draws at their finish,
// just before the commit.)
//
// A link's hash: sha256 of "<previous hash>|<seq>|<kind>|<ref id>|<content digest>" (hex). A
// row's content: its columns in a fixed order, each as "<length>:<text>" or "-" for null,
// joined with "|" — timestamps in UTC with microseconds, jsonb in PostgreSQL's canonical text,
// a draw's snapshot by its digest. The evidence_*_text functions are that definition; the
// verification reads the content through them and hashes it itself.
import { type Kysely, sql } from 'kysely';

/** The tables chained, the instant each link records, and when. */
const CHAINED = [
  { kind: 'audit', table: 'audit_event', at: 'at', event: 'after insert' },
  { kind: 'security', table: 'security_event', at: 'at', event: 'after insert' },
  { kind: 'draw', table: 'draw', at: 'finished_at', event: 'after update' },
] as const;

/** The chain's first "previous hash": 64 zeros. */
const GENESIS = '0'.repeat(64);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table evidence_link (
      seq bigint primary key check (seq >= 1),
      kind text not null check (kind in ('audit', 'security', 'draw')),
      ref_id text not null,
      at timestamptz not null,
      content_hash text not null,
      prev_hash text not null,
      hash text not null,
      unique (kind, ref_id)
    )`.execute(db);
  await sql`create index evidence_link_at on evidence_link (at)`.execute(db);
  await sql`
    create table evidence_head (
      one boolean primary key default true check (one),
      seq bigint not null,
      hash text not null
    )`.execute(db);
  await sql`insert into evidence_head (seq, hash) values (0, ${GENESIS})`.execute(db);

  await sql`
    create function evidence_field(value text) returns text language sql immutable as $$
      select coalesce(length(value)::text || ':' || value, '-')
    $$`.execute(db);
  await sql`
    create function evidence_time(value timestamptz) returns text language sql immutable as $$
      select to_char(value at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    $$`.execute(db);
  await sql`
    create function evidence_audit_text(e audit_event) returns text language sql stable as $$
      select concat_ws('|', evidence_field(e.id::text), evidence_field(evidence_time(e.at)),
        evidence_field(e.agent_id::text), evidence_field(e.prefecture_id), evidence_field(e.action),
        evidence_field(e.target_type), evidence_field(e.target_id), evidence_field(e.before::text),
        evidence_field(e.after::text), evidence_field(e.ip))
    $$`.execute(db);
  await sql`
    create function evidence_security_text(e security_event) returns text language sql stable as $$
      select concat_ws('|', evidence_field(e.id::text), evidence_field(evidence_time(e.at)), evidence_field(e.ip),
        evidence_field(e.route), evidence_field(e.reason), evidence_field(e.email_hash),
        evidence_field(e.identity_key), evidence_field(e.details::text))
    $$`.execute(db);
  await sql`
    create function evidence_draw_text(d draw) returns text language sql stable as $$
      select concat_ws('|', evidence_field(d.id::text), evidence_field(d.prefecture_id),
        evidence_field(d.procedure_id), evidence_field(evidence_time(d.tick)), evidence_field(d.trigger),
        evidence_field(d.allocation_order), evidence_field(d.seed), evidence_field(d.input_digest),
        evidence_field(d.result_digest), evidence_field(encode(sha256(d.input_snapshot), 'hex')),
        evidence_field(d.requests_count::text), evidence_field(d.slots_count::text),
        evidence_field(d.assigned_count::text), evidence_field(d.opened_count::text),
        evidence_field(evidence_time(d.started_at)), evidence_field(evidence_time(d.finished_at)))
    $$`.execute(db);

  await sql`
    create function evidence_append(p_kind text, p_ref text, p_at timestamptz, p_content text) returns void
    language plpgsql as $$
    declare
      head record;
      content_hash text := encode(sha256(convert_to(p_content, 'UTF8')), 'hex');
      link_hash text;
    begin
      select seq, hash into head from evidence_head for update;
      link_hash := encode(sha256(convert_to(
        head.hash || '|' || (head.seq + 1)::text || '|' || p_kind || '|' || p_ref || '|' || content_hash, 'UTF8')), 'hex');
      insert into evidence_link (seq, kind, ref_id, at, content_hash, prev_hash, hash)
      values (head.seq + 1, p_kind, p_ref, p_at, content_hash, head.hash, link_hash);
      update evidence_head set seq = head.seq + 1, hash = link_hash;
    end $$`.execute(db);

  // A draw row is claimed at the start of its transaction and completed at its finish: it is
  // chained once, completed (its result digest set).
  for (const { kind, table, at, event } of CHAINED) {
    await sql`
      create function ${sql.raw(`evidence_chain_${kind}`)}() returns trigger language plpgsql as $$
      begin
        perform evidence_append(${sql.lit(kind)}, new.id::text, new.${sql.raw(at)}, ${sql.raw(`evidence_${kind}_text`)}(new));
        return null;
      end $$`.execute(db);
    await sql`
      create trigger ${sql.raw(`${table}_evidence`)} ${sql.raw(event)} on ${sql.raw(table)}
      for each row ${sql.raw(kind === 'draw' ? "when (old.result_digest = '' and new.result_digest <> '')" : '')}
      execute function ${sql.raw(`evidence_chain_${kind}`)}()`.execute(db);
  }

  // What was written before the chain existed opens it, in the order it was written.
  await sql`
    do $$
    declare r record;
    begin
      for r in
        select * from (
          select 1 as k, 'audit' as kind, e.id::text as ref_id, e.at, evidence_audit_text(e) as content, e.id as n
            from audit_event e
          union all
          select 2, 'security', e.id::text, e.at, evidence_security_text(e), e.id from security_event e
          union all
          select 3, 'draw', d.id::text, d.finished_at, evidence_draw_text(d), 0 from draw d where d.result_digest <> ''
        ) existing order by at, k, n, ref_id
      loop
        perform evidence_append(r.kind, r.ref_id, r.at, r.content);
      end loop;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const { kind, table } of CHAINED) {
    await sql`drop trigger if exists ${sql.raw(`${table}_evidence`)} on ${sql.raw(table)}`.execute(db);
    await sql`drop function if exists ${sql.raw(`evidence_chain_${kind}`)}()`.execute(db);
  }
  for (const fn of [
    'evidence_append(text, text, timestamptz, text)',
    'evidence_draw_text(draw)',
    'evidence_security_text(security_event)',
    'evidence_audit_text(audit_event)',
    'evidence_time(timestamptz)',
    'evidence_field(text)',
  ])
    await sql`drop function if exists ${sql.raw(fn)}`.execute(db);
  await sql`drop table if exists evidence_head`.execute(db);
  await sql`drop table if exists evidence_link`.execute(db);
}
