// A prefecture's daily draw time and per-procedure cadences (ports/configuration/draw-settings.ts).
import { DEFAULT_DRAW_SCHEDULE } from '../../../domain/draw-schedule.ts';
import type { DrawCadenceRepository, DrawScheduleRepository } from '../../../ports/configuration/draw-settings.ts';
import type { DrawCadenceSettings } from '../../../ports/configuration-store.ts';
import type { Executor, RowOf } from '../kysely-helpers.ts';

export function drawScheduleRepository(db: Executor): DrawScheduleRepository {
  return {
    async get(prefectureId) {
      const r = await db
        .selectFrom('draw_schedule')
        .selectAll()
        .where('prefecture_id', '=', prefectureId)
        .executeTakeFirst();
      // No row: the table's default (migration 0003), which the draw scheduler uses too.
      return { prefectureId, dailyAt: r?.daily_at ?? DEFAULT_DRAW_SCHEDULE.dailyAt };
    },
    async upsert(s) {
      // draw_schedule.after_release is left to its default: it means nothing any more (no release ticks).
      await db
        .insertInto('draw_schedule')
        .values({ prefecture_id: s.prefectureId, daily_at: s.dailyAt })
        .onConflict((oc) => oc.column('prefecture_id').doUpdateSet({ daily_at: s.dailyAt }))
        .execute();
    },
  };
}

function cadences(db: Executor) {
  return db
    .selectFrom('draw_cadence')
    .select(['prefecture_id', 'procedure_id', 'every_minutes', 'from_time', 'until_time']);
}
const toCadence = (r: RowOf<typeof cadences>): DrawCadenceSettings => ({
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  everyMinutes: Number(r.every_minutes),
  fromTime: r.from_time,
  untilTime: r.until_time,
});

export function drawCadenceRepository(db: Executor): DrawCadenceRepository {
  return {
    listInPrefecture: async (prefectureId) =>
      (await cadences(db).where('prefecture_id', '=', prefectureId).orderBy('procedure_id').execute()).map(toCadence),
    async get(prefectureId, procedureId) {
      const r = await cadences(db)
        .where('prefecture_id', '=', prefectureId)
        .where('procedure_id', '=', procedureId)
        .executeTakeFirst();
      return r ? toCadence(r) : null;
    },
    async upsert(c) {
      const fields = { every_minutes: c.everyMinutes, from_time: c.fromTime, until_time: c.untilTime };
      await db
        .insertInto('draw_cadence')
        .values({ prefecture_id: c.prefectureId, procedure_id: c.procedureId, ...fields })
        .onConflict((oc) => oc.columns(['prefecture_id', 'procedure_id']).doUpdateSet(fields))
        .execute();
    },
    async delete(prefectureId, procedureId) {
      const result = await db
        .deleteFrom('draw_cadence')
        .where('prefecture_id', '=', prefectureId)
        .where('procedure_id', '=', procedureId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
