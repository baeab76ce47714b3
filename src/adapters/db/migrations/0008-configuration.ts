// What the configuration pages need from the schema, and the one invariant a closure relies on:
//   * app_setting.edited_at — set when an administrator edits a setting in the back-office;
//     from then on the value in the environment (MAX_ACTIVE_APPOINTMENTS_PER_EMAIL, copied at
//     every start by syncSettings) no longer overrides it: the environment is the initial value;
//   * counter_name_per_site — a site's counters have distinct names (case-insensitive), so an
//     agent never has to tell two "Guichet 2" apart;
//   * appointment_slot_open — an appointment is only ever made on an OPEN slot. A closure
//     withdraws the slots of its days and cancels their appointments in one transaction; a
//     booking running at the same moment read the slot as open in its own snapshot. The
//     trigger locks the slot row (FOR SHARE) before the appointment is written:
//       - closure first: the booking waits for the closure's commit, then sees the slot
//         withdrawn and its insert writes nothing (the booking answers SLOT_TAKEN);
//       - booking first: the closure's UPDATE of the slot waits for the booking's commit, and
//         the closure's next statement (which lists the appointments to cancel) sees it.
//     Either way no live appointment is left on a withdrawn slot. Moving an appointment to a
//     slot that is not open (a reschedule racing a closure) is refused with a named check.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table app_setting add column edited_at timestamptz`.execute(db);
  await sql`create unique index counter_name_per_site on counter (site_id, lower(name))`.execute(db);

  await sql`
    create function appointment_slot_open() returns trigger language plpgsql as $$
    begin
      perform 1 from slot where id = new.slot_id and status = 'open' for share;
      if found then return new; end if;
      if tg_op = 'INSERT' then return null; end if;
      raise exception 'slot % is not open', new.slot_id
        using errcode = 'check_violation', constraint = 'appointment_slot_open', table = 'appointment';
    end $$`.execute(db);
  await sql`
    create trigger appointment_slot_open before insert on appointment
    for each row when (new.status in ('booked', 'arrived')) execute function appointment_slot_open()`.execute(db);
  await sql`
    create trigger appointment_slot_open_on_move before update of slot_id on appointment
    for each row when (new.slot_id is distinct from old.slot_id and new.status in ('booked', 'arrived'))
    execute function appointment_slot_open()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists appointment_slot_open on appointment`.execute(db);
  await sql`drop trigger if exists appointment_slot_open_on_move on appointment`.execute(db);
  await sql`drop function if exists appointment_slot_open cascade`.execute(db);
  await sql`drop index if exists counter_name_per_site`.execute(db);
  await sql`alter table app_setting drop column if exists edited_at`.execute(db);
}
