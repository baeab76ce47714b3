// The waiting queue's tally (migration 0030) against the queue itself: what the triggers must
// keep equal. Tests check it after every storage suite; an operator can run it on a copy.
import { sql } from 'kysely';
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
