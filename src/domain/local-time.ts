// Calendar dates as the people of a prefecture see them, from an instant and a time zone
// (arithmetic on the dates themselves: calendar-date.ts).
import { DateTime } from 'luxon';

/** 2026-03-28T23:30:00Z in Europe/Paris → "2026-03-29"; in America/Cayenne → "2026-03-28". */
export function localDateOf(instant: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`Unknown time zone: ${timeZone}`);
  return local.toISODate()!;
}

/** One formatter per zone: building a luxon DateTime per slot was most of a calendar answer's formatting. */
const hourMinuteIn = new Map<string, Intl.DateTimeFormat>();

/** "2026-03-29T09:00" wall-clock in a zone, for display: 2026-03-29T07:00:00Z in Paris → "09:00". */
export function localTimeOf(instant: Date, timeZone: string): string {
  let format = hourMinuteIn.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    hourMinuteIn.set(timeZone, format);
  }
  return format.format(instant);
}

/** Metropolitan time: what national events (an administrator's, the system's) are shown in. */
export const NATIONAL_TIME_ZONE = 'Europe/Paris';

/** The instant a local day starts: ("2026-06-01", America/Cayenne) → 2026-06-01T03:00:00Z. */
export function startOfLocalDate(date: string, timeZone: string): Date {
  return DateTime.fromISO(date, { zone: timeZone }).startOf('day').toJSDate();
}

/** Date and time of day in a zone, as a spreadsheet reads them: 2026-06-01T08:00:00Z in America/Cayenne → "2026-06-01 05:00:00". */
export function localDateTimeText(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm:ss');
}
