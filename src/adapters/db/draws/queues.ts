// The queues the scheduler draws for, and the procedure settings of a draw (ports/draws/queues.ts).
import { sql } from 'kysely';
import { DEFAULT_DRAW_SCHEDULE } from '../../../domain/draw-schedule.ts';
import type { DrawProcedure, ScheduledProcedure } from '../../../ports/draw-store.ts';
import type { DrawProcedureReader, DrawQueueReader } from '../../../ports/draws/queues.ts';
import type { Executor } from '../kysely-helpers.ts';
import { inQueue } from '../request-status.ts';

/** Queues the scheduler draws: every procedure done at a counter, at every prefecture that receives it or has requests for it. */
async function scheduledProcedures(
  db: Executor,
  only: { prefectureId: string; procedureId: string } | null,
): Promise<ScheduledProcedure[]> {
  const { rows } = await sql<{
    prefecture_id: string;
    time_zone: string;
    procedure_id: string;
    daily_at: string | null;
    every_minutes: number | null;
    from_time: string | null;
    until_time: string | null;
  }>`
    select p.id as prefecture_id, p.time_zone, pr.id as procedure_id, ds.daily_at, dc.every_minutes, dc.from_time, dc.until_time
      from prefecture p
      cross join procedure pr
      left join draw_schedule ds on ds.prefecture_id = p.id
      left join draw_cadence dc on dc.prefecture_id = p.id and dc.procedure_id = pr.id
     where pr.channel = 'appointment'
       ${only ? sql`and p.id = ${only.prefectureId} and pr.id = ${only.procedureId}` : sql``}
       and (exists (select 1 from opening_rule o join counter c on c.id = o.counter_id join site si on si.id = c.site_id
                     where si.prefecture_id = p.id and o.procedure_id = pr.id)
            or exists (select 1 from exceptional_opening e join counter c on c.id = e.counter_id join site si on si.id = c.site_id
                        where si.prefecture_id = p.id and e.procedure_id = pr.id)
            or exists (select 1 from allocation_request r
                        where r.prefecture_id = p.id and r.procedure_id = pr.id and ${inQueue('r')}))
     order by p.id, pr.id`.execute(db);
  return rows.map((r) => ({
    prefectureId: r.prefecture_id,
    timeZone: r.time_zone,
    procedureId: r.procedure_id,
    dailyAt: r.daily_at ?? DEFAULT_DRAW_SCHEDULE.dailyAt,
    cadence:
      r.every_minutes === null
        ? null
        : { everyMinutes: Number(r.every_minutes), fromTime: r.from_time!, untilTime: r.until_time! },
  }));
}

export function drawQueueReader(db: Executor): DrawQueueReader {
  return {
    listScheduled: () => scheduledProcedures(db, null),

    async get(prefectureId: string, procedureId: string): Promise<ScheduledProcedure | null> {
      const [found] = await scheduledProcedures(db, { prefectureId, procedureId });
      return found ?? null;
    },
  };
}

export function drawProcedureReader(db: Executor): DrawProcedureReader {
  return {
    async get(procedureId: string): Promise<DrawProcedure | null> {
      const r = await db.selectFrom('procedure').selectAll().where('id', '=', procedureId).executeTakeFirst();
      return r
        ? {
            id: r.id,
            nameFr: r.name_fr,
            nameEn: r.name_en,
            channel: r.channel,
            offerHours: r.offer_hours,
            maxIgnoredOffers: r.max_ignored_offers,
            maxDeclines: r.max_declines,
            urgentWithinDays: r.urgent_within_days,
          }
        : null;
    },
  };
}
