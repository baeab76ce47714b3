// Kysely implementation of the public numbers' store, the same on PostgreSQL and PGlite.
// A week is computed by eight aggregate queries, each bounded by the week (an index on the
// time column it reads), each grouped by procedure and for all procedures at once
// (GROUPING SETS); quantiles are SQL's percentile_cont, which domain/public-statistics.ts's
// `quantile` mirrors.
import { type Insertable, type Selectable, sql } from 'kysely';
import { ALL_PROCEDURES, emptyWeek, type WeeklyFigures, type WeeklyPressure } from '../../domain/public-statistics.ts';
import type { PublicStatisticsStore, WeekToCompute } from '../../ports/public-statistics-store.ts';
import type { Db } from './database.ts';
import type { Executor } from './kysely-helpers.ts';
import type { PublicStatisticsWeekTable } from './schema.ts';

const days = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

type Grouped<T> = T & { procedure_id: string | null };

/** The queries of one week, run when called; `procedure_id` null is the all-procedures row of GROUPING SETS. */
function weekQueries(db: Executor, w: WeekToCompute) {
  const weekEnd = sql`(${w.weekStart}::date + 7)`;
  // The current week counts up to now only; a past week up to its end.
  const asOf = w.now < w.to ? w.now : w.to;
  const tz = w.timeZone;
  return {
    // Requests that accepted an offer this week: local days from filing to the appointment's day.
    booked: () =>
      sql<Grouped<{ n: number; median: number | null; p90: number | null }>>`
      select r.procedure_id, count(*)::int as n,
        percentile_cont(0.5) within group (order by s.local_date - timezone(${tz}, r.filed_at)::date) as median,
        percentile_cont(0.9) within group (order by s.local_date - timezone(${tz}, r.filed_at)::date) as p90
      from appointment a
      join site si on si.id = a.site_id and si.prefecture_id = ${w.prefectureId}
      join offer o on o.appointment_id = a.id and o.status = 'confirmed'
      join allocation_request r on r.id = o.request_id
      join slot s on s.id = o.slot_id
      where a.created_at >= ${w.from} and a.created_at < ${w.to}
      group by grouping sets ((r.procedure_id), ())`.execute(db),
    // Open slots booked this week (no offer behind the appointment): days from release to booking.
    open: () =>
      sql<Grouped<{ n: number; median: number | null; p90: number | null }>>`
      select a.procedure_id, count(*)::int as n,
        percentile_cont(0.5) within group (order by greatest(0, extract(epoch from a.created_at - s.released_at) / 86400)) as median,
        percentile_cont(0.9) within group (order by greatest(0, extract(epoch from a.created_at - s.released_at) / 86400)) as p90
      from appointment a
      join site si on si.id = a.site_id and si.prefecture_id = ${w.prefectureId}
      join slot s on s.id = a.slot_id
      where a.created_at >= ${w.from} and a.created_at < ${w.to} and s.opened_at is not null
        and not exists (select 1 from offer o where o.appointment_id = a.id)
      group by grouping sets ((a.procedure_id), ())`.execute(db),
    // Requests filed and neither closed, withdrawn nor booked at the end of the week (or now).
    waiting: () =>
      sql<Grouped<{ n: number; median: number | null }>>`
      select r.procedure_id, count(*)::int as n,
        percentile_cont(0.5) within group (order by timezone(${tz}, ${asOf}::timestamptz)::date - timezone(${tz}, r.filed_at)::date) as median
      from allocation_request r
      where r.prefecture_id = ${w.prefectureId} and r.filed_at < ${asOf}
        and (r.closed_at is null or r.closed_at > ${asOf})
        and not exists (
          select 1 from offer o where o.request_id = r.id and o.status = 'confirmed' and o.decided_at <= ${asOf})
      group by grouping sets ((r.procedure_id), ())`.execute(db),
    // Slots of the week's days, released by now (a withdrawn slot nobody held is no offer).
    slots: () =>
      sql<Grouped<{ offered: number; taken: number; open: number; unused: number }>>`
      select s.procedure_id, count(*)::int as offered,
        count(a.id)::int as taken,
        count(*) filter (where s.opened_at is not null)::int as open,
        count(*) filter (where a.id is null and s.starts_at < ${w.now})::int as unused
      from slot s
      join site si on si.id = s.site_id and si.prefecture_id = ${w.prefectureId}
      left join appointment a on a.slot_id = s.id and a.status <> 'cancelled'
      where s.local_date >= ${w.weekStart}::date and s.local_date < ${weekEnd} and s.released_at <= ${w.now}
        and (s.status = 'open' or a.id is not null)
      group by grouping sets ((s.procedure_id), ())`.execute(db),
    // Confirmed urgencies whose document expired on a past day of the week: seen on or before it?
    urgent: () =>
      sql<Grouped<{ cases: number; served: number }>>`
      select r.procedure_id, count(*)::int as cases,
        count(*) filter (where exists (
          select 1 from offer o
          join appointment a on a.id = o.appointment_id and a.status not in ('cancelled', 'no_show')
          join slot s on s.id = a.slot_id
          where o.request_id = r.id and o.status = 'confirmed' and s.local_date <= r.urgency_date))::int as served
      from allocation_request r
      where r.prefecture_id = ${w.prefectureId} and r.urgency_status = 'confirmed'
        and r.urgency_date >= ${w.weekStart}::date and r.urgency_date < ${weekEnd}
        and r.urgency_date < timezone(${tz}, ${w.now}::timestamptz)::date
      group by grouping sets ((r.procedure_id), ())`.execute(db),
    // Appointments of the week's days already started, not cancelled; no-shows among them.
    due: () =>
      sql<Grouped<{ due: number; no_shows: number }>>`
      select a.procedure_id, count(*)::int as due, count(*) filter (where a.status = 'no_show')::int as no_shows
      from slot s
      join site si on si.id = s.site_id and si.prefecture_id = ${w.prefectureId}
      join appointment a on a.slot_id = s.id and a.status <> 'cancelled'
      where s.local_date >= ${w.weekStart}::date and s.local_date < ${weekEnd} and s.starts_at < ${w.now}
      group by grouping sets ((a.procedure_id), ())`.execute(db),
    draws: () =>
      sql<Grouped<{ n: number }>>`
      select d.procedure_id, count(*)::int as n
      from draw d
      where d.prefecture_id = ${w.prefectureId} and d.tick >= ${w.from} and d.tick < ${w.to}
      group by grouping sets ((d.procedure_id), ())`.execute(db),
    // Requests filed this week with a declared urgency: held for an agent's review; refused ones.
    held: () =>
      sql<Grouped<{ held: number; refused: number }>>`
      select r.procedure_id, count(*)::int as held,
        count(*) filter (where r.urgency_status = 'refused')::int as refused
      from allocation_request r
      where r.prefecture_id = ${w.prefectureId} and r.filed_at >= ${w.from} and r.filed_at < ${w.to}
        and r.urgency_source = 'declared'
      group by grouping sets ((r.procedure_id), ())`.execute(db),
    // Requests held for a fraud check during the week (each once, however often), and those
    // refused after the check during the week.
    fraud: () =>
      sql<Grouped<{ held: number; refused: number }>>`
      select r.procedure_id,
        count(*) filter (where exists (
          select 1 from fraud_observation o
          where o.request_id = r.id and o.held and o.at >= ${w.from} and o.at < ${w.to}))::int as held,
        count(*) filter (where r.review_state = 'refused'
          and r.review_decided_at >= ${w.from} and r.review_decided_at < ${w.to})::int as refused
      from allocation_request r
      where r.prefecture_id = ${w.prefectureId} and r.review_state <> 'none' and r.held_at is not null
        and r.held_at < ${w.to}
      group by grouping sets ((r.procedure_id), ())`.execute(db),
  };
}

