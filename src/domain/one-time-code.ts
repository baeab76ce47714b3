// One-time codes that prove an email address before a booking, a request or a reschedule.
// 8 decimal digits: 10^8 values ≈ 26.6 bits, drawn uniformly; with at most 5 tries per code
// a guesser wins with probability 5 / 10^8 per code sent, and sends are rate-limited.
// Pure: randomness comes in as bytes from the caller.
import { isUuid } from './identifiers.ts';

/** 'access': the way back in by reference and birth date (app/access/). */
export type EmailCodePurpose = 'booking' | 'request' | 'reschedule' | 'access';
export const EMAIL_CODE_PURPOSES = [
  'booking',
  'request',
  'reschedule',
  'access',
] as const satisfies readonly EmailCodePurpose[];

export const EMAIL_CODE_DIGITS = 8;
const CODE_SPACE = 10 ** EMAIL_CODE_DIGITS;
/** log2(10^8): the entropy of one code. The requirement is ≥ 20 bits. */
export const EMAIL_CODE_BITS = Math.log2(CODE_SPACE);
/** A code never lives longer than this, whatever the configuration says. */
export const EMAIL_CODE_MAX_TTL_MINUTES = 10;

/** Bytes consumed by one draw (one 32-bit word). */
export const CODE_DRAW_BYTES = 4;
// The largest multiple of 10^8 that fits in 32 bits: 42 × 10^8. Words at or above it are
// rejected (≈ 2.2 % of draws), so `word % 10^8` is exactly uniform — no modulo bias.
const ACCEPT_BELOW = Math.floor(2 ** 32 / CODE_SPACE) * CODE_SPACE;

/**
 * Turns 4 random bytes into an 8-digit code, or null when the word falls in the rejected
 * tail (draw again). Example: bytes 00 00 30 39 → 12345 → "00012345".
 */
export function codeFromRandomBytes(bytes: Uint8Array): string | null {
  if (bytes.length < CODE_DRAW_BYTES) throw new RangeError(`a code needs ${CODE_DRAW_BYTES} random bytes`);
  const word = ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!;
  if (word >= ACCEPT_BELOW) return null;
  return String(word % CODE_SPACE).padStart(EMAIL_CODE_DIGITS, '0');
}

/** Draws until a word is accepted (rejection sampling); `randomBytes` is the injected source. */
export function drawCode(randomBytes: (count: number) => Uint8Array): string {
  for (;;) {
    const code = codeFromRandomBytes(randomBytes(CODE_DRAW_BYTES));
    if (code) return code;
  }
}

/** How a code is shown to people: "12345678" → "1234 5678". */
export function formatCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`;
}

/**
 * What people type, back to 8 digits: spaces (also non-breaking: \s covers them), dashes and dots are
 * ignored — "1234 5678", "1234-5678", " 12345678 " → "12345678". Anything else → null.
 */
export function normaliseCodeInput(raw: string): string | null {
  const digits = raw.replace(/[\s.\-‐‑–—]/g, '');
  return new RegExp(`^\\d{${EMAIL_CODE_DIGITS}}$`).test(digits) ? digits : null;
}

/** The address a code is bound to: the one it was sent to, trimmed, compared without case. */
export function normaliseVerifiedEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A well-formed verification id (a UUID), lower-cased; null for anything else. */
export function parseVerificationId(raw: string): string | null {
  return isUuid(raw) ? raw.toLowerCase() : null;
}

/** A random (version 4) UUID from 16 random bytes, for verification ids. */
export function verificationIdFromRandomBytes(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new RangeError('a verification id needs 16 random bytes');
  const b = Array.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
