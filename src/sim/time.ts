// Simulated time: integer milliseconds since the start of the run, which is a Monday 00:00.
// An abstract calendar: every Monday–Friday is a working day (no public holidays, no time
// zone), which is all the comparison between policies needs.
import { dateOfDayNumber, dayNumberOf } from '../domain/calendar-date.ts';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Day 0 is 1 January 2029, a Monday: only to name dates for the domain's date rules. */
const FIRST_DAY = dayNumberOf('2029-01-01')!;

const dates: string[] = [];

/** "YYYY-MM-DD" of the day of an instant (negative instants are days before the run). */
export function calendarDate(t: number): string {
  const day = Math.floor(t / DAY);
  if (day < 0) return dateOfDayNumber(FIRST_DAY + day);
  return (dates[day] ??= dateOfDayNumber(FIRST_DAY + day));
}

/** Day index (0 = the first Monday) of an instant. */
export const dayOf = (t: number): number => Math.floor(t / DAY);

/** 0 = Monday … 6 = Sunday. */
export const weekdayOf = (day: number): number => day % 7;

export const isWorkingDay = (day: number): boolean => weekdayOf(day) < 5;

/** The working day `count` working days after `day` (count ≥ 1). */
export function addWorkingDays(day: number, count: number): number {
  let result = day;
  for (let left = count; left > 0; ) {
    result++;
    if (isWorkingDay(result)) left--;
  }
  return result;
}

/** "HH:MM" → milliseconds after midnight. */
export function timeOfDay(hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) throw new Error(`not a time of day: ${hhmm}`);
  return Number(match[1]) * HOUR + Number(match[2]) * MINUTE;
}

/**
 * People act while awake, 07:00–23:00. Adds `awake` milliseconds of awake time to `t`,
 * skipping nights. Example: 22:30 + 1 h of awake time → 07:30 the next day.
 */
export const WAKE = 7 * HOUR;
export const SLEEP = 23 * HOUR;
export const AWAKE_PER_DAY = SLEEP - WAKE;

export function addAwakeTime(t: number, awake: number): number {
  let day = dayOf(t);
  let within = Math.min(Math.max(t - day * DAY, WAKE), SLEEP);
  let left = awake;
  for (;;) {
    const room = SLEEP - within;
    if (left <= room) return day * DAY + within + left;
    left -= room;
    day++;
    within = WAKE;
  }
}
