// Public numbers (issue 17): weekly figures per prefecture and procedure, the same list of
// indicators for the page, the CSV, the JSON and the data dictionary.
//
// Weeks are ISO weeks (Monday to Sunday) of the prefecture's own calendar: in Cayenne a
// request filed on Sunday 23:30 belongs to that Sunday's week even though it is Monday in
// Paris. A week's instants run from its Monday 00:00 local to the next Monday 00:00 local, so
// the week of a change to summer time is 167 hours long (weekBounds).
//
// Privacy (statistical secrecy): no figure computed on fewer than 10 people is published.
// Each indicator names its base (the people it is computed on); when 1 to 9 people make the
// base, the figure is replaced by null and marked "suppressed". A base of 0 reveals nobody:
// counts show 0, and a median or share of nobody is "none" (no data). Slots, draws and automated requests are not people: never
// suppressed.
import { addDays, isoWeekday } from './calendar-date.ts';
import { localDateOf, startOfLocalDate } from './local-time.ts';

/** Fewer people than this behind a figure: suppressed. */
export const SUPPRESSION_THRESHOLD = 10;
/** A year of weeks: what the page, the CSV and the JSON show. */
export const WEEKS_SHOWN = 53;
/** "All procedures together": the rows the job adds beside one row per procedure. */
export const ALL_PROCEDURES = '*';

export const OPEN_LICENCE = {
  name: 'Licence Ouverte / Open Licence version 2.0',
  url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
} as const;

/** The Monday that starts the week of `date` (a local calendar date). */
export const weekStartOfDate = (date: string): string => addDays(date, 1 - isoWeekday(date));

/** The week of an instant, in the prefecture's zone: 2026-03-29T22:30:00Z (Monday 00:30 in Paris) → "2026-03-30". */
export const weekStartOf = (instant: Date, timeZone: string): string => weekStartOfDate(localDateOf(instant, timeZone));

/** The instants of a week in a zone: [Monday 00:00 local, next Monday 00:00 local). */
export function weekBounds(weekStart: string, timeZone: string): { from: Date; to: Date; lastDate: string } {
  return {
    from: startOfLocalDate(weekStart, timeZone),
    to: startOfLocalDate(addDays(weekStart, 7), timeZone),
    lastDate: addDays(weekStart, 6),
  };
}

/** The `count` weeks up to and including the week of `now`, oldest first. */
export function weeksUpTo(now: Date, timeZone: string, count = WEEKS_SHOWN): string[] {
  const current = weekStartOf(now, timeZone);
  return Array.from({ length: count }, (_, i) => addDays(current, -7 * (count - 1 - i)));
}

/**
 * The continuous quantile of SQL's percentile_cont (linear interpolation between the two
 * nearest ranks), so the figures the job stores and this function agree:
 * [1, 2, 3, 4] → median 2.5, p90 3.7. Null for no values.
 */
export function quantile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export type FigureStatus = 'published' | 'suppressed' | 'none';

export interface Figure {
  value: number | null;
  status: FigureStatus;
}

/** The suppression rule: a value on `people` people (null: not about people, always shown). */
export function publishedFigure(value: number | null, people: number | null): Figure {
  if (people !== null && people > 0 && people < SUPPRESSION_THRESHOLD) return { value: null, status: 'suppressed' };
  if (value === null) return { value: null, status: 'none' };
  return { value, status: 'published' };
}

/** One week of one procedure (or ALL_PROCEDURES) of one prefecture, as the job stores it: raw, before suppression. */
export interface WeeklyFigures {
  prefectureId: string;
  procedureId: string;
  weekStart: string;
  /** Requests that accepted an offer this week, and their days from filing to the appointment's day. */
  requestsBooked: number;
  waitMedianDays: number | null;
  waitP90Days: number | null;
  /** Open slots booked this week (first come, after a draw left them), and their days from release to booking. */
  openBooked: number;
  openMedianDays: number | null;
  openP90Days: number | null;
  /** Requests still waiting at the end of the week (now, for the current week), and their median age in days. */
  requestsWaiting: number;
  waitingAgeMedianDays: number | null;
  /** Slots whose day falls in the week: released, taken (a live appointment), open (left by a draw), unused (past, not taken). */
  slotsOffered: number;
  slotsTaken: number;
  slotsOpen: number;
  slotsUnused: number;
  /** Confirmed urgent requests whose document expires this week (on a past day), and those with an appointment on or before that day. */
  urgentCases: number;
  urgentServed: number;
  /** Appointments due this week (slot started, not cancelled), and no-shows among them. */
  appointmentsDue: number;
  noShows: number;
  draws: number;
  /** Requests filed this week with a declared urgency (held for an agent's review), and those refused. */
  urgencyHeld: number;
  urgencyRefused: number;
  /** Requests held out of draws for a fraud check during the week (domain/fraud-signals.ts), and those refused after the check. */
  fraudHeld: number;
  fraudRefused: number;
}

