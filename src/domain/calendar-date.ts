// Civil dates: a day of the calendar written YYYY-MM-DD, with no time zone ("le 3 juin 2026"
// wherever one stands). Every date of the system is checked and computed here: a date is
// real (2026-02-30 is not), in the proleptic Gregorian calendar, from 0001-01-01 to
// 9999-12-31 (PostgreSQL's `date` has no year 0, and a fifth digit is not YYYY-MM-DD).
//
// Functions that take a date throw a RangeError on anything else: untrusted input goes
// through isCalendarDate (or dayNumberOf) first, and gets the caller's own refusal.
// Arithmetic is on day numbers (days since 1970-01-01), with Howard Hinnant's civil-date
// algorithms: no Date object, so none of its quirks (Date.UTC maps years 0–99 to 1900–1999,
// new Date("2026-02-30") is 2 March).

/** 1 = Monday … 7 = Sunday (ISO 8601). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** The shape alone: four, two and two digits. 2026-02-30 has it; isCalendarDate says whether it is real. */
export const CALENDAR_DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

const MIN_YEAR = 1;
const MAX_YEAR = 9999;

export const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** Days in a month (1–12) of a year: 28 to 31. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a year, month and day known to be real. */
function dayNumberOfParts(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const FIRST_DAY = dayNumberOfParts(MIN_YEAR, 1, 1);
const LAST_DAY = dayNumberOfParts(MAX_YEAR, 12, 31);

/** "2026-06-01" → 20605 (days since 1970-01-01); null unless a real date from 0001 to 9999. */
export function dayNumberOf(value: unknown): number | null {
  const m = typeof value === 'string' ? CALENDAR_DATE_SHAPE.exec(value) : null;
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return dayNumberOfParts(year, month, day);
}

/** A real date YYYY-MM-DD: "2024-02-29" yes; "2026-02-29", "2026-1-01", " 2026-01-01", "2026-01-01T00:00" no. */
export const isCalendarDate = (value: unknown): value is string => dayNumberOf(value) !== null;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** 20605 → "2026-06-01"; a RangeError outside 0001-01-01 … 9999-12-31. */
export function dateOfDayNumber(dayNumber: number): string {
  if (!Number.isInteger(dayNumber) || dayNumber < FIRST_DAY || dayNumber > LAST_DAY)
    throw new RangeError(`day ${dayNumber} is outside 0001-01-01 … 9999-12-31`);
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** (2026, 6, 1) → "2026-06-01"; a RangeError unless a real date. */
export function calendarDateOf(year: number, month: number, day: number): string {
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  requireDayNumber(date);
  return date;
}

/** The day number of a date, or a RangeError naming it. */
function requireDayNumber(date: string): number {
  const dayNumber = dayNumberOf(date);
  if (dayNumber === null) throw new RangeError(`not a calendar date YYYY-MM-DD: ${JSON.stringify(date)}`);
  return dayNumber;
}

/** "2026-02-27" + 2 → "2026-03-01". */
export const addDays = (date: string, days: number): string => dateOfDayNumber(requireDayNumber(date) + days);

/** Days from `from` to `to`: 0 on the same day, negative when `to` is earlier. */
export const daysBetween = (from: string, to: string): number => requireDayNumber(to) - requireDayNumber(from);

/**
 * Calendar months, the day clamped to the end of the target month:
 *   "2026-10-15" − 4 → "2026-06-15";  "2026-05-31" − 3 → "2026-02-28";  "2028-05-31" − 3 → "2028-02-29".
 */
export function addMonths(date: string, months: number): string {
  requireDayNumber(date);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  if (year < MIN_YEAR || year > MAX_YEAR) throw new RangeError(`${date} + ${months} months is outside 0001 … 9999`);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(Math.min(d, daysInMonth(year, month)), 2)}`;
}

/** ISO weekday of a day number; 1970-01-01 was a Thursday. */
export const isoWeekdayOfDayNumber = (dayNumber: number): IsoWeekday =>
  (((((dayNumber + 3) % 7) + 7) % 7) + 1) as IsoWeekday;

/** "2026-06-01" → 1 (a Monday). */
export const isoWeekday = (date: string): IsoWeekday => isoWeekdayOfDayNumber(requireDayNumber(date));

/** Negative, zero or positive as `a` is before, on or after `b` (for sort). */
export const compareCalendarDates = (a: string, b: string): number => requireDayNumber(a) - requireDayNumber(b);
