// No-show statistics per site and procedure over a range of local days (default: the last
// 30 days, today included): appointments due (slot started, not cancelled), arrived or
// served, no-shows, not marked, and the no-show rate. Supervisors see their prefecture,
// administrators any one or all of them.

import { noShowRate, STATISTICS_DEFAULT_DAYS, STATISTICS_MAX_DAYS } from '../../domain/agenda-rules.ts';
import { type AgentScope, can, scopedPrefecture } from '../../domain/agent-rules.ts';
import { addDays, daysBetween } from '../../domain/calendar-date.ts';
import { DomainError } from '../../domain/errors.ts';
import { localDateOf, NATIONAL_TIME_ZONE } from '../../domain/local-time.ts';
import type { NoShowStatisticsRow } from '../../ports/agenda-store.ts';
import type { AgendaContext } from './agenda-context.ts';

export interface StatisticsFilter {
  /** Administrators only; a supervisor asking for another prefecture is refused. */
  prefectureId?: string | null;
  fromDate?: string;
  toDate?: string;
}

export interface NoShowStatistics {
  prefectureId: string | null;
  fromDate: string;
  toDate: string;
  /** One line per site and procedure. */
  rows: (NoShowStatisticsRow & { rate: number | null })[];
  /** The same summed per site, and per procedure (all sites together). */
  bySite: (Counts & { id: string; name: string })[];
  byProcedure: (Counts & { id: string; nameFr: string; nameEn: string })[];
  total: Counts;
}

export interface Counts {
  due: number;
  came: number;
  served: number;
  noShows: number;
  unmarked: number;
  rate: number | null;
}

const zero = () => ({ due: 0, came: 0, served: 0, noShows: 0, unmarked: 0 });
function add(into: Omit<Counts, 'rate'>, r: Omit<Counts, 'rate'>): void {
  into.due += r.due;
  into.came += r.came;
  into.served += r.served;
  into.noShows += r.noShows;
  into.unmarked += r.unmarked;
}
const withRate = <T extends Omit<Counts, 'rate'>>(c: T): T & { rate: number | null } => ({
  ...c,
  rate: noShowRate(c.due, c.noShows),
});

export async function noShowStatistics(
  ctx: AgendaContext,
  agent: AgentScope,
  filter: StatisticsFilter,
): Promise<NoShowStatistics> {
  if (!can(agent, 'stats.read')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, filter.prefectureId ?? null);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  const now = ctx.clock.now();
  // Days are counted in metropolitan time: a range of 30 days is the same whatever the zone.
  const toDate = filter.toDate ?? localDateOf(now, NATIONAL_TIME_ZONE);
  const fromDate = filter.fromDate ?? addDays(toDate, -(STATISTICS_DEFAULT_DAYS - 1));
  const span = daysBetween(fromDate, toDate);
  if (!(span >= 0 && span < STATISTICS_MAX_DAYS)) {
    throw new DomainError('DATE_RANGE_INVALID', undefined, { fromDate, toDate, maxDays: STATISTICS_MAX_DAYS });
  }
  const rows = await ctx.agenda.noShowStatistics({ prefectureId, fromDate, toDate, before: now });
  const total = zero();
  const bySite = new Map<string, Omit<Counts, 'rate'> & { id: string; name: string }>();
  const byProcedure = new Map<string, Omit<Counts, 'rate'> & { id: string; nameFr: string; nameEn: string }>();
  for (const r of rows) {
    add(total, r);
    if (!bySite.has(r.siteId)) bySite.set(r.siteId, { id: r.siteId, name: r.siteName, ...zero() });
    add(bySite.get(r.siteId)!, r);
    if (!byProcedure.has(r.procedureId))
      byProcedure.set(r.procedureId, {
        id: r.procedureId,
        nameFr: r.procedureNameFr,
        nameEn: r.procedureNameEn,
        ...zero(),
      });
    add(byProcedure.get(r.procedureId)!, r);
  }
  return {
    prefectureId,
    fromDate,
    toDate,
    rows: rows.map(withRate),
    bySite: [...bySite.values()].map(withRate),
    byProcedure: [...byProcedure.values()].map(withRate),
    total: withRate(total),
  };
}
