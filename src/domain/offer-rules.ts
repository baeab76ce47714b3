// Offers: what a draw may offer, how long an applicant has to answer, and what an answer
// (or its absence) does to the request. Pure: times come in as arguments.
//
// Deadline. An offer made at `now` for a slot starting at `start` must be answered by
//   min(now + offerHours, start − 2 h)
// — two hours before the appointment the prefecture must know who comes. Example, 48 h
// offers: made Mon 09:00 for Fri 10:00 → Wed 09:00; for Tue 14:00 → Tue 12:00.
//
// Which slots a draw offers: only those leaving the applicant a real choice, i.e. starting
// at least 2 h + min(offerHours, 24 h) after the draw (26 h with the default 48 h). A slot
// starting sooner stays with the prefecture (counter or phone channel): offering it would
// give someone a few hours to drop everything, which is no fair offer.
//
// Extension (RGAA 13.1, time limits the user can adjust): once per offer, by the same
// duration again, from the current deadline, never past start − 2 h. Example: 48 h offer due
// Wed 09:00 for a slot on Fri 10:00 → extended to Fri 08:00 (not Fri 09:00). When the
// deadline already is start − 2 h, there is nothing to extend: refused.
//
// Answers and their absence (the request's counters):
//   * confirmed → the appointment is made, the request is 'booked';
//   * declined → the slot goes back to the next draw. The request sits that one draw out
//     (otherwise, still first in line, it would be offered the very slot it declined); the
//     slot goes to the next person. The first decline is free: the request keeps its place
//     (same filing time, same priority). Every further decline counts as an
//     ignored offer: someone who declines everything holds a slot for up to the offer
//     duration each time, which other people are waiting for; setting preferences (sites,
//     weekdays, half-days) is how to avoid offers one cannot take;
//   * ignored = expired without an answer → counted. A request whose count reaches
//     max_ignored_offers (default 2) is closed, and the applicant is told by email how to
//     file again. Below it the request waits again, with its place.
//   So with the defaults: decline, decline, decline → closed; ignore, ignore → closed;
//   decline, ignore, decline → closed (1 free decline, then 2 counted).
import { DomainError } from './errors.ts';
import type { HalfDay } from './allocation-draw.ts';

const HOUR_MS = 3_600_000;

/** Answers must come at least this long before the appointment. */
export const CONFIRMATION_CUTOFF_MS = 2 * HOUR_MS;
/** The shortest time to answer a draw leaves, capped by the procedure's offer duration. */
export const MIN_RESPONSE_MS = 24 * HOUR_MS;
/** Declines that do not count against a request. */
export const FREE_DECLINES = 1;
/** A slot starting at this local time or later is an afternoon slot ('pm'). */
export const AFTERNOON_STARTS_AT_MINUTE = 12 * 60;

/** 'am' for a slot starting before 12:00 local time, 'pm' otherwise (09:30 → am, 12:00 → pm). */
export function halfDayOf(localMinuteOfDay: number): HalfDay {
  return localMinuteOfDay < AFTERNOON_STARTS_AT_MINUTE ? 'am' : 'pm';
}

/** Slots starting before this instant are not offered by a draw run at `now`. */
export function earliestOfferableStart(now: Date, offerHours: number): Date {
  return new Date(now.getTime() + CONFIRMATION_CUTOFF_MS + Math.min(offerHours * HOUR_MS, MIN_RESPONSE_MS));
}

/** The latest instant an offer for a slot starting at `slotStartsAt` may be answered. */
export function lastAnswerInstant(slotStartsAt: Date): Date {
  return new Date(slotStartsAt.getTime() - CONFIRMATION_CUTOFF_MS);
}

/** Deadline of an offer made at `now`: min(now + offerHours, start − 2 h). */
export function offerDeadline(now: Date, offerHours: number, slotStartsAt: Date): Date {
  return new Date(Math.min(now.getTime() + offerHours * HOUR_MS, lastAnswerInstant(slotStartsAt).getTime()));
}

