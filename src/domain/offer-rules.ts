// Offers: what a draw may offer, how long an applicant has to answer, and what an answer
// (or its absence) does to the request. Pure: times come in as arguments.
//
// Deadline. An offer made at `now` for a slot starting at `start` must be answered by
//   min(now + offerHours, start − 2 h)
// — two hours before the appointment the prefecture must know who comes. Example, 48 h
// offers: made Mon 09:00 for Fri 10:00 → Wed 09:00; for Tue 14:00 → Tue 12:00.
//
// Which slots a draw offers: every slot starting at least 3 h after the draw (2 h before the
// appointment to know who comes, and at least 1 h to answer). An offer that leaves less than
// 24 h to answer is a SHORT-NOTICE offer — a chance for whoever can come at once, never a
// duty: declining or ignoring it costs nothing (no decline counted, no pause, the request
// keeps its batch). Why offer so late at all: a slot freed the evening before its day must
// not fall to whoever phones first in the morning — a reseller times its cancellations for
// exactly that (the simulator's hand-off, docs/SIMULATOR.md); drawn among everyone waiting,
// it goes to a stranger.
//
// Extension (RGAA 13.1, time limits the user can adjust): once per offer, by the same
// duration again, from the current deadline, never past start − 2 h. Example: 48 h offer due
// Wed 09:00 for a slot on Fri 10:00 → extended to Fri 08:00 (not Fri 09:00). When the
// deadline already is start − 2 h, there is nothing to extend: refused.
//
// Answers and their absence (the request's counters). Holding slots must be worth little:
//   * confirmed → the appointment is made, the request is 'booked';
//   * declined → the slot goes back to a draw (after a full collection window). The request
//     returns to the queue in TODAY's batch (no seniority is kept by someone who said no) and
//     sits the next draw out (otherwise it could be offered the very slot it declined).
//     Declines are limited: the (max_declines + 1)-th closes the request (default 2: the
//     third decline closes it); setting preferences is how to avoid offers one cannot take;
//   * ignored = expired without an answer → the request is PAUSED: it takes no part in draws
//     until its owner reconfirms it (one click from the email or the page), and then returns
//     in that day's batch. The max_ignored_offers-th ignored offer (default 2) closes it.
//   An email tells the person each time, and how to file again after a closure.
//
// The longest one identity can keep slots out of circulation, per procedure: each offer
// holds its slot at most offer_hours, plus one extension of the same length, and never past
// 2 h before the appointment; with the defaults (48 h, 2 declines, 2 ignored offers) a request
// closes after at most 2 declines + 2 ignored = 4 unanswered-or-refused offers, each holding
// one slot ≤ 96 h — and the 2 ignored ones each stop the request until a human reconfirms.
// Filing again is allowed but joins today's batch, and the third withdrawal or cancellation
// within 30 days starts a 7-day cooling-off (domain/churn-rules.ts). A reseller's identity
// that holds and releases slots therefore blocks at most 4 slot-offers (≤ 16 slot-days) per
// request, then waits; every released slot goes to a draw, never back to its accomplice.

import type { HalfDay } from './allocation-draw.ts';
import { DomainError } from './errors.ts';

const HOUR_MS = 3_600_000;

/** Answers must come at least this long before the appointment. */
export const CONFIRMATION_CUTOFF_MS = 2 * HOUR_MS;
/** The shortest time to answer a draw leaves. */
export const MIN_RESPONSE_MS = HOUR_MS;
/** Offers leaving less than this to answer are short-notice: declining or ignoring them costs nothing. */
export const SHORT_NOTICE_MS = 24 * HOUR_MS;
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

/** A short-notice offer: made for a slot that left less than 24 h to answer (see above). */
export function isShortNotice(offer: { createdAt: Date; slotStartsAt: Date }): boolean {
  return offer.slotStartsAt.getTime() - offer.createdAt.getTime() < CONFIRMATION_CUTOFF_MS + SHORT_NOTICE_MS;
}

