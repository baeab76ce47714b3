// Agent accounts, their sessions and the audit trail of what they do. The invariants, as
// constraints:
//   * one account per email, whatever its case (agent_email_unique on lower(email));
//   * a national administrator has no prefecture, every other role has one (agent_scope);
//   * a session is stored by the digest of its token only (the cookie holds the token);
//   * audit_event is append-only: a trigger refuses every UPDATE and DELETE, so that nobody —
//     not even the application by mistake — rewrites who did what.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table agent (
      id uuid primary key default gen_random_uuid(),
      email text not null check (email = lower(email) and email like '%_@_%'),
      display_name text not null check (char_length(display_name) between 1 and 200),
      password_hash text not null check (password_hash like '$argon2id$%'),
      totp_secret text not null,
      last_totp_step bigint,
      role text not null check (role in ('counter', 'supervisor', 'admin')),
      prefecture_id text references prefecture(id),
      disabled_at timestamptz,
      failed_attempts integer not null default 0 check (failed_attempts >= 0),
      locked_until timestamptz,
      created_at timestamptz not null,
      constraint agent_scope check ((role = 'admin') = (prefecture_id is null))
    )`.execute(db);
  await sql`create unique index agent_email_unique on agent (lower(email))`.execute(db);
  await sql`
    create table agent_site (
      agent_id uuid not null references agent(id) on delete cascade,
      site_id text not null references site(id),
      primary key (agent_id, site_id)
    )`.execute(db);
  await sql`
    create table agent_session (
      id text primary key,
      agent_id uuid not null references agent(id) on delete cascade,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      revoked_at timestamptz,
      ip text,
      user_agent text
    )`.execute(db);
  await sql`create index agent_session_agent on agent_session (agent_id) where revoked_at is null`.execute(db);
  await sql`
    create table audit_event (
      id bigserial primary key,
      at timestamptz not null,
      agent_id uuid references agent(id),
      prefecture_id text references prefecture(id),
      action text not null,
      target_type text,
      target_id text,
      before jsonb,
      after jsonb,
      ip text
    )`.execute(db);
  await sql`create index audit_event_prefecture_at on audit_event (prefecture_id, at)`.execute(db);
  await sql`
    create function audit_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_event is append-only' using errcode = 'P0001', constraint = 'audit_event_append_only';
    end $$`.execute(db);
  await sql`
    create trigger audit_event_append_only before update or delete on audit_event
    for each statement execute function audit_event_append_only()`.execute(db);
  await sql`
    create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists audit_event`.execute(db);
  await sql`drop function if exists audit_event_append_only()`.execute(db);
  await sql`drop table if exists agent_session`.execute(db);
  await sql`drop table if exists agent_site`.execute(db);
  await sql`drop table if exists agent`.execute(db);
}
