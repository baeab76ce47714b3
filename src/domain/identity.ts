// Who an applicant is, normalised, so that "one active appointment per person and
// procedure" holds however the person types their details.
//
// One identity document = one person. The key comes from the document alone: the AGDREF
// number, or a passport's issuing country and number. Names, birth date and nationality
// are attributes checked against the key (the database binds the first ones given with a
// document: migration 0012): "P1234567 issued by SEN" with another birth date is refused,
// never counted as a second person.
// The normalised material is hashed with a server secret (see ports/secrets.ts): lookups
// never need the raw numbers.

export type IdentityProof = 'agdref' | 'passport';

export interface ApplicantIdentity {
  surname: string;
  givenNames: string;
  birthDate: string; // YYYY-MM-DD
  nationality: string; // ISO 3166-1 alpha-3
  email: string;
  agdrefNumber?: string | undefined;
  passportNumber?: string | undefined;
  /** Issuing country of the passport (ISO 3166-1 alpha-3); the nationality when not given. */
  documentCountry?: string | undefined;
  /** A number to call the person on, normalised (domain/callback-rules.ts); agents ask callers for it. */
  phone?: string | null | undefined;
  /** False: no text messages to that number, ever (the box ticked at booking: as if it answered STOP). */
  textMessages?: boolean | undefined;
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

/** The country that issued the document: the one given, else the nationality ("sen" → "SEN"). */
export function documentCountryOf(identity: Pick<ApplicantIdentity, 'nationality' | 'documentCountry'>): string {
  return (identity.documentCountry || identity.nationality).trim().toUpperCase();
}

/**
 * The identity material, from the document alone: "agdref:0751234567" (unique per
 * foreigner), or "passport:SEN:A1234567" (document type, issuing country, normalised
 * number). Names, birth date and nationality are not part of it: see attributesMaterial.
 */
export function identityMaterial(identity: Omit<ApplicantIdentity, 'email'>, proof: IdentityProof): string | null {
  if (proof === 'agdref') {
    const agdref = identity.agdrefNumber ? normaliseAgdref(identity.agdrefNumber) : null;
    return agdref ? `agdref:${agdref}` : null;
  }
  const passport = identity.passportNumber ? normalisePassport(identity.passportNumber) : null;
  return passport ? `passport:${documentCountryOf(identity)}:${passport}` : null;
}

/**
 * What a document is bound to: normalised names, birth date and nationality. Two spellings
 * of one name ("Ndiaye-Diop" / "NDIAYE DIOP", "Zoé" / "Zoe") are the same attributes; another
 * birth date or nationality is not. Example: "attributes:DIALLO|AMINATA|1990-04-12|SEN".
 */
export function attributesMaterial(
  identity: Pick<ApplicantIdentity, 'surname' | 'givenNames' | 'birthDate' | 'nationality'>,
): string {
  return `attributes:${normaliseName(identity.surname)}|${normaliseName(identity.givenNames)}|${identity.birthDate}|${identity.nationality.trim().toUpperCase()}`;
}
