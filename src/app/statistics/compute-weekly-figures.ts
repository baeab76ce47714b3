// The weekly-figures job (issue 17): once per period (an hour by default) across every
// instance — the first to insert the period's run row computes, the others skip — it
// recomputes the current and the previous week of every prefecture (the previous week gets
// its last late events: an offer confirmed on Sunday night, a no-show marked on Monday), and
// replaces their stored rows. Older weeks stay frozen as computed. A prefecture whose year is
// not complete (a new one, the first run on a database with history, a run cut short) gets
// its whole year at once. The period's run row is written first: a run that fails leaves the
// rest of its hour to the next period.
// Running it twice for the same weeks stores the same rows: it is idempotent.
import { NATIONAL_TIME_ZONE } from '../../domain/local-time.ts';
import { WEEKS_SHOWN, weekBounds, weeksUpTo } from '../../domain/public-statistics.ts';
import { type PeriodicJob, startPeriodicJob } from '../shared/periodic-job.ts';
import type { StatisticsContext } from './statistics-context.ts';

export const STATISTICS_PERIOD_MS = 60 * 60_000;
/** Run rows are kept this long (a trace of when figures were computed), then purged. */
const RUNS_KEPT_MS = 30 * 86_400_000;

export interface WeeklyFiguresReport {
  status: 'computed' | 'skipped';
  /** The period's key: the ISO instant its period starts ("2026-12-06T09:00:00.000Z"). */
  period: string;
  /** Prefecture-weeks computed, and rows stored. */
  weeks: number;
  rows: number;
}

export const periodOf = (now: Date, periodMs = STATISTICS_PERIOD_MS): string =>
  new Date(Math.floor(now.getTime() / periodMs) * periodMs).toISOString();

export async function computeWeeklyFigures(
  ctx: StatisticsContext,
  options: { periodMs?: number; signal?: AbortSignal } = {},
): Promise<WeeklyFiguresReport> {
  const now = ctx.clock.now();
  const period = periodOf(now, options.periodMs);
  if (!(await ctx.statistics.claimRun(period, now, new Date(now.getTime() - RUNS_KEPT_MS))))
    return { status: 'skipped', period, weeks: 0, rows: 0 };
  let weeks = 0;
  let rows = 0;
  for (const prefecture of await ctx.statistics.prefectures()) {
    const all = weeksUpTo(now, prefecture.timeZone, WEEKS_SHOWN);
    // The year's oldest week is written last: while it is missing (a new prefecture, a first
    // run cut short), the whole year is computed again, newest first.
    const due = (await ctx.statistics.hasWeek(prefecture.id, all[0]!)) ? all.slice(-2) : all;
    for (const weekStart of [...due].reverse()) {
      // Stopping (SIGTERM) never waits for a year of weeks: the oldest is still missing, so
      // the next run computes the year again.
      if (options.signal?.aborted) return { status: 'computed', period, weeks, rows };
      const { from, to } = weekBounds(weekStart, prefecture.timeZone);
      const figures = await ctx.statistics.computeWeek({
        prefectureId: prefecture.id,
        timeZone: prefecture.timeZone,
        weekStart,
        from,
        to,
        now,
      });
      await ctx.statistics.replaceWeek(prefecture.id, weekStart, figures, now);
      weeks += 1;
      rows += figures.length;
    }
  }
  // The national automation counts: the previous and current metropolitan weeks.
  const national = weeksUpTo(now, NATIONAL_TIME_ZONE, WEEKS_SHOWN);
  const known = (await ctx.statistics.pressure(national[0]!)).length > 0;
  for (const weekStart of known ? national.slice(-2) : national) {
    const { from, to } = weekBounds(weekStart, NATIONAL_TIME_ZONE);
    await ctx.statistics.computePressure(weekStart, from, to, now);
  }
  await ctx.statistics.finishRun(period, ctx.clock.now());
  return { status: 'computed', period, weeks, rows };
}

/**
 * Runs the job every `intervalMs` (5 minutes is right: the hour's first run on any instance
 * computes, the others skip at the cost of one insert). Not part of the upkeep, which startup
 * awaits: a first run on a database with a year of history takes a while.
 */
export function startWeeklyFiguresJob(
  ctx: StatisticsContext,
  options: {
    intervalMs: number;
    onReport?: (report: WeeklyFiguresReport) => void;
    onError?: (error: unknown) => void;
  },
): Pick<PeriodicJob<WeeklyFiguresReport>, 'runNow' | 'stop'> {
  const stopping = new AbortController();
  const job = startPeriodicJob(() => computeWeeklyFigures(ctx, { signal: stopping.signal }), options);
  return {
    runNow: job.runNow,
    async stop() {
      stopping.abort();
      await job.stop();
    },
  };
}
