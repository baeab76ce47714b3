// What the public numbers show (issue 17), read from the stored weeks only:
//   * the prefectures that have figures (the /statistiques list);
//   * one prefecture's year, for one procedure or all of them, after the suppression rule;
//   * the open data: the same weeks as rows, for one prefecture or for all of them;
//   * the national view for administrators: every prefecture's last complete week side by
//     side, all procedures together, sorted (the worst median wait first by default).
import { type AgentScope, can } from '../../domain/agent-rules.ts';
import { addDays } from '../../domain/calendar-date.ts';
import { DomainError } from '../../domain/errors.ts';
import { NATIONAL_TIME_ZONE } from '../../domain/local-time.ts';
import {
  ALL_PROCEDURES,
  fillWeeks,
  type NationalSort,
  type PublishedWeek,
  publishWeek,
  sortNational,
  WEEKS_SHOWN,
  type WeeklyFigures,
  type WeeklyPressure,
  weeksUpTo,
} from '../../domain/public-statistics.ts';
import type { StatisticsPrefecture, StatisticsProcedure } from '../../ports/public-statistics-store.ts';
import type { StatisticsContext } from './statistics-context.ts';

/** A week early enough for every zone's first of `count` weeks: zones are at most a day apart from Paris. */
const earliestWeek = (now: Date, count: number): string => addDays(weeksUpTo(now, NATIONAL_TIME_ZONE, count)[0]!, -7);

export async function listStatisticsPrefectures(ctx: StatisticsContext): Promise<StatisticsPrefecture[]> {
  return ctx.statistics.prefectures();
}

export interface PrefectureStatistics {
  prefecture: StatisticsPrefecture;
  /** The procedure shown; null: all procedures together. */
  procedure: StatisticsProcedure | null;
  procedures: StatisticsProcedure[];
  /** The 53 weeks, oldest first, raw (an empty week where nothing was stored). */
  weeks: WeeklyFigures[];
  /** The same after the suppression rule: what may be shown. */
  published: PublishedWeek[];
  /** National counts of refused automated requests, same weeks (metropolitan). */
  pressure: WeeklyPressure[];
  computedAt: Date | null;
}

async function prefectureOf(ctx: StatisticsContext, prefectureId: string): Promise<StatisticsPrefecture> {
  const prefecture = await ctx.statistics.findPrefecture(prefectureId);
  if (!prefecture) throw new DomainError('PREFECTURE_NOT_FOUND', undefined, { prefectureId });
  return prefecture;
}

export async function viewPrefectureStatistics(
  ctx: StatisticsContext,
  input: { prefectureId: string; procedureId?: string | null },
): Promise<PrefectureStatistics> {
  const prefecture = await prefectureOf(ctx, input.prefectureId);
  const procedureId = input.procedureId ?? null;
  const weeks = weeksUpTo(ctx.clock.now(), prefecture.timeZone, WEEKS_SHOWN);
  // Independent reads at once: on PostgreSQL each takes a connection of the pool.
  const [procedures, stored, pressure, computedAt] = await Promise.all([
    ctx.statistics.proceduresOf(prefecture.id),
    ctx.statistics.weeks({
      prefectureId: prefecture.id,
      procedureId: procedureId ?? ALL_PROCEDURES,
      fromWeek: weeks[0]!,
    }),
    ctx.statistics.pressure(weeks[0]!),
    ctx.statistics.lastComputedAt(),
  ]);
  const procedure = procedureId === null ? null : (procedures.find((p) => p.id === procedureId) ?? null);
  if (procedureId !== null && !procedure)
    throw new DomainError('PROCEDURE_NOT_FOUND', undefined, { procedureId, prefectureId: prefecture.id });
  const filled = fillWeeks(stored, weeks, prefecture.id, procedureId ?? ALL_PROCEDURES);
  const byWeek = new Map(pressure.map((p) => [p.weekStart, p]));
  return {
    prefecture,
    procedure,
    procedures,
    weeks: filled,
    published: filled.map(publishWeek),
    pressure: weeks.map((w) => byWeek.get(w) ?? { weekStart: w, powRefused: 0, rateLimited: 0 }),
    computedAt,
  };
}

