// Churn: giving up a request or an appointment and filing again, to try for a better place
// or to pass a slot along. Refiling is allowed at once — the new request joins the current
// batch like anyone's, carrying nothing over (no class, batch or seniority) — but repeated
// churn costs a pause, explained to the person:
//
//   the third withdrawal or cancellation for one procedure within 30 days starts a 7-day
//   cooling-off, from the last of them.
//
// Example: cancellations on 1 and 10 March, a withdrawal on 20 March → no new request or
// booking for that procedure before 27 March. Someone who cancels once, or twice in a month,
// is never held back. Counted per identity document (the identity key), whatever the email.
import { DomainError } from './errors.ts';

export const CHURN_WINDOW_DAYS = 30;
export const CHURN_LIMIT = 3;
export const COOLING_OFF_DAYS = 7;

const DAY_MS = 86_400_000;

/** The start of the window whose events count at `now`. */
export function churnWindowStart(now: Date): Date {
  return new Date(now.getTime() - (CHURN_WINDOW_DAYS + COOLING_OFF_DAYS) * DAY_MS);
}

/**
 * The end of the cooling-off in force at `now`, or null. `events` are the withdrawals and
 * cancellations of the document for the procedure (any order, at least since churnWindowStart).
 */
export function coolingOffUntil(events: readonly Date[], now: Date): Date | null {
  const times = events.map((e) => e.getTime()).sort((a, b) => a - b);
  let until: number | null = null;
  // Every event that is at least the third within the 30 days up to it starts a cooling-off.
  for (let i = CHURN_LIMIT - 1; i < times.length; i++) {
    if (times[i]! - times[i - CHURN_LIMIT + 1]! <= CHURN_WINDOW_DAYS * DAY_MS)
      until = times[i]! + COOLING_OFF_DAYS * DAY_MS;
  }
  return until !== null && until > now.getTime() ? new Date(until) : null;
}

/** Refuses a new request or booking during a cooling-off (COOLING_OFF, with the date it ends). */
export function assertNotCoolingOff(events: readonly Date[], now: Date): void {
  const until = coolingOffUntil(events, now);
  if (until) throw new DomainError('COOLING_OFF', undefined, { retryAfter: until.toISOString() });
}
