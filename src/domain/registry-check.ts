// Pure rules of the AGDREF registry check: does the applicant match the registry record, and
// may this permit be renewed today? The use case (app/applicants/check-registry.ts) fetches the record,
// limits attempts and records refusals; this file only decides.
//
// No enumeration: an unknown number, a wrong surname and a wrong birth date all give the
// same outcome, { ok: false, code: 'IDENTITY_NOT_VERIFIED' }, and cost the same work — when
// there is no record, the comparisons run against DUMMY_RECORD and their result is discarded.
// Only a caller who matched number, surname and birth date learns anything about the permit.
import { addMonths } from './calendar-date.ts';
import { normaliseName } from './identity.ts';

/** What the rules read of a registry record (ports/registry.ts RegistryRecord fits). */
export interface RegistryFacts {
  surname: string;
  birthDate: string; // YYYY-MM-DD
  permitExpiresOn: string; // YYYY-MM-DD
}

export interface RenewalWindow {
  /** Booking opens this many months before the permit expires (4 for a renewal)… */
  startMonths: number;
  /** …and closes this many months before it (2 for a renewal). */
  endMonths: number;
}

/** A residence permit renewal is requested in the 4 to 2 months before the permit expires. */
export const DEFAULT_RENEWAL_WINDOW: RenewalWindow = Object.freeze({ startMonths: 4, endMonths: 2 });

export interface RegistryCheckedProcedure {
  /** null: identity only, no rule on the permit's dates (duplicate, permit handover). */
  renewalWindow: RenewalWindow | null;
  /** Where an expired permit must go instead (e.g. a first application). */
  alternativeProcedureId: string | null;
}

export interface RegistryCheckInput {
  record: RegistryFacts | null;
  surname: string;
  birthDate: string;
  procedure: RegistryCheckedProcedure;
  /** The applicant's calendar date, YYYY-MM-DD. */
  today: string;
}

export type RegistryCheckOutcome =
  | { ok: true }
  | { ok: false; code: 'IDENTITY_NOT_VERIFIED' }
  | { ok: false; code: 'PERMIT_EXPIRED'; alternativeProcedureId: string | null }
  | { ok: false; code: 'OUTSIDE_RENEWAL_WINDOW'; opensOn: string; closesOn: string };

/** Compared against when the number is unknown, so that path does the same work. Never matches. */
const DUMMY_RECORD: RegistryFacts = { surname: 'NO RECORD', birthDate: '0000-01-01', permitExpiresOn: '9999-12-31' };

/**
 * The dates between which a permit expiring on `expiresOn` may be renewed, both included.
 * Expiry 2026-10-15, window 4→2: opens 2026-06-15, closes 2026-08-15.
 */
export function renewalWindowDates(expiresOn: string, window: RenewalWindow): { opensOn: string; closesOn: string } {
  return { opensOn: addMonths(expiresOn, -window.startMonths), closesOn: addMonths(expiresOn, -window.endMonths) };
}

/** Particles that alone do not name anyone: "El" of "El Amrani", "Ben" of "Ben Salah", "Van" of "Van Dijk". */
const NAME_PARTICLES = new Set([
  'AL',
  'EL',
  'BEN',
  'BENT',
  'BIN',
  'BINT',
  'ABU',
  'ABOU',
  'OULD',
  'AIT',
  'DE',
  'DA',
  'DI',
  'DO',
  'DU',
  'DOS',
  'DAS',
  'DEL',
  'DELLA',
  'LA',
  'LE',
  'LES',
  'VAN',
  'VON',
  'DER',
  'DEN',
  'TER',
  'Y',
  'E',
]);

/**
 * Surnames match when they are equal once case, accents, punctuation and spacing are
 * ignored ("Pierre-Louis" = "PIERRE LOUIS" = "Pierrelouis", "Keïta" = "KEITA"), or when the
 * given surname is one or more whole consecutive words of a registered compound surname, not
 * a bare particle: registry "DIALLO NDIAYE" accepts "Diallo", "Ndiaye" and "Diallo-Ndiaye";
 * registry "BEN SALAH" accepts "Salah" and "Ben Salah", not "Ben". People often give one of
 * their surnames only; the number and the birth date still have to match exactly.
 */
