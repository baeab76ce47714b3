// What an agent types in the search box (issue 15, Agents 2): a name, a reference, a phone
// number, an email or an identity document number — one box, no type to choose. Pure: the
// text becomes the exact keys the database compares; several readings are searched together
// (ORed), since "0612345678" is a French phone number and a 10-digit AGDREF number alike,
// and any text with a letter may be a name.
//
//   "K7M4 9xq2ht"           → reference "K7M4-9XQ2-HT" (and passport "K7M49XQ2HT", name words)
//   "06 12 34 56 78"        → phone "0612345678", AGDREF "0612345678"
//   "A.Dupont+rdv@gmail.com" → email key "adupont@gmail.com" (the per-email cap's key)
//   "ndiaye-diop aminata"   → name words "ndiaye", "diop", "aminata" (all of them, anywhere in
//                             surname + given names, without case or accents)
// Emails and documents are only found by their exact key: a fragment finds nobody.

import { normaliseReference } from './booking-reference.ts';
import { normalisePhoneNumber } from './callback-rules.ts';
import { emailKey, normaliseAgdref, normaliseName, normalisePassport } from './identity.ts';

export interface SearchCriteria {
  /** Normalised references (appointments and requests share the format). */
  references: string[];
  phones: string[];
  emailKeys: string[];
  agdrefNumbers: string[];
  passportNumbers: string[];
  /** Lower-case, unaccented words; every one must appear in the person's names. */
  nameWords: string[];
}

/** Results per page; an agent refines rather than pages far. */
export const SEARCH_PAGE_SIZE = 20;
/** The last page an agent may ask for (20 × 25 = 500 people). */
export const SEARCH_MAX_PAGE = 25;
/** The longest text searched. */
export const SEARCH_MAX_LENGTH = 120;
/** A name word shorter than this is ignored ("a", "b": they would match everyone). */
const MIN_NAME_WORD = 2;

/** The criteria of a typed text, or null when there is nothing to search ("", "a", "@"). */
export function searchCriteriaOf(typed: string): SearchCriteria | null {
  const text = typed.trim().slice(0, SEARCH_MAX_LENGTH);
  const criteria: SearchCriteria = {
    references: [],
    phones: [],
    emailKeys: [],
    agdrefNumbers: [],
    passportNumbers: [],
    nameWords: [],
  };
  if (text === '') return null;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
    criteria.emailKeys.push(emailKey(text));
    return criteria;
  }
  const reference = normaliseReference(text) ?? (/^[A-Z0-9]{2,}(-[A-Z0-9]+)+$/i.test(text) ? text.toUpperCase() : null);
  if (reference) criteria.references.push(reference);
  const phone = normalisePhoneNumber(text);
  if (phone) criteria.phones.push(phone);
  const agdref = normaliseAgdref(text);
  if (agdref) criteria.agdrefNumbers.push(agdref);
  // A passport number has a digit ("DIALLO" is a name, "AB123456" a document).
  const passport = /\d/.test(text) ? normalisePassport(text) : null;
  if (passport) criteria.passportNumbers.push(passport);
  // Any text with a letter is also read as a name ("Kouyaté2" is a name or a passport number).
  if (/\p{L}/u.test(text))
    criteria.nameWords = [...new Set(normaliseName(text).toLowerCase().split(' '))].filter(
      (w) => w.length >= MIN_NAME_WORD,
    );
  const empty = Object.values(criteria).every((values) => values.length === 0);
  if (empty) return null;
  return criteria;
}

/** The page asked for, within 1…SEARCH_MAX_PAGE ("abc", "0", "-3" → 1; "99" → 25). */
export function searchPageOf(raw: unknown): number {
  const page = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : 1;
  return Math.min(Math.max(page, 1), SEARCH_MAX_PAGE);
}
