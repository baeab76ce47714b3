// Verifiable draws (issue 16, part 1): the seed is committed to before the batch closes, and
// fixed by what closed.
//   1. Ahead of the tick, the server draws a secret (32 random bytes, as 64 hex digits) and
//      publishes its commitment: commitment = SHA-256(secret) — the hash of the hex TEXT, so
//      that `printf %s SECRET | sha256sum` checks it.
//   2. At the draw, each request gets a pseudonym for this draw only: pseudonym = the first 20
//      hex digits of SHA-256(secret ‖ request id), as text (`printf %s SECRETID | sha256sum`).
//      A keyed hash whose key is secret until the draw (and of fixed length, so no two
//      (secret, id) pairs give the same text); one hash a request, not HMAC's two: a million
//      pseudonyms take about 1 s instead of 5 (measured on this machine). The draw
//      runs on the pseudonyms (the lottery keys on the ids: the published draw and the real
//      one are the same computation), and the offers are mapped back to the requests.
//   3. closing digest = the input digest (domain/allocation-draw.ts) of the pseudonymised
//      requests and the slots with an EMPTY seed: what closed, before any seed exists.
//   4. seed = SHA-256(secret ‖ closing digest), both as hex text: `printf %s SECRETDIGEST | sha256sum`.
//   5. After the draw commits, the secret is revealed: anyone recomputes 1–4 and the draw itself
//      from the published file (`verifyPublishedDraw`, `creneau draw verify FILE`).
// The operator cannot choose the seed (it is bound to a secret committed before the tick) and
// an applicant cannot predict it (the secret is unknown until the draw, and the digest covers
// everyone else's request). Pseudonyms of one request differ from draw to draw (a new key
// each time): nobody links them without the request id; the applicant's page shows them.
import { createHash, hash } from 'node:crypto';
import {
  type Assignment,
  type DrawRequest,
  type DrawSlot,
  type HalfDay,
  inputDigestOf,
  runDraw,
} from './allocation-draw.ts';
import { DomainError } from './errors.ts';

export const DRAW_PUBLICATION_FORMAT = 'creneau-draw-publication/1';

/** Hex digits of a pseudonym: 80 bits, so that a million requests collide with odds of about 4 × 10⁻¹³. */
export const PSEUDONYM_LENGTH = 20;

const HEX64 = /^[0-9a-f]{64}$/;

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const isDrawSecret = (value: unknown): value is string => typeof value === 'string' && HEX64.test(value);

/** The secret as published: 32 random bytes in lowercase hex. */
export function drawSecretOf(randomBytes: Uint8Array): string {
  if (randomBytes.length !== 32) throw new DomainError('VALIDATION_FAILED', 'A draw secret is 32 bytes.');
  return Buffer.from(randomBytes).toString('hex');
}

/** commitment = SHA-256(secret as hex text), hex. */
export function commitmentOf(secret: string): string {
  return sha256Hex(secret);
}

/** seed = SHA-256(secret ‖ closing digest), both as hex text; hex. */
export function drawSeedOf(secret: string, closingDigest: string): string {
  return sha256Hex(secret + closingDigest);
}

/** The pseudonym of a request in the draw whose secret this is: SHA-256(secret ‖ id), 20 hex digits. */
export function pseudonymOf(secret: string, requestId: string): string {
  return hash('sha256', secret + requestId, 'hex').slice(0, PSEUDONYM_LENGTH);
}

/** The digest of what closed: the draw's canonical input with an empty seed. */
export function closingDigestOf(requests: readonly DrawRequest[], slots: readonly DrawSlot[]): string {
  return inputDigestOf({ requests, slots, seed: '' });
}

/**
 * The requests under their pseudonyms, in the same order: the k-th is requests[k] renamed, so
 * the way back to a request is its position (runSeededDraw's `positions`), not a map of a
 * million pseudonyms (about 0.6 s to build). Two requests under one pseudonym (odds of 10⁻¹³,
 * or the same id twice) are refused by the draw itself, as any duplicate request id, rather
 * than drawn wrong.
 */
