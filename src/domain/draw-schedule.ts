// When a prefecture draws. Pure: the caller gives the clock reading and the release instants.
//
// A draw is identified by its tick, an instant: the database keeps exactly one draw per
// (prefecture, procedure, tick) (constraint draw_once_per_tick), so every server instance
// computes the same ticks and the first to insert the draw row runs it.
//
// Two kinds of ticks, in the prefecture's own time zone:
//   * daily: every day at `dailyAt` local wall-clock time, e.g. 07:00 in Europe/Paris is
//     06:00Z in winter and 05:00Z in summer. On the spring-forward day a time that does not
//     exist moves forward (02:30 on 2026-03-29 → 03:30 CEST = 01:30Z); on the fall-back day
//     a time that happens twice is used once, at its first occurrence (the same rule as slot
//     generation: see releaseInstant in slot-generation.ts);
//   * release (when `afterRelease`): at each instant when slots of the procedure are
//     released, so freshly released slots are drawn at once instead of waiting a day.
// A release at the daily time is one tick, not two (its trigger reads 'daily').
//
// Which tick runs: only the latest tick at or before now, and only if it is at most
// CATCH_UP_MS old. A draw reads the present state (waiting requests, free slots), so after
// an outage running the latest missed tick covers the earlier ones; running them all would
// only produce empty draws.
import { localDateOf } from './local-time.ts';
import { localDateRange, releaseInstant } from './slot-generation.ts';

export type DrawTrigger = 'daily' | 'release' | 'manual';

export interface DrawSchedule {
  /** IANA zone of the prefecture, e.g. Europe/Paris, America/Cayenne. */
  timeZone: string;
  /** Local wall-clock time "HH:MM". */
  dailyAt: string;
  /** Also draw at each release instant of the procedure's slots. */
  afterRelease: boolean;
}

export interface DrawTick {
  at: Date;
  trigger: 'daily' | 'release';
}

/** Defaults of a prefecture without a draw_schedule row (the column defaults of migration 0003). */
export const DEFAULT_DRAW_SCHEDULE = { dailyAt: '07:00', afterRelease: true } as const;

/** How late a missed tick is still run (a restart at 09:00 still runs the 07:00 draw). */
export const CATCH_UP_MS = 24 * 3_600_000;

const DAY_MS = 86_400_000;

/** The instant of `time` (local wall clock) on `localDate` in `timeZone`, DST-correct. */
export function wallClockInstant(localDate: string, time: string, timeZone: string): Date {
  return releaseInstant(localDate, { daysAhead: 0, time }, timeZone);
}

/**
 * Every tick in the interval (from, to], earliest first, one per instant.
 * Example: Europe/Paris, 07:00, after release, releases at 2026-03-02T07:00Z (08:00 local),
 * from 2026-03-01T12:00Z to 2026-03-02T12:00Z → [2026-03-02T06:00Z daily, 2026-03-02T07:00Z release].
 */
export function ticksBetween(schedule: DrawSchedule, releaseInstants: readonly Date[], from: Date, to: Date): DrawTick[] {
  const byInstant = new Map<number, DrawTick>();
  const inWindow = (t: number) => t > from.getTime() && t <= to.getTime();
  if (schedule.afterRelease) {
    for (const instant of releaseInstants) {
      const t = instant.getTime();
      if (inWindow(t)) byInstant.set(t, { at: new Date(t), trigger: 'release' });
    }
  }
  // A day of margin on each side: the local dates of the interval's ends, whatever the offset.
  const firstDate = localDateOf(new Date(from.getTime() - DAY_MS), schedule.timeZone);
  const lastDate = localDateOf(new Date(to.getTime() + DAY_MS), schedule.timeZone);
  for (const date of localDateRange(firstDate, lastDate)) {
    const t = wallClockInstant(date, schedule.dailyAt, schedule.timeZone).getTime();
    if (inWindow(t)) byInstant.set(t, { at: new Date(t), trigger: 'daily' });
  }
  return [...byInstant.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The tick to run at `now`: the latest tick in (now − catchUpMs, now], or null.
 * Example: daily 07:00 Paris, no release; now 2026-01-15T08:30Z → 2026-01-15T06:00Z;
 * now 2026-01-15T05:00Z → the previous day's 06:00Z.
 */
export function latestDueTick(schedule: DrawSchedule, releaseInstants: readonly Date[], now: Date, catchUpMs: number = CATCH_UP_MS): DrawTick | null {
  const ticks = ticksBetween(schedule, releaseInstants, new Date(now.getTime() - catchUpMs), now);
  return ticks.at(-1) ?? null;
}
