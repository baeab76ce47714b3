// Reads opening rules for slot materialisation and writes the slots, in batches.
import type { IsoWeekday } from '../../domain/slot-generation.ts';
import type { MarkedSlotDraft, PrefectureSchedule, ScheduleStore, SiteSchedule } from '../../ports/schedule-store.ts';
import type { Db } from './database.ts';

const INSERT_BATCH = 1000;

export function createScheduleStore(db: Db): ScheduleStore {
  return {
    listPrefectures: async () =>
      (await db.selectFrom('prefecture').select(['id', 'time_zone']).orderBy('id').execute()).map((r) => ({
        id: r.id,
        timeZone: r.time_zone,
      })),

    async loadSchedule(prefectureId, fromDate, toDate): Promise<PrefectureSchedule> {
      const prefecture = await db
        .selectFrom('prefecture')
        .select('time_zone')
        .where('id', '=', prefectureId)
        .executeTakeFirstOrThrow();
      const sites = await db
        .selectFrom('site')
        .select('id')
        .where('prefecture_id', '=', prefectureId)
        .orderBy('id')
        .execute();
      const siteIds = sites.map((s) => s.id);
      const bySite = new Map<string, SiteSchedule>(
        siteIds.map((id) => [
          id,
          {
            siteId: id,
            rules: [],
            exceptionalOpenings: [],
            closures: [],
            withdrawnProcedures: new Set<string>(),
            reservedPercent: new Map<string, number>(),
          },
        ]),
      );
      if (siteIds.length > 0) {
        const rules = await db
          .selectFrom('opening_rule as r')
          .innerJoin('counter as c', 'c.id', 'r.counter_id')
          .select([
            'c.site_id',
            'r.counter_id',
            'r.procedure_id',
            'r.weekdays',
            'r.valid_from',
            'r.valid_until',
            'r.windows',
            'r.slot_minutes',
          ])
          .where('c.site_id', 'in', siteIds)
          .where('c.active', '=', true)
          .where('r.valid_from', '<=', toDate)
          .where((eb) => eb.or([eb('r.valid_until', 'is', null), eb('r.valid_until', '>=', fromDate)]))
          .execute();
        for (const r of rules) {
          bySite.get(r.site_id)!.rules.push({
            counterId: r.counter_id,
            procedureId: r.procedure_id,
            weekdays: r.weekdays as IsoWeekday[],
            validFrom: r.valid_from,
            validUntil: r.valid_until,
            windows: r.windows,
            slotMinutes: r.slot_minutes,
          });
        }
        const openings = await db
          .selectFrom('exceptional_opening as e')
          .innerJoin('counter as c', 'c.id', 'e.counter_id')
          .select(['c.site_id', 'e.counter_id', 'e.procedure_id', 'e.date', 'e.windows', 'e.slot_minutes'])
          .where('c.site_id', 'in', siteIds)
          .where('c.active', '=', true)
          .where('e.date', '>=', fromDate)
          .where('e.date', '<=', toDate)
          .execute();
        for (const e of openings) {
          bySite.get(e.site_id)!.exceptionalOpenings.push({
            counterId: e.counter_id,
            procedureId: e.procedure_id,
            date: e.date,
            windows: e.windows,
            slotMinutes: e.slot_minutes,
          });
        }
        const closures = await db
          .selectFrom('closure')
          .select(['site_id', 'counter_id', 'date_from', 'date_to'])
          .where('site_id', 'in', siteIds)
          .where('date_to', '>=', fromDate)
          .where('date_from', '<=', toDate)
          .execute();
        for (const c of closures)
          bySite.get(c.site_id)!.closures.push({ counterId: c.counter_id, from: c.date_from, to: c.date_to });
        const offers = await db
          .selectFrom('site_procedure')
          .select(['site_id', 'procedure_id', 'offered', 'reserved_percent'])
          .where('site_id', 'in', siteIds)
          .execute();
        for (const o of offers) {
          const site = bySite.get(o.site_id)!;
          if (!o.offered) site.withdrawnProcedures.add(o.procedure_id);
          if (o.reserved_percent > 0) site.reservedPercent.set(o.procedure_id, o.reserved_percent);
        }
      }
      const procedures = await db
        .selectFrom('procedure')
        .select(['id', 'release_days_ahead', 'release_time'])
        .execute();
      return {
        prefectureId,
        timeZone: prefecture.time_zone,
        sites: [...bySite.values()],
        releasePolicies: new Map(
          procedures.map((p) => [p.id, { daysAhead: p.release_days_ahead, time: p.release_time }]),
        ),
      };
    },

    async insertSlots(siteId: string, slots: MarkedSlotDraft[]): Promise<number> {
      let inserted = 0;
      for (let i = 0; i < slots.length; i += INSERT_BATCH) {
        const batch = slots.slice(i, i + INSERT_BATCH);
        // DO NOTHING without a target also skips slots that would overlap an existing
        // one at the same counter (exclusion constraint), e.g. after a rule changed length.
        const result = await db
          .insertInto('slot')
          .values(
            batch.map((s) => ({
              site_id: siteId,
              counter_id: s.counterId,
              procedure_id: s.procedureId,
              starts_at: s.startsAt,
              ends_at: s.endsAt,
              local_date: s.localDate,
              released_at: s.releasedAt,
              reserved_for_agents: s.reservedForAgents,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
      }
      return inserted;
    },
  };
}