export function pseudonymise(requests: readonly DrawRequest[], secret: string): DrawRequest[] {
  // Field by field: a spread takes nearly twice as long for a million requests.
  return requests.map((request) => ({
    id: pseudonymOf(secret, request.id),
    priorityClass: request.priorityClass,
    batch: request.batch,
    siteIds: request.siteIds,
    weekdays: request.weekdays,
    halfDays: request.halfDays,
  }));
}

// =======================================================================================
// The published draw

/** What a prefecture publishes of a finished draw (GET /tirages/:prefectureId/:drawId.json). */
export interface PublishedDraw {
  format: typeof DRAW_PUBLICATION_FORMAT;
  drawId: string;
  prefectureId: string;
  procedureId: string;
  tick: string;
  trigger: string;
  /** When the commitment was made: before the tick for a scheduled draw, at the draw for a manual one. */
  committedAt: string;
  startedAt: string;
  finishedAt: string;
  commitment: string;
  secret: string;
  closingDigest: string;
  seed: string;
  inputDigest: string;
  resultDigest: string;
  counts: { requests: number; slots: number; assigned: number; opened: number };
  /** [pseudonym, class, batch, sites, weekdays, half-days] */
  requests: [string, number, number, string[], number[], HalfDay[]][];
  /** [slot id, site, startsAt (epoch ms), weekday, half-day] */
  slots: [string, string, number, number, HalfDay][];
  /** [pseudonym, slot id], in the order the requests chose. */
  result: [string, string][];
}

export const publishedRequest = (r: DrawRequest): PublishedDraw['requests'][number] => [
  r.id,
  r.priorityClass,
  r.batch,
  [...r.siteIds],
  [...r.weekdays],
  [...r.halfDays],
];
export const publishedSlot = (s: DrawSlot): PublishedDraw['slots'][number] => [
  s.id,
  s.siteId,
  s.startsAt,
  s.weekday,
  s.halfDay,
];

export interface DrawVerification {
  matches: boolean;
  /** The first check that failed, in words; null when all match. */
  mismatch: string | null;
  /** Each check, in order, with its outcome (those after a failure are not run). */
  checks: { name: string; ok: boolean }[];
}

const malformed = (why: string) => new DomainError('VALIDATION_FAILED', `Not a published draw: ${why}`);

const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isArrayOf = <T>(v: unknown, check: (x: unknown) => x is T): v is T[] => Array.isArray(v) && v.every(check);
const isHalfDay = (v: unknown): v is HalfDay => v === 'am' || v === 'pm';

/** Reads a published draw (its JSON text), checking shapes only; throws VALIDATION_FAILED. */
export function parsePublishedDraw(text: string): PublishedDraw {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || v.format !== DRAW_PUBLICATION_FORMAT)
    throw malformed(`expected format ${DRAW_PUBLICATION_FORMAT}`);
  for (const field of ['commitment', 'secret', 'closingDigest', 'seed', 'inputDigest', 'resultDigest'])
    if (!isString(v[field])) throw malformed(`${field} is required`);
  const counts = v.counts as Record<string, unknown> | null;
  if (!counts || !isInt(counts.requests) || !isInt(counts.slots)) throw malformed('counts are required');
  const requests = v.requests;
  if (
    !isArrayOf(
      requests,
      (r): r is PublishedDraw['requests'][number] =>
        Array.isArray(r) &&
        r.length === 6 &&
        isString(r[0]) &&
        isInt(r[1]) &&
        isInt(r[2]) &&
        isArrayOf(r[3], isString) &&
        isArrayOf(r[4], isInt) &&
        isArrayOf(r[5], isHalfDay),
    )
  )
    throw malformed('a request is [pseudonym, class, batch, sites, weekdays, half-days]');
  if (
    !isArrayOf(
      v.slots,
      (s): s is PublishedDraw['slots'][number] =>
        Array.isArray(s) &&
        s.length === 5 &&
        isString(s[0]) &&
        isString(s[1]) &&
        isInt(s[2]) &&
        isInt(s[3]) &&
        isHalfDay(s[4]),
    )
  )
    throw malformed('a slot is [id, site, startsAt, weekday, half-day]');
  if (
    !isArrayOf(
      v.result,
      (a): a is [string, string] => Array.isArray(a) && a.length === 2 && isString(a[0]) && isString(a[1]),
    )
  )
    throw malformed('the result is a list of [pseudonym, slot id]');
  return v as unknown as PublishedDraw;
}

