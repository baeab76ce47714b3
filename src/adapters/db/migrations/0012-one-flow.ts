// One flow for every procedure: speed and lies buy nothing. The invariants, in the database:
//   * a slot is drawn before anyone may book it first come: an appointment goes on a slot a
//     draw left without a taker (slot.opened_at), on a slot offered to that same person, or
//     on the agents' reserve — whatever wrote it (appointment_slot_drawn_first);
//   * a slot freed by a cancellation or a move is no longer open: it goes back to a draw
//     (slot_freed_goes_to_draw), so a cancel-and-rebook hand-off has nothing to catch;
//   * one identity document = one person: the attributes (names, birth date, nationality)
//     first given with a document are bound to it (identity_document), and the same document
//     with other attributes is refused (identity_document_mismatch);
//   * the per-email cap counts live requests together with active appointments;
//   * a live request (waiting, offered, or paused after an ignored offer) holds the person's
//     place: still one per person and procedure, never next to an active appointment.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // --- Slots: awaiting a draw, or open (first come) ---------------------------------------
  await sql`alter table slot add column available_since timestamptz`.execute(db);
  await sql`update slot set available_since = released_at`.execute(db);
  await sql`alter table slot alter column available_since set not null`.execute(db);
  // A new slot is available from its release (writers need not know the column).
  await sql`
    create function slot_available_from_release() returns trigger language plpgsql as $$
    begin
      new.available_since := coalesce(new.available_since, new.released_at);
      return new;
    end $$`.execute(db);
  await sql`
    create trigger slot_available_from_release before insert on slot
    for each row execute function slot_available_from_release()`.execute(db);
  await sql`alter table slot add column opened_at timestamptz`.execute(db);
  await sql`alter table slot add column opened_by_draw uuid references draw(id)`.execute(db);
  await sql`create index slot_open_search on slot (procedure_id, local_date, site_id) where status = 'open' and opened_at is not null`.execute(
    db,
  );

  await sql`
    create function appointment_slot_drawn_first() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from slot s where s.id = new.slot_id and (s.opened_at is not null or s.reserved_for_agents)) then
        return new;
      end if;
      if exists (select 1 from offer o join allocation_request r on r.id = o.request_id
                  where o.slot_id = new.slot_id and o.status = 'pending' and r.identity_key = new.identity_key) then
        return new;
      end if;
      raise exception 'slot % goes to a draw before anyone may book it', new.slot_id
        using errcode = 'check_violation', constraint = 'appointment_slot_drawn_first', table = 'appointment';
    end $$`.execute(db);
  await sql`
    create trigger appointment_slot_drawn_first before insert on appointment
    for each row when (new.status in ('booked', 'arrived')) execute function appointment_slot_drawn_first()`.execute(
    db,
  );
  await sql`
    create trigger appointment_slot_drawn_first_on_move before update of slot_id on appointment
    for each row when (new.slot_id is distinct from old.slot_id and new.status in ('booked', 'arrived'))
    execute function appointment_slot_drawn_first()`.execute(db);

  // A freed slot is closed to first-come booking until a draw leaves it without a taker.
  await sql`
    create function slot_freed_goes_to_draw() returns trigger language plpgsql as $$
    begin
      update slot set opened_at = null, opened_by_draw = null where id = old.slot_id and opened_at is not null;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger slot_freed_goes_to_draw after update of status, slot_id on appointment
    for each row when ((new.status = 'cancelled' and old.status <> 'cancelled') or new.slot_id is distinct from old.slot_id)
    execute function slot_freed_goes_to_draw()`.execute(db);

  // --- How often each queue is drawn ------------------------------------------------------
  await sql`alter table draw drop constraint draw_trigger_check`.execute(db);
  await sql`alter table draw add constraint draw_trigger_check check (trigger in ('daily', 'cadence', 'release', 'manual'))`.execute(
    db,
  );
  await sql`alter table draw add column opened_count integer not null default 0`.execute(db);
  // Absent: once a day at the prefecture's draw_schedule.daily_at. Present: every
  // `every_minutes` between from_time and until_time, local time, every day.
  await sql`
    create table draw_cadence (
      prefecture_id text not null references prefecture(id),
      procedure_id text not null references procedure(id),
      every_minutes integer not null check (every_minutes between 5 and 720),
      from_time text not null default '08:00' check (from_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      until_time text not null default '18:00' check (until_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      primary key (prefecture_id, procedure_id),
      check (until_time > from_time)
    )`.execute(db);

  // --- Requests: batch, pause, verified urgency --------------------------------------------
  await sql`alter table allocation_request add column queued_on date`.execute(db);
  await sql`update allocation_request set queued_on = filed_at::date`.execute(db);
  await sql`alter table allocation_request alter column queued_on set not null`.execute(db);
  // Filed = queued on the prefecture's local day of filing, unless the writer says otherwise.
  await sql`
    create function allocation_request_queued_on_filing_day() returns trigger language plpgsql as $$
    begin
      if new.queued_on is null then
        select (new.filed_at at time zone p.time_zone)::date into new.queued_on from prefecture p where p.id = new.prefecture_id;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger allocation_request_queued_on_filing_day before insert on allocation_request
    for each row execute function allocation_request_queued_on_filing_day()`.execute(db);
  await sql`alter table allocation_request drop constraint allocation_request_status_check`.execute(db);
  await sql`alter table allocation_request add constraint allocation_request_status_check
    check (status in ('waiting', 'offered', 'paused', 'booked', 'withdrawn', 'closed'))`.execute(db);
  await sql`alter table allocation_request add column paused_at timestamptz`.execute(db);
  await sql`alter table allocation_request add column urgency_source text check (urgency_source in ('registry', 'declared', 'closure'))`.execute(
    db,
  );
  await sql`alter table allocation_request add column urgency_status text not null default 'none'
    check (urgency_status in ('none', 'pending', 'confirmed', 'refused'))`.execute(db);
  await sql`update allocation_request set urgency_source = 'declared', urgency_status = 'pending' where urgency_date is not null`.execute(
    db,
  );
  await sql`alter table allocation_request add column urgency_reviewed_by uuid references agent(id)`.execute(db);
  await sql`alter table allocation_request add column urgency_reviewed_at timestamptz`.execute(db);
  await sql`alter table allocation_request add column urgency_review_reason text`.execute(db);
  await sql`alter table allocation_request add constraint allocation_request_urgency_consistent check (
    (urgency_date is null) = (urgency_source is null) and (urgency_status = 'none') = (urgency_date is null))`.execute(
    db,
  );
  await sql`create index allocation_request_urgency_pending on allocation_request (prefecture_id, filed_at) where urgency_status = 'pending'`.execute(
    db,
  );

  await sql`alter table procedure add column max_declines integer not null default 2 check (max_declines between 0 and 10)`.execute(
    db,
  );

  await sql`drop index allocation_request_one_live_per_identity`.execute(db);
  await sql`create unique index allocation_request_one_live_per_identity on allocation_request (identity_key, procedure_id) where status in ('waiting', 'offered', 'paused')`.execute(
    db,
  );
  await sql`
    create or replace function allocation_request_no_active_appointment() returns trigger language plpgsql as $$
    begin
      perform identity_procedure_lock(new.identity_key, new.procedure_id);
      if exists (select 1 from appointment a where a.identity_key = new.identity_key and a.procedure_id = new.procedure_id and a.status in ('booked', 'arrived')) then
        raise exception 'this person already has an active appointment for procedure %', new.procedure_id
          using errcode = 'check_violation', constraint = 'allocation_request_no_active_appointment', table = 'allocation_request';
      end if;
      return new;
    end $$`.execute(db);
  await sql`drop trigger allocation_request_no_active_appointment on allocation_request`.execute(db);
  await sql`drop trigger allocation_request_no_active_appointment_on_update on allocation_request`.execute(db);
  await sql`
    create trigger allocation_request_no_active_appointment before insert on allocation_request
    for each row when (new.status in ('waiting', 'offered', 'paused')) execute function allocation_request_no_active_appointment()`.execute(
    db,
  );
  await sql`
    create trigger allocation_request_no_active_appointment_on_update before update of status on allocation_request
    for each row when (new.status in ('waiting', 'offered', 'paused') and old.status not in ('waiting', 'offered', 'paused'))
    execute function allocation_request_no_active_appointment()`.execute(db);
  await sql`
    create or replace function appointment_no_waiting_request() returns trigger language plpgsql as $$
    begin
      perform identity_procedure_lock(new.identity_key, new.procedure_id);
      if exists (select 1 from allocation_request r where r.identity_key = new.identity_key and r.procedure_id = new.procedure_id and r.status in ('waiting', 'paused')) then
        raise exception 'this person already has a waiting request for procedure %', new.procedure_id
          using errcode = 'check_violation', constraint = 'appointment_no_waiting_request', table = 'appointment';
      end if;
      return new;
    end $$`.execute(db);

  // --- The per-email cap counts live requests too ------------------------------------------
  await sql`
    create function allocation_request_track_email_quota() returns trigger language plpgsql as $$
    declare
      was_live boolean := tg_op = 'UPDATE' and old.status in ('waiting', 'offered', 'paused');
      is_live boolean := new.status in ('waiting', 'offered', 'paused');
    begin
      if is_live and not was_live then
        insert into email_quota as q (email_key, active, cap)
        values (new.email_key, 1, (select value from app_setting where name = 'max_active_appointments_per_email'))
        on conflict (email_key) do update set active = q.active + 1, cap = excluded.cap;
      elsif was_live and not is_live then
        update email_quota set active = active - 1 where email_key = old.email_key;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger allocation_request_email_quota after insert or update of status on allocation_request
    for each row execute function allocation_request_track_email_quota()`.execute(db);
  await sql`
    insert into email_quota as q (email_key, active, cap)
    select r.email_key, count(*), greatest(count(*)::int, (select value from app_setting where name = 'max_active_appointments_per_email'))
      from allocation_request r where r.status in ('waiting', 'offered', 'paused') group by r.email_key
    on conflict (email_key) do update set active = q.active + excluded.active, cap = greatest(q.cap, q.active + excluded.active)`.execute(
    db,
  );

  // --- One document = one person --------------------------------------------------------------
  await sql`
    create table identity_document (
      identity_key text primary key,
      attributes_hash text not null,
      bound_at timestamptz not null default now()
    )`.execute(db);
  for (const table of ['appointment', 'allocation_request']) {
    await sql`alter table ${sql.table(table)} add column document_country char(3)`.execute(db);
    await sql`alter table ${sql.table(table)} add column identity_attributes_hash text`.execute(db);
  }
  await sql`
    create function identity_document_bind() returns trigger language plpgsql as $$
    declare
      bound text;
    begin
      if new.identity_attributes_hash is null then return new; end if;
      insert into identity_document (identity_key, attributes_hash) values (new.identity_key, new.identity_attributes_hash)
      on conflict (identity_key) do nothing;
      select attributes_hash into bound from identity_document where identity_key = new.identity_key;
      if bound <> new.identity_attributes_hash then
        raise exception 'this identity document was given with other names, birth date or nationality'
          using errcode = 'check_violation', constraint = 'identity_document_mismatch', table = tg_table_name;
      end if;
      return new;
    end $$`.execute(db);
  for (const table of ['appointment', 'allocation_request']) {
    await sql`
      create trigger identity_document_bind before insert on ${sql.table(table)}
      for each row execute function identity_document_bind()`.execute(db);
  }

  // --- Churn: withdrawals and cancellations by the person, for the cooling-off rule -----------
  await sql`
    create table churn_event (
      id bigint generated always as identity primary key,
      identity_key text not null,
      procedure_id text not null references procedure(id),
      kind text not null check (kind in ('withdrawal', 'cancellation')),
      at timestamptz not null
    )`.execute(db);
  await sql`create index churn_event_identity on churn_event (identity_key, procedure_id, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['appointment', 'allocation_request']) {
    await sql`drop trigger if exists identity_document_bind on ${sql.table(table)}`.execute(db);
    await sql`alter table ${sql.table(table)} drop column if exists document_country`.execute(db);
    await sql`alter table ${sql.table(table)} drop column if exists identity_attributes_hash`.execute(db);
  }
  await sql`drop trigger if exists allocation_request_email_quota on allocation_request`.execute(db);
  await sql`drop trigger if exists appointment_slot_drawn_first on appointment`.execute(db);
  await sql`drop trigger if exists appointment_slot_drawn_first_on_move on appointment`.execute(db);
  await sql`drop trigger if exists slot_freed_goes_to_draw on appointment`.execute(db);
  await sql`drop trigger if exists slot_available_from_release on slot`.execute(db);
  await sql`drop trigger if exists allocation_request_queued_on_filing_day on allocation_request`.execute(db);
  for (const fn of [
    'allocation_request_queued_on_filing_day',
    'slot_available_from_release',
    'identity_document_bind',
    'allocation_request_track_email_quota',
    'slot_freed_goes_to_draw',
    'appointment_slot_drawn_first',
  ]) {
    await sql`drop function if exists ${sql.id(fn)} cascade`.execute(db);
  }
  for (const table of ['churn_event', 'identity_document', 'draw_cadence'])
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  for (const column of ['available_since', 'opened_at', 'opened_by_draw'])
    await sql`alter table slot drop column if exists ${sql.id(column)}`.execute(db);
  for (const column of [
    'queued_on',
    'paused_at',
    'urgency_source',
    'urgency_status',
    'urgency_reviewed_by',
    'urgency_reviewed_at',
    'urgency_review_reason',
  ]) {
    await sql`alter table allocation_request drop column if exists ${sql.id(column)}`.execute(db);
  }
  await sql`alter table procedure drop column if exists max_declines`.execute(db);
}