export interface OfferState {
  status: 'pending' | 'confirmed' | 'declined' | 'expired' | 'withdrawn';
  expiresAt: Date;
  extended: boolean;
  slotStartsAt: Date;
}

/** An offer can be answered while it is pending and its deadline has not passed. */
export function isAnswerable(offer: OfferState, now: Date): boolean {
  return offer.status === 'pending' && now.getTime() < offer.expiresAt.getTime();
}

/** Refuses an answer to an offer that is no longer open (OFFER_EXPIRED, or OFFER_NOT_FOUND when already answered). */
export function assertAnswerable(offer: OfferState, now: Date): void {
  if (offer.status === 'expired' || (offer.status === 'pending' && now.getTime() >= offer.expiresAt.getTime())) {
    throw new DomainError('OFFER_EXPIRED', undefined, { expiredAt: offer.expiresAt.toISOString() });
  }
  if (offer.status !== 'pending') throw new DomainError('OFFER_NOT_FOUND', 'This offer was already answered.', { status: offer.status });
}

/** The deadline an extension would give, or null when the offer cannot be extended (already extended, or no room before start − 2 h). */
export function extensionDeadline(offer: OfferState, offerHours: number): Date | null {
  if (offer.extended) return null;
  const extended = Math.min(offer.expiresAt.getTime() + offerHours * HOUR_MS, lastAnswerInstant(offer.slotStartsAt).getTime());
  return extended > offer.expiresAt.getTime() ? new Date(extended) : null;
}

/** The new deadline of an extension asked at `now`; throws when it is refused. */
export function extendDeadline(offer: OfferState, offerHours: number, now: Date): Date {
  assertAnswerable(offer, now);
  if (offer.extended) throw new DomainError('OFFER_ALREADY_EXTENDED', undefined, { expiresAt: offer.expiresAt.toISOString() });
  const deadline = extensionDeadline(offer, offerHours);
  if (!deadline) throw new DomainError('OFFER_NOT_EXTENDABLE', undefined, { expiresAt: offer.expiresAt.toISOString() });
  return deadline;
}

export interface RequestCounters {
  declinedCount: number;
  ignoredCount: number;
}

export interface RequestAfterOffer extends RequestCounters {
  /** 'waiting': back in the queue with its place; 'closed': the applicant must file again. */
  status: 'waiting' | 'closed';
  /** Offers counted against the request (ignored ones, and declines beyond the free one). */
  strikes: number;
}

/** Offers counted against a request: every ignored one, and every decline after the first. */
export function strikesOf(counters: RequestCounters): number {
  return counters.ignoredCount + Math.max(0, counters.declinedCount - FREE_DECLINES);
}

function settle(counters: RequestCounters, maxIgnoredOffers: number): RequestAfterOffer {
  const strikes = strikesOf(counters);
  return { ...counters, strikes, status: strikes >= maxIgnoredOffers ? 'closed' : 'waiting' };
}

/** After a decline: the first keeps the request's place; later ones count as ignored offers. */
export function afterDecline(counters: RequestCounters, maxIgnoredOffers: number): RequestAfterOffer {
  return settle({ declinedCount: counters.declinedCount + 1, ignoredCount: counters.ignoredCount }, maxIgnoredOffers);
}

/** After an offer expired without an answer. */
export function afterIgnore(counters: RequestCounters, maxIgnoredOffers: number): RequestAfterOffer {
  return settle({ declinedCount: counters.declinedCount, ignoredCount: counters.ignoredCount + 1 }, maxIgnoredOffers);
}

/** How many more offers may go unanswered (or be declined beyond the free one) before the request closes. */
export function remainingStrikes(counters: RequestCounters, maxIgnoredOffers: number): number {
  return Math.max(0, maxIgnoredOffers - strikesOf(counters));
}
