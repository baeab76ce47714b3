// A draw's offers no longer rewrite their requests (issue 14: a draw in seconds). 'Offered' was
// stored twice: on the request and by its pending offer. A draw of 500,000 offers rewrote
// 500,000 request rows — a new row version and about ten index entries each, 16 of the 47 s of
// a quiet 1M × 500k draw. Now a request is offered when it waits and holds a pending offer
// (adapters/db/request-status.ts derives it); the column keeps what people and agents set.
// The live statuses in the indexes and triggers still name 'offered': harmless, and the cap and
// the one-live-request rule are unchanged (waiting and offered were both live). The one rule that
// told them apart — an appointment may not join a waiting or paused request, an offered one's
// may — now reads the pending offer.
import { type Kysely, sql } from 'kysely';

const noWaitingRequest = (waiting: ReturnType<typeof sql.raw>) => sql`
    create or replace function appointment_no_waiting_request() returns trigger language plpgsql as $$
    begin
      perform identity_procedure_lock(new.identity_key, new.procedure_id);
      if exists (select 1 from allocation_request r where r.identity_key = new.identity_key and r.procedure_id = new.procedure_id and ${waiting}) then
        raise exception 'this person already has a waiting request for procedure %', new.procedure_id
          using errcode = 'check_violation', constraint = 'appointment_no_waiting_request', table = 'appointment';
      end if;
      return new;
    end $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update allocation_request set status = 'waiting' where status = 'offered'`.execute(db);
  await sql`alter table allocation_request drop constraint allocation_request_status_check`.execute(db);
  await sql`alter table allocation_request add constraint allocation_request_status_check
    check (status in ('waiting', 'paused', 'booked', 'withdrawn', 'closed'))`.execute(db);
  await noWaitingRequest(
    sql.raw(`(r.status = 'paused' or (r.status = 'waiting' and not exists (
      select 1 from offer o where o.request_id = r.id and o.status = 'pending')))`),
  ).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await noWaitingRequest(sql.raw(`r.status in ('waiting', 'paused')`)).execute(db);
  await sql`alter table allocation_request drop constraint allocation_request_status_check`.execute(db);
  await sql`alter table allocation_request add constraint allocation_request_status_check
    check (status in ('waiting', 'offered', 'paused', 'booked', 'withdrawn', 'closed'))`.execute(db);
  await sql`
    update allocation_request r set status = 'offered'
     where r.status = 'waiting' and exists (select 1 from offer o where o.request_id = r.id and o.status = 'pending')`.execute(
    db,
  );
}
