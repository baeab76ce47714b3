// Who an applicant is, normalised, so that "one active appointment per person and
// procedure" holds however the person types their details.
// The normalised material is hashed with a server secret (see ports/identity-keyer.ts):
// lookups never need the raw numbers.

export type IdentityProof = 'agdref' | 'passport';

export interface ApplicantIdentity {
  surname: string;
  givenNames: string;
  birthDate: string; // YYYY-MM-DD
  nationality: string; // ISO 3166-1 alpha-3
  email: string;
  agdrefNumber?: string | undefined;
  passportNumber?: string | undefined;
}

/** A caller an agent books or files for, by phone or at the counter: the email is null when the person has none. */
export type CallerIdentity = Omit<ApplicantIdentity, 'email'> & { email: string | null };

/** AGDREF ("numéro étranger") is 10 digits; older ones are printed with 9. "75 123 4567" → "0751234567". */
export function normaliseAgdref(raw: string): string | null {
  const digits = raw.replace(/[\s.-]/g, '');
  if (!/^\d{9,10}$/.test(digits)) return null;
  return digits.padStart(10, '0');
}

/** Passport numbers: letters and digits only, upper case. "ab 12-345" → "AB12345". */
export function normalisePassport(raw: string): string | null {
  const compact = raw.replace(/[\s.-]/g, '').toUpperCase();
  return /^[A-Z0-9]{5,20}$/.test(compact) ? compact : null;
}

/** Names compared without case, accents, punctuation or spacing: "Ndiaye-Diop" = "NDIAYE DIOP". */
export function normaliseName(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The key the per-email cap counts on. Plus-addressing and Gmail dots reach the same inbox,
 * so they count as one: "A.Dupont+rdv2@GMail.com" → "adupont@gmail.com".
 */
export function emailKey(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  local = local.split('+')[0] ?? local;
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

/**
 * The identity material: the AGDREF number alone when the person has one (it is unique
 * per foreigner), otherwise passport number + nationality + birth date.
 */
export function identityMaterial(identity: Omit<ApplicantIdentity, 'email'>, proof: IdentityProof): string | null {
  if (proof === 'agdref') {
    const agdref = identity.agdrefNumber ? normaliseAgdref(identity.agdrefNumber) : null;
    return agdref ? `agdref:${agdref}` : null;
  }
  const passport = identity.passportNumber ? normalisePassport(identity.passportNumber) : null;
  return passport ? `passport:${identity.nationality.toUpperCase()}:${passport}:${identity.birthDate}` : null;
}