/** National counts of automated requests refused in a week (metropolitan weeks): not tied to a prefecture. */
export interface WeeklyPressure {
  weekStart: string;
  powRefused: number;
  rateLimited: number;
}

export type IndicatorUnit = 'days' | 'count' | 'share';
/** What an indicator counts: people (suppressed under 10), slots, draws or automated requests (never suppressed). */
export type IndicatorSubject = 'people' | 'slots' | 'draws' | 'automation';

export interface Indicator {
  id: string;
  unit: IndicatorUnit;
  subject: IndicatorSubject;
  /** The chart it is drawn on (the page's sections). */
  chart: ChartId;
  compute(f: WeeklyFigures): Figure;
}

export const CHART_IDS = ['wait', 'openWait', 'waiting', 'slots', 'urgent', 'noShows', 'draws', 'held'] as const;
export type ChartId = (typeof CHART_IDS)[number];

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const people = (value: number | null, base: number): Figure => publishedFigure(value, base);
const notPeople = (value: number): Figure => publishedFigure(value, null);

/** Every weekly indicator, in the order of the CSV's columns and the page's sections. */
export const INDICATORS: readonly Indicator[] = [
  {
    id: 'wait_median_days',
    unit: 'days',
    subject: 'people',
    chart: 'wait',
    compute: (f) => people(f.waitMedianDays, f.requestsBooked),
  },
  {
    id: 'wait_p90_days',
    unit: 'days',
    subject: 'people',
    chart: 'wait',
    compute: (f) => people(f.waitP90Days, f.requestsBooked),
  },
  {
    id: 'requests_booked',
    unit: 'count',
    subject: 'people',
    chart: 'wait',
    compute: (f) => people(f.requestsBooked, f.requestsBooked),
  },
  {
    id: 'open_wait_median_days',
    unit: 'days',
    subject: 'people',
    chart: 'openWait',
    compute: (f) => people(f.openMedianDays, f.openBooked),
  },
  {
    id: 'open_wait_p90_days',
    unit: 'days',
    subject: 'people',
    chart: 'openWait',
    compute: (f) => people(f.openP90Days, f.openBooked),
  },
  {
    id: 'open_booked',
    unit: 'count',
    subject: 'people',
    chart: 'openWait',
    compute: (f) => people(f.openBooked, f.openBooked),
  },
  {
    id: 'requests_waiting',
    unit: 'count',
    subject: 'people',
    chart: 'waiting',
    compute: (f) => people(f.requestsWaiting, f.requestsWaiting),
  },
  {
    id: 'waiting_age_median_days',
    unit: 'days',
    subject: 'people',
    chart: 'waiting',
    compute: (f) => people(f.waitingAgeMedianDays, f.requestsWaiting),
  },
  { id: 'slots_offered', unit: 'count', subject: 'slots', chart: 'slots', compute: (f) => notPeople(f.slotsOffered) },
  { id: 'slots_taken', unit: 'count', subject: 'slots', chart: 'slots', compute: (f) => notPeople(f.slotsTaken) },
  { id: 'slots_open', unit: 'count', subject: 'slots', chart: 'slots', compute: (f) => notPeople(f.slotsOpen) },
  { id: 'slots_unused', unit: 'count', subject: 'slots', chart: 'slots', compute: (f) => notPeople(f.slotsUnused) },
  {
    id: 'urgent_cases',
    unit: 'count',
    subject: 'people',
    chart: 'urgent',
    compute: (f) => people(f.urgentCases, f.urgentCases),
  },
  {
    id: 'urgent_served_share',
    unit: 'share',
    subject: 'people',
    chart: 'urgent',
    compute: (f) => people(ratio(f.urgentServed, f.urgentCases), f.urgentCases),
  },
  {
    id: 'appointments_due',
    unit: 'count',
    subject: 'people',
    chart: 'noShows',
    compute: (f) => people(f.appointmentsDue, f.appointmentsDue),
  },
  {
    id: 'no_shows',
    unit: 'count',
    subject: 'people',
    chart: 'noShows',
    compute: (f) => people(f.noShows, f.appointmentsDue),
  },
  {
    id: 'no_show_rate',
    unit: 'share',
    subject: 'people',
    chart: 'noShows',
    compute: (f) => people(ratio(f.noShows, f.appointmentsDue), f.appointmentsDue),
  },
  { id: 'draws', unit: 'count', subject: 'draws', chart: 'draws', compute: (f) => notPeople(f.draws) },
  {
    id: 'urgency_held',
    unit: 'count',
    subject: 'people',
    chart: 'held',
    compute: (f) => people(f.urgencyHeld, f.urgencyHeld),
  },
  {
    id: 'urgency_refused',
    unit: 'count',
    subject: 'people',
    chart: 'held',
    compute: (f) => people(f.urgencyRefused, f.urgencyHeld),
  },
  {
    id: 'fraud_held',
    unit: 'count',
    subject: 'people',
    chart: 'held',
    compute: (f) => people(f.fraudHeld, f.fraudHeld),
  },
  {
    id: 'fraud_refused',
    unit: 'count',
    subject: 'people',
    chart: 'held',
    compute: (f) => people(f.fraudRefused, f.fraudHeld),
  },
];

