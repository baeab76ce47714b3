// What a filing and the request form read from the catalogue — the procedure, the prefecture,
// its sites and the opening rules that make a site receive the procedure — in one statement,
// built and compiled once. These were four round trips of the filing's sixteen, and each round
// trip costs the server about 90 µs of CPU in the socket write alone (BENCHMARKS.md, session 16).

import { type QueryCreator, type RawBuilder, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { ReceivingSite, RequestCatalogue } from '../../ports/request-store.ts';
import {
  PREFECTURE_COLUMNS,
  PROCEDURE_COLUMNS,
  SITE_COLUMNS,
  toPrefecture,
  toProcedure,
  toSite,
} from './booking-store.ts';
import { type Db, precompiled } from './database.ts';
import type { Database } from './schema.ts';

/** Per site, the weekdays of its rules, sorted; sites in id order. */
export function receivingSitesOf(
  rules: readonly { site_id: string; weekdays: readonly (number | string)[] }[],
): ReceivingSite[] {
  const bySite = new Map<string, Set<number>>();
  for (const rule of rules) {
    const days = bySite.get(rule.site_id) ?? new Set<number>();
    for (const day of rule.weekdays) days.add(Number(day));
    bySite.set(rule.site_id, days);
  }
  return [...bySite]
    .map(([siteId, days]) => ({ siteId, weekdays: [...days].sort((a, b) => a - b) }))
    .sort((a, b) => (a.siteId < b.siteId ? -1 : 1));
}

/** The opening rules that make a site of the prefecture receive the procedure: active counters, valid on or after `fromDate`. */
export function receivingRules(
  qc: QueryCreator<Database>,
  prefectureId: string,
  procedureId: string,
  fromDate: string | RawBuilder<string>,
) {
  return qc
    .selectFrom('opening_rule as r')
    .innerJoin('counter as c', 'c.id', 'r.counter_id')
    .innerJoin('site as s', 's.id', 'c.site_id')
    .select(['s.id as site_id', 'r.weekdays'])
    .where('s.prefecture_id', '=', prefectureId)
    .where('r.procedure_id', '=', procedureId)
    .where('c.active', '=', true)
    .where((w) => w.or([w('r.valid_until', 'is', null), w('r.valid_until', '>=', fromDate)]));
}

const catalogueQuery = precompiled(
  (qb, a) =>
    qb.selectNoFrom((eb) => [
      jsonObjectFrom(eb.selectFrom('procedure').select(PROCEDURE_COLUMNS).where('id', '=', a.procedureId)).as(
        'procedure',
      ),
      jsonObjectFrom(eb.selectFrom('prefecture').select(PREFECTURE_COLUMNS).where('id', '=', a.prefectureId)).as(
        'prefecture',
      ),
      jsonArrayFrom(
        eb
          .selectFrom('site')
          .select(SITE_COLUMNS)
          .where('prefecture_id', '=', a.prefectureId)
          .orderBy('kind')
          .orderBy('name'),
      ).as('sites'),
      // Valid on or after the prefecture's local date at `now`.
      jsonArrayFrom(
        receivingRules(
          qb,
          a.prefectureId,
          a.procedureId,
          sql<string>`(${a.now}::timestamptz at time zone (select time_zone from prefecture where id = ${a.prefectureId}))::date`,
        ),
      ).as('rules'),
    ]),
  { prefectureId: '\0prefecture', procedureId: '\0procedure', now: new Date(0) },
);

export async function readRequestCatalogue(
  db: Db,
  prefectureId: string,
  procedureId: string,
  now: Date,
): Promise<RequestCatalogue> {
  const { rows } = await catalogueQuery(db, { prefectureId, procedureId, now });
  const row = rows[0]!;
  return {
    procedure: row.procedure ? toProcedure(row.procedure) : null,
    prefecture: row.prefecture ? toPrefecture(row.prefecture) : null,
    sites: row.sites.map(toSite),
    receiving: receivingSitesOf(row.rules),
  };
}
