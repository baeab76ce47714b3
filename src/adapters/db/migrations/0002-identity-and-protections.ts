// Identity and anti-automation: email one-time codes, the embedded AGDREF registry, the
// proof-of-work replay store, security events, and the registry rules of each procedure.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A code proves the email for one purpose; it is stored as a digest, dies after
  // `max_attempts` wrong tries or at `expires_at`, and is consumed once.
  await sql`
    create table email_verification (
      id uuid primary key default gen_random_uuid(),
      email text not null,
      email_key text not null,
      purpose text not null check (purpose in ('booking', 'request', 'reschedule')),
      code_hash text not null,
      attempts integer not null default 0,
      max_attempts integer not null default 5,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      consumed_at timestamptz,
      check (attempts between 0 and max_attempts),
      check (expires_at > created_at)
    )`.execute(db);
  await sql`create index email_verification_email on email_verification (email_key, created_at)`.execute(db);

  // The embedded registry: fictitious residents for evaluation and tests. Production points
  // REGISTRY_URL at the real AGDREF gateway instead.
  await sql`
    create table registry_resident (
      agdref_number text primary key check (agdref_number ~ '^[0-9]{10}$'),
      surname text not null,
      given_names text not null,
      birth_date date not null,
      nationality char(3) not null,
      permit_type text not null,
      permit_expires_on date not null
    )`.execute(db);

  // Single use of proof-of-work solutions (when Redis is not configured).
  await sql`
    create table pow_replay (
      challenge_key text primary key,
      owner text not null default '',
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index pow_replay_expires on pow_replay (expires_at)`.execute(db);

  // Every refused attempt, for fraud detection. Emails and identities are stored hashed.
  await sql`
    create table security_event (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      ip text,
      route text not null,
      reason text not null,
      email_hash text,
      identity_key text,
      details jsonb
    )`.execute(db);
  await sql`create index security_event_at on security_event (at)`.execute(db);
  await sql`create index security_event_reason_at on security_event (reason, at)`.execute(db);

  // Procedures that check the registry, and their renewal window in months before expiry
  // (renewal: from 4 months down to 2 months before the permit expires).
  await sql`alter table procedure add column registry_check boolean not null default false`.execute(db);
  await sql`alter table procedure add column renewal_window_start_months integer check (renewal_window_start_months between 0 and 24)`.execute(
    db,
  );
  await sql`alter table procedure add column renewal_window_end_months integer check (renewal_window_end_months between 0 and 24)`.execute(
    db,
  );
  await sql`alter table procedure add constraint procedure_renewal_window check (
    (renewal_window_start_months is null) = (renewal_window_end_months is null)
    and (renewal_window_start_months is null or renewal_window_start_months >= renewal_window_end_months))`.execute(db);
  await sql`alter table procedure add column alternative_procedure_id text references procedure(id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of [
    'alternative_procedure_id',
    'renewal_window_end_months',
    'renewal_window_start_months',
    'registry_check',
  ]) {
    await sql`alter table procedure drop column if exists ${sql.id(column)}`.execute(db);
  }
  for (const table of ['security_event', 'pow_replay', 'registry_resident', 'email_verification']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
