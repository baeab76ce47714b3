// Keeps concrete slots in the database for the rolling horizon (today … today + N days,
// in each prefecture's own time zone). Run at start-up and then periodically; running it
// twice inserts nothing new (slots are unique per counter and start).
import { addDays } from '../../domain/calendar-date.ts';
import { isPublicHoliday } from '../../domain/holidays.ts';
import { localDateOf } from '../../domain/local-time.ts';
import { generateSlots, markReservedForAgents, validateOpeningRule } from '../../domain/slot-generation.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MarkedSlotDraft, PrefectureSchedule, ScheduleStore, SiteSchedule } from '../../ports/schedule-store.ts';

export interface MaterialiseReport {
  prefectureId: string;
  fromDate: string;
  toDate: string;
  inserted: number;
  skippedRules: { counterId: string; procedureId: string; problems: string[] }[];
}

export async function materialiseSlots(
  deps: { schedules: ScheduleStore; clock: Clock },
  horizonDays: number,
): Promise<MaterialiseReport[]> {
  const reports: MaterialiseReport[] = [];
  for (const { id: prefectureId, timeZone } of await deps.schedules.listPrefectures()) {
    const fromDate = localDateOf(deps.clock.now(), timeZone);
    const toDate = addDays(fromDate, horizonDays);
    const schedule = await deps.schedules.loadSchedule(prefectureId, fromDate, toDate);
    const report: MaterialiseReport = { prefectureId, fromDate, toDate, inserted: 0, skippedRules: [] };
    for (const site of schedule.sites) {
      const drafts = siteSlotDrafts(schedule, site, fromDate, toDate, (skipped) => report.skippedRules.push(skipped));
      report.inserted += await deps.schedules.insertSlots(site.siteId, drafts);
    }
    reports.push(report);
  }
  return reports;
}

/**
 * The slots a site's configuration produces on [fromDate, toDate], the agents' reserve
 * marked: what materialisation inserts, and what a configuration change reconciles the
 * future free slots with (app/configuration/resync-slots.ts).
 */
export function siteSlotDrafts(
  schedule: PrefectureSchedule,
  site: SiteSchedule,
  fromDate: string,
  toDate: string,
  onSkipped: (skipped: MaterialiseReport['skippedRules'][number]) => void = () => {},
): MarkedSlotDraft[] {
  // A broken rule must not stop the other counters from getting slots: skip and report it.
  const offered = (procedureId: string) => !site.withdrawnProcedures.has(procedureId);
  const rules = site.rules.filter((rule) => {
    if (!offered(rule.procedureId)) return false;
    const problems = validateOpeningRule(rule);
    if (problems.length > 0) onSkipped({ counterId: rule.counterId, procedureId: rule.procedureId, problems });
    return problems.length === 0;
  });
  const drafts = generateSlots({
    timeZone: schedule.timeZone,
    fromDate,
    toDate,
    rules,
    exceptionalOpenings: site.exceptionalOpenings.filter((opening) => offered(opening.procedureId)),
    closures: site.closures,
    isHoliday: (date) => isPublicHoliday(date, schedule.prefectureId),
    releasePolicy: (procedureId) => schedule.releasePolicies.get(procedureId) ?? { daysAhead: 0, time: '00:00' },
  });
  return markReservedForAgents(drafts, (procedureId) => site.reservedPercent.get(procedureId) ?? 0);
}
