// The counter's side of an appointment: who came, who was served, who did not come.
// Pure: the use cases pass the appointment, the action and the instant.
//
// Transitions an agent may make (anything else is APPOINTMENT_STATUS_CONFLICT):
//   booked  → arrived   check-in, on the appointment's local day only: someone turning up
//                       a day early or late is not checked in against this slot;
//   arrived → served    the counter has handled the person (any time after the check-in);
//   booked  → no_show   once the slot has started plus a grace of NO_SHOW_GRACE_MINUTES:
//                       a 09:00 appointment can be marked no-show from 09:15, not before
//                       (NO_SHOW_TOO_EARLY), so that a person still in the queue is not lost.
// And undo, for a mis-click: the last step is taken back (arrived → booked, served → arrived,
// no_show → booked) on the local day it was made only (CHECK_IN_UNDO_TOO_LATE after).
// The database applies each one as "update … where status = <from>": of two agents clicking
// at once, exactly one changes the row; the other is told the status changed meanwhile.
import { DateTime } from 'luxon';
import { DomainError } from './errors.ts';

export const APPOINTMENT_STATUSES = ['booked', 'arrived', 'served', 'no_show', 'cancelled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const CHECK_IN_ACTIONS = ['arrived', 'served', 'no_show'] as const;
export type CheckInAction = (typeof CHECK_IN_ACTIONS)[number];
export const isCheckInAction = (value: unknown): value is CheckInAction =>
  CHECK_IN_ACTIONS.includes(value as CheckInAction);

/** What an agent can ask: a step forward, or taking the last one back. */
export type CheckInCommand = CheckInAction | 'undo';
export const isCheckInCommand = (value: unknown): value is CheckInCommand => value === 'undo' || isCheckInAction(value);

/** The status each step is taken back to. */
const UNDONE_TO: Partial<Record<AppointmentStatus, AppointmentStatus>> = {
  arrived: 'booked',
  served: 'arrived',
  no_show: 'booked',
};

export const NO_SHOW_GRACE_MINUTES = 15;

/** The status an action starts from, and the one it leads to. */
export const TRANSITIONS: Record<CheckInAction, { from: AppointmentStatus; to: AppointmentStatus }> = {
  arrived: { from: 'booked', to: 'arrived' },
  served: { from: 'arrived', to: 'served' },
  no_show: { from: 'booked', to: 'no_show' },
};

export interface TransitionSubject {
  status: AppointmentStatus;
  startsAt: Date;
  /** The prefecture's zone: what "the appointment's day" means. */
  timeZone: string;
}

const localDay = (instant: Date, zone: string): string => DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';

/** The earliest instant a booked appointment may be marked no-show. */
export function noShowFrom(startsAt: Date): Date {
  return new Date(startsAt.getTime() + NO_SHOW_GRACE_MINUTES * 60_000);
}

/**
 * The transition `action` makes from the subject's state at `now`, or the refusal.
 * Example (Europe/Paris, slot 2026-06-02 09:00 = 07:00Z):
 *   arrived at 2026-06-02T06:30Z (08:30 local) → booked→arrived;
 *   arrived at 2026-06-01T21:59Z (23:59 local, the day before) → CHECK_IN_NOT_TODAY;
 *   no_show at 07:14Z → NO_SHOW_TOO_EARLY; at 07:15Z → booked→no_show.
 */
export function transitionFor(
  action: CheckInAction,
  subject: TransitionSubject,
  now: Date,
): { from: AppointmentStatus; to: AppointmentStatus } {
  const transition = TRANSITIONS[action];
  if (subject.status !== transition.from) {
    throw new DomainError('APPOINTMENT_STATUS_CONFLICT', undefined, { status: subject.status, action });
  }
  if (action === 'arrived' && localDay(now, subject.timeZone) !== localDay(subject.startsAt, subject.timeZone)) {
    throw new DomainError('CHECK_IN_NOT_TODAY', undefined, {
      appointmentDate: localDay(subject.startsAt, subject.timeZone),
    });
  }
  if (action === 'no_show' && now.getTime() < noShowFrom(subject.startsAt).getTime()) {
    throw new DomainError('NO_SHOW_TOO_EARLY', undefined, { from: noShowFrom(subject.startsAt).toISOString() });
  }
  return transition;
}

/**
 * Taking the last step back, on the local day it was made. Example (Paris): marked no-show
 * at 2026-06-02T07:20Z → undone to booked until 2026-06-02T21:59:59Z; the next day,
 * CHECK_IN_UNDO_TOO_LATE.
 */
export function undoFor(
  subject: TransitionSubject & { statusChangedAt: Date | null },
  now: Date,
): { from: AppointmentStatus; to: AppointmentStatus } {
  const to = UNDONE_TO[subject.status];
  if (!to) throw new DomainError('APPOINTMENT_STATUS_CONFLICT', undefined, { status: subject.status, action: 'undo' });
  if (
    !subject.statusChangedAt ||
    localDay(subject.statusChangedAt, subject.timeZone) !== localDay(now, subject.timeZone)
  ) {
    throw new DomainError('CHECK_IN_UNDO_TOO_LATE');
  }
  return { from: subject.status, to };
}

/** Whether the last step may be taken back now (the "undo" button). */
export function canUndo(subject: TransitionSubject & { statusChangedAt: Date | null }, now: Date): boolean {
  try {
    undoFor(subject, now);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the person's arrival cannot be recorded now, said to the agent with the appointment's
 * date (issue 15, Agents 4), or null when it can (or they are already in):
 *   * 'future_day' — booked for another, later day (Paris, slot Wed 3 June 09:00, now Tue 2 June):
 *     come back that day;
 *   * 'past_day' — its day is over and nobody was recorded (it may still be marked no-show);
 *   * 'cancelled' — cancelled: nothing to record;
 *   * 'closed' — already served or marked no-show (an undo, if any, is the same day only).
 */
export type NoArrivalReason = 'future_day' | 'past_day' | 'cancelled' | 'closed';

export function whyNoArrival(subject: TransitionSubject, now: Date): NoArrivalReason | null {
  if (subject.status === 'cancelled') return 'cancelled';
  if (subject.status === 'served' || subject.status === 'no_show') return 'closed';
  if (subject.status !== 'booked') return null;
  const today = localDay(now, subject.timeZone);
  const day = localDay(subject.startsAt, subject.timeZone);
  if (day === today) return null;
  return day > today ? 'future_day' : 'past_day';
}

/** The actions open to the agent on the result screen (the buttons shown). */
export function availableActions(subject: TransitionSubject, now: Date): CheckInAction[] {
  return CHECK_IN_ACTIONS.filter((action) => {
    try {
      transitionFor(action, subject, now);
      return true;
    } catch {
      return false;
    }
  });
}

/** The audit action of a command: "appointment.arrived", "appointment.served", "appointment.no_show", "appointment.undo". */
export const auditActionOf = (command: CheckInCommand): string => `appointment.${command}`;

/**
 * No-show rate of a period: no-shows over the appointments that were due (arrived, served,
 * no-show, or still "booked" because nobody marked them). Null when nothing was due.
 * Example: 40 due, 6 no-shows → 0.15.
 */
export function noShowRate(due: number, noShows: number): number | null {
  return due === 0 ? null : noShows / due;
}

/** The statistics' default range: the 30 local days up to and including `today`. */
export const STATISTICS_DEFAULT_DAYS = 30;
/** At most a year per query: the table stays readable and the query cheap. */
export const STATISTICS_MAX_DAYS = 366;

/**
 * "Identity refused" (issue 16 §3): the person at the counter is not the one convoked. Recorded
 * on the appointment's local day, from booked or arrived (the check may come after the check-in);
 * it cancels the appointment (its slot freed as a cancellation frees it) and counts as the
 * strongest fraud signal for every live request sharing its document, email, phone or network.
 * Not undone: an agent's mistake is corrected by booking the person again.
 */
export const IDENTITY_REFUSED = 'identity_refused';
const REFUSABLE: readonly AppointmentStatus[] = ['booked', 'arrived'];

export function identityRefusalFor(subject: TransitionSubject, now: Date): { from: AppointmentStatus } {
  if (!REFUSABLE.includes(subject.status))
    throw new DomainError('APPOINTMENT_STATUS_CONFLICT', undefined, {
      status: subject.status,
      action: IDENTITY_REFUSED,
    });
  if (localDay(now, subject.timeZone) !== localDay(subject.startsAt, subject.timeZone))
    throw new DomainError('CHECK_IN_NOT_TODAY', undefined, {
      appointmentDate: localDay(subject.startsAt, subject.timeZone),
    });
  return { from: subject.status };
}

/** Whether the "identity refused" button is shown now. */
export function canRefuseIdentity(subject: TransitionSubject, now: Date): boolean {
  try {
    identityRefusalFor(subject, now);
    return true;
  } catch {
    return false;
  }
}
