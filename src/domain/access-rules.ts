// The way back in (issue 15, Applicants 1): a person who lost their emailed link types the
// reference they were given (booking or request) and their birth date; a code goes to the
// address on file, and that code — proof of the mailbox, not of the reference — opens it.
//
// A reseller who knows a reference and a birth date gets nothing: the code goes to the
// holder's address, the answer is the same whether or not they matched, and a reference can
// ask for a code only a few times an hour (below the per-address sending limit, so that limit
// is never what tells a right birth date from a wrong one).

/** Codes asked for one reference per hour, matched or not. */
export const ACCESS_CODES_PER_REFERENCE_PER_HOUR = 3;

/** The attempt-limiter key of a reference (normalised, "K7M4-9XQ2-HT"). */
export const accessLimiterKey = (reference: string): string => `access-code:reference:${reference}`;

/**
 * Whether the birth date typed is the one on file (both YYYY-MM-DD). A holder without email
 * (booked by phone or at the counter) cannot receive a code: such a reference never matches.
 * Example: on file 1990-04-12, typed 1990-04-12 → true; typed 1990-12-04 → false.
 */
export function accessMatches(holder: { email: string | null; birthDate: string }, birthDate: string): boolean {
  return holder.email !== null && holder.birthDate === birthDate;
}
