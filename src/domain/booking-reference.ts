// Booking references are read over the phone and typed at the counter: no 0/O, 1/I/L or U,
// grouped by four. 10 symbols from 30 ≈ 49 bits: not guessable, and the reference alone
// grants nothing (managing an appointment needs the management token).
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERENCE_LENGTH = 10;

/**
 * Builds a reference from random bytes, skipping bytes ≥ 240 so every symbol is equally
 * likely (240 = 8 × 30). Returns null when the bytes ran out; ask for more and retry.
 * Example: symbols "K7M49XQ2HT" → "K7M4-9XQ2-HT".
 */
export function referenceFromRandomBytes(bytes: Uint8Array): string | null {
  let symbols = '';
  for (const byte of bytes) {
    if (byte >= 240) continue;
    symbols += REFERENCE_ALPHABET[byte % 30];
    if (symbols.length === REFERENCE_LENGTH) return symbols.replace(/(.{4})(.{4})(.{2})/, '$1-$2-$3');
  }
  return null;
}

/** Accepts what a person types: lower case, spaces, missing dashes. "k7m4 9xq2ht" → "K7M4-9XQ2-HT". */
export function normaliseReference(raw: string): string | null {
  const compact = raw.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== REFERENCE_LENGTH || ![...compact].every((c) => REFERENCE_ALPHABET.includes(c))) return null;
  return compact.replace(/(.{4})(.{4})(.{2})/, '$1-$2-$3');
}