async function computeWeek(db: Executor, w: WeekToCompute): Promise<WeeklyFigures[]> {
  const q = weekQueries(db, w);
  const byProcedure = new Map<string, WeeklyFigures>();
  const row = (procedureId: string | null): WeeklyFigures => {
    const id = procedureId ?? ALL_PROCEDURES;
    let figures = byProcedure.get(id);
    if (!figures) {
      figures = emptyWeek(w.prefectureId, id, w.weekStart);
      byProcedure.set(id, figures);
    }
    return figures;
  };
  row(null);
  // One query after the other: a connection each would be no faster on a busy pool.
  for (const r of (await q.booked()).rows)
    Object.assign(row(r.procedure_id), {
      requestsBooked: r.n,
      waitMedianDays: days(r.median),
      waitP90Days: days(r.p90),
    });
  for (const r of (await q.open()).rows)
    Object.assign(row(r.procedure_id), { openBooked: r.n, openMedianDays: days(r.median), openP90Days: days(r.p90) });
  for (const r of (await q.waiting()).rows)
    Object.assign(row(r.procedure_id), { requestsWaiting: r.n, waitingAgeMedianDays: days(r.median) });
  for (const r of (await q.slots()).rows)
    Object.assign(row(r.procedure_id), {
      slotsOffered: r.offered,
      slotsTaken: r.taken,
      slotsOpen: r.open,
      slotsUnused: r.unused,
    });
  for (const r of (await q.urgent()).rows)
    Object.assign(row(r.procedure_id), { urgentCases: r.cases, urgentServed: r.served });
  for (const r of (await q.due()).rows)
    Object.assign(row(r.procedure_id), { appointmentsDue: r.due, noShows: r.no_shows });
  for (const r of (await q.draws()).rows) Object.assign(row(r.procedure_id), { draws: r.n });
  for (const r of (await q.held()).rows)
    Object.assign(row(r.procedure_id), { urgencyHeld: r.held, urgencyRefused: r.refused });
  for (const r of (await q.fraud()).rows)
    Object.assign(row(r.procedure_id), { fraudHeld: r.held, fraudRefused: r.refused });
  return [...byProcedure.values()];
}

