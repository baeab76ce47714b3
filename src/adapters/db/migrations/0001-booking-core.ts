// Booking core schema. The invariants live here, as constraints, so that no code path —
// HTTP, CLI, a future job or a hand-written SQL fix — can break them:
//   * a slot is held by at most one live appointment      (appointment_one_per_slot)
//   * one active appointment per person and procedure      (appointment_one_per_identity_procedure)
//   * at most `cap` active appointments per email address  (email_quota_within_cap)
//   * a counter never has two overlapping open slots       (slot_no_overlap, needs btree_gist)
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists btree_gist`.execute(db);

  await sql`
    create table prefecture (
      id text primary key check (id ~ '^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$'),
      name text not null check (length(name) between 1 and 200),
      time_zone text not null,
      phone text,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table site (
      id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      prefecture_id text not null references prefecture(id),
      kind text not null check (kind in ('prefecture', 'sub_prefecture', 'antenna')),
      name text not null check (length(name) between 1 and 200),
      address text not null,
      phone text,
      public_hours text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index site_prefecture on site (prefecture_id)`.execute(db);

  await sql`
    create table counter (
      id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      site_id text not null references site(id),
      name text not null,
      active boolean not null default true
    )`.execute(db);

  await sql`
    create table procedure (
      id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      name_fr text not null,
      name_en text not null,
      description_fr text not null default '',
      description_en text not null default '',
      slot_minutes integer not null check (slot_minutes between 5 and 240),
      identity_proof text not null check (identity_proof in ('agdref', 'passport')),
      channel text not null check (channel in ('appointment', 'postal', 'online')),
      booking_mode text not null default 'direct' check (booking_mode in ('direct', 'allocation')),
      release_days_ahead integer not null default 30 check (release_days_ahead between 0 and 366),
      release_time text not null default '08:00' check (release_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      instructions_fr text not null default '',
      instructions_en text not null default ''
    )`.execute(db);

  await sql`
    create table opening_rule (
      id uuid primary key default gen_random_uuid(),
      counter_id text not null references counter(id),
      procedure_id text not null references procedure(id),
      weekdays smallint[] not null check (cardinality(weekdays) between 1 and 7 and weekdays <@ array[1,2,3,4,5,6,7]::smallint[]),
      valid_from date not null,
      valid_until date check (valid_until >= valid_from),
      windows jsonb not null,
      slot_minutes integer not null check (slot_minutes between 5 and 240)
    )`.execute(db);
  await sql`create index opening_rule_counter on opening_rule (counter_id)`.execute(db);

  await sql`
    create table exceptional_opening (
      id uuid primary key default gen_random_uuid(),
      counter_id text not null references counter(id),
      procedure_id text not null references procedure(id),
      date date not null,
      windows jsonb not null,
      slot_minutes integer not null check (slot_minutes between 5 and 240)
    )`.execute(db);

  await sql`
    create table closure (
      id uuid primary key default gen_random_uuid(),
      site_id text not null references site(id),
      counter_id text references counter(id),
      date_from date not null,
      date_to date not null check (date_to >= date_from),
      reason text not null default ''
    )`.execute(db);

  await sql`
    create table slot (
      id uuid primary key default gen_random_uuid(),
      site_id text not null references site(id),
      counter_id text not null references counter(id),
      procedure_id text not null references procedure(id),
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      local_date date not null,
      released_at timestamptz not null,
      status text not null default 'open' check (status in ('open', 'withdrawn')),
      check (ends_at > starts_at),
      constraint slot_counter_start unique (counter_id, starts_at),
      constraint slot_no_overlap exclude using gist (counter_id with =, tstzrange(starts_at, ends_at) with &&) where (status = 'open')
    )`.execute(db);
  await sql`create index slot_search on slot (procedure_id, local_date, site_id) where status = 'open'`.execute(db);

  await sql`
    create table appointment (
      id uuid primary key default gen_random_uuid(),
      reference text not null unique,
      slot_id uuid not null references slot(id),
      procedure_id text not null references procedure(id),
      site_id text not null references site(id),
      status text not null default 'booked' check (status in ('booked', 'arrived', 'served', 'no_show', 'cancelled')),
      surname text not null,
      given_names text not null,
      birth_date date not null,
      nationality char(3) not null,
      email text not null,
      email_key text not null,
      agdref_number text,
      passport_number text,
      identity_key text not null,
      management_token_hash text not null unique,
      reschedule_count integer not null default 0 check (reschedule_count >= 0),
      channel text not null default 'online' check (channel in ('online', 'phone', 'counter')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      cancelled_at timestamptz,
      check (agdref_number is not null or passport_number is not null)
    )`.execute(db);
  // A slot stays held once the person has come (arrived, served, no-show): only a cancellation frees it.
  await sql`create unique index appointment_one_per_slot on appointment (slot_id) where status <> 'cancelled'`.execute(
    db,
  );
  // "Active" = booked or checked in; served / no-show / cancelled appointments no longer count.
  await sql`create unique index appointment_one_per_identity_procedure on appointment (identity_key, procedure_id) where status in ('booked', 'arrived')`.execute(
    db,
  );
  await sql`create index appointment_email_key on appointment (email_key)`.execute(db);

  // One row per email: the count of active appointments, bounded by a CHECK. Concurrent
  // bookings for one email serialise on this row, so the cap holds under any race.
  await sql`
    create table email_quota (
      email_key text primary key,
      active integer not null default 0 check (active >= 0),
      cap integer not null check (cap >= 1),
      constraint email_quota_within_cap check (active <= cap)
    )`.execute(db);

  // Caps that operators set in configuration, copied here at start-up so triggers can read them.
  await sql`
    create table app_setting (
      name text primary key,
      value integer not null
    )`.execute(db);
  await sql`insert into app_setting (name, value) values ('max_active_appointments_per_email', 2)`.execute(db);

  // The quota follows every status change of an appointment, whatever wrote it.
  await sql`
    create function appointment_track_email_quota() returns trigger language plpgsql as $$
    declare
      was_active boolean := tg_op = 'UPDATE' and old.status in ('booked', 'arrived');
      is_active boolean := new.status in ('booked', 'arrived');
    begin
      if is_active and not was_active then
        insert into email_quota as q (email_key, active, cap)
        values (new.email_key, 1, (select value from app_setting where name = 'max_active_appointments_per_email'))
        on conflict (email_key) do update set active = q.active + 1, cap = excluded.cap;
      elsif was_active and not is_active then
        update email_quota set active = active - 1 where email_key = old.email_key;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger appointment_email_quota after insert or update of status on appointment
    for each row execute function appointment_track_email_quota()`.execute(db);

  await sql`
    create table idempotency_record (
      key text primary key,
      scope text not null,
      request_fingerprint text not null,
      outcome jsonb,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index idempotency_record_created on idempotency_record (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists appointment_track_email_quota cascade`.execute(db);
  for (const table of [
    'idempotency_record',
    'app_setting',
    'email_quota',
    'appointment',
    'slot',
    'closure',
    'exceptional_opening',
    'opening_rule',
    'procedure',
    'counter',
    'site',
    'prefecture',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