export interface OpenDataRow {
  prefectureId: string;
  prefectureName: string;
  procedureId: string;
  procedureNameFr: string | null;
  week: PublishedWeek;
}

export interface OpenData {
  /** null: every prefecture. */
  prefectureId: string | null;
  rows: OpenDataRow[];
  pressure: WeeklyPressure[];
  computedAt: Date | null;
}

/** The stored weeks of the last year (only weeks the job stored: an absent week has no row), suppression applied. */
export async function openData(ctx: StatisticsContext, input: { prefectureId: string | null }): Promise<OpenData> {
  const prefectures =
    input.prefectureId === null ? await ctx.statistics.prefectures() : [await prefectureOf(ctx, input.prefectureId)];
  const names = new Map(prefectures.map((p) => [p.id, p.name]));
  const procedures = new Map((await ctx.statistics.allProcedures()).map((p) => [p.id, p.nameFr]));
  const fromWeek = earliestWeek(ctx.clock.now(), WEEKS_SHOWN);
  const stored = await ctx.statistics.weeks({ prefectureId: input.prefectureId, procedureId: null, fromWeek });
  const nowWeeks = new Map(prefectures.map((p) => [p.id, weeksUpTo(ctx.clock.now(), p.timeZone, WEEKS_SHOWN)[0]!]));
  return {
    prefectureId: input.prefectureId,
    rows: stored
      .filter((f) => names.has(f.prefectureId) && f.weekStart >= nowWeeks.get(f.prefectureId)!)
      .map((f) => ({
        prefectureId: f.prefectureId,
        prefectureName: names.get(f.prefectureId)!,
        procedureId: f.procedureId,
        procedureNameFr: procedures.get(f.procedureId) ?? null,
        week: publishWeek(f),
      })),
    pressure: await ctx.statistics.pressure(fromWeek),
    computedAt: await ctx.statistics.lastComputedAt(),
  };
}

export interface NationalView {
  /** The week shown: the last complete week (metropolitan). */
  weekStart: string;
  sort: NationalSort;
  order: 'asc' | 'desc';
  rows: { id: string; name: string; week: PublishedWeek }[];
}

export async function viewNationalStatistics(
  ctx: StatisticsContext,
  agent: AgentScope,
  input: { sort?: NationalSort; order?: 'asc' | 'desc' },
): Promise<NationalView> {
  if (!can(agent, 'stats.national')) throw new DomainError('FORBIDDEN_SCOPE');
  const sort = input.sort ?? 'wait_median_days';
  const order = input.order ?? (sort === 'name' ? 'asc' : 'desc');
  const now = ctx.clock.now();
  const prefectures = await ctx.statistics.prefectures();
  // Each prefecture's own last complete week (its zone's calendar); the page names metropolitan's.
  const lastComplete = (timeZone: string) => weeksUpTo(now, timeZone, 2)[0]!;
  const stored = await ctx.statistics.weeks({
    prefectureId: null,
    procedureId: ALL_PROCEDURES,
    fromWeek: earliestWeek(now, 2),
  });
  const byKey = new Map(stored.map((f) => [`${f.prefectureId}|${f.weekStart}`, f]));
  const rows = prefectures.map((p) => {
    const week = lastComplete(p.timeZone);
    const figures = byKey.get(`${p.id}|${week}`) ?? fillWeeks([], [week], p.id, ALL_PROCEDURES)[0]!;
    return { id: p.id, name: p.name, week: publishWeek(figures) };
  });
  return { weekStart: lastComplete(NATIONAL_TIME_ZONE), sort, order, rows: sortNational(rows, sort, order) };
}
