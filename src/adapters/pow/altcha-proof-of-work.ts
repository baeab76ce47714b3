// Self-hosted proof of work with ALTCHA (protocol v2 of altcha-lib / the `altcha` widget).
//
// A challenge is created by altcha-lib in "deterministic" mode: we pick a secret counter
// in [maxNumber/2, maxNumber] (maxNumber from the adaptive DifficultyPolicy), the library
// derives key = SHA-256(salt ‖ nonce ‖ counter as uint32 big-endian), publishes the first
// 16 bytes of it as `keyPrefix`, and HMAC-SHA-256-signs the parameters — expiry included
// (`expiresAt`, 5 minutes after creation by the injected clock). The browser tries
// counters from 0 until a key starts with the prefix, and sends back base64(JSON of
// { challenge: { parameters, signature }, solution: { counter, derivedKey } }).
//
// Why plain SHA-256 and not PBKDF2 / scrypt / Argon2id: see docs/PROOF-OF-WORK.md. In short,
// checking a solution must cost us less than sending one costs the sender.
//
// Verification is ours, not altcha-lib's verifySolution: the library signs through
// WebCrypto (importKey + sign per call: ~12,000 verifications/s on one core here), whereas
// node:crypto's synchronous HMAC and one-shot hash do the same checks about 7 times faster
// (~85,000/s, bench/pow.ts). The format is the library's: canonical JSON of the parameters (keys sorted,
// exactly what it signed), hex HMAC; a test checks both verifiers agree.
//
// Order of the checks, cheapest and most telling first; nothing touches storage before the
// solution is proven right, so a flood of forgeries never reaches the database or Redis:
//   1. shape (length cap, base64, JSON, exact fields and types)           → 'invalid'
//   2. HMAC signature over the parameters (tampered parameters, forgery)  → 'invalid'
//   3. expiry against the injected clock                                  → 'expired'
//   4. SHA-256 of the submitted counter equals the submitted key and
//      starts with the signed prefix                                      → 'invalid'
//   5. claim the signature in the ReplayStore until the expiry            → 'replayed'
// Any input whatsoever gets a verdict; only a failing ReplayStore makes verify() reject.
import { createHmac, createSecretKey, hash, type KeyObject, timingSafeEqual } from 'node:crypto';
import { createChallenge, randomInt } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { DifficultyPolicy } from '../../domain/pow-difficulty.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PowChallenge, PowContext, PowVerdict, ProofOfWork, ReplayStore } from '../../ports/proof-of-work.ts';

export const POW_ALGORITHM = 'SHA-256';
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** A real payload is about 600 characters; anything much longer is not worth decoding. */
export const MAX_PAYLOAD_LENGTH = 2048;
const KEY_LENGTH = 32;

export interface AltchaProofOfWorkOptions {
  /** HMAC-SHA-256 key of the challenges (POW_HMAC_KEY). */
  hmacKey: string;
  replayStore: ReplayStore;
  clock: Clock;
  difficulty: DifficultyPolicy;
}

/** A payload that passed the shape check (step 1). Hex strings are lowercase and of the right length. */
interface ParsedPayload {
  /** The parameters exactly as signed: canonical JSON (sorted keys). */
  canonicalParameters: string;
  signature: string;
  expiresAt: number;
  salt: string;
  nonce: string;
  keyPrefix: string;
  counter: number;
  derivedKey: string;
}

