// The phone and counter channel: an agent books, or files a request, for a caller. Pure rules;
// the use cases are in app/agent-channel/.
//
// The caller goes through the same checks as online (identity proof of the procedure, the
// registry for procedures that check it, one active appointment per person and procedure,
// request / appointment exclusivity, the per-email cap) — only the email code is not asked:
// the agent is authenticated and the caller is on the line or at the desk. People without
// email can be booked: they get a printed convocation instead of the emails.

import { addDays } from './calendar-date.ts';
import { normalisePhoneNumber } from './callback-rules.ts';
import { DomainError } from './errors.ts';

export const AGENT_CHANNELS = ['phone', 'counter'] as const;
export type AgentChannel = (typeof AGENT_CHANNELS)[number];

export const isAgentChannel = (value: unknown): value is AgentChannel => AGENT_CHANNELS.includes(value as AgentChannel);

/** How far ahead the agent's slot list looks: the coming four weeks, e.g. from Mon 2 to Sun 29 March. */
export const RESERVE_DAYS_AHEAD = 28;

/** At most this many reserved slots in one list (a busy site has about 40 a week in its reserve). */
export const RESERVE_LIST_LIMIT = 200;

/** The date range of the agent's list, from a local date "today": [today, today + 27 days]. */
export function reserveRange(today: string): { fromDate: string; toDate: string } {
  return { fromDate: today, toDate: addDays(today, RESERVE_DAYS_AHEAD - 1) };
}

/** The page shows one week of the reserve at a time: [today, today + 6], then the next seven days… */
export const RESERVE_DAYS_PER_PAGE = 7;
export const RESERVE_PAGES = Math.ceil(RESERVE_DAYS_AHEAD / RESERVE_DAYS_PER_PAGE);

/**
 * One page of the agent's list: page 1 is today and the 6 days after, page 4 the last days of
 * the range (e.g. today Mon 2 March: page 2 is Mon 9 to Sun 15 March). A page out of range
 * (0, 9, NaN) is the nearest one.
 */
export function reservePage(today: string, page: number): { page: number; fromDate: string; toDate: string } {
  const n = Number.isInteger(page) ? Math.min(Math.max(page, 1), RESERVE_PAGES) : 1;
  const fromDate = addDays(today, (n - 1) * RESERVE_DAYS_PER_PAGE);
  const last = Math.min(n * RESERVE_DAYS_PER_PAGE, RESERVE_DAYS_AHEAD) - 1;
  return { page: n, fromDate, toDate: addDays(today, last) };
}

/** The email as the agent typed it: blank means the caller has none ("" or spaces → null). */
export function callerEmailOf(typed: string | null | undefined): string | null {
  const email = (typed ?? '').trim();
  return email === '' ? null : email;
}

/**
 * The caller's phone number (issue 15, Agents 1): asked of every caller, required of those
 * without email — an agent must be able to call them (a closure, a move). Blank is "none";
 * anything typed must be a number an agent can dial (normalisePhoneNumber). Throws
 * VALIDATION_FAILED on `applicant.phone`: "invalid" ("06 12") or "required" (no email, no number).
 * Example: { email: null, phone: "06 12 34 56 78" } → "0612345678".
 */
export function callerPhoneOf(caller: { email: string | null; phone?: string | null | undefined }): string | null {
  const typed = (caller.phone ?? '').trim();
  const phone = typed === '' ? null : normalisePhoneNumber(typed);
  const problem =
    typed !== '' && phone === null ? 'invalid' : phone === null && caller.email === null ? 'required' : null;
  if (problem)
    throw new DomainError('VALIDATION_FAILED', `The caller's phone number is ${problem}.`, {
      errors: [{ path: 'applicant.phone', message: problem }],
    });
  return phone;
}

/**
 * What the audit keeps of a booking for a caller: where, when and how — never the identity
 * (the reference finds the appointment; the audit is exported as CSV to supervisors).
 */
export function bookingAuditRecord(
  a: { reference: string; slotId: string; siteId: string; procedureId: string },
  channel: AgentChannel,
  withEmail: boolean,
) {
  return { reference: a.reference, slotId: a.slotId, siteId: a.siteId, procedureId: a.procedureId, channel, withEmail };
}

/** What the audit keeps of a request filed for a caller. */
export function requestAuditRecord(
  r: { reference: string; procedureId: string; siteIds: readonly string[] },
  channel: AgentChannel,
) {
  return { reference: r.reference, procedureId: r.procedureId, siteIds: [...r.siteIds], channel };
}