export function surnameMatches(registered: string, given: string): boolean {
  const r = normaliseName(registered);
  const g = normaliseName(given);
  if (g === '' || r === '') return false;
  if (r.replace(/ /g, '') === g.replace(/ /g, '')) return true;
  const rWords = r.split(' ');
  const gWords = g.split(' ');
  if (gWords.length >= rWords.length || gWords.every((w) => NAME_PARTICLES.has(w))) return false;
  for (let start = 0; start + gWords.length <= rWords.length; start++) {
    if (gWords.every((w, i) => rWords[start + i] === w)) return true;
  }
  return false;
}

/**
 * The registry check of one applicant for one procedure, in this order:
 *   1. identity: a record exists, the surname matches and the birth date is equal,
 *      otherwise IDENTITY_NOT_VERIFIED (one answer for the three failures);
 *   2. when the procedure has a renewal window: an expired permit (expiry before today) is
 *      PERMIT_EXPIRED, pointing to the alternative procedure;
 *   3. today outside [expiry − startMonths, expiry − endMonths] is OUTSIDE_RENEWAL_WINDOW.
 * Worked examples, renewal window 4→2, permit expiring 2026-10-15:
 *   today 2026-06-15 or 2026-08-15 → ok (both ends included); 2026-07-01 → ok;
 *   today 2026-06-14 → OUTSIDE_RENEWAL_WINDOW (too early; opens 2026-06-15);
 *   today 2026-09-01 → OUTSIDE_RENEWAL_WINDOW (too late, though the permit is still valid);
 *   today 2026-10-15 → OUTSIDE_RENEWAL_WINDOW (last day of validity); 2026-10-16 → PERMIT_EXPIRED.
 */
export function evaluateRegistryCheck(input: RegistryCheckInput): RegistryCheckOutcome {
  const record = input.record ?? DUMMY_RECORD;
  // Both comparisons always run (no short circuit), whatever the record.
  const surnameOk = surnameMatches(record.surname, input.surname);
  const birthDateOk = record.birthDate === input.birthDate.trim();
  const identityOk = input.record !== null && surnameOk && birthDateOk;

  const permit = permitDatesOutcome(record.permitExpiresOn, input.procedure, input.today);
  if (!identityOk) return { ok: false, code: 'IDENTITY_NOT_VERIFIED' };
  return permit;
}

/**
 * Steps 2 and 3 alone: may a permit expiring on `permitExpiresOn` be renewed today with this
 * procedure? Also what the request form says at once from an expiry date people type (issue 15,
 * "say no early"), before any email code: the registry still decides after the code.
 */
export function permitDatesOutcome(
  permitExpiresOn: string,
  procedure: RegistryCheckedProcedure,
  today: string,
): Exclude<RegistryCheckOutcome, { code: 'IDENTITY_NOT_VERIFIED' }> {
  const { renewalWindow } = procedure;
  const expired = permitExpiresOn < today;
  const dates = renewalWindow ? renewalWindowDates(permitExpiresOn, renewalWindow) : null;
  const inWindow = dates ? dates.opensOn <= today && today <= dates.closesOn : true;
  if (!dates) return { ok: true };
  if (expired) return { ok: false, code: 'PERMIT_EXPIRED', alternativeProcedureId: procedure.alternativeProcedureId };
  if (!inWindow) return { ok: false, code: 'OUTSIDE_RENEWAL_WINDOW', opensOn: dates.opensOn, closesOn: dates.closesOn };
  return { ok: true };
}

/** The sentence shown with a refusal about the permit's dates (identity refusals use the catalogue's text). */
export function explainPermitRefusal(
  outcome: Exclude<RegistryCheckOutcome, { ok: true } | { code: 'IDENTITY_NOT_VERIFIED' }>,
  window: RenewalWindow,
  today: string,
): string {
  if (outcome.code === 'PERMIT_EXPIRED') {
    return outcome.alternativeProcedureId
      ? `Your permit has expired: it can no longer be renewed with this procedure. Book the procedure "${outcome.alternativeProcedureId}" instead.`
      : 'Your permit has expired: it can no longer be renewed with this procedure. Contact the prefecture to know which procedure applies.';
  }
  const span = `${window.startMonths} to ${window.endMonths} months before your permit expires`;
  return today < outcome.opensOn
    ? `Renewal opens ${window.startMonths} months before expiry: you can book this procedure from ${outcome.opensOn} to ${outcome.closesOn} (${span}).`
    : `The renewal window of your permit closed on ${outcome.closesOn} (it was open from ${outcome.opensOn}, ${span}). Contact the prefecture.`;
}