export const drawRequestsOf = (published: Pick<PublishedDraw, 'requests'>): DrawRequest[] =>
  published.requests.map(([id, priorityClass, batch, siteIds, weekdays, halfDays]) => ({
    id,
    priorityClass,
    batch,
    siteIds,
    weekdays,
    halfDays,
  }));
export const drawSlotsOf = (published: Pick<PublishedDraw, 'slots'>): DrawSlot[] =>
  published.slots.map(([id, siteId, startsAt, weekday, halfDay]) => ({ id, siteId, startsAt, weekday, halfDay }));

/**
 * Recomputes a published draw from its own data alone, in this order, and stops at the first
 * check that fails: the commitment is the secret's hash (and, if given, the one seen before the
 * tick); the requests and slots are those closed (closing digest) and counted; the seed comes
 * from the secret and the closing digest; the draw run again gives the published input digest,
 * result digest and result, assignment by assignment.
 */
export function verifyPublishedDraw(
  published: PublishedDraw,
  options: { expectedCommitment?: string } = {},
): DrawVerification {
  const checks: DrawVerification['checks'] = [];
  const fail = (name: string, mismatch: string): DrawVerification => {
    checks.push({ name, ok: false });
    return { matches: false, mismatch, checks };
  };
  const pass = (name: string) => checks.push({ name, ok: true });

  if (commitmentOf(published.secret) !== published.commitment)
    return fail('commitment', 'commitment: SHA-256(secret) is not the published commitment');
  pass('commitment');
  if (options.expectedCommitment !== undefined) {
    if (options.expectedCommitment.toLowerCase() !== published.commitment)
      return fail('expected commitment', 'commitment: not the one given (the commitment published before the draw)');
    pass('expected commitment');
  }
  if (published.requests.length !== published.counts.requests || published.slots.length !== published.counts.slots)
    return fail(
      'counts',
      `counts: the file lists ${published.requests.length} requests and ${published.slots.length} slots, its counts say ${published.counts.requests} and ${published.counts.slots}`,
    );
  pass('counts');
  const requests = drawRequestsOf(published);
  const slots = drawSlotsOf(published);
  let closingDigest: string;
  try {
    closingDigest = closingDigestOf(requests, slots);
  } catch (error) {
    return fail('closing digest', `closing digest: the requests or slots are invalid (${(error as Error).message})`);
  }
  if (closingDigest !== published.closingDigest)
    return fail(
      'closing digest',
      `closing digest: the requests and slots give ${closingDigest}, not the published ${published.closingDigest} (a request or slot was added, removed or changed)`,
    );
  pass('closing digest');
  const seed = drawSeedOf(published.secret, published.closingDigest);
  if (seed !== published.seed)
    return fail('seed', `seed: SHA-256(secret ‖ closing digest) is ${seed}, not the published ${published.seed}`);
  pass('seed');
  const replayed = runDraw({ requests, slots, seed });
  if (replayed.inputDigest !== published.inputDigest)
    return fail(
      'input digest',
      `input digest: the draw's input gives ${replayed.inputDigest}, not ${published.inputDigest}`,
    );
  pass('input digest');
  if (replayed.resultDigest !== published.resultDigest)
    return fail(
      'result digest',
      `result digest: the draw run again gives ${replayed.resultDigest}, not the published ${published.resultDigest}`,
    );
  pass('result digest');
  const length = Math.max(replayed.assignments.length, published.result.length);
  for (let k = 0; k < length; k++) {
    const mine: Assignment | undefined = replayed.assignments[k];
    const theirs = published.result[k];
    if (mine?.requestId !== theirs?.[0] || mine?.slotId !== theirs?.[1]) {
      const show = (a: { requestId: string; slotId: string } | undefined) =>
        a ? `${a.requestId} → ${a.slotId}` : 'nothing';
      return fail(
        'result',
        `result: assignment #${k + 1} is ${show(theirs && { requestId: theirs[0], slotId: theirs[1] })} in the file, ${show(mine)} when drawn again`,
      );
    }
  }
  pass('result');
  return { matches: true, mismatch: null, checks };
}
