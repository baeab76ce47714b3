// When a queue (prefecture + procedure) is drawn, and how long a slot waits before its first
// draw. Pure: the caller gives the clock reading.
//
// A draw is identified by its tick, an instant: the database keeps exactly one draw per
// (prefecture, procedure, tick) (constraint draw_once_per_tick), so every server instance
// computes the same ticks and the first to insert the draw row runs it.
//
// Ticks, in the prefecture's own time zone:
//   * daily (the default): every day at `dailyAt` local wall-clock time, e.g. 07:00 in
//     Europe/Paris is 06:00Z in winter and 05:00Z in summer — for scarce procedures, where
//     a day's requests form one batch — then every hour until 20:00, so that a slot freed
//     during the day is drawn within the hour among everyone waiting (a late cancellation
//     must not leave a slot that nobody can be offered in time);
//   * cadence: every `everyMinutes` from `fromTime` to `untilTime` (both included when they
//     fall on the step), every day — for calm procedures, so that a person rarely waits for
//     nothing: 15 minutes from 08:00 to 18:00 → 08:00, 08:15, …, 18:00.
// A time that does not exist on the spring-forward day moves forward, one that happens
// twice is used once (the rule of slot generation: releaseInstant in slot-generation.ts).
// There are no ticks at release instants: a release is an instant anyone can watch.
//
// The collection window. A newly released slot is drawn only once it has been available for
// a full window: the cadence's step, or 12 hours for daily draws. Everybody who asks within
// that window is in the same lottery, so reacting in a second instead of an hour buys
// nothing. A slot freed by a cancellation, a move, a decline or an expiry waits the same
// window, but at most an hour (FREED_COLLECTION_MS): the requests it goes to are already
// there, in their batches, and waiting longer would only let it become too late to offer.
// A slot becomes open (first come) only at a draw, never at the instant of its release or its
// cancellation, so nobody can time it.
//
// Which tick runs: only the latest tick at or before now, and only if it is at most
// CATCH_UP_MS old. A draw reads the present state (waiting requests, free slots), so after
// an outage running the latest missed tick covers the earlier ones.
import { localDateOf } from './local-time.ts';
import { localDateRange, releaseInstant } from './slot-generation.ts';

export type DrawTrigger = 'daily' | 'cadence' | 'manual';

export interface DrawCadence {
  everyMinutes: number;
  /** Local wall-clock times "HH:MM", fromTime < untilTime. */
  fromTime: string;
  untilTime: string;
}

export interface DrawSchedule {
  /** IANA zone of the prefecture, e.g. Europe/Paris, America/Cayenne. */
  timeZone: string;
  /** Local wall-clock time "HH:MM" of the daily draw (used when there is no cadence). */
  dailyAt: string;
  /** Draws through the day instead of once a day. */
  cadence: DrawCadence | null;
}

export interface DrawTick {
  at: Date;
  trigger: 'daily' | 'cadence';
}

/** Default of a prefecture without a draw_schedule row (the column default of migration 0003). */
export const DEFAULT_DRAW_SCHEDULE = { dailyAt: '07:00' } as const;

/** How late a missed tick is still run (a restart at 09:00 still runs the 07:00 draw). */
export const CATCH_UP_MS = 24 * 3_600_000;

/** The collection window of daily draws. */
export const DAILY_COLLECTION_MS = 12 * 3_600_000;
/** The longest a freed slot waits before its draw. */
export const FREED_COLLECTION_MS = 3_600_000;
/** Daily schedules also draw every hour after the daily draw, up to this local time. */
export const HOURLY_UNTIL = '20:00';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The instant of `time` (local wall clock) on `localDate` in `timeZone`, DST-correct. */
export function wallClockInstant(localDate: string, time: string, timeZone: string): Date {
  return releaseInstant(localDate, { daysAhead: 0, time }, timeZone);
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const timeOf = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The local times of a day's ticks: "07:00", "08:00", … "20:00" (daily), or "08:00", "08:15", … "18:00" (a cadence). */
export function tickTimes(schedule: Pick<DrawSchedule, 'dailyAt' | 'cadence'>): string[] {
  const cadence = schedule.cadence ?? {
    everyMinutes: 60,
    fromTime: schedule.dailyAt,
    untilTime: schedule.dailyAt > HOURLY_UNTIL ? schedule.dailyAt : HOURLY_UNTIL,
  };
  const times: string[] = [];
  for (let m = minutesOf(cadence.fromTime); m <= minutesOf(cadence.untilTime); m += cadence.everyMinutes)
    times.push(timeOf(m));
  return times;
}

/** How long a released slot must have been available before a draw of this schedule takes it. */
export function collectionWindowMs(schedule: Pick<DrawSchedule, 'cadence'>): number {
  return schedule.cadence ? schedule.cadence.everyMinutes * MINUTE_MS : DAILY_COLLECTION_MS;
}

/** The same for a freed slot: the window, at most an hour. */
export function freedCollectionWindowMs(schedule: Pick<DrawSchedule, 'cadence'>): number {
  return Math.min(collectionWindowMs(schedule), FREED_COLLECTION_MS);
}

/**
 * Every tick in the interval (from, to], earliest first, one per instant.
 * Example: Europe/Paris, daily 07:00, from 2026-03-01T12:00Z to 2026-03-02T12:00Z →
 * [2026-03-02T06:00Z daily]; every 15 min 08:00–09:00 on 2026-03-02 → 07:00Z, 07:15Z, …, 08:00Z.
 */
export function ticksBetween(schedule: DrawSchedule, from: Date, to: Date): DrawTick[] {
  const byInstant = new Map<number, DrawTick>();
  const trigger = schedule.cadence ? 'cadence' : 'daily';
  // Daily schedules tick hourly after the daily draw; those ticks are 'daily' too.
  const times = tickTimes(schedule);
  // A day of margin on each side: the local dates of the interval's ends, whatever the offset.
  const firstDate = localDateOf(new Date(from.getTime() - DAY_MS), schedule.timeZone);
  const lastDate = localDateOf(new Date(to.getTime() + DAY_MS), schedule.timeZone);
  for (const date of localDateRange(firstDate, lastDate)) {
    for (const time of times) {
      const t = wallClockInstant(date, time, schedule.timeZone).getTime();
      if (t > from.getTime() && t <= to.getTime()) byInstant.set(t, { at: new Date(t), trigger });
    }
  }
  return [...byInstant.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The tick to run at `now`: the latest tick in (now − catchUpMs, now], or null.
 * Example: daily 07:00 Paris; now 2026-01-15T08:30Z → 2026-01-15T06:00Z;
 * now 2026-01-15T05:00Z → the previous day's 06:00Z.
 */
export function latestDueTick(schedule: DrawSchedule, now: Date, catchUpMs: number = CATCH_UP_MS): DrawTick | null {
  const ticks = ticksBetween(schedule, new Date(now.getTime() - catchUpMs), now);
  return ticks.at(-1) ?? null;
}
