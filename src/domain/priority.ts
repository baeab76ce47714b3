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
import { DomainError } from './errors.ts';
import type { PriorityClass } from './allocation-draw.ts';

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

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a calendar date YYYY-MM-DD; refuses 2026-02-30 and the like. */
export function epochDayOf(date: string, field = 'date'): number {
  const match = typeof date === 'string' ? DATE.exec(date) : null;
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const check = new Date(ms);
    if (check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day) return ms / 86_400_000;
  }
  throw new DomainError('VALIDATION_FAILED', `${field} must be a calendar date YYYY-MM-DD`, { [field]: date });
}
