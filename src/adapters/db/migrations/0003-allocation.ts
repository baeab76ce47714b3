// Request-first allocation: requests, draws and offers. The invariants, as constraints:
//   * one live request per person and procedure      (allocation_request_one_live_per_identity)
//   * exactly one draw per prefecture, procedure and schedule tick (draw_once_per_tick) —
//     instances elect the one that runs it by inserting this row inside the draw's transaction
//   * a slot is offered to at most one request at a time (offer_one_pending_per_slot)
//   * a request holds at most one pending offer      (offer_one_pending_per_request)
//   * a person has a live request or an active appointment for a procedure, not both
//     (triggers allocation_request_no_active_appointment and appointment_no_waiting_request)
import { type Kysely, sql } from 'kysely';

/** Namespace of the advisory locks taken per (identity, procedure): 'CRN1' as an int4. */
export const IDENTITY_PROCEDURE_LOCK_CLASS = 0x43524e31;

export async function up(db: Kysely<unknown>): Promise<void> {
  // Allocation settings of each procedure (booking_mode = 'allocation' turns them on).
  await sql`alter table procedure add column allocation_order text not null default 'fifo' check (allocation_order in ('fifo', 'lottery'))`.execute(
    db,
  );
  await sql`alter table procedure add column offer_hours integer not null default 48 check (offer_hours between 1 and 336)`.execute(
    db,
  );
  await sql`alter table procedure add column max_ignored_offers integer not null default 2 check (max_ignored_offers between 1 and 10)`.execute(
    db,
  );
  await sql`alter table procedure add column urgent_within_days integer not null default 30 check (urgent_within_days between 0 and 365)`.execute(
    db,
  );

  // When each prefecture draws: every day at `daily_at` (local time), and after each release.
  await sql`
    create table draw_schedule (
      prefecture_id text primary key references prefecture(id),
      daily_at text not null default '07:00' check (daily_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      after_release boolean not null default true
    )`.execute(db);

  await sql`
    create table allocation_request (
      id uuid primary key default gen_random_uuid(),
      reference text not null unique,
      prefecture_id text not null references prefecture(id),
      procedure_id text not null references procedure(id),
      status text not null default 'waiting' check (status in ('waiting', 'offered', 'booked', 'withdrawn', 'closed')),
      site_ids text[] not null check (cardinality(site_ids) between 1 and 20),
      weekdays smallint[] not null default '{1,2,3,4,5}' check (cardinality(weekdays) between 1 and 7 and weekdays <@ array[1,2,3,4,5,6,7]::smallint[]),
      half_days text[] not null default '{am,pm}' check (cardinality(half_days) between 1 and 2 and half_days <@ array['am', 'pm']),
      urgency_date date,
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
      declined_count integer not null default 0 check (declined_count >= 0),
      ignored_count integer not null default 0 check (ignored_count >= 0),
      channel text not null default 'online' check (channel in ('online', 'phone', 'counter')),
      filed_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      closed_at timestamptz,
      check (agdref_number is not null or passport_number is not null)
    )`.execute(db);
  await sql`create unique index allocation_request_one_live_per_identity on allocation_request (identity_key, procedure_id) where status in ('waiting', 'offered')`.execute(
    db,
  );
  await sql`create index allocation_request_waiting on allocation_request (prefecture_id, procedure_id, filed_at) where status = 'waiting'`.execute(
    db,
  );

  await sql`
    create table draw (
      id uuid primary key default gen_random_uuid(),
      prefecture_id text not null references prefecture(id),
      procedure_id text not null references procedure(id),
      tick timestamptz not null,
      trigger text not null check (trigger in ('daily', 'release', 'manual')),
      allocation_order text not null check (allocation_order in ('fifo', 'lottery')),
      seed text not null,
      input_digest text not null,
      result_digest text not null,
      input_snapshot bytea not null,
      requests_count integer not null,
      slots_count integer not null,
      assigned_count integer not null,
      started_at timestamptz not null,
      finished_at timestamptz not null,
      constraint draw_once_per_tick unique (prefecture_id, procedure_id, tick)
    )`.execute(db);

  await sql`
    create table offer (
      id uuid primary key default gen_random_uuid(),
      draw_id uuid not null references draw(id),
      request_id uuid not null references allocation_request(id),
      slot_id uuid not null references slot(id),
      status text not null default 'pending' check (status in ('pending', 'confirmed', 'declined', 'expired', 'withdrawn')),
      expires_at timestamptz not null,
      extended boolean not null default false,
      created_at timestamptz not null default now(),
      decided_at timestamptz,
      appointment_id uuid references appointment(id)
    )`.execute(db);
  await sql`create unique index offer_one_pending_per_slot on offer (slot_id) where status = 'pending'`.execute(db);
  await sql`create unique index offer_one_pending_per_request on offer (request_id) where status = 'pending'`.execute(
    db,
  );
  await sql`create index offer_pending_expiry on offer (expires_at) where status = 'pending'`.execute(db);
  await sql`create index offer_request on offer (request_id)`.execute(db);
  // The draw scheduler asks every minute for the release instants of a procedure's slots ("draw after release").
  await sql`create index slot_release on slot (procedure_id, released_at) where status = 'open'`.execute(db);
  // Replaying or auditing a draw reads its offers; a draw skips the requests that declined since the previous one.
  await sql`create index offer_draw on offer (draw_id)`.execute(db);
  await sql`create index offer_declined on offer (decided_at) where status = 'declined'`.execute(db);

  // A person has EITHER a live request OR an active appointment for a procedure, never both.
  // Two tables cannot share a unique index, so two triggers check each other's table, after
  // taking one transaction-scoped advisory lock per (identity, procedure): of two concurrent
  // writers for the same person, the second waits for the first to commit, and its check (a
  // new statement in a volatile function, so a fresh snapshot under READ COMMITTED) then sees
  // the first's row. The refusals are named check violations the adapters translate:
  //   allocation_request_no_active_appointment → ALREADY_BOOKED_FOR_PROCEDURE
  //   appointment_no_waiting_request          → ALREADY_REQUESTED_FOR_PROCEDURE
  // Only a 'waiting' request blocks an appointment: an 'offered' one is being turned into an
  // appointment by the confirmation of its offer, which inserts that appointment.
  await sql`
    create function identity_procedure_lock(identity_key text, procedure_id text) returns void language sql as $$
      select pg_advisory_xact_lock(${sql.lit(IDENTITY_PROCEDURE_LOCK_CLASS)}, hashtext(identity_key || '/' || procedure_id))
    $$`.execute(db);
  await sql`
    create function allocation_request_no_active_appointment() returns trigger language plpgsql as $$
    begin
      if new.status in ('waiting', 'offered') and (tg_op = 'INSERT' or old.status not in ('waiting', 'offered')) then
        perform identity_procedure_lock(new.identity_key, new.procedure_id);
        if exists (select 1 from appointment a where a.identity_key = new.identity_key and a.procedure_id = new.procedure_id and a.status in ('booked', 'arrived')) then
          raise exception 'this person already has an active appointment for procedure %', new.procedure_id
            using errcode = 'check_violation', constraint = 'allocation_request_no_active_appointment', table = 'allocation_request';
        end if;
      end if;
      return new;
    end $$`.execute(db);
  // WHEN clauses keep the function (and its lock) off the rows it has nothing to check, e.g.
  // a draw turning 500,000 waiting requests into offered ones.
  await sql`
    create trigger allocation_request_no_active_appointment before insert on allocation_request
    for each row when (new.status in ('waiting', 'offered')) execute function allocation_request_no_active_appointment()`.execute(
    db,
  );
  await sql`
    create trigger allocation_request_no_active_appointment_on_update before update of status on allocation_request
    for each row when (new.status in ('waiting', 'offered') and old.status not in ('waiting', 'offered'))
    execute function allocation_request_no_active_appointment()`.execute(db);
  await sql`
    create function appointment_no_waiting_request() returns trigger language plpgsql as $$
    begin
      if new.status in ('booked', 'arrived') and (tg_op = 'INSERT' or old.status not in ('booked', 'arrived')) then
        perform identity_procedure_lock(new.identity_key, new.procedure_id);
        if exists (select 1 from allocation_request r where r.identity_key = new.identity_key and r.procedure_id = new.procedure_id and r.status = 'waiting') then
          raise exception 'this person already has a waiting request for procedure %', new.procedure_id
            using errcode = 'check_violation', constraint = 'appointment_no_waiting_request', table = 'appointment';
        end if;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger appointment_no_waiting_request before insert on appointment
    for each row when (new.status in ('booked', 'arrived')) execute function appointment_no_waiting_request()`.execute(
    db,
  );
  await sql`
    create trigger appointment_no_waiting_request_on_update before update of status on appointment
    for each row when (new.status in ('booked', 'arrived') and old.status not in ('booked', 'arrived'))
    execute function appointment_no_waiting_request()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists appointment_no_waiting_request on appointment`.execute(db);
  await sql`drop trigger if exists appointment_no_waiting_request_on_update on appointment`.execute(db);
  for (const fn of [
    'appointment_no_waiting_request',
    'allocation_request_no_active_appointment',
    'identity_procedure_lock',
  ]) {
    await sql`drop function if exists ${sql.id(fn)} cascade`.execute(db);
  }
  for (const index of ['slot_release', 'offer_draw', 'offer_declined'])
    await sql`drop index if exists ${sql.id(index)}`.execute(db);
  for (const table of ['offer', 'draw', 'allocation_request', 'draw_schedule']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  for (const column of ['urgent_within_days', 'max_ignored_offers', 'offer_hours', 'allocation_order']) {
    await sql`alter table procedure drop column if exists ${sql.id(column)}`.execute(db);
  }
}
