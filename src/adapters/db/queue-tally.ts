// The waiting queue's tally (migration 0030) against the queue itself: what the triggers must
// keep equal. Tests check it after every storage suite; `creneau queue-tally` checks it, and
// with --repair counts it again.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { Executor } from './kysely-helpers.ts';
import { inQueue } from './request-status.ts';

export interface TallyDrift {
  prefectureId: string;
  procedureId: string;
  urgencyDate: string | null;
  queuedOn: string;
  counted: number;
  tallied: number;
}

/** Every (queue, urgency date, batch day) whose tally differs from a count of its requests; none when the triggers kept up. */
// Urgency dates compared with null as infinity: a join matches no nulls.
export async function queueTallyDrift(db: Executor): Promise<TallyDrift[]> {
  const { rows } = await sql<TallyDrift>`
    with counted as (
      select prefecture_id, procedure_id, coalesce(case when urgency_status = 'confirmed' then urgency_date end, 'infinity') as urgency_date,
             queued_on, count(*)::int as n
        from allocation_request r
       where ${inQueue('r')}
       group by 1, 2, 3, 4
    ), tallied as (
      select prefecture_id, procedure_id, coalesce(urgency_date, 'infinity') as urgency_date, queued_on, sum(waiting)::int as n
        from queue_tally
       group by 1, 2, 3, 4
      having sum(waiting) <> 0
    )
    select prefecture_id as "prefectureId", procedure_id as "procedureId", nullif(urgency_date, 'infinity')::text as "urgencyDate",
           queued_on::text as "queuedOn", coalesce(c.n, 0) as counted, coalesce(t.n, 0) as tallied
      from counted c full join tallied t using (prefecture_id, procedure_id, urgency_date, queued_on)
     where c.n is distinct from t.n
     order by 1, 2, 3, 4`.execute(db);
  return rows;
}

/**
 * The tally counted again from the queue, every queue at once (`creneau queue-tally --repair`).
 * The tally is locked first: a transaction that changed the queue and already added to the
 * tally has committed when the lock is granted (the count sees its change), and one that has
 * not yet added waits for the rebuild, then adds to the counts it rebuilt.
 */
export async function rebuildQueueTally(db: Db): Promise<{ batches: number; waiting: number }> {
  return db.transaction().execute(async (trx) => {
    await sql`lock table queue_tally in exclusive mode`.execute(trx);
    await sql`delete from queue_tally`.execute(trx);
    const { rows } = await sql<{ batches: number; waiting: number }>`
      with counted as (
        insert into queue_tally (prefecture_id, procedure_id, urgency_date, queued_on, shard, waiting)
        select prefecture_id, procedure_id, case when urgency_status = 'confirmed' then urgency_date end, queued_on, -1, count(*)
          from allocation_request r
         where ${inQueue('r')}
         group by 1, 2, 3, 4
        returning waiting)
      select count(*)::int as batches, coalesce(sum(waiting), 0)::int as waiting from counted`.execute(trx);
    return rows[0]!;
  });
}
