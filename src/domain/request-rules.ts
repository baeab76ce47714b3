// Pure rules of allocation requests: which procedures take requests, what preferences and
// urgency facts a request may state, and where a request stands in its queue.
//
// A queue is one prefecture and one procedure. Draws serve it by priority class (0 = permit
// or récépissé already expired — a verified fact —, then expiring soon, then the rest:
// domain/priority.ts), then by batch (the local day a request entered the queue), then by a
// lottery drawn anew at each draw (domain/allocation-draw.ts). Never by the instant of filing.
import type { HalfDay } from './allocation-draw.ts';
import { addDays, isCalendarDate } from './calendar-date.ts';
import { DomainError } from './errors.ts';

// ---------------------------------------------------------------------------------------
// Request life cycle

/**
 * waiting → offered (a draw offered a slot) → booked (confirmed), or back to waiting
 * (declined), or paused (the offer was ignored: the request waits for its owner to
 * reconfirm, then waits again); waiting/offered/paused → withdrawn (by the applicant) or
 * closed (too many offers declined or left unanswered: domain/offer-rules.ts).
 */
export const REQUEST_STATUSES = ['waiting', 'offered', 'paused', 'booked', 'withdrawn', 'closed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** Live requests hold the person's place for the procedure (one per person and procedure). */
export const LIVE_REQUEST_STATUSES: readonly RequestStatus[] = ['waiting', 'offered', 'paused'];

/** Preferences change and withdrawal need a live request; otherwise REQUEST_NOT_ACTIVE. */
export function assertLiveRequest(request: { status: RequestStatus }): void {
  if (!LIVE_REQUEST_STATUSES.includes(request.status))
    throw new DomainError('REQUEST_NOT_ACTIVE', undefined, { status: request.status });
}

// ---------------------------------------------------------------------------------------
// Which procedures take requests

export interface RequestableProcedure {
  channel: 'appointment' | 'postal' | 'online';
}

/**
 * One flow: every procedure handled at a counter takes requests (postal and online ones take
 * no appointment at all: the procedure's instructions say where to file).
 */
export function assertRequestable(procedure: RequestableProcedure): void {
  if (procedure.channel === 'appointment') return;
  throw new DomainError(
    'PROCEDURE_NOT_REQUESTABLE',
    `This procedure is filed ${procedure.channel === 'postal' ? 'by post' : 'online'}, without an appointment: see its instructions.`,
    { channel: procedure.channel },
  );
}

// ---------------------------------------------------------------------------------------
// Preferences

/** As the schema allows (allocation_request.site_ids). */
export const MAX_REQUEST_SITES = 20;
const HALF_DAYS: readonly HalfDay[] = ['am', 'pm'];

export interface PreferencesInput {
  siteIds: readonly string[];
  weekdays: readonly number[];
  halfDays: readonly string[];
}

export interface Preferences {
  siteIds: string[];
  weekdays: number[];
  halfDays: HalfDay[];
}

/** A site of the prefecture that receives the procedure, with the weekdays it opens for it. */
export interface SiteOpening {
  siteId: string;
  weekdays: readonly number[];
}

const invalid = (path: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', message, { errors: [{ path, message }] });

/**
 * Preferences as sets, checked against the prefecture: sorted and without repeats, every
 * site in the prefecture (else SITE_NOT_FOUND) and receiving the procedure, and at least one
 * acceptable site open on an acceptable weekday — a request nothing can ever satisfy is
 * refused now rather than left to wait forever.
 *
 * Example: sites ["saint-denis", "bobigny", "bobigny"], weekdays [5, 2, 2], half-days
 * ["pm", "am"] → { siteIds: ["bobigny", "saint-denis"], weekdays: [2, 5], halfDays: ["am", "pm"] }.
 * With Bobigny open Monday–Thursday and Saint-Denis on Fridays only, weekdays [6] is
 * refused: no acceptable site opens on a Saturday.
 */
export function normalisePreferences(
  input: PreferencesInput,
  prefectureSiteIds: readonly string[],
  receiving: readonly SiteOpening[],
): Preferences {
  const siteIds = [...new Set(input.siteIds)].sort();
  if (siteIds.length === 0) throw invalid('preferences.siteIds', 'choose at least one site');
  if (siteIds.length > MAX_REQUEST_SITES) throw invalid('preferences.siteIds', `at most ${MAX_REQUEST_SITES} sites`);
  const inPrefecture = new Set(prefectureSiteIds);
  const openings = new Map(receiving.map((s) => [s.siteId, new Set(s.weekdays)]));
  for (const siteId of siteIds) {
    if (!inPrefecture.has(siteId)) throw new DomainError('SITE_NOT_FOUND', undefined, { siteId });
    if (!openings.has(siteId))
      throw invalid('preferences.siteIds', `the site ${siteId} does not receive this procedure`);
  }

  const weekdays = [...new Set(input.weekdays)].sort((a, b) => a - b);
  if (weekdays.length === 0) throw invalid('preferences.weekdays', 'choose at least one weekday');
  if (!weekdays.every((d) => Number.isInteger(d) && d >= 1 && d <= 7))
    throw invalid('preferences.weekdays', 'weekdays are 1 (Monday) to 7 (Sunday)');

  const halfDays = HALF_DAYS.filter((h) => input.halfDays.includes(h));
  if (halfDays.length === 0 || !input.halfDays.every((h) => (HALF_DAYS as readonly string[]).includes(h))) {
    throw invalid('preferences.halfDays', "half-days are 'am' and/or 'pm'");
  }

  if (!siteIds.some((siteId) => weekdays.some((d) => openings.get(siteId)!.has(d)))) {
    throw invalid('preferences.weekdays', 'none of the chosen sites opens for this procedure on the chosen weekdays');
  }
  return { siteIds, weekdays, halfDays };
}

// ---------------------------------------------------------------------------------------
// Urgency facts

/** How far an expiry date may lie from today, either way. */
export const URGENCY_DATE_RANGE_YEARS = 10;

/**
 * The expiry date of the permit or récépissé, as declared (and checked at the counter on
 * the document): a real date within 10 years of today, either way. "2026-13-01" or a date
 * in 2040 is a typo, not a permit.
 */
export function assertUrgencyDate(urgencyDate: string | null, today: string): void {
  if (urgencyDate === null) return;
  const days = URGENCY_DATE_RANGE_YEARS * 366;
  if (!isCalendarDate(urgencyDate) || urgencyDate < addDays(today, -days) || urgencyDate > addDays(today, days)) {
    throw invalid(
      'urgencyDate',
      `the expiry date must be a real date within ${URGENCY_DATE_RANGE_YEARS} years of today`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Where a request stands

/** The window over which recent capacity is measured. */
export const CAPACITY_WINDOW_DAYS = 28;

/** Waiting requests of a queue, by priority class: those queued on an earlier day than the request in question, and on the same day. */
export interface ClassCount {
  priorityClass: number;
  waiting: number;
  inEarlierBatches: number;
  /** The request itself included when it is of this class. */
  inSameBatch: number;
}

export interface StandingInput {
  /** The request's own class; the request itself is counted in `classes`. */
  priorityClass: number;
  classes: readonly ClassCount[];
  /** Slots the queue's draws served (offers confirmed or pending) over the window. */
  slotsServed: number;
  windowDays: number;
}

export interface Standing {
  priorityClass: number;
  /** Waiting requests in the class, this one included. */
  classSize: number;
  /** Requests of the class queued on an earlier day: they are all drawn before this one. */
  earlierInClass: number;
  /** Requests of the same class and batch (this one excluded): the lottery orders them anew at every draw. */
  sameBatch: number;
  /** Those of more urgent classes, those of earlier batches, and on average half of the same batch (rounded down). */
  aheadOverall: number;
  /** Waiting requests of the queue. */
  waitingTotal: number;
  /** Days until an offer at the recent pace, or 'unknown' when the draws served nothing in the window (no history to go on). */
  estimatedWaitDays: number | 'unknown';
  capacity: { windowDays: number; slotsServed: number; perDay: number | null };
}

/**
 * Position and estimated wait of a waiting request. Draws order requests by class, then
 * batch (the day they entered the queue), then a lottery drawn anew at every draw: so the
 * place is a count of who is surely ahead plus, on average, half of one's own batch.
 *
 * Worked example. The queue holds 3 requests of class 0, 12 of class 1, 40 of class 2. Ours
 * is in class 1; 4 of its class were queued on earlier days, 7 others on the same day. Ahead:
 * 3 + 4 + floor(7 / 2) = 10, so it is about the 11th to be served. The draws served 56
 * slots over the last 28 days, 2 a day: ceil(11 / 2) = 6 days.
 *
 * No slot served in the window (no draw yet, or none found a taker): 'unknown', never a
 * number made up from nothing. The estimate is for the queue as a whole: narrow
 * preferences (one site, one weekday) wait longer than it says.
 */
export function standingOf(input: StandingInput): Standing {
  let moreUrgent = 0;
  let waitingTotal = 0;
  let classSize = 0;
  let earlierInClass = 0;
  let sameBatchWithSelf = 0;
  for (const c of input.classes) {
    waitingTotal += c.waiting;
    if (c.priorityClass < input.priorityClass) moreUrgent += c.waiting;
    if (c.priorityClass === input.priorityClass) {
      classSize += c.waiting;
      earlierInClass += c.inEarlierBatches;
      sameBatchWithSelf += c.inSameBatch;
    }
  }
  // Later batches are drawn after this one: they are not ahead.
  const sameBatch = Math.max(0, sameBatchWithSelf - 1);
  const aheadOverall = moreUrgent + earlierInClass + Math.floor(sameBatch / 2);
  const perDay = input.slotsServed > 0 && input.windowDays > 0 ? input.slotsServed / input.windowDays : null;
  return {
    priorityClass: input.priorityClass,
    classSize,
    earlierInClass,
    sameBatch,
    aheadOverall,
    waitingTotal,
    estimatedWaitDays: perDay === null ? 'unknown' : Math.ceil((aheadOverall + 1) / perDay),
    capacity: {
      windowDays: input.windowDays,
      slotsServed: input.slotsServed,
      perDay: perDay === null ? null : Math.round(perDay * 100) / 100,
    },
  };
}
