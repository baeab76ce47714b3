// The attestation of an appointment request: a signed statement "this person filed request
// <reference> for <procedure> at <prefecture> on <date>; on <issue date> its status is
// <status>". It is the applicant's proof of their attempts, e.g. before an administrative
// judge, who can order a prefect to give a date when attempts failed. Anyone holding it can
// check it (the public page /attestation/verify, or POST /api/attestations/verify): the answer is the attested facts and whether
// they are still current.
//
// Wire format (version 1): token = base64url(payload) "." base64url(signature), where
//   payload   = the facts as JSON, keys in this order, nothing else:
//               {"v":1,"rid":<request id>,"ref":<reference>,"pre":<prefecture id>,"pro":<procedure id>,
//                "sn":<surname>,"gn":<given names>,"bd":<birth date>,"fil":<filed at, ISO instant>,
//                "st":<status>,"iat":<issued at, ISO instant>}
//   signature = Ed25519 over ATTESTATION_SIGNING_CONTEXT | payload (64 bytes)
// The facts travel in the token, so it proves what it states even once the request has
// been deleted under the retention schedule. base64url without padding; parsing accepts
// only the canonical encoding of the canonical JSON, so one statement has exactly one token.
//
// The key is the convocation key, but the context string differs: a convocation signature
// can never pass as an attestation, nor the reverse (each signs its context first).
import { DateTime } from 'luxon';
import { normaliseReference } from './booking-reference.ts';
import { isCalendarDate } from './calendar-date.ts';
import { isDepartementCode, isSlug, isUuid } from './identifiers.ts';
import { REQUEST_STATUSES, type RequestStatus } from './request-rules.ts';

export const ATTESTATION_VERSION = 1;
/** Prefixed to every signed attestation payload (the convocation's is 'creneau/convocation/v1\n'). */
export const ATTESTATION_SIGNING_CONTEXT = 'creneau/request-attestation/v1\n';
/** Longer tokens are refused before any parsing (names of 100 characters fit with room to spare). */
export const MAX_ATTESTATION_TOKEN_LENGTH = 2048;

export interface AttestationFacts {
  v: typeof ATTESTATION_VERSION;
  /** Request id (UUID, lower case). */
  requestId: string;
  reference: string;
  prefectureId: string;
  procedureId: string;
  surname: string;
  givenNames: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** ISO instant of filing: the request's place in the queue. */
  filedAt: string;
  status: RequestStatus;
  /** ISO instant the attestation was issued. */
  issuedAt: string;
}

const STATUSES: readonly RequestStatus[] = REQUEST_STATUSES;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ED25519_SIGNATURE_BYTES = 64;

const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
const isName = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= 200;

/** The canonical payload: the facts as JSON in the documented key order. */
export function encodeAttestationPayload(facts: AttestationFacts): Uint8Array {
  const json = JSON.stringify({
    v: facts.v,
    rid: facts.requestId,
    ref: facts.reference,
    pre: facts.prefectureId,
    pro: facts.procedureId,
    sn: facts.surname,
    gn: facts.givenNames,
    bd: facts.birthDate,
    fil: facts.filedAt,
    st: facts.status,
    iat: facts.issuedAt,
  });
  return new TextEncoder().encode(json);
}

/** The facts of a payload, or null unless it is a canonical version-1 payload. */
export function decodeAttestationPayload(bytes: Uint8Array): AttestationFacts | null {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const p = raw as Record<string, unknown>;
  if (p.v !== ATTESTATION_VERSION) return null;
  // The canonical payload writes the request id in lower case.
  if (!isUuid(p.rid) || p.rid !== p.rid.toLowerCase()) return null;
  if (typeof p.ref !== 'string' || normaliseReference(p.ref) !== p.ref) return null;
  if (typeof p.pre !== 'string' || !isDepartementCode(p.pre)) return null;
  if (!isSlug(p.pro)) return null;
  if (!isName(p.sn) || !isName(p.gn)) return null;
  if (!isCalendarDate(p.bd)) return null;
  if (!isInstant(p.fil) || !isInstant(p.iat)) return null;
  if (typeof p.st !== 'string' || !(STATUSES as readonly string[]).includes(p.st)) return null;
  const facts: AttestationFacts = {
    v: ATTESTATION_VERSION,
    requestId: p.rid,
    reference: p.ref,
    prefectureId: p.pre,
    procedureId: p.pro,
    surname: p.sn,
    givenNames: p.gn,
    birthDate: p.bd,
    filedAt: p.fil,
    status: p.st as RequestStatus,
    issuedAt: p.iat,
  };
  // Extra keys, another key order, spacing or escapes: not the payload we sign.
  return Buffer.from(encodeAttestationPayload(facts)).equals(Buffer.from(bytes)) ? facts : null;
}

