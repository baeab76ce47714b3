// Slots as draws see them (ports/draws/slots.ts).
import { sql, type Transaction } from 'kysely';
import type { DrawWindow, FreeSlotForDraw, LeftoverOutcome } from '../../../ports/draw-store.ts';
import type { DrawSlotRepository } from '../../../ports/draws/slots.ts';
import { markSlotFreed } from '../booking-store.ts';
import { isDatabaseUnavailable } from '../connection-errors.ts';
import type { Db } from '../database.ts';
import { CHUNK, type Executor, interner, readInBatches } from '../kysely-helpers.ts';
import { inQueue } from '../request-status.ts';
import type { Database } from '../schema.ts';

/** A slot has waited its collection window: a released one the full window, a freed one (available after its release) the shorter one. */
const waitedTheWindow = (window: DrawWindow) =>
  sql`(s.available_since <= ${window.availableBy} or (s.available_since > s.released_at and s.available_since <= ${window.freedBy}))`;

/** The free slots a draw offers, read through a cursor. */
async function freeSlotsForDraw(
  db: Executor,
  prefectureId: string,
  procedureId: string,
  window: DrawWindow,
  batchSize: number,
): Promise<FreeSlotForDraw[]> {
  const siteOf = interner((siteId) => siteId);
  const slots: FreeSlotForDraw[] = [];
  // The start as epoch milliseconds (a float8 the driver reads as a number, where parsing
  // 500,000 timestamps as text would cost a second).
  await readInBatches(
    db,
    'draw_free_slots',
    sql<{ id: string; site_id: string; starts_ms: number; weekday: number; minute: number }>`
          select s.id, s.site_id, (extract(epoch from s.starts_at) * 1000)::float8 as starts_ms,
                 extract(isodow from s.starts_at at time zone p.time_zone)::int as weekday,
                 (extract(hour from s.starts_at at time zone p.time_zone) * 60 + extract(minute from s.starts_at at time zone p.time_zone))::int as minute
            from slot s
            join site si on si.id = s.site_id
            join prefecture p on p.id = si.prefecture_id
           where si.prefecture_id = ${prefectureId} and s.procedure_id = ${procedureId}
             and s.status = 'open' and s.released_at <= ${window.tick} and ${waitedTheWindow(window)}
             and s.starts_at >= ${window.startsFrom}
             and not s.reserved_for_agents -- the agents' reserve is booked by phone or at the counter, never drawn
             and not exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
             and not exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')`,
    batchSize,
    (rows) => {
      for (const r of rows)
        slots.push({
          id: r.id,
          siteId: siteOf(r.site_id),
          startsAt: new Date(Number(r.starts_ms)),
          localWeekday: Number(r.weekday),
          localMinuteOfDay: Number(r.minute),
        });
    },
  );
  return slots;
}

/**
 * Only in a transaction: freeing a slot is part of answering its offer. `batchSize`: rows per
 * FETCH of the free slots. `beside`: the pool to read the free slots from, in a read-only
 * transaction of their own, while the draw's transaction reads its requests (the same rows
 * as a statement of the draw's own: it has written nothing they depend on yet, and holds the
 * queue's lock).
 */
export function drawSlotRepository(db: Transaction<Database>, batchSize = CHUNK, beside?: Db): DrawSlotRepository {
  return {
    async freeForDraw(prefectureId, procedureId, window) {
      const inTransaction = () => freeSlotsForDraw(db, prefectureId, procedureId, window, batchSize);
      if (!beside) return inTransaction();
      try {
        return await beside
          .transaction()
          .setAccessMode('read only')
          .execute((reader) => freeSlotsForDraw(reader, prefectureId, procedureId, window, batchSize));
      } catch (error) {
        // No connection to spare (a full pool): read them in the draw's transaction after all.
        if (isDatabaseUnavailable(error)) return inTransaction();
        throw error;
      }
    },

    async settleLeftovers(
      drawId: string,
      prefectureId: string,
      procedureId: string,
      window: DrawWindow,
      now: Date,
    ): Promise<LeftoverOutcome> {
      const {
        rows: [queue],
      } = await sql<{ waiting: boolean }>`
        select exists (select 1 from allocation_request r
                        where prefecture_id = ${prefectureId} and procedure_id = ${procedureId} and ${inQueue('r')}) as waiting`.execute(
        db,
      );
      // Free slots of the queue that waited their window and that no offer holds.
      const leftover = sql`
        si.id = s.site_id and si.prefecture_id = ${prefectureId} and s.procedure_id = ${procedureId}
        and s.status = 'open' and s.opened_at is null and not s.reserved_for_agents
        and s.released_at <= ${window.tick} and ${waitedTheWindow(window)} and s.starts_at > ${now}
        and not exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
        and not exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')`;
      if (!queue!.waiting) {
        const { rows } = await sql<{ id: string }>`
          update slot s set opened_at = ${now}, opened_by_draw = ${drawId} from site si where ${leftover} returning s.id`.execute(
          db,
        );
        return { opened: rows.length, unused: 0 };
      }
      const {
        rows: [late],
      } = await sql<{ count: number }>`
        select count(*)::int as count from slot s join site si on si.id = s.site_id where ${leftover} and s.starts_at < ${window.startsFrom}`.execute(
        db,
      );
      return { opened: 0, unused: Number(late!.count) };
    },

    free: (slotId, now) => markSlotFreed(db, slotId, now),
  };
}
