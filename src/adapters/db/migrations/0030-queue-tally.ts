// The waiting queue, counted as it changes (issue 14, the filing storm): a filing's confirmation
// and every status page tell the applicant their place, and counted the procedure's whole queue
// to do it — 6.4 ms of PostgreSQL per filing with 5,500 waiting, 552 ms with a million. Now the
// triggers below keep, per queue, urgency date (confirmed ones only, as the draw sees them) and
// batch day, how many requests wait in it; a read sums one row per urgency date and batch day
// (hundreds, a few thousand at most) however long the queue.
//   * In the queue: waiting and holding no pending offer (request-status.ts `inQueue`). So the
//     count moves with a request's row (filing, status, urgency, batch day, purge) and with its
//     offers (a draw's offers take requests out, an answer or expiry puts them back).
//   * No hot row: every filing of the day lands in the same (queue, urgency, day), and a counter
//     row stays locked until its transaction commits. Each connection adds to its own shard
//     (backend pid modulo 16) and a read sums the shards; `queue_tally_fold` gathers them into
//     shard -1 (a draw calls it for its queue), skipping rows that another transaction holds.
//   * Requests: a row trigger, fired only when a counted column changes. Offers: statement
//     triggers with transition tables, one upsert per statement (a draw writes 500,000 offers in
//     one). A request holds at most one pending offer (offer_one_pending_per_request): an offer
//     becoming pending takes its request out, one leaving pending puts it back.
//   * A statement that changes both a request's counted columns and its offers (one data-modifying
//     CTE) would be counted wrong: the triggers run at its end, each seeing the other's change.
//     None does; keep it so. The storage suites check the count against the table after each
//     suite (test/support/databases.ts).
import { type Kysely, sql } from 'kysely';

