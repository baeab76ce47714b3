// Priority classes of the allocation draw: urgency first. A person whose residence permit or
// récépissé has already expired is no longer lawfully staying (and may lose their job), so
// they choose first; then those whose document expires soon; then everyone else.
//
//   class 0 — the document has expired: urgencyDate < today
//   class 1 — it expires within `soonDays` days: today ≤ urgencyDate ≤ today + soonDays
//   class 2 — otherwise, or no urgency date at all
//
// A document "valid until 2026-06-10" is still valid on the 10th: it has expired from the
// 11th. Example with today = 2026-06-01 and soonDays = 30: urgency 2026-05-31 → 0,
// 2026-06-01 → 1, 2026-07-01 → 1 (30 days ahead), 2026-07-02 → 2, null → 2.
// Pure: the caller gives today's date in the prefecture's time zone.

import type { PriorityClass } from './allocation-draw.ts';
import { dayNumberOf } from './calendar-date.ts';
import { DomainError } from './errors.ts';

export const PRIORITY_EXPIRED: PriorityClass = 0;
export const PRIORITY_EXPIRING_SOON: PriorityClass = 1;
export const PRIORITY_NORMAL: PriorityClass = 2;

/** Default of "expiring soon": within 30 days (configurable per procedure). */
export const DEFAULT_SOON_DAYS = 30;

export interface PriorityFacts {
  /** Expiry date of the permit or récépissé (YYYY-MM-DD), or null when there is none. */
  urgencyDate: string | null;
  /** Today's date in the prefecture's time zone (YYYY-MM-DD). */
  today: string;
  /** Days ahead that count as "expiring soon" (integer ≥ 0; 0 = only today). */
  soonDays?: number;
}

export function priorityClassOf({ urgencyDate, today, soonDays = DEFAULT_SOON_DAYS }: PriorityFacts): PriorityClass {
  if (!Number.isInteger(soonDays) || soonDays < 0) {
    throw new DomainError('VALIDATION_FAILED', 'soonDays must be an integer ≥ 0', { soonDays });
  }
  const todayDay = epochDayOf(today, 'today');
  if (urgencyDate === null) return PRIORITY_NORMAL;
  const daysLeft = epochDayOf(urgencyDate, 'urgencyDate') - todayDay;
  if (daysLeft < 0) return PRIORITY_EXPIRED;
  if (daysLeft <= soonDays) return PRIORITY_EXPIRING_SOON;
  return PRIORITY_NORMAL;
}

/** Days since 1970-01-01 of a calendar date YYYY-MM-DD; refuses 2026-02-30 and the like as VALIDATION_FAILED. */
export function epochDayOf(date: string, field = 'date'): number {
  const day = dayNumberOf(date);
  if (day !== null) return day;
  throw new DomainError('VALIDATION_FAILED', `${field} must be a calendar date YYYY-MM-DD`, { [field]: date });
}

// ---------------------------------------------------------------------------------------
// Urgency comes from facts, not from declarations
//
// Where the expiry date comes from, and whether it counts:
//   * registry — the AGDREF registry's permit expiry, for procedures that check it: a fact,
//     it counts at once (a declared date is ignored: the registry knows better);
//   * declared — typed by the applicant on any other procedure: it gives NO priority until an
//     agent, who sees the document on the phone or at the counter, confirms it (the urgency
//     review queue); refused, it never counts. A bot that declares "expired yesterday" gains
//     nothing but a review that finds no document;
//   * closure — the prefecture cancelled the person's appointment: a fact of its own making.

export type UrgencySource = 'registry' | 'declared' | 'closure';
export const URGENCY_STATUSES = ['none', 'pending', 'confirmed', 'refused'] as const;
export type UrgencyStatus = (typeof URGENCY_STATUSES)[number];

export interface Urgency {
  urgencyDate: string | null;
  urgencySource: UrgencySource | null;
  urgencyStatus: UrgencyStatus;
}

export const NO_URGENCY: Urgency = { urgencyDate: null, urgencySource: null, urgencyStatus: 'none' };

/** The urgency of a new request: the registry's expiry when there is one, else the declared date, pending review. */
export function urgencyOnFiling(facts: { registryExpiry: string | null; declared: string | null }): Urgency {
  if (facts.registryExpiry !== null)
    return { urgencyDate: facts.registryExpiry, urgencySource: 'registry', urgencyStatus: 'confirmed' };
  if (facts.declared !== null)
    return { urgencyDate: facts.declared, urgencySource: 'declared', urgencyStatus: 'pending' };
  return NO_URGENCY;
}

/**
 * A declared date changed on a live request: pending review again (a confirmed date cannot
 * be swapped for an earlier one unseen). A registry date cannot be changed by the applicant.
 */
export function urgencyOnChange(current: Urgency, declared: string | null): Urgency {
  if (current.urgencySource === 'registry' || current.urgencySource === 'closure') return current;
  if (declared === current.urgencyDate) return current;
  return urgencyOnFiling({ registryExpiry: null, declared });
}

/** The expiry date the draw may rank on: only a confirmed one. */
export function verifiedUrgencyDate(urgency: Pick<Urgency, 'urgencyDate' | 'urgencyStatus'>): string | null {
  return urgency.urgencyStatus === 'confirmed' ? urgency.urgencyDate : null;
}