const HEX_16_BYTES = /^[0-9a-f]{32}$/;
const HEX_32_BYTES = /^[0-9a-f]{64}$/;
const HEX_PREFIX = /^(?:[0-9a-f]{2}){1,32}$/;
// Exactly the parameters our challenges carry, in the order altcha-lib signs them (sorted).
const PARAMETER_KEYS = ['algorithm', 'cost', 'expiresAt', 'keyLength', 'keyPrefix', 'nonce', 'salt'] as const;
// base64 of '{"': the widget's JSON always starts so. Refusing other input before JSON.parse
// spares the cost of a SyntaxError on most garbage.
const JSON_OBJECT_BASE64_START = 'eyJ';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Step 1: the shape of the widget's payload, or null. Never throws. */
function parseAltchaPayload(payload: string): ParsedPayload | null {
  // Node's base64 decoder skips characters outside the alphabet: whatever survives must
  // still be JSON of the exact shape below, so no stricter (slower) pre-check is needed.
  if (payload.length > MAX_PAYLOAD_LENGTH || !payload.startsWith(JSON_OBJECT_BASE64_START)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(decoded) || !isRecord(decoded.challenge) || !isRecord(decoded.solution)) return null;
  const { parameters, signature } = decoded.challenge;
  if (!isRecord(parameters) || typeof signature !== 'string' || !HEX_32_BYTES.test(signature)) return null;
  let keys = 0;
  for (const k in parameters) if (Object.hasOwn(parameters, k)) keys++;
  if (keys !== PARAMETER_KEYS.length) return null;
  const { algorithm, cost, expiresAt, keyLength, keyPrefix, nonce, salt } = parameters;
  if (
    algorithm !== POW_ALGORITHM ||
    cost !== 1 ||
    keyLength !== KEY_LENGTH ||
    typeof expiresAt !== 'number' ||
    !Number.isSafeInteger(expiresAt) ||
    expiresAt <= 0 ||
    typeof keyPrefix !== 'string' ||
    !HEX_PREFIX.test(keyPrefix) ||
    typeof nonce !== 'string' ||
    !HEX_16_BYTES.test(nonce) ||
    typeof salt !== 'string' ||
    !HEX_16_BYTES.test(salt)
  )
    return null;
  const { counter, derivedKey } = decoded.solution;
  if (typeof counter !== 'number' || !Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) return null;
  if (typeof derivedKey !== 'string' || !HEX_32_BYTES.test(derivedKey)) return null;
  return {
    // Rebuilt from the checked values (hex strings, a safe integer: nothing to escape), in
    // sorted key order: the very string altcha-lib signed, JSON.stringify(sortKeys(parameters)).
    canonicalParameters:
      `{"algorithm":"${POW_ALGORITHM}","cost":1,"expiresAt":${expiresAt},"keyLength":${KEY_LENGTH},` +
      `"keyPrefix":"${keyPrefix}","nonce":"${nonce}","salt":"${salt}"}`,
    signature,
    expiresAt,
    salt,
    nonce,
    keyPrefix,
    counter,
    derivedKey,
  };
}

function signatureMatches(parsed: ParsedPayload, key: KeyObject): boolean {
  const expected = createHmac('sha256', key).update(parsed.canonicalParameters).digest();
  // Constant time: the expected signature is the secret a forger would like to learn.
  return timingSafeEqual(expected, Buffer.from(parsed.signature, 'hex'));
}

function solutionMatches(parsed: ParsedPayload): boolean {
  // salt ‖ nonce ‖ counter (uint32, big-endian): altcha-lib's SHA-256 deriveKey at cost 1.
  const input = Buffer.allocUnsafe(36);
  input.write(parsed.salt, 0, 'hex');
  input.write(parsed.nonce, 16, 'hex');
  input.writeUInt32BE(parsed.counter, 32);
  // One-shot hash() (Node ≥ 20.12): cheaper than a createHash() object for 36 bytes. The key
  // of a public challenge is no secret (anyone can hash a counter), so plain comparison is fine.
  const key = hash('sha256', input, 'hex');
  return key === parsed.derivedKey && key.startsWith(parsed.keyPrefix);
}

export function createAltchaProofOfWork(options: AltchaProofOfWorkOptions): ProofOfWork {
  const { hmacKey, replayStore, clock, difficulty } = options;
  if (typeof hmacKey !== 'string' || hmacKey.length === 0)
    throw new Error('the proof-of-work HMAC key must not be empty');
  const key = createSecretKey(Buffer.from(hmacKey, 'utf8'));

  async function createPowChallenge(context: PowContext): Promise<PowChallenge> {
    const now = clock.now();
    difficulty.record(context.ip, now);
    const maxNumber = difficulty.maxNumberFor(context.ip, now);
    const challenge = await createChallenge({
      algorithm: POW_ALGORITHM,
      cost: 1,
      // The browser counts from 0: drawing in the upper half keeps the worst case at
      // maxNumber while making the average 0.75 × maxNumber rather than 0.5 ×.
      counter: randomInt(maxNumber, Math.ceil(maxNumber / 2)),
      deriveKey,
      hmacSignatureSecret: hmacKey,
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
    });
    return { parameters: challenge.parameters, signature: challenge.signature };
  }

  async function verify(payload: string | undefined, context: PowContext): Promise<PowVerdict> {
    const now = clock.now();
    difficulty.record(context.ip, now);
    if (payload === undefined || payload === null || payload === '') return 'missing';
    let parsed: ParsedPayload | null;
    try {
      parsed = typeof payload === 'string' ? parseAltchaPayload(payload) : null;
      if (!parsed || !signatureMatches(parsed, key)) return 'invalid';
      if (now.getTime() > parsed.expiresAt * 1000) return 'expired';
      if (!solutionMatches(parsed)) return 'invalid';
    } catch {
      return 'invalid';
    }
    // The signature names the challenge: one nonce and salt, one use.
    const firstUse = await replayStore.claimOnce(parsed.signature, new Date(parsed.expiresAt * 1000), context.owner);
    return firstUse ? 'ok' : 'replayed';
  }

  return { createChallenge: createPowChallenge, verify };
}
