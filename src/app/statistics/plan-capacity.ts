// Capacity planning (issue 17 part 2), for supervisors (their prefecture) and administrators
// (any): from one procedure's waiting list, its arrivals and no-shows of the last 8 weeks and
// the counter-hours its opening rules give over the coming 4 weeks, the waiting list projected
// over a year under the current hours, the hours needed to bring the median wait to a target
// by a horizon, and a "what if" with extra hours at one site. The model is
// domain/capacity-plan.ts's (its header says it in words; the page repeats it).
import { type AgentScope, can, scopedPrefecture } from '../../domain/agent-rules.ts';
import { addDays } from '../../domain/calendar-date.ts';
import {
  type CapacityInputs,
  type CapacityNeed,
  counterHoursNeeded,
  projectWaitingList,
  type WeekProjection,
  weeklyCounterHours,
} from '../../domain/capacity-plan.ts';
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { CapacitySite } from '../../ports/capacity-store.ts';
import type { StatisticsContext } from './statistics-context.ts';

/** Weeks of history behind the rates, weeks of opening rules behind the current hours, weeks projected. */
export const CAPACITY_HISTORY_WEEKS = 8;
export const CAPACITY_RULE_WEEKS = 4;
export const CAPACITY_PROJECTED_WEEKS = 52;
export const CAPACITY_DEFAULTS = { targetDays: 30, horizonWeeks: 26 } as const;

export interface CapacityPlanInput {
  /** Administrators choose; a supervisor's is theirs (another one is refused). */
  prefectureId?: string | null;
  procedureId: string;
  targetDays?: number;
  horizonWeeks?: number;
  /** The "what if": this many extra counter-hours a week at this site. */
  whatIf?: { siteId: string; extraHours: number } | null;
}

export interface CapacityPlan {
  prefectureId: string;
  procedureId: string;
  targetDays: number;
  horizonWeeks: number;
  inputs: CapacityInputs & { filedPerWeekWeeks: number; due: number; noShows: number };
  sites: (CapacitySite & { counterHours: number })[];
  /** The current counter-hours a week, all sites together. */
  currentHours: number;
  current: WeekProjection[];
  needed: CapacityNeed;
  underNeeded: WeekProjection[];
  whatIf: { siteId: string; siteName: string; extraHours: number; hours: number; projection: WeekProjection[] } | null;
}

export async function planCapacity(
  ctx: StatisticsContext,
  agent: AgentScope,
  input: CapacityPlanInput,
): Promise<CapacityPlan> {
  if (!can(agent, 'stats.capacity')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, input.prefectureId ?? null);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  if (prefectureId === null) throw new DomainError('PREFECTURE_NOT_FOUND', undefined, { prefectureId: null });
  const targetDays = input.targetDays ?? CAPACITY_DEFAULTS.targetDays;
  const horizonWeeks = input.horizonWeeks ?? CAPACITY_DEFAULTS.horizonWeeks;
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - CAPACITY_HISTORY_WEEKS * 7 * 86_400_000);
  const readings = await ctx.capacity.readings({ prefectureId, procedureId: input.procedureId, since, now });
  if (!readings) {
    const prefecture = await ctx.statistics.findPrefecture(prefectureId);
    if (!prefecture) throw new DomainError('PREFECTURE_NOT_FOUND', undefined, { prefectureId });
    throw new DomainError('PROCEDURE_NOT_FOUND', undefined, { procedureId: input.procedureId });
  }
  // The coming whole weeks from tomorrow: today's slots are partly gone.
  const fromDate = addDays(localDateOf(now, readings.timeZone), 1);
  const hours = weeklyCounterHours(readings.rules, readings.timeZone, fromDate, CAPACITY_RULE_WEEKS);
  const sites = readings.sites.map((s) => ({ ...s, counterHours: hours.bySite.get(s.id) ?? 0 }));
  const currentHours = sites.reduce((sum, s) => sum + s.counterHours, 0);
  const inputs: CapacityPlan['inputs'] = {
    waiting: readings.waiting,
    arrivalsPerWeek: readings.filed / CAPACITY_HISTORY_WEEKS,
    // No appointment due yet: no no-shows known, the model takes none (the page says so).
    noShowRate: readings.due === 0 ? 0 : readings.noShows / readings.due,
    slotMinutes: hours.slotMinutes ?? readings.defaultSlotMinutes,
    filedPerWeekWeeks: CAPACITY_HISTORY_WEEKS,
    due: readings.due,
    noShows: readings.noShows,
  };
  let whatIf: CapacityPlan['whatIf'] = null;
  if (input.whatIf) {
    const site = sites.find((s) => s.id === input.whatIf!.siteId);
    if (!site)
      throw new DomainError('VALIDATION_FAILED', undefined, {
        errors: [{ path: 'site', message: 'Not a site of this prefecture.' }],
      });
    const total = currentHours + input.whatIf.extraHours;
    whatIf = {
      siteId: site.id,
      siteName: site.name,
      extraHours: input.whatIf.extraHours,
      hours: total,
      projection: projectWaitingList(inputs, total, CAPACITY_PROJECTED_WEEKS),
    };
  }
  const needed = counterHoursNeeded(inputs, targetDays, horizonWeeks);
  return {
    prefectureId,
    procedureId: input.procedureId,
    targetDays,
    horizonWeeks,
    inputs,
    sites,
    currentHours,
    current: projectWaitingList(inputs, currentHours, CAPACITY_PROJECTED_WEEKS),
    needed,
    underNeeded: projectWaitingList(inputs, needed.counterHours, CAPACITY_PROJECTED_WEEKS),
    whatIf,
  };
}

/**
 * The form's lists: the procedures of the catalogue, the prefectures the agent may plan for,
 * and the sites of the one asked (none when it is not theirs: planCapacity refuses it).
 */
export async function capacityChoices(ctx: StatisticsContext, agent: AgentScope, prefectureId: string | null) {
  if (!can(agent, 'stats.capacity')) throw new DomainError('FORBIDDEN_SCOPE');
  const scoped = scopedPrefecture(agent, prefectureId ?? agent.prefectureId);
  const [procedures, prefectures, sites] = await Promise.all([
    ctx.capacity.procedures(),
    ctx.statistics.prefectures(),
    scoped ? ctx.capacity.sites(scoped) : [],
  ]);
  return {
    procedures,
    prefectures: agent.role === 'admin' ? prefectures : prefectures.filter((p) => p.id === agent.prefectureId),
    sites,
  };
}
