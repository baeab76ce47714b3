// The nominative convocation: a signed statement "appointment <aid>, reference <ref>, valid
// until <exp>", shown as a QR code at the counter, with the booking reference as the short
// code an agent can type when the QR code cannot be scanned.
//
// Wire format (version 1), 149 characters, all in the QR "alphanumeric" set (A–Z, 2–7, "."),
// which packs 5.5 bits per character instead of 8: a version-6 QR code (41×41 modules) at
// error correction M, where base64url (byte mode) would need version 8.
//
//   token   = base32(payload) "." base32(signature)          45 + 1 + 103 characters
//   payload = version (1 byte, = 1)
//           | appointment id (16 bytes, the UUID)
//           | reference (7 bytes: its 10 base-30 symbols as one big-endian integer)
//           | expiry (4 bytes, unsigned big-endian, Unix seconds)
//   signature = Ed25519 over CONVOCATION_SIGNING_CONTEXT | payload
//
// base32 is RFC 4648's alphabet without padding; decoding accepts lower case (a pasted
// token) but only the canonical encoding, so one payload has exactly one token.
import { DateTime } from 'luxon';
import type { AppointmentStatus } from './agenda-rules.ts';
import { normaliseReference, REFERENCE_ALPHABET, REFERENCE_LENGTH } from './booking-reference.ts';
import { isUuid } from './identifiers.ts';

export const CONVOCATION_VERSION = 1;

/** The QR code's settings, alike on the page (SVG) and in emails (PNG). */
export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export interface ConvocationPayload {
  v: typeof CONVOCATION_VERSION;
  /** Booking reference, formatted "K7M4-9XQ2-HT". */
  ref: string;
  /** Appointment id (UUID, lower case). */
  aid: string;
  /** Expiry, Unix seconds. */
  exp: number;
}

/** Prefixed to every signed payload, so a signature made here means nothing elsewhere. */
export const CONVOCATION_SIGNING_CONTEXT = 'creneau/convocation/v1\n';

const PAYLOAD_BYTES = 1 + 16 + 7 + 4;
const ED25519_SIGNATURE_BYTES = 64;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const MAX_EXP = 0xffff_ffff;

// ---------------------------------------------------------------------------------------
// base32 (RFC 4648 alphabet, no padding)

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The bytes, or null unless `text` is the canonical encoding of exactly `length` bytes. */
export function base32Decode(text: string, length: number): Uint8Array | null {
  if (text.length !== Math.ceil((length * 8) / 5)) return null;
  const out = new Uint8Array(length);
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text.toUpperCase()) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  // Leftover bits must be zero: "…A" and "…B" must not both decode to the same bytes.
  return buffer === 0 ? out : null;
}

// ---------------------------------------------------------------------------------------
// payload