const toRow = (f: WeeklyFigures, computedAt: Date): Insertable<PublicStatisticsWeekTable> => ({
  prefecture_id: f.prefectureId,
  procedure_id: f.procedureId,
  week_start: f.weekStart,
  computed_at: computedAt,
  requests_booked: f.requestsBooked,
  wait_median_days: f.waitMedianDays,
  wait_p90_days: f.waitP90Days,
  open_booked: f.openBooked,
  open_median_days: f.openMedianDays,
  open_p90_days: f.openP90Days,
  requests_waiting: f.requestsWaiting,
  waiting_age_median_days: f.waitingAgeMedianDays,
  slots_offered: f.slotsOffered,
  slots_taken: f.slotsTaken,
  slots_open: f.slotsOpen,
  slots_unused: f.slotsUnused,
  urgent_cases: f.urgentCases,
  urgent_served: f.urgentServed,
  appointments_due: f.appointmentsDue,
  no_shows: f.noShows,
  draws: f.draws,
  urgency_held: f.urgencyHeld,
  urgency_refused: f.urgencyRefused,
  fraud_held: f.fraudHeld,
  fraud_refused: f.fraudRefused,
});

const fromRow = (r: Selectable<PublicStatisticsWeekTable>): WeeklyFigures => ({
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  weekStart: r.week_start,
  requestsBooked: r.requests_booked,
  waitMedianDays: days(r.wait_median_days),
  waitP90Days: days(r.wait_p90_days),
  openBooked: r.open_booked,
  openMedianDays: days(r.open_median_days),
  openP90Days: days(r.open_p90_days),
  requestsWaiting: r.requests_waiting,
  waitingAgeMedianDays: days(r.waiting_age_median_days),
  slotsOffered: r.slots_offered,
  slotsTaken: r.slots_taken,
  slotsOpen: r.slots_open,
  slotsUnused: r.slots_unused,
  urgentCases: r.urgent_cases,
  urgentServed: r.urgent_served,
  appointmentsDue: r.appointments_due,
  noShows: r.no_shows,
  draws: r.draws,
  urgencyHeld: r.urgency_held,
  urgencyRefused: r.urgency_refused,
  fraudHeld: r.fraud_held,
  fraudRefused: r.fraud_refused,
});