/** The national automation indicators (one row per week, all prefectures together). */
export const PRESSURE_INDICATORS = [
  { id: 'pow_refused', unit: 'count', subject: 'automation' },
  { id: 'rate_limited', unit: 'count', subject: 'automation' },
] as const satisfies readonly Omit<Indicator, 'chart' | 'compute'>[];

export interface PublishedWeek {
  weekStart: string;
  figures: Record<string, Figure>;
}

/** A week's figures after the suppression rule, by indicator id. */
export function publishWeek(f: WeeklyFigures): PublishedWeek {
  return {
    weekStart: f.weekStart,
    figures: Object.fromEntries(INDICATORS.map((i) => [i.id, i.compute(f)])),
  };
}

/** An empty week: what a week without any row shows (all counts 0, no quantile). */
export function emptyWeek(prefectureId: string, procedureId: string, weekStart: string): WeeklyFigures {
  return {
    prefectureId,
    procedureId,
    weekStart,
    requestsBooked: 0,
    waitMedianDays: null,
    waitP90Days: null,
    openBooked: 0,
    openMedianDays: null,
    openP90Days: null,
    requestsWaiting: 0,
    waitingAgeMedianDays: null,
    slotsOffered: 0,
    slotsTaken: 0,
    slotsOpen: 0,
    slotsUnused: 0,
    urgentCases: 0,
    urgentServed: 0,
    appointmentsDue: 0,
    noShows: 0,
    draws: 0,
    urgencyHeld: 0,
    urgencyRefused: 0,
    fraudHeld: 0,
    fraudRefused: 0,
  };
}

/** The weeks asked, each from its stored row or empty: a year always has its 53 weeks. */
export function fillWeeks(
  rows: readonly WeeklyFigures[],
  weeks: readonly string[],
  prefectureId: string,
  procedureId: string,
): WeeklyFigures[] {
  const byWeek = new Map(rows.map((r) => [r.weekStart, r]));
  return weeks.map((w) => byWeek.get(w) ?? emptyWeek(prefectureId, procedureId, w));
}

/** Sortable columns of the national view, and the default: the worst median wait first. */
export const NATIONAL_SORTS = [
  'wait_median_days',
  'wait_p90_days',
  'requests_waiting',
  'no_show_rate',
  'name',
] as const;
export type NationalSort = (typeof NATIONAL_SORTS)[number];

/**
 * Prefectures side by side, sorted by one indicator: descending for figures (worst first),
 * ascending for names. Suppressed or missing figures go last whatever the order, so the
 * worst known waits stay on top.
 */
export function sortNational<T extends { name: string; week: PublishedWeek }>(
  rows: readonly T[],
  sort: NationalSort,
  order: 'asc' | 'desc',
): T[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (sort === 'name') return sign * a.name.localeCompare(b.name, 'fr');
    const x = a.week.figures[sort]?.value ?? null;
    const y = b.week.figures[sort]?.value ?? null;
    if (x === null || y === null) return x === y ? a.name.localeCompare(b.name, 'fr') : x === null ? 1 : -1;
    return x === y ? a.name.localeCompare(b.name, 'fr') : sign * (x - y);
  });
}
