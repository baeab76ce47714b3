// Kysely implementation of capacity planning's readings, the same on PostgreSQL and PGlite:
// a handful of small counts bounded by the prefecture and the procedure.
import { sql } from 'kysely';
import type { IsoWeekday } from '../../domain/slot-generation.ts';
import type { CapacityStore } from '../../ports/capacity-store.ts';
import type { Db } from './database.ts';
import { inQueue } from './request-status.ts';

export function createCapacityStore(db: Db): CapacityStore {
  const sitesOf = (prefectureId: string) =>
    db
      .selectFrom('site')
      .select(['id', 'name'])
      .where('prefecture_id', '=', prefectureId)
      .orderBy('name')
      .orderBy('id')
      .execute();
  return {
    sites: sitesOf,
    async readings({ prefectureId, procedureId, since, now }) {
      const [prefecture, procedure] = await Promise.all([
        db.selectFrom('prefecture').select('time_zone').where('id', '=', prefectureId).executeTakeFirst(),
        db.selectFrom('procedure').select('slot_minutes').where('id', '=', procedureId).executeTakeFirst(),
      ]);
      if (!prefecture || !procedure) return null;
      const [requests, appointments, sites, rules] = await Promise.all([
        db
          .selectFrom('allocation_request')
          .select([
            sql<number>`(count(*) filter (where ${inQueue('allocation_request')}))::int`.as('waiting'),
            sql<number>`(count(*) filter (where filed_at >= ${since} and filed_at < ${now}))::int`.as('filed'),
          ])
          .where('prefecture_id', '=', prefectureId)
          .where('procedure_id', '=', procedureId)
          .executeTakeFirstOrThrow(),
        // The no-show rate of the statistics page: due = slot started and not cancelled.
        db
          .selectFrom('appointment as a')
          .innerJoin('slot as s', 's.id', 'a.slot_id')
          .innerJoin('site as si', 'si.id', 'a.site_id')
          .select([
            sql<number>`count(*)::int`.as('due'),
            sql<number>`(count(*) filter (where a.status = 'no_show'))::int`.as('no_shows'),
          ])
          .where('si.prefecture_id', '=', prefectureId)
          .where('a.procedure_id', '=', procedureId)
          .where('a.status', '<>', 'cancelled')
          .where('s.starts_at', '>=', since)
          .where('s.starts_at', '<', now)
          .executeTakeFirstOrThrow(),
        sitesOf(prefectureId),
        db
          .selectFrom('opening_rule as r')
          .innerJoin('counter as c', 'c.id', 'r.counter_id')
          .innerJoin('site as si', 'si.id', 'c.site_id')
          .select([
            'r.counter_id',
            'c.site_id',
            'r.weekdays',
            'r.valid_from',
            'r.valid_until',
            'r.windows',
            'r.slot_minutes',
          ])
          .where('si.prefecture_id', '=', prefectureId)
          .where('r.procedure_id', '=', procedureId)
          .where('c.active', '=', true)
          .orderBy('r.id')
          .execute(),
      ]);
      return {
        timeZone: prefecture.time_zone,
        waiting: Number(requests.waiting),
        filed: Number(requests.filed),
        due: Number(appointments.due),
        noShows: Number(appointments.no_shows),
        defaultSlotMinutes: procedure.slot_minutes,
        sites,
        rules: rules.map((r) => ({
          counterId: r.counter_id,
          siteId: r.site_id,
          procedureId,
          weekdays: r.weekdays.map(Number) as IsoWeekday[],
          validFrom: r.valid_from,
          validUntil: r.valid_until,
          windows: r.windows,
          slotMinutes: r.slot_minutes,
        })),
      };
    },
    async procedures() {
      const rows = await db
        .selectFrom('procedure')
        .select(['id', 'name_fr', 'name_en'])
        .orderBy('name_fr')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, nameFr: r.name_fr, nameEn: r.name_en }));
    },
  };
}
