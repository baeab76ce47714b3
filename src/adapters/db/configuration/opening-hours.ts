// Opening rules, exceptional openings and closures (ports/configuration/opening-hours.ts).

import { isUuid } from '../../../domain/identifiers.ts';
import type { IsoWeekday } from '../../../domain/slot-generation.ts';
import type {
  ClosureRepository,
  ExceptionalOpeningRepository,
  OpeningRuleRepository,
} from '../../../ports/configuration/opening-hours.ts';
import type { ConfigExceptionalOpening, ConfigOpeningRule } from '../../../ports/configuration-store.ts';
import type { Executor, RowOf } from '../kysely-helpers.ts';

function rules(db: Executor) {
  return db
    .selectFrom('opening_rule as r')
    .innerJoin('counter as c', 'c.id', 'r.counter_id')
    .innerJoin('site as s', 's.id', 'c.site_id')
    .select([
      'r.id',
      'r.counter_id',
      'c.site_id',
      's.prefecture_id',
      'r.procedure_id',
      'r.weekdays',
      'r.valid_from',
      'r.valid_until',
      'r.windows',
      'r.slot_minutes',
    ]);
}
const toRule = (r: RowOf<typeof rules>): ConfigOpeningRule => ({
  id: r.id,
  counterId: r.counter_id,
  siteId: r.site_id,
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  weekdays: r.weekdays.map(Number) as IsoWeekday[],
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  windows: r.windows,
  slotMinutes: r.slot_minutes,
});

export function openingRuleRepository(db: Executor): OpeningRuleRepository {
  return {
    listAtCounter: async (counterId) =>
      (
        await rules(db)
          .where('r.counter_id', '=', counterId)
          .orderBy('r.valid_from')
          .orderBy('r.procedure_id')
          .execute()
      ).map(toRule),
    async get(id) {
      if (!isUuid(id)) return null;
      const r = await rules(db).where('r.id', '=', id).executeTakeFirst();
      return r ? toRule(r) : null;
    },
    async insert(rule) {
      const row = await db
        .insertInto('opening_rule')
        .values({
          counter_id: rule.counterId,
          procedure_id: rule.procedureId,
          weekdays: rule.weekdays,
          valid_from: rule.validFrom,
          valid_until: rule.validUntil,
          windows: JSON.stringify(rule.windows),
          slot_minutes: rule.slotMinutes,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async setEnd(id, validUntil) {
      await db.updateTable('opening_rule').set({ valid_until: validUntil }).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('opening_rule').where('id', '=', id).execute();
    },
  };
}

function openings(db: Executor) {
  return db
    .selectFrom('exceptional_opening as e')
    .innerJoin('counter as c', 'c.id', 'e.counter_id')
    .innerJoin('site as s', 's.id', 'c.site_id')
    .select([
      'e.id',
      'e.counter_id',
      'c.site_id',
      's.prefecture_id',
      'e.procedure_id',
      'e.date',
      'e.windows',
      'e.slot_minutes',
    ]);
}
const toOpening = (r: RowOf<typeof openings>): ConfigExceptionalOpening => ({
  id: r.id,
  counterId: r.counter_id,
  siteId: r.site_id,
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  date: r.date,
  windows: r.windows,
  slotMinutes: r.slot_minutes,
});

export function exceptionalOpeningRepository(db: Executor): ExceptionalOpeningRepository {
  return {
    listAtCounterFrom: async (counterId, fromDate) =>
      (
        await openings(db)
          .where('e.counter_id', '=', counterId)
          .where('e.date', '>=', fromDate)
          .orderBy('e.date')
          .execute()
      ).map(toOpening),
    async get(id) {
      if (!isUuid(id)) return null;
      const r = await openings(db).where('e.id', '=', id).executeTakeFirst();
      return r ? toOpening(r) : null;
    },
    async insert(o) {
      const row = await db
        .insertInto('exceptional_opening')
        .values({
          counter_id: o.counterId,
          procedure_id: o.procedureId,
          date: o.date,
          windows: JSON.stringify(o.windows),
          slot_minutes: o.slotMinutes,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async delete(id) {
      await db.deleteFrom('exceptional_opening').where('id', '=', id).execute();
    },
  };
}

export function closureRepository(db: Executor): ClosureRepository {
  return {
    listAtSiteFrom: async (siteId, fromDate) =>
      (
        await db
          .selectFrom('closure')
          .selectAll()
          .where('site_id', '=', siteId)
          .where('date_to', '>=', fromDate)
          .orderBy('date_from')
          .execute()
      ).map((r) => ({
        id: r.id,
        siteId: r.site_id,
        counterId: r.counter_id,
        dateFrom: r.date_from,
        dateTo: r.date_to,
        reason: r.reason,
      })),
    async insert(c) {
      const row = await db
        .insertInto('closure')
        .values({
          site_id: c.siteId,
          counter_id: c.counterId,
          date_from: c.dateFrom,
          date_to: c.dateTo,
          reason: c.reason,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
  };
}