/** What is signed: the context string, then the payload bytes. */
export function signedAttestationMessage(payloadBytes: Uint8Array): Uint8Array {
  const context = new TextEncoder().encode(ATTESTATION_SIGNING_CONTEXT);
  const message = new Uint8Array(context.length + payloadBytes.length);
  message.set(context);
  message.set(payloadBytes, context.length);
  return message;
}

export function formatAttestationToken(payloadBytes: Uint8Array, signature: Uint8Array): string {
  return `${Buffer.from(payloadBytes).toString('base64url')}.${Buffer.from(signature).toString('base64url')}`;
}

/** base64url bytes, or null unless `text` is their canonical encoding. */
function decodeBase64url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? new Uint8Array(bytes) : null;
}

export interface ParsedAttestation {
  facts: AttestationFacts;
  payloadBytes: Uint8Array;
  signature: Uint8Array;
}

/**
 * The parts of a well-formed token (signature not checked yet), or null. Surrounding
 * whitespace, and line breaks inside (a token copied from a printed page), are ignored.
 */
export function parseAttestationToken(raw: string): ParsedAttestation | null {
  if (raw.length > MAX_ATTESTATION_TOKEN_LENGTH * 2) return null;
  const token = raw.replace(/\s+/g, '');
  if (token.length === 0 || token.length > MAX_ATTESTATION_TOKEN_LENGTH) return null;
  const [encodedPayload, encodedSignature, ...rest] = token.split('.');
  if (rest.length || encodedPayload === undefined || encodedSignature === undefined) return null;
  const payloadBytes = decodeBase64url(encodedPayload);
  const signature = decodeBase64url(encodedSignature);
  if (!payloadBytes || !signature || signature.length !== ED25519_SIGNATURE_BYTES) return null;
  const facts = decodeAttestationPayload(payloadBytes);
  return facts ? { facts, payloadBytes, signature } : null;
}

// ---------------------------------------------------------------------------------------
// The printed statement, in French and English (one wording for the HTML and the PDF)

export interface AttestationSubject {
  facts: AttestationFacts;
  prefectureName: string;
  procedureNameFr: string;
  procedureNameEn: string;
  /** The prefecture's time zone: dates are written as people there read them. */
  timeZone: string;
  /** The public page that checks an attestation (PUBLIC_URL + /attestation/verify). */
  verifyUrl: string;
}

export const REQUEST_STATUS_TEXT: Readonly<Record<RequestStatus, { fr: string; en: string }>> = {
  waiting: { fr: "en attente de l'attribution d'un rendez-vous", en: 'waiting for an appointment to be allocated' },
  offered: {
    fr: 'un rendez-vous lui a été proposé, en attente de confirmation',
    en: 'an appointment has been offered and awaits confirmation',
  },
  paused: {
    fr: 'en pause, une proposition étant restée sans réponse : à reconfirmer par le demandeur',
    en: 'paused, an offer having gone unanswered: to be reconfirmed by the applicant',
  },
  booked: { fr: 'un rendez-vous lui a été attribué', en: 'an appointment has been allocated' },
  withdrawn: { fr: 'retirée par le demandeur', en: 'withdrawn by the applicant' },
  closed: {
    fr: 'close, des propositions de rendez-vous étant restées sans réponse',
    en: 'closed, offers of an appointment having gone unanswered',
  },
};

export interface AttestationText {
  fr: { title: string; statement: string; status: string; verify: string; fields: [label: string, value: string][] };
  en: { title: string; statement: string; status: string; verify: string; fields: [label: string, value: string][] };
}

const localDateTime = (iso: string, timeZone: string, locale: 'fr' | 'en') => {
  const t = DateTime.fromISO(iso, { zone: timeZone }).setLocale(locale);
  return locale === 'fr' ? t.toFormat("d MMMM yyyy 'à' HH'h'mm") : t.toFormat("d MMMM yyyy 'at' HH:mm");
};
const calendarDate = (date: string, locale: 'fr' | 'en') =>
  DateTime.fromISO(date, { zone: 'UTC' }).setLocale(locale).toFormat('d MMMM yyyy');