/** The latest instant an offer for a slot starting at `slotStartsAt` may be answered. */
export function lastAnswerInstant(slotStartsAt: Date): Date {
  return new Date(slotStartsAt.getTime() - CONFIRMATION_CUTOFF_MS);
}

/** Deadline of an offer made at `now`: min(now + offerHours, start − 2 h). */
export function offerDeadline(now: Date, offerHours: number, slotStartsAt: Date): Date {
  return new Date(Math.min(now.getTime() + offerHours * HOUR_MS, lastAnswerInstant(slotStartsAt).getTime()));
}

export const OFFER_STATUSES = ['pending', 'confirmed', 'declined', 'expired', 'withdrawn'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

export interface OfferState {
  status: OfferStatus;
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
  if (offer.status !== 'pending')
    throw new DomainError('OFFER_NOT_FOUND', 'This offer was already answered.', { status: offer.status });
}

/** The deadline an extension would give, or null when the offer cannot be extended (already extended, or no room before start − 2 h). */
export function extensionDeadline(offer: OfferState, offerHours: number): Date | null {
  if (offer.extended) return null;
  const extended = Math.min(
    offer.expiresAt.getTime() + offerHours * HOUR_MS,
    lastAnswerInstant(offer.slotStartsAt).getTime(),
  );
  return extended > offer.expiresAt.getTime() ? new Date(extended) : null;
}

/** The new deadline of an extension asked at `now`; throws when it is refused. */
export function extendDeadline(offer: OfferState, offerHours: number, now: Date): Date {
  assertAnswerable(offer, now);
  if (offer.extended)
    throw new DomainError('OFFER_ALREADY_EXTENDED', undefined, { expiresAt: offer.expiresAt.toISOString() });
  const deadline = extensionDeadline(offer, offerHours);
  if (!deadline) throw new DomainError('OFFER_NOT_EXTENDABLE', undefined, { expiresAt: offer.expiresAt.toISOString() });
  return deadline;
}

export interface RequestCounters {
  declinedCount: number;
  ignoredCount: number;
}

export interface RequestAfterOffer extends RequestCounters {
  /** 'waiting': back in the queue (today's batch); 'paused': until its owner reconfirms; 'closed': the applicant must file again. */
  status: 'waiting' | 'paused' | 'closed';
}

export interface OfferLimits {
  /** Declines allowed; one more closes the request. */
  maxDeclines: number;
  /** Ignored offers that close the request. */
  maxIgnoredOffers: number;
}

/** After a decline: back to the queue in today's batch, or closed beyond `maxDeclines`. */
export function afterDecline(counters: RequestCounters, limits: Pick<OfferLimits, 'maxDeclines'>): RequestAfterOffer {
  const declinedCount = counters.declinedCount + 1;
  return {
    declinedCount,
    ignoredCount: counters.ignoredCount,
    status: declinedCount > limits.maxDeclines ? 'closed' : 'waiting',
  };
}

/** After an offer expired without an answer: paused until reconfirmed, or closed at `maxIgnoredOffers`. */
export function afterIgnore(
  counters: RequestCounters,
  limits: Pick<OfferLimits, 'maxIgnoredOffers'>,
): RequestAfterOffer {
  const ignoredCount = counters.ignoredCount + 1;
  return {
    declinedCount: counters.declinedCount,
    ignoredCount,
    status: ignoredCount >= limits.maxIgnoredOffers ? 'closed' : 'paused',
  };
}

/** What is left before the request closes: declines still allowed, offers that may still go unanswered. */
export function offersLeft(counters: RequestCounters, limits: OfferLimits): { declines: number; ignored: number } {
  return {
    declines: Math.max(0, limits.maxDeclines - counters.declinedCount),
    ignored: Math.max(0, limits.maxIgnoredOffers - 1 - counters.ignoredCount),
  };
}