const OFFER_EVENTS = [
  ['insert', 'new table as new_offers'],
  ['update', 'old table as old_offers new table as new_offers'],
  ['delete', 'old table as old_offers'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table queue_tally (
      prefecture_id text not null,
      procedure_id text not null,
      urgency_date date,
      queued_on date not null,
      shard smallint not null,
      waiting integer not null,
      constraint queue_tally_key unique nulls not distinct (prefecture_id, procedure_id, urgency_date, queued_on, shard)
    )`.execute(db);

  await sql`
    create function queue_tally_add(prefecture_id text, procedure_id text, urgency_date date, queued_on date, delta integer)
    returns void language sql as $$
      insert into queue_tally (prefecture_id, procedure_id, urgency_date, queued_on, shard, waiting)
      values (prefecture_id, procedure_id, urgency_date, queued_on, pg_backend_pid() % 16, delta)
      on conflict on constraint queue_tally_key do update set waiting = queue_tally.waiting + excluded.waiting
    $$`.execute(db);

  await sql`
    create function queue_tally_request() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' and old.status = 'waiting'
         and not exists (select 1 from offer o where o.request_id = old.id and o.status = 'pending') then
        perform queue_tally_add(old.prefecture_id, old.procedure_id,
                                case when old.urgency_status = 'confirmed' then old.urgency_date end, old.queued_on, -1);
      end if;
      if tg_op <> 'DELETE' and new.status = 'waiting'
         and not exists (select 1 from offer o where o.request_id = new.id and o.status = 'pending') then
        perform queue_tally_add(new.prefecture_id, new.procedure_id,
                                case when new.urgency_status = 'confirmed' then new.urgency_date end, new.queued_on, 1);
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger allocation_request_queue_tally_insert after insert on allocation_request
      for each row when (new.status = 'waiting') execute function queue_tally_request()`.execute(db);
  await sql`
    create trigger allocation_request_queue_tally_delete after delete on allocation_request
      for each row when (old.status = 'waiting') execute function queue_tally_request()`.execute(db);
  await sql`
    create trigger allocation_request_queue_tally_update
      after update of status, urgency_date, urgency_status, queued_on, prefecture_id, procedure_id on allocation_request
      for each row when (
        (old.status = 'waiting' or new.status = 'waiting') and
        (old.status, old.urgency_date, old.urgency_status, old.queued_on, old.prefecture_id, old.procedure_id)
          is distinct from
        (new.status, new.urgency_date, new.urgency_status, new.queued_on, new.prefecture_id, new.procedure_id))
      execute function queue_tally_request()`.execute(db);

  // A request holds at most one pending offer: one becoming pending takes its request out of the
  // queue, one leaving pending puts it back (if the request still waits). Each branch reads the
  // transition tables themselves, whose row counts the planner knows (a draw's 500,000 offers),
  // unfiltered: with a filter the planner guesses it keeps 0.5 % of them, and a nested loop of
  // 500,000 index lookups took 2.7 s where a hash join takes about 1. (Counting them in the
  // draw's own statement instead, from the requests it locks, cost as much: the list is then
  // kept whole for its two uses.)
  const upsert = (moves: string) => `
      insert into queue_tally (prefecture_id, procedure_id, urgency_date, queued_on, shard, waiting)
      select r.prefecture_id, r.procedure_id, case when r.urgency_status = 'confirmed' then r.urgency_date end,
             r.queued_on, pg_backend_pid() % 16, sum(m.delta)::int
        from (${moves}) as m (request_id, delta)
        join allocation_request r on r.id = m.request_id
       where r.status = 'waiting'
       group by 1, 2, 3, 4
      having sum(m.delta) <> 0
       order by 1, 2, 3, 4 -- two statements adding to the same rows lock them in the same order
      on conflict on constraint queue_tally_key do update set waiting = queue_tally.waiting + excluded.waiting;`;
  await sql`
    create function queue_tally_offers() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then ${sql.raw(upsert("select request_id, case when status = 'pending' then -1 else 0 end from new_offers"))}
      elsif tg_op = 'DELETE' then ${sql.raw(upsert("select request_id, case when status = 'pending' then 1 else 0 end from old_offers"))}
      else ${sql.raw(
        upsert(`select n.request_id, case when n.status = 'pending' then -1 else 1 end
                  from old_offers o join new_offers n on n.id = o.id
                 where (o.status = 'pending') <> (n.status = 'pending')`),
      )}
      end if;
      return null;
    end $$`.execute(db);
  for (const [event, tables] of OFFER_EVENTS)
    await sql`
      create trigger ${sql.raw(`offer_${event}_queue_tally`)} after ${sql.raw(event)} on offer
        referencing ${sql.raw(tables)}
        for each statement execute function queue_tally_offers()`.execute(db);

  await sql`
    create function queue_tally_fold(fold_prefecture text, fold_procedure text) returns void language sql as $$
      with gathered as (
        delete from queue_tally t
         where t.ctid in (select ctid from queue_tally
                           where prefecture_id = fold_prefecture and procedure_id = fold_procedure and shard >= 0
                             for update skip locked)
        returning urgency_date, queued_on, waiting)
      insert into queue_tally (prefecture_id, procedure_id, urgency_date, queued_on, shard, waiting)
      select fold_prefecture, fold_procedure, urgency_date, queued_on, -1, sum(waiting)::int
        from gathered group by urgency_date, queued_on order by urgency_date, queued_on
      on conflict on constraint queue_tally_key do update set waiting = queue_tally.waiting + excluded.waiting;
      delete from queue_tally
       where prefecture_id = fold_prefecture and procedure_id = fold_procedure and shard = -1 and waiting = 0;
    $$`.execute(db);

  // The queue as it stands when the migration runs.
  await sql`
    insert into queue_tally (prefecture_id, procedure_id, urgency_date, queued_on, shard, waiting)
    select prefecture_id, procedure_id, case when urgency_status = 'confirmed' then urgency_date end, queued_on, -1, count(*)
      from allocation_request r
     where status = 'waiting' and not exists (select 1 from offer o where o.request_id = r.id and o.status = 'pending')
     group by 1, 2, 3, 4`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [event] of OFFER_EVENTS)
    await sql`drop trigger if exists ${sql.raw(`offer_${event}_queue_tally`)} on offer`.execute(db);
  for (const event of ['insert', 'update', 'delete'])
    await sql`drop trigger if exists ${sql.raw(`allocation_request_queue_tally_${event}`)} on allocation_request`.execute(
      db,
    );
  await sql`drop function if exists queue_tally_fold(text, text)`.execute(db);
  await sql`drop function if exists queue_tally_offers()`.execute(db);
  await sql`drop function if exists queue_tally_request()`.execute(db);
  await sql`drop function if exists queue_tally_add(text, text, date, date, integer)`.execute(db);
  await sql`drop table if exists queue_tally`.execute(db);
}