export function createPublicStatisticsStore(db: Db): PublicStatisticsStore {
  return {
    async claimRun(period, now, purgeBefore) {
      await db.deleteFrom('public_statistics_run').where('started_at', '<', purgeBefore).execute();
      const inserted = await db
        .insertInto('public_statistics_run')
        .values({ period, started_at: now })
        .onConflict((oc) => oc.column('period').doNothing())
        .returning('period')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    async finishRun(period, now) {
      await db.updateTable('public_statistics_run').set({ finished_at: now }).where('period', '=', period).execute();
    },
    async prefectures() {
      const rows = await db.selectFrom('prefecture').select(['id', 'name', 'time_zone']).orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, timeZone: r.time_zone }));
    },
    async findPrefecture(id) {
      const r = await db
        .selectFrom('prefecture')
        .select(['id', 'name', 'time_zone'])
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? { id: r.id, name: r.name, timeZone: r.time_zone } : null;
    },
    async proceduresOf(prefectureId) {
      const rows = await db
        .selectFrom('procedure as p')
        .select(['p.id', 'p.name_fr', 'p.name_en'])
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('public_statistics_week as w')
              .select(sql.lit(1).as('one'))
              .where('w.prefecture_id', '=', prefectureId)
              .whereRef('w.procedure_id', '=', 'p.id'),
          ),
        )
        .orderBy('p.name_fr')
        .execute();
      return rows.map((r) => ({ id: r.id, nameFr: r.name_fr, nameEn: r.name_en }));
    },
    async allProcedures() {
      const rows = await db.selectFrom('procedure').select(['id', 'name_fr', 'name_en']).orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, nameFr: r.name_fr, nameEn: r.name_en }));
    },
    async hasWeek(prefectureId, weekStart) {
      const r = await db
        .selectFrom('public_statistics_week')
        .select('week_start')
        .where('prefecture_id', '=', prefectureId)
        .where('procedure_id', '=', ALL_PROCEDURES)
        .where('week_start', '=', weekStart)
        .executeTakeFirst();
      return r !== undefined;
    },
    computeWeek: (week) => computeWeek(db, week),
    async replaceWeek(prefectureId, weekStart, rows, computedAt) {
      await db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('public_statistics_week')
          .where('prefecture_id', '=', prefectureId)
          .where('week_start', '=', weekStart)
          .execute();
        if (rows.length > 0)
          await trx
            .insertInto('public_statistics_week')
            .values(rows.map((r) => toRow(r, computedAt)))
            .execute();
      });
    },
    async computePressure(weekStart, from, to, computedAt) {
      const { rows } = await sql<{ pow_refused: number; rate_limited: number }>`
        select count(*) filter (where reason like 'pow\\_%')::int as pow_refused,
               count(*) filter (where reason = 'rate_limited')::int as rate_limited
        from security_event
        where at >= ${from} and at < ${to} and (reason like 'pow\\_%' or reason = 'rate_limited')`.execute(db);
      const pressure = { weekStart, powRefused: rows[0]?.pow_refused ?? 0, rateLimited: rows[0]?.rate_limited ?? 0 };
      await db
        .insertInto('public_statistics_pressure_week')
        .values({
          week_start: weekStart,
          computed_at: computedAt,
          pow_refused: pressure.powRefused,
          rate_limited: pressure.rateLimited,
        })
        .onConflict((oc) =>
          oc.column('week_start').doUpdateSet({
            computed_at: computedAt,
            pow_refused: pressure.powRefused,
            rate_limited: pressure.rateLimited,
          }),
        )
        .execute();
      return pressure;
    },
    async weeks({ prefectureId, procedureId, fromWeek }) {
      let query = db.selectFrom('public_statistics_week').selectAll().where('week_start', '>=', fromWeek);
      if (prefectureId !== null) query = query.where('prefecture_id', '=', prefectureId);
      if (procedureId !== null) query = query.where('procedure_id', '=', procedureId);
      const rows = await query.orderBy('prefecture_id').orderBy('procedure_id').orderBy('week_start').execute();
      return rows.map(fromRow);
    },
    async pressure(fromWeek) {
      const rows = await db
        .selectFrom('public_statistics_pressure_week')
        .select(['week_start', 'pow_refused', 'rate_limited'])
        .where('week_start', '>=', fromWeek)
        .orderBy('week_start')
        .execute();
      return rows.map(
        (r): WeeklyPressure => ({ weekStart: r.week_start, powRefused: r.pow_refused, rateLimited: r.rate_limited }),
      );
    },
    async lastComputedAt() {
      const r = await db
        .selectFrom('public_statistics_run')
        .select((eb) => eb.fn.max('finished_at').as('at'))
        .executeTakeFirst();
      return r?.at ? new Date(r.at) : null;
    },
  };
}
