// The iCalendar attachment of appointment messages (RFC 5545, with iTIP methods, RFC 5546):
// METHOD:REQUEST to add or update the event, METHOD:CANCEL to remove it. One UID per
// appointment, so a calendar updates the same event; SEQUENCE grows with each reschedule
// (and once more for the cancellation). Times are the site's local time (TZID), with a
// VTIMEZONE that describes the zone's offsets around the appointment, built here from the
// IANA database through luxon (ical-generator has none of its own).
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime, IANAZone } from 'luxon';
import type { AppointmentNotice } from '../../../ports/outbox.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The calendar event's UID: stable for an appointment, whatever happens to it. */
export const appointmentUid = (appointmentId: string): string => `appointment-${appointmentId}@creneau`;

const offsetText = (minutes: number): string => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
};

/** Local wall time of `instant` at UTC offset `offsetMinutes`, as iCalendar writes it: 20260329T020000. */
const wallTime = (instant: number, offsetMinutes: number): string =>
  new Date(instant + offsetMinutes * MINUTE_MS).toISOString().slice(0, 19).replace(/[-:]/g, '');

/** The first minute at which the offset differs from the offset at `before` (between before and after, one change). */
function changeBetween(zone: IANAZone, before: number, after: number): number {
  const initial = zone.offset(before);
  let lo = before;
  let hi = after;
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (zone.offset(mid) === initial) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * A VTIMEZONE for `zoneName` valid from the year before `around` to the year after: one
 * component per offset change in that span (DAYLIGHT when the offset grows, STANDARD when it
 * shrinks), after a first one that fixes the offset at the start. A zone without changes
 * (America/Cayenne) gets that first component only.
 */
export function vtimezone(zoneName: string, around: Date): string | null {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) return null;
  const year = DateTime.fromJSDate(around, { zone }).year;
  // The same for every message of a zone and year, and costly: ~1,100 offset lookups through
  // Intl (about 1 ms, most of a confirmation's rendering). Kept for the life of the process
  // (a few zones × a few years).
  const key = `${zoneName} ${year}`;
  let text = vtimezones.get(key);
  if (text === undefined) {
    text = vtimezoneOfYears(zone, zoneName, year);
    if (vtimezones.size < MAX_CACHED_VTIMEZONES) vtimezones.set(key, text);
  }
  return text;
}

const vtimezones = new Map<string, string>();
const MAX_CACHED_VTIMEZONES = 256;

function vtimezoneOfYears(zone: IANAZone, zoneName: string, year: number): string {
  const start = Date.UTC(year - 1, 0, 1);
  const end = Date.UTC(year + 2, 0, 1);
  const startOffset = zone.offset(start);
  const parts = [
    'BEGIN:VTIMEZONE',
    `TZID:${zoneName}`,
    'BEGIN:STANDARD',
    `DTSTART:${wallTime(start, startOffset)}`,
    `TZOFFSETFROM:${offsetText(startOffset)}`,
    `TZOFFSETTO:${offsetText(startOffset)}`,
    'END:STANDARD',
  ];
  let offset = startOffset;
  for (let day = start; day < end; day += DAY_MS) {
    const next = zone.offset(day + DAY_MS);
    if (next === offset) continue;
    const at = changeBetween(zone, day, day + DAY_MS);
    const kind = next > offset ? 'DAYLIGHT' : 'STANDARD';
    parts.push(
      `BEGIN:${kind}`,
      `DTSTART:${wallTime(at, offset)}`,
      `TZOFFSETFROM:${offsetText(offset)}`,
      `TZOFFSETTO:${offsetText(next)}`,
      `END:${kind}`,
    );
    offset = next;
  }
  parts.push('END:VTIMEZONE');
  return parts.join('\r\n');
}

export interface AppointmentCalendar {
  appointment: AppointmentNotice;
  method: 'REQUEST' | 'CANCEL';
  sequence: number;
  summary: string;
  description: string;
  /** DTSTAMP: when the message was written (not when it is sent: a retry gives the same file). */
  stamp: Date;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
}

/** The .ics text of one appointment. */
export function appointmentCalendar(c: AppointmentCalendar): string {
  const { appointment: a } = c;
  const calendar = ical({
    prodId: { company: 'Créneau', product: 'creneau', language: 'FR' },
    method: c.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    // No calendar-wide zone (its X-WR-TIMEZONE would make DTSTAMP floating): each event names
    // its zone, and the generator writes the VTIMEZONE of the zones the events use.
    timezone: { name: null, generator: (zone) => vtimezone(zone, new Date(a.startsAt)) },
  });
  calendar.createEvent({
    id: appointmentUid(a.appointmentId),
    sequence: c.sequence,
    stamp: c.stamp,
    timezone: a.timeZone,
    start: DateTime.fromISO(a.startsAt, { zone: a.timeZone }),
    end: DateTime.fromISO(a.endsAt, { zone: a.timeZone }),
    summary: c.summary,
    description: c.description,
    location: `${a.siteName}, ${a.siteAddress}`,
    status: c.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: c.organizer,
    attendees: [c.attendee],
  });
  return calendar.toString();
}
