// The phone and counter channel: agents book, for callers, the slots reserved for them
// (slot.reserved_for_agents, migration 0007), and may book for people who have no email.
//   * appointment_slot_reserved_for_agents: an online appointment never holds a reserved
//     slot — whatever wrote it (booking, reschedule, an offer's confirmation, a hand-written
//     fix): the reserve is invisible to the public, and the database is what guarantees it;
//   * appointment.email / email_key may be null for channel 'phone' or 'counter' only (the
//     person has no email: the agent prints the convocation); the per-email quota skips
//     them, the per-identity uniqueness (appointment_one_per_identity_procedure) still holds.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function appointment_slot_reserved_for_agents() returns trigger language plpgsql as $$
    begin
      if new.channel = 'online' and exists (select 1 from slot s where s.id = new.slot_id and s.reserved_for_agents) then
        raise exception 'slot % is reserved for the phone and counter channel', new.slot_id
          using errcode = 'check_violation', constraint = 'appointment_slot_reserved_for_agents', table = 'appointment';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger appointment_slot_reserved_for_agents before insert or update of slot_id, channel on appointment
    for each row when (new.channel = 'online') execute function appointment_slot_reserved_for_agents()`.execute(db);

  await sql`alter table appointment alter column email drop not null`.execute(db);
  await sql`alter table appointment alter column email_key drop not null`.execute(db);
  await sql`alter table appointment add constraint appointment_email_unless_agent_channel check (
    (email is null) = (email_key is null) and (email is not null or channel <> 'online'))`.execute(db);

  // 0001's quota, with appointments without email left out (they count on no one's quota).
  await sql`
    create or replace function appointment_track_email_quota() returns trigger language plpgsql as $$
    declare
      was_active boolean := tg_op = 'UPDATE' and old.status in ('booked', 'arrived') and old.email_key is not null;
      is_active boolean := new.status in ('booked', 'arrived') and new.email_key is not null;
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists appointment_slot_reserved_for_agents on appointment`.execute(db);
  await sql`drop function if exists appointment_slot_reserved_for_agents`.execute(db);
  await sql`alter table appointment drop constraint if exists appointment_email_unless_agent_channel`.execute(db);
}