function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function bytesToUuid(bytes: Uint8Array): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** "K7M4-9XQ2-HT" → 7 bytes: 30^10 < 2^50 fits in 56 bits. */
function packReference(reference: string): Uint8Array {
  let n = 0n;
  for (const symbol of reference.replace(/-/g, '')) n = n * 30n + BigInt(REFERENCE_ALPHABET.indexOf(symbol));
  const out = new Uint8Array(7);
  for (let i = 6; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function unpackReference(bytes: Uint8Array): string | null {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  if (n >= 30n ** BigInt(REFERENCE_LENGTH)) return null;
  let symbols = '';
  for (let i = 0; i < REFERENCE_LENGTH; i++) {
    symbols = REFERENCE_ALPHABET[Number(n % 30n)] + symbols;
    n /= 30n;
  }
  return normaliseReference(symbols);
}

export function encodePayload(payload: ConvocationPayload): Uint8Array {
  const reference = normaliseReference(payload.ref);
  if (payload.v !== CONVOCATION_VERSION) throw new RangeError(`unsupported convocation version ${String(payload.v)}`);
  if (!reference) throw new RangeError('not a booking reference');
  if (!isUuid(payload.aid)) throw new RangeError('appointment id is not a UUID');
  if (!Number.isInteger(payload.exp) || payload.exp < 0 || payload.exp > MAX_EXP)
    throw new RangeError('expiry out of range');
  const out = new Uint8Array(PAYLOAD_BYTES);
  out[0] = CONVOCATION_VERSION;
  out.set(uuidToBytes(payload.aid.toLowerCase()), 1);
  out.set(packReference(reference), 17);
  new DataView(out.buffer).setUint32(24, payload.exp);
  return out;
}

export function decodePayload(bytes: Uint8Array): ConvocationPayload | null {
  if (bytes.length !== PAYLOAD_BYTES || bytes[0] !== CONVOCATION_VERSION) return null;
  const ref = unpackReference(bytes.subarray(17, 24));
  if (!ref) return null;
  const exp = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(24);
  return { v: CONVOCATION_VERSION, ref, aid: bytesToUuid(bytes.subarray(1, 17)), exp };
}

/** What is signed: the context string, then the payload bytes. */
export function signedMessage(payloadBytes: Uint8Array): Uint8Array {
  const context = new TextEncoder().encode(CONVOCATION_SIGNING_CONTEXT);
  const message = new Uint8Array(context.length + payloadBytes.length);
  message.set(context);
  message.set(payloadBytes, context.length);
  return message;
}

// ---------------------------------------------------------------------------------------
// token

export const CONVOCATION_TOKEN_LENGTH =
  Math.ceil((PAYLOAD_BYTES * 8) / 5) + 1 + Math.ceil((ED25519_SIGNATURE_BYTES * 8) / 5);

export function formatToken(payloadBytes: Uint8Array, signature: Uint8Array): string {
  return `${base32Encode(payloadBytes)}.${base32Encode(signature)}`;
}

export interface ParsedToken {
  payload: ConvocationPayload;
  payloadBytes: Uint8Array;
  signature: Uint8Array;
}

/** The parts of a well-formed token (signature not checked yet), or null. Surrounding spaces are ignored. */
export function parseToken(raw: string): ParsedToken | null {
  const token = raw.trim();
  if (token.length !== CONVOCATION_TOKEN_LENGTH) return null;
  const [encodedPayload, encodedSignature, ...rest] = token.split('.');
  if (rest.length || encodedPayload === undefined || encodedSignature === undefined) return null;
  const payloadBytes = base32Decode(encodedPayload, PAYLOAD_BYTES);
  const signature = base32Decode(encodedSignature, ED25519_SIGNATURE_BYTES);
  const payload = payloadBytes && decodePayload(payloadBytes);
  return payload && signature ? { payload, payloadBytes: payloadBytes!, signature } : null;
}

// ---------------------------------------------------------------------------------------
// rules

/**
 * A convocation stays valid until the end of the local day of the appointment: an
 * applicant checked in on time may still be waiting for a counter after the slot's end.
 * Example: a slot ending 2026-06-02T07:30Z in Europe/Paris (09:30) → 2026-06-03T00:00+02:00
 * = 2026-06-02T22:00:00Z.
 */
export function convocationExpiry(endsAt: Date, timeZone: string): number {
  const local = DateTime.fromJSDate(endsAt, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`Unknown time zone: ${timeZone}`);
  return Math.floor(local.startOf('day').plus({ days: 1 }).toSeconds());
}

/**
 * The short code an agent types at the counter is the booking reference: 10 symbols from
 * an alphabet without look-alikes (≈ 49 bits), already printed on every confirmation and
 * read over the phone. It grants nothing by itself: only an authenticated agent can verify
 * it, at a rate-limited endpoint. Accepts what people type ("k7m4 9xq2ht").
 */
export const shortCodeOf = (reference: string): string => reference;
export const parseShortCode = (raw: string): string | null => normaliseReference(raw);

export interface ConvocationSubject {
  status: AppointmentStatus;
  endsAt: Date;
  timeZone: string;
}

/**
 * Whether the appointment behind a convocation may still be honoured at `now`:
 *   - booked: until the slot ends (a 09:00–09:30 appointment is refused at 09:30);
 *   - arrived (checked in, waiting for a counter): until the end of that local day;
 *   - served, no-show, cancelled: never.
 */
export function isConvocationHonoured(subject: ConvocationSubject, now: Date): boolean {
  if (subject.status === 'booked') return now.getTime() < subject.endsAt.getTime();
  if (subject.status === 'arrived') return now.getTime() < convocationExpiry(subject.endsAt, subject.timeZone) * 1000;
  return false;
}