/**
 * The words of the attestation. Example (French): « Le service des étrangers de la Préfecture
 * de la Seine-Saint-Denis atteste que Aminata DIALLO, née le 12 avril 1990, a déposé le 1 juin 2026 à 10h00 une
 * demande de rendez-vous pour la démarche « Entretien d'assimilation (naturalisation) »,
 * référence K7M4-9XQ2-HT. »
 */
export function attestationText(subject: AttestationSubject): AttestationText {
  const { facts, timeZone } = subject;
  const person = `${facts.givenNames} ${facts.surname.toUpperCase()}`;
  const fr = {
    title: 'Attestation de demande de rendez-vous',
    statement:
      `Le service des étrangers de la ${subject.prefectureName} atteste que ${person}, né(e) le ${calendarDate(facts.birthDate, 'fr')}, a déposé le ` +
      `${localDateTime(facts.filedAt, timeZone, 'fr')} une demande de rendez-vous pour la démarche « ${subject.procedureNameFr} », ` +
      `référence ${facts.reference}.`,
    status:
      `À la date de la présente attestation, le ${localDateTime(facts.issuedAt, timeZone, 'fr')}, cette demande est : ` +
      `${REQUEST_STATUS_TEXT[facts.status].fr}.`,
    verify:
      "Toute personne détenant cette attestation, notamment une juridiction, peut vérifier qu'elle est authentique et " +
      `savoir si la demande est toujours dans cette situation : ouvrir la page ${subject.verifyUrl}, y coller le jeton ` +
      'imprimé ci-dessous (ou le lire avec le code QR), puis choisir « Vérifier ». La page répond « attestation valide » ' +
      'avec les faits attestés et la situation actuelle de la demande, ou « attestation non valide ». Le jeton est signé ' +
      'électroniquement (Ed25519) : toute modification le rend non valide.',
    fields: [
      ['Référence de la demande', facts.reference],
      ['Démarche', subject.procedureNameFr],
      ['Préfecture', `${subject.prefectureName} (${facts.prefectureId})`],
      ['Demandeur', person],
      ['Date de naissance', calendarDate(facts.birthDate, 'fr')],
      ['Date de dépôt', localDateTime(facts.filedAt, timeZone, 'fr')],
      ['Situation', REQUEST_STATUS_TEXT[facts.status].fr],
      ['Attestation établie le', localDateTime(facts.issuedAt, timeZone, 'fr')],
    ] as [string, string][],
  };
  const en = {
    title: 'Certificate of appointment request',
    statement:
      `The foreigners' service of the ${subject.prefectureName} certifies that ${person}, born on ${calendarDate(facts.birthDate, 'en')}, filed on ` +
      `${localDateTime(facts.filedAt, timeZone, 'en')} a request for an appointment for the procedure "${subject.procedureNameEn}", ` +
      `reference ${facts.reference}.`,
    status: `On the date of this certificate, ${localDateTime(facts.issuedAt, timeZone, 'en')}, the request is: ${REQUEST_STATUS_TEXT[facts.status].en}.`,
    verify:
      'Anyone holding this certificate, a court in particular, can check that it is authentic and whether the request ' +
      `is still in this situation: open ${subject.verifyUrl}, paste the token printed below (or read it from the QR code) ` +
      'and choose "Check". The page answers "valid certificate" with the attested facts and the current status of the ' +
      'request, or "invalid certificate". The token is signed electronically (Ed25519): any change makes it invalid.',
    fields: [
      ['Request reference', facts.reference],
      ['Procedure', subject.procedureNameEn],
      ['Prefecture', `${subject.prefectureName} (${facts.prefectureId})`],
      ['Applicant', person],
      ['Date of birth', calendarDate(facts.birthDate, 'en')],
      ['Filed on', localDateTime(facts.filedAt, timeZone, 'en')],
      ['Status', REQUEST_STATUS_TEXT[facts.status].en],
      ['Issued on', localDateTime(facts.issuedAt, timeZone, 'en')],
    ] as [string, string][],
  };
  return { fr, en };
}
