// Request-first allocation: a draw assigns released slots to waiting requests so that speed
// buys nothing. Serial dictatorship by priority: requests are ordered by priority class
// (urgency first), then by batch — the day the request entered the queue, earlier days first
// — and within one class and one batch by a seeded lottery; each request in turn takes its
// earliest acceptable free slot. The filing instant is not an input: two requests filed the
// same day, one at 00:01 and one at 23:59, have the same chance, so filing at once buys
// nothing. Pure and deterministic: the same input and seed give the same assignment, bit for
// bit, so anyone can replay a draw.
//
// Worked example (seed "tirage"). Slots: Tue 2 June 2026 09:00, 09:15 and 09:30 at Cité.
//   Aïcha  — class 0 (permit expired), batch 20606 (entered Tue 2 June), Cité, Tuesday mornings
//   Bruno  — class 2 (normal),         batch 20605 (Mon 1 June, 08:00),   Cité, Tuesday mornings
//   Chloé  — class 2 (normal),         batch 20605 (Mon 1 June, 23:50),   Cité, Tuesday mornings
//   Djamel — class 2 (normal),         batch 20604 (Sun 31 May),          Cité, Tuesday mornings
// Ids in canonical order: aicha, bruno, chloe, djamel. The lottery of 4 with seed "tirage"
// gives the ranks aicha 0, bruno 3, chloe 1, djamel 2 (`lotteryRank(4, 'tirage')`).
// Order: Aïcha (class 0 comes before any batch), then Djamel (class 2, the earliest batch:
// that Chloé's rank is better plays no part), then Chloé before Bruno (same class, same
// batch: rank 1 < 3 — that Bruno filed 16 hours earlier plays no part). Aïcha takes 09:00,
// Djamel 09:15, Chloé 09:30; Bruno waits for the next draw.
//
// The rules, precisely (this is what a replay must reproduce):
// 1. Canonical order of ids: UTF-16 code-unit order (JavaScript `<`). The order of the
//    input arrays, and of the preferences inside a request, never matters.
// 2. Choosing order: (priorityClass asc, batch asc, lottery rank asc). The lottery ranks are
//    those of ALL the draw's requests, in canonical id order, from a Fisher–Yates shuffle
//    seeded from SHA-256(UTF-8 seed) (`lotteryPermutation`, `lotteryRank`,
//    `lotteryGenerator`); ranks are distinct, so the order is total. Within one (class,
//    batch) the order is thus a uniform random permutation, whatever the ids and instants.
//    `batch` is an integer the caller computes (Créneau: days since 1970-01-01 of the local
//    calendar day on which the request entered the queue — filed, or returned after a
//    decline or a reconfirmation).
// 3. Each request in turn takes, among the free slots it accepts (site ∈ siteIds,
//    weekday ∈ weekdays, halfDay ∈ halfDays), the earliest: smallest startsAt, ties by
//    smallest slot id. A request that accepts no free slot gets nothing (it waits).
// 4. Digests: SHA-256 (hex) of the canonical input and of the canonical result, written as
//    described above `writeCanonicalInput` and `writeCanonicalResult`.
//
// Why it is fast (1M requests × 500k slots in about 1.5–2.5 s on this 2-core machine, GC
// included; figures from `npm run bench:draw`): the slots are grouped in buckets by (site,
// weekday, half-day), each sorted earliest first. Every request takes the earliest slot it
// accepts, which is the earliest free slot of one of its buckets: so slots are only ever
// taken at the head of a bucket, and a cursor per bucket is the whole state. A request
// compares at most sites × 7 × 2 bucket heads, as integer ranks, without allocating. Each
// sort is ONE native sort of packed 64-bit keys (`stableSortByKey`), strings included
// (`sortIndicesById`), because a comparator sort of a million items costs about a second:
// the choosing order is the lottery permutation, stably sorted by batch (packed keys), then
// stably by class (counting sort).
// Allocation is kept low on purpose: with a million request objects on the heap, a full
// collection costs 300–500 ms, and V8 starts one when more than 64 MB of typed arrays are
// allocated between two collections (about 60 MB here for 1M requests).
import { createHash } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { DomainError } from './errors.ts';

/** 0 = most urgent (permit or récépissé already expired), 1 = expiring soon, 2 = normal. */
export type PriorityClass = number;

export type HalfDay = 'am' | 'pm';

export interface DrawRequest {
  id: string;
  priorityClass: PriorityClass;
  /**
   * Waiting batch: a non-negative integer below 2^32, smaller = waited longer = chooses
   * first within its class. Créneau: days since 1970-01-01 of the local day the request
   * entered the queue. Requests of one batch are ordered by the lottery.
   */
  batch: number;
  /** Acceptable sites (one or several in the prefecture). */
  siteIds: readonly string[];
  /** Acceptable ISO weekdays (1 = Monday … 7 = Sunday). */
  weekdays: readonly number[];
  /** Acceptable half-days. */
  halfDays: readonly HalfDay[];
}

export interface DrawSlot {
  id: string;
  siteId: string;
  /** Epoch milliseconds: "earliest" means smallest startsAt (ties: smallest id). */
  startsAt: number;
  /** Local ISO weekday and half-day of the slot, in the prefecture's time zone. */
  weekday: number;
  halfDay: HalfDay;
}

export interface DrawInput {
  requests: readonly DrawRequest[];
  slots: readonly DrawSlot[];
  /** Seed of the lottery that orders requests of the same class and batch; any string. */
  seed: string;
}

export interface Assignment {
  requestId: string;
  slotId: string;
}

export interface DrawResult {
  /** In the order the requests chose. */
  assignments: Assignment[];
  /** The order in which requests chose (ids), for audit. */
  order: string[];
  /** SHA-256 (hex) of the canonical input, and of the assignments. */
  inputDigest: string;
  resultDigest: string;
}

/** First line of each canonical serialisation; bump if the format or the rules change. */
export const DRAW_INPUT_FORMAT = 'creneau-draw-input/2';
export const DRAW_RESULT_FORMAT = 'creneau-draw-result/2';

/** Highest priority class accepted (classes are small integers: 0 = most urgent). */
export const MAX_PRIORITY_CLASS = 255;

/** Batches are written as uint32 in the canonical input: 0 ≤ batch < 2^32. */
export const BATCH_LIMIT = 2 ** 32;

// =======================================================================================
// The draw

/**
 * Runs a draw. Pure: the same input (arrays in any order) and seed give the same result and
 * digests. Throws DomainError VALIDATION_FAILED on malformed input: duplicate request or
 * slot id, weekday outside 1–7, unknown half-day, startsAt not an integer number of
 * milliseconds, class outside 0–255, batch not an integer from 0 to 2^32 − 1.
 */
export function runDraw(input: DrawInput): DrawResult {
  return drawPrepared(input, prepare(input)).result;
}

/**
 * Runs a draw whose seed is made from what closed (domain/draw-commitment.ts): the closing
 * digest — the input digest with an empty seed — is computed from the prepared input, and the
 * seed is `seedFrom(closingDigest)`. The same as `runDraw({ ...input, seed })` with that seed,
 * bit for bit, without preparing the input twice (about a second for a million requests), and
 * with the `positions` of each assignment's request and slot in the input arrays.
 */
export function runSeededDraw(
  input: Omit<DrawInput, 'seed'>,
  seedFrom: (closingDigest: string) => string,
): DrawResult & { seed: string; closingDigest: string; positions: AssignedPositions } {
  let closingDigest = '';
  let inputDigest = '';
  const prepared = prepare({ ...input, seed: '' }, (unordered) => {
    // The closing digest and the input digest differ only by their seed lines: the rest is
    // written once and hashed twice (writing it is what costs: it reads the million ids in
    // id order, all over the heap). Kept as strings, its binary records as latin1 text (the
    // same bytes): on the V8 heap, where 30 MB more of typed arrays would start a full
    // collection in the middle of the draw.
    const rest: { text: string; encoding: 'utf8' | 'latin1' }[] = [];
    const out = new CanonicalWriter((piece) =>
      rest.push(
        typeof piece === 'string'
          ? { text: piece, encoding: 'utf8' }
          : { text: Buffer.from(piece.buffer, piece.byteOffset, piece.length).toString('latin1'), encoding: 'latin1' },
      ),
    );
    writeCanonicalAfterSeed(out, unordered);
    out.flush();
    const digestWith = (seed: string) => {
      const hash = createHash('sha256').update(canonicalSeedLines(seed));
      for (const { text, encoding } of rest) hash.update(text, encoding);
      return hash.digest('hex');
    };
    closingDigest = digestWith('');
    const seed = seedFrom(closingDigest);
    inputDigest = digestWith(seed);
    return seed;
  });
  const seed = prepared.seed;
  const { result, positions } = drawPrepared({ ...input, seed }, prepared, inputDigest);
  return { ...result, seed, closingDigest, positions };
}

/**
 * Where each assignment's request and slot stand in the input arrays: assignment a is
 * input.requests[requests[a]] → input.slots[slots[a]]. The caller goes back to its own
 * records by position, without a million-entry map from ids.
 */
export interface AssignedPositions {
  requests: Uint32Array;
  slots: Uint32Array;
}

/** The draw of a prepared input; its input digest is computed unless given (runSeededDraw has it). */
function drawPrepared(
  input: DrawInput,
  prepared: Prepared,
  knownInputDigest?: string,
): { result: DrawResult; positions: AssignedPositions } {
  const { requests } = input;
  const { slots } = prepared;
  const { ids, order, factWords, siteStart, siteIndex } = prepared.requests;

  // Buckets (site, weekday, half-day) hold slot ranks (position in `slots.earliest`) in
  // ascending order, in one flat array: bucket b is bucketRanks[bucketStart[b] … [b+1]).
  const m = slots.ids.length;
  const slotSites = slots.siteCount; // sites 0 … slotSites-1 are the ones with slots
  const bucketCount = slotSites * 14;
  const bucketStart = new Uint32Array(bucketCount + 1);
  for (let j = 0; j < m; j++) bucketStart[slots.bucket[j]! + 1]!++;
  for (let b = 0; b < bucketCount; b++) bucketStart[b + 1]! += bucketStart[b]!;
  const bucketEnd = bucketStart.subarray(1);
  const head = bucketStart.slice(0, bucketCount); // cursor: the first free slot of each bucket
  const bucketRanks = new Uint32Array(m);
  {
    const fill = bucketStart.slice(0, bucketCount);
    for (let rank = 0; rank < m; rank++) bucketRanks[fill[slots.bucket[slots.earliest[rank]!]!]!++] = rank;
  }

  // Serial dictatorship: each request, in order, takes the smallest head rank of its buckets.
  const n = requests.length;
  const chose = new Uint32Array(Math.min(n, m)); // requests that got a slot, in choosing order
  const chosenSlot = new Uint32Array(Math.min(n, m)); // and the slot each got
  let assigned = 0;
  const NONE = 0xffffffff;
  // Two versions of the same loop: sites as a 32-bit mask (up to 32 sites with slots, which
  // covers any prefecture), or as a list beyond.
  const slotSiteMask = slotSites >= 32 ? -1 : (1 << slotSites) - 1;
  for (let k = 0; k < n && assigned < m; k++) {
    const i = order[k]!;
    const mask = BUCKET_MASK[factWords[4 * i + FACT_PACKED]! >>> 8]!;
    if (mask === 0) continue;
    let best = NONE;
    let bestBucket = -1;
    if (slotSites <= 32) {
      for (let siteBits = factWords[4 * i + FACT_SITES]! & slotSiteMask; siteBits !== 0; siteBits &= siteBits - 1) {
        const base = (31 - Math.clz32(siteBits & -siteBits)) * 14;
        for (let rest = mask; rest !== 0; rest &= rest - 1) {
          const b = base + 31 - Math.clz32(rest & -rest); // lowest set bit
          const c = head[b]!;
          if (c < bucketEnd[b]!) {
            const rank = bucketRanks[c]!;
            if (rank < best) {
              best = rank;
              bestBucket = b;
            }
          }
        }
      }
    } else {
      for (let p = siteStart[i]!, end = siteStart[i + 1]!; p < end; p++) {
        const site = siteIndex[p]!;
        if (site >= slotSites) continue; // a site without any slot in this draw
        const base = site * 14;
        for (let rest = mask; rest !== 0; rest &= rest - 1) {
          const b = base + 31 - Math.clz32(rest & -rest);
          const c = head[b]!;
          if (c < bucketEnd[b]!) {
            const rank = bucketRanks[c]!;
            if (rank < best) {
              best = rank;
              bestBucket = b;
            }
          }
        }
      }
    }
    if (bestBucket >= 0) {
      head[bestBucket]!++;
      chose[assigned] = i;
      chosenSlot[assigned++] = slots.earliest[best]!;
    }
  }

  const assignments = new Array<Assignment>(assigned);
  for (let a = 0; a < assigned; a++) {
    assignments[a] = { requestId: ids[chose[a]!]!, slotId: slots.ids[chosenSlot[a]!]! };
  }
  const orderIds = new Array<string>(n);
  for (let k = 0; k < n; k++) orderIds[k] = ids[order[k]!]!;

  // Internal indices are input positions; copied before they become canonical indices below.
  const positions = { requests: chose.slice(0, assigned), slots: chosenSlot.slice(0, assigned) };

  const inputDigest = knownInputDigest ?? digestOf((out) => writeCanonicalInput(out, input, prepared));
  // The result as canonical indices (places in the id-ordered lists of the input), in place
  // of the internal ones; the scratch arrays are free by now.
  const requestIndex = prepared.scratch.copy;
  for (let k = 0; k < n; k++) requestIndex[prepared.requests.byId[k]!] = k;
  const slotIndex = prepared.scratch.words;
  for (let k = 0; k < m; k++) slotIndex[slots.byId[k]!] = k;
  for (let a = 0; a < assigned; a++) {
    chose[a] = requestIndex[chose[a]!]!;
    chosenSlot[a] = slotIndex[chosenSlot[a]!]!;
  }
  const resultDigest = digestOf((out) =>
    writeCanonicalResult(out, inputDigest, chose.subarray(0, assigned), chosenSlot.subarray(0, assigned)),
  );
  return { result: { assignments, order: orderIds, inputDigest, resultDigest }, positions };
}

/**
 * Ids in the order the requests choose (priority class, then batch, then lottery rank), for
 * audit. Example: Bruno (class 2, batch 20605) and Aïcha (class 0, batch 20606), any seed →
 * ['aicha', 'bruno'].
 */
export function drawOrder(input: Pick<DrawInput, 'requests' | 'seed'>): string[] {
  const prepared = prepareRequests(input.requests, input.seed, newSiteTable(), newScratch(input.requests.length));
  return Array.from(prepared.order, (i) => prepared.ids[i]!);
}

/** SHA-256 hex of the canonical input (what `runDraw` returns as `inputDigest`). */
export function inputDigestOf(input: DrawInput): string {
  const prepared = prepare(input);
  return digestOf((out) => writeCanonicalInput(out, input, prepared));
}

/**
 * SHA-256 hex of the canonical result (what `runDraw` returns as `resultDigest`) of these
 * assignments, in this order, on this input. Throws VALIDATION_FAILED for an id the input
 * does not have.
 */
export function resultDigestOf(input: DrawInput, assignments: readonly Assignment[]): string {
  const prepared = prepare(input);
  const requestIndex = new Map<string, number>();
  prepared.requests.byId.forEach((i, k) => {
    requestIndex.set(prepared.requests.ids[i]!, k);
  });
  const slotIndex = new Map<string, number>();
  prepared.slots.byId.forEach((j, k) => {
    slotIndex.set(prepared.slots.ids[j]!, k);
  });
  const requests = new Uint32Array(assignments.length);
  const slots = new Uint32Array(assignments.length);
  assignments.forEach(({ requestId, slotId }, a) => {
    const r = requestIndex.get(requestId);
    const s = slotIndex.get(slotId);
    if (r === undefined || s === undefined)
      throw invalid('assignment names a request or slot the input does not have', { requestId, slotId });
    requests[a] = r;
    slots[a] = s;
  });
  const inputDigest = digestOf((out) => writeCanonicalInput(out, input, prepared));
  return digestOf((out) => writeCanonicalResult(out, inputDigest, requests, slots));
}

/**
 * The canonical input as bytes (what `inputDigest` hashes), for an auditor who wants to store
 * or diff it. Large: about 60 bytes per request and per slot.
 */
export function canonicalInputBytes(input: DrawInput): Buffer {
  const prepared = prepare(input);
  const pieces: Buffer[] = [];
  const out = new CanonicalWriter((piece) =>
    pieces.push(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece)),
  );
  writeCanonicalInput(out, input, prepared);
  out.flush();
  return Buffer.concat(pieces);
}

export interface ReplayComparison {
  identical: boolean;
  inputDigestMatches: boolean;
  resultDigestMatches: boolean;
  /** First position (in choosing order) where the assignments differ, or null. */
  firstDifference: { index: number; stored: Assignment | null; replayed: Assignment | null } | null;
}

/**
 * Compares a stored draw with its replay (`creneau draw replay ID`): identical means the same
 * input digest, the same result digest and the same assignments, position by position.
 */
export function compareReplay(
  stored: Pick<DrawResult, 'assignments' | 'inputDigest' | 'resultDigest'>,
  replayed: Pick<DrawResult, 'assignments' | 'inputDigest' | 'resultDigest'>,
): ReplayComparison {
  let firstDifference: ReplayComparison['firstDifference'] = null;
  const length = Math.max(stored.assignments.length, replayed.assignments.length);
  for (let index = 0; index < length; index++) {
    const a = stored.assignments[index];
    const b = replayed.assignments[index];
    if (a?.requestId !== b?.requestId || a?.slotId !== b?.slotId) {
      firstDifference = { index, stored: a ?? null, replayed: b ?? null };
      break;
    }
  }
  const inputDigestMatches = stored.inputDigest === replayed.inputDigest;
  const resultDigestMatches = stored.resultDigest === replayed.resultDigest;
  return {
    identical: inputDigestMatches && resultDigestMatches && firstDifference === null,
    inputDigestMatches,
    resultDigestMatches,
    firstDifference,
  };
}

// =======================================================================================
// The lottery

/**
 * The seeded generator of a lottery: xoroshiro128+ (pure-rand 8.4.2, pinned) whose 128-bit
 * state is the first 16 bytes of SHA-256(UTF-8 seed), read as four big-endian signed 32-bit
 * words, given in that order to pure-rand's `xoroshiro128plusFromState`. (An all-zero state,
 * probability 2^-128, would emit zeros forever: its last word is then set to 1.)
 */
export function lotteryGenerator(seed: string) {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  const state: number[] = [digest.readInt32BE(0), digest.readInt32BE(4), digest.readInt32BE(8), digest.readInt32BE(12)];
  if (state.every((word): boolean => word === 0)) state[3] = 1;
  return xoroshiro128plusFromState(state);
}

/**
 * The lottery draw of `count` requests taken in canonical (id) order: `p[place]` is the
 * canonical index of the request drawn at that place (0 = first). Fisher–Yates, from the
 * top, with pure-rand's `uniformInt` (rejection sampling, no modulo bias):
 *
 *   rng = lotteryGenerator(seed); p = [0, 1, …, count-1]
 *   for i = count-1 down to 1: j = uniformInt(rng, 0, i); swap p[i] and p[j]
 */
export function lotteryPermutation(count: number, seed: string): Uint32Array {
  return shuffle(new Uint32Array(count), seed);
}

/** Writes lotteryPermutation(permutation.length, seed) into `permutation`. */
function shuffle(permutation: Uint32Array, seed: string): Uint32Array {
  const count = permutation.length;
  for (let i = 0; i < count; i++) permutation[i] = i;
  const rng = lotteryGenerator(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const held = permutation[i]!;
    permutation[i] = permutation[j]!;
    permutation[j] = held;
  }
  return permutation;
}

/**
 * Lottery ranks: `rank[k]` is the place (0 = first) of the k-th request in canonical (id)
 * order — the inverse of `lotteryPermutation`. Example: lotteryRank(3, 'x') is a
 * permutation of [0, 1, 2] that depends only on 'x' and 3.
 */
export function lotteryRank(count: number, seed: string): Uint32Array {
  const permutation = lotteryPermutation(count, seed);
  const rank = new Uint32Array(count);
  for (let place = 0; place < count; place++) rank[permutation[place]!] = place;
  return rank;
}

// =======================================================================================
// Preparation: validate, intern ids to integers, sort.

const invalid = (message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError('VALIDATION_FAILED', message, details);

const HALF_DAY_BIT: Readonly<Record<string, number>> = { am: 0, pm: 1 };

interface SiteTable {
  names: string[];
  byName: Map<string, number>;
}

const newSiteTable = (): SiteTable => ({ names: [], byName: new Map() });

function internSite(sites: SiteTable, name: string): number {
  let index = sites.byName.get(name);
  if (index === undefined) {
    if (typeof name !== 'string') throw invalid('site id must be a string', { siteId: name });
    index = sites.names.length;
    sites.names.push(name);
    sites.byName.set(name, index);
  }
  return index;
}

interface PreparedSlots {
  ids: string[];
  /** Sites 0 … siteCount-1 of the site table are those named by slots. */
  siteCount: number;
  site: Uint32Array;
  startsAt: Float64Array;
  /** site * 14 + (weekday - 1) * 2 + halfDay. */
  bucket: Uint32Array;
  /** Slot indices by id. */
  byId: Uint32Array;
  /** Slot indices earliest first: (startsAt, id). A slot's rank is its place here. */
  earliest: Uint32Array;
}

interface PreparedRequests {
  ids: string[];
  /**
   * The facts of request i in 16 bytes (one cache line holds four requests: the draw reads
   * them in an order unrelated to memory, so one miss per request instead of five):
   * facts[2i] = batch; factWords[4i+2] = class | halfDays << 8 | weekdays << 10;
   * factWords[4i+3] = the sites of index < 32 in the site table, as bits.
   */
  facts: Float64Array;
  factWords: Uint32Array;
  /** Request indices by id. */
  byId: Uint32Array;
  /** Request indices in choosing order. */
  order: Uint32Array;
  /** Sites of request i: siteIndex[siteStart[i] … siteStart[i+1]), into the site table. */
  siteStart: Uint32Array;
  siteIndex: Uint32Array;
}

const FACT_PACKED = 2;
const FACT_SITES = 3;

interface Prepared {
  scratch: Scratch;
  sites: SiteTable;
  slots: PreparedSlots;
  requests: PreparedRequests;
  /** The seed the choosing order was drawn with. */
  seed: string;
}

/** The input prepared before any seed: everything the canonical input needs. */
type Unordered = Pick<Prepared, 'sites' | 'slots'> & { requests: Omit<PreparedRequests, 'order'> };

/** Prepares the input; with `seedFrom`, the seed is made from the prepared input first (runSeededDraw). */
function prepare(input: DrawInput, seedFrom?: (unordered: Unordered) => string): Prepared {
  const sites = newSiteTable();
  const scratch = newScratch(Math.max(input.requests.length, input.slots.length));
  const slots = prepareSlots(input.slots, sites, scratch);
  const unordered = prepareRequestFacts(input.requests, sites, scratch);
  const seed = seedFrom ? seedFrom({ sites, slots, requests: unordered }) : input.seed;
  const requests = { ...unordered, order: choosingOrder(unordered, seed, scratch) };
  return { scratch, sites, slots, requests, seed };
}

function prepareSlots(slots: readonly DrawSlot[], sites: SiteTable, scratch: Scratch): PreparedSlots {
  const m = slots.length;
  const ids = new Array<string>(m);
  const site = new Uint32Array(m);
  const startsAt = new Float64Array(m);
  const bucket = new Uint32Array(m);
  let minStart = Infinity;
  for (let j = 0; j < m; j++) {
    const slot = slots[j]!;
    if (typeof slot.id !== 'string') throw invalid('slot id must be a string', { index: j });
    ids[j] = slot.id;
    if (!Number.isSafeInteger(slot.startsAt))
      throw invalid('startsAt must be epoch milliseconds (an integer)', { slotId: slot.id });
    startsAt[j] = slot.startsAt;
    if (slot.startsAt < minStart) minStart = slot.startsAt;
    const s = internSite(sites, slot.siteId);
    site[j] = s;
    const weekday = slot.weekday;
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7)
      throw invalid('weekday must be 1 (Monday) to 7 (Sunday)', { slotId: slot.id, weekday });
    const half = HALF_DAY_BIT[slot.halfDay];
    if (half === undefined) throw invalid("half-day must be 'am' or 'pm'", { slotId: slot.id, halfDay: slot.halfDay });
    bucket[j] = s * 14 + (weekday - 1) * 2 + half;
  }
  const byId = sortIndicesById(ids, 'slot', scratch);
  // Stable by startsAt over the id order: equal starts stay by id.
  const earliest = stableSortByKey(byId, startsAt, 1, minStart, scratch);
  return { ids, siteCount: sites.names.length, site, startsAt, bucket, byId, earliest };
}

function prepareRequests(
  requests: readonly DrawRequest[],
  seed: string,
  sites: SiteTable,
  scratch: Scratch,
): PreparedRequests {
  const unordered = prepareRequestFacts(requests, sites, scratch);
  return { ...unordered, order: choosingOrder(unordered, seed, scratch) };
}

type RequestFacts = Omit<PreparedRequests, 'order'> & { priorityClass: Uint8Array; minBatch: number };

function prepareRequestFacts(requests: readonly DrawRequest[], sites: SiteTable, scratch: Scratch): RequestFacts {
  const n = requests.length;
  const ids = new Array<string>(n);
  const priorityClass = new Uint8Array(n);
  const facts = new Float64Array(2 * n);
  const factWords = new Uint32Array(facts.buffer);
  let minBatch = Infinity;
  for (let i = 0; i < n; i++) {
    const request = requests[i]!;
    if (typeof request.id !== 'string') throw invalid('request id must be a string', { index: i });
    ids[i] = request.id;
    const cls = request.priorityClass;
    if (!Number.isInteger(cls) || cls < 0 || cls > MAX_PRIORITY_CLASS) {
      throw invalid(`priority class must be an integer from 0 to ${MAX_PRIORITY_CLASS}`, {
        requestId: request.id,
        priorityClass: cls,
      });
    }
    priorityClass[i] = cls;
    const batch = request.batch;
    if (!Number.isSafeInteger(batch) || batch < 0 || batch >= BATCH_LIMIT) {
      throw invalid('batch must be an integer from 0 to 2^32 - 1 (days since 1970-01-01)', {
        requestId: request.id,
        batch,
      });
    }
    facts[2 * i] = batch;
    if (batch < minBatch) minBatch = batch;

    const siteIds = request.siteIds;
    let siteBits = 0;
    for (let s = 0; s < siteIds.length; s++) {
      const site = internSite(sites, siteIds[s]!);
      if (site < 32) siteBits |= 1 << site;
    }
    factWords[4 * i + FACT_SITES] = siteBits;

    let weekdays = 0;
    const requestWeekdays = request.weekdays;
    for (let d = 0; d < requestWeekdays.length; d++) {
      const weekday = requestWeekdays[d]!;
      if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7)
        throw invalid('weekday must be 1 (Monday) to 7 (Sunday)', { requestId: request.id, weekday });
      weekdays |= 1 << (weekday - 1);
    }
    let halfDays = 0;
    const requestHalfDays = request.halfDays;
    for (let h = 0; h < requestHalfDays.length; h++) {
      const halfDay = requestHalfDays[h]!;
      const bit = HALF_DAY_BIT[halfDay];
      if (bit === undefined) throw invalid("half-day must be 'am' or 'pm'", { requestId: request.id, halfDay });
      halfDays |= 1 << bit;
    }
    factWords[4 * i + FACT_PACKED] = cls | (halfDays << 8) | (weekdays << 10);
  }
  // Beyond 32 sites (rare: a prefecture has a handful), the sites are also kept as lists.
  let siteStart = new Uint32Array(0);
  let siteIndex = new Uint32Array(0);
  if (sites.names.length > 32) {
    siteStart = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) siteStart[i + 1] = siteStart[i]! + requests[i]!.siteIds.length;
    siteIndex = new Uint32Array(siteStart[n]!);
    for (let i = 0, p = 0; i < n; i++)
      for (const site of requests[i]!.siteIds) siteIndex[p++] = sites.byName.get(site)!;
  }

  const byId = sortIndicesById(ids, 'request', scratch);
  return { ids, facts, factWords, byId, siteStart, siteIndex, priorityClass, minBatch };
}

/** Request indices in choosing order: class, then batch, then the lottery drawn with `seed`. */
function choosingOrder(prepared: RequestFacts, seed: string, scratch: Scratch): Uint32Array {
  if (typeof seed !== 'string') throw invalid('the seed must be a string', { seed });
  const { byId, facts, priorityClass, minBatch } = prepared;
  const n = byId.length;
  // The lottery's permutation of the id order, stably sorted by batch (so within a batch the
  // lottery order stays), then — below — stably by class. (Batches span less than 2^32, so
  // the packed sort never falls back to a comparator.)
  const lottery = scratch.copy.subarray(0, n);
  shuffle(lottery, seed);
  for (let place = 0; place < n; place++) lottery[place] = byId[lottery[place]!]!;
  const sequence = stableSortByKey(lottery, facts, 2, minBatch, scratch);
  // Then a stable counting sort by class.
  const start = new Uint32Array(MAX_PRIORITY_CLASS + 2);
  for (let i = 0; i < n; i++) start[priorityClass[i]! + 1]!++;
  for (let c = 1; c < start.length; c++) start[c]! += start[c - 1]!;
  const choosing = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const i = sequence[k]!;
    choosing[start[priorityClass[i]!]!++] = i;
  }
  return choosing;
}

/**
 * BUCKET_MASK[weekdayMask * 4 + halfDayMask]: the 14-bit set of (weekday, half-day) pairs,
 * bit (weekday-1)*2 + halfDay. Example: Tuesday and Thursday mornings → bits 2 and 6.
 */
const BUCKET_MASK = (() => {
  const table = new Uint16Array(128 * 4);
  for (let weekdays = 0; weekdays < 128; weekdays++) {
    for (let halfDays = 0; halfDays < 4; halfDays++) {
      let mask = 0;
      for (let d = 0; d < 7; d++) {
        if ((weekdays >> d) & 1) for (let h = 0; h < 2; h++) if ((halfDays >> h) & 1) mask |= 1 << (d * 2 + h);
      }
      table[weekdays * 4 + halfDays] = mask;
    }
  }
  return table;
})();

// =======================================================================================
// Sorting. A comparator sort of 1M items costs about a second in V8; a native sort of 1M
// 64-bit integers less than 100 ms. So every sort here packs (key, position) into one 64-bit
// integer, key above, and sorts a BigUint64Array, written through a Uint32Array view of the
// same memory: no BigInt is ever created. The key buffers are shared by all the sorts of a
// draw (`Scratch`).

const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1; // endianness
const HIGH_WORD = 1 - LOW_WORD;

/** Bits needed to write 0 … count-1 (count ≥ 1). */
const bitsFor = (count: number): number => 32 - Math.clz32(count - 1);

interface Scratch {
  keys: BigUint64Array;
  words: Uint32Array;
  copy: Uint32Array;
  seen: Uint8Array;
  rank: Uint32Array;
}

function newScratch(size: number): Scratch {
  const keys = new BigUint64Array(size);
  return {
    keys,
    words: new Uint32Array(keys.buffer),
    copy: new Uint32Array(size),
    seen: new Uint8Array(65536),
    rank: new Uint32Array(65536),
  };
}

/**
 * Writes key `at` = value × 2^b + position, for a value below 2^(64-b) and 2^53 (b = bits of
 * the positions). Returns false when the value does not fit.
 */
function packKey(
  words: Uint32Array,
  at: number,
  value: number,
  position: number,
  positionSpan: number,
  lowSpan: number,
  limit: number,
): boolean {
  if (!(value >= 0 && value < limit)) return false;
  const low = value % lowSpan;
  words[2 * at + LOW_WORD] = low * positionSpan + position;
  words[2 * at + HIGH_WORD] = (value - low) / lowSpan;
  return true;
}

/**
 * `items` stably sorted by key(item) = values[stride × item] - origin, a non-negative
 * integer, into `sorted`: one native sort of packed keys, or a comparator sort when a key is
 * too large to pack (a span beyond 2^44 ms ≈ 557 years, for a million items). Example:
 * items [7, 8, 9] with keys 5, 2, 5 → [8, 7, 9]. (Typed values rather than a key callback:
 * the call site stays monomorphic and no number is boxed.)
 */
function stableSortByKey(
  items: Uint32Array,
  values: Float64Array,
  stride: number,
  origin: number,
  scratch: Scratch,
  sorted: Uint32Array = new Uint32Array(items.length),
): Uint32Array {
  const n = items.length;
  if (n < 2) {
    sorted.set(items);
    return sorted;
  }
  const b = bitsFor(n);
  const positionSpan = 2 ** b;
  const lowSpan = 2 ** (32 - b);
  const limit = Math.min(2 ** 53, 2 ** (64 - b));
  const { keys, words } = scratch;
  let packed = true;
  for (let k = 0; k < n && packed; k++)
    packed = packKey(words, k, values[stride * items[k]!]! - origin, k, positionSpan, lowSpan, limit);
  if (!packed) {
    const positions = Array.from({ length: n }, (_, k) => k);
    const key = Float64Array.from(items, (item) => values[stride * item]!);
    positions.sort((x, y) => key[x]! - key[y]! || x - y);
    for (let k = 0; k < n; k++) sorted[k] = items[positions[k]!]!;
    return sorted;
  }
  keys.subarray(0, n).sort();
  for (let k = 0; k < n; k++) sorted[k] = items[words[2 * k + LOW_WORD]! % positionSpan]!;
  return sorted;
}

/**
 * Indices of `ids` in canonical order (UTF-16 code units, as `<`); throws on a duplicate.
 * A most-significant-first radix sort by rounds: skip the prefix all ids of the range share,
 * map the code units that follow to a dense alphabet (0 = end of the id) and pack as many as
 * fit beside the position into a 64-bit key; one native sort; ids still tied go to the next
 * round. Example: UUIDs (17 symbols, 5 bits) are ordered on their first 8 characters at once.
 */
function sortIndicesById(ids: readonly string[], what: 'request' | 'slot', scratch: Scratch): Uint32Array {
  const items = new Uint32Array(ids.length);
  for (let i = 0; i < items.length; i++) items[i] = i;
  sortIdRange(ids, items, 0, items.length, 0, what, scratch);
  return items;
}

const ID_WINDOW = 16; // code units examined per round, at most

/** Sorts items[lo … hi), whose ids share their first `depth` code units. */
function sortIdRange(
  ids: readonly string[],
  items: Uint32Array,
  lo: number,
  hi: number,
  depth: number,
  what: string,
  scratch: Scratch,
): void {
  const size = hi - lo;
  if (size < 2) return;
  if (size <= 24) {
    for (let a = lo + 1; a < hi; a++) {
      const item = items[a]!;
      const id = ids[item]!;
      let b = a;
      for (; b > lo; b--) {
        const before = ids[items[b - 1]!]!;
        if (before === id) throw invalid(`duplicate ${what} id in draw input`, { id });
        if (before < id) break;
        items[b] = items[b - 1]!;
      }
      items[b] = item;
    }
    return;
  }
  // The prefix every id of the range shares.
  const first = ids[items[lo]!]!;
  let common = first.length;
  for (let k = lo + 1; k < hi && common > depth; k++) {
    const id = ids[items[k]!]!;
    const end = Math.min(common, id.length);
    let c = depth;
    while (c < end && id.charCodeAt(c) === first.charCodeAt(c)) c++;
    common = c;
  }
  // The alphabet of the code units that follow; rank 0 is "the id has ended".
  const { seen, rank, keys, words, copy } = scratch;
  const symbols: number[] = [];
  for (let k = lo; k < hi; k++) {
    const id = ids[items[k]!]!;
    const end = Math.min(id.length, common + ID_WINDOW);
    for (let p = common; p < end; p++) {
      const code = id.charCodeAt(p);
      if (seen[code] === 0) {
        seen[code] = 1;
        symbols.push(code);
      }
    }
  }
  symbols.sort((x, y) => x - y);
  for (let r = 0; r < symbols.length; r++) {
    rank[symbols[r]!] = r + 1;
    seen[symbols[r]!] = 0;
  }
  const b = bitsFor(size);
  const positionSpan = 2 ** b;
  const lowSpan = 2 ** (32 - b);
  const limit = Math.min(2 ** 53, 2 ** (64 - b));
  const width = bitsFor(symbols.length + 1);
  const units = Math.max(1, Math.min(ID_WINDOW, Math.floor(Math.log2(limit) / Math.max(1, width))));
  const base = 2 ** width;
  for (let k = lo; k < hi; k++) {
    const id = ids[items[k]!]!;
    let key = 0;
    for (let u = 0; u < units; u++) {
      const p = common + u;
      key = key * base + (p < id.length ? rank[id.charCodeAt(p)]! : 0);
    }
    packKey(words, k, key, k - lo, positionSpan, lowSpan, limit); // key < base^units ≤ limit
  }
  keys.subarray(lo, hi).sort();
  for (let k = lo; k < hi; k++) copy[k] = items[lo + (words[2 * k + LOW_WORD]! % positionSpan)]!;
  items.set(copy.subarray(lo, hi), lo);
  // Ids with equal keys share their first common + units code units: next round for them.
  for (let start = lo, k = lo + 1; k <= hi; k++) {
    if (
      k < hi &&
      words[2 * k + HIGH_WORD] === words[2 * k - 2 + HIGH_WORD] &&
      Math.floor(words[2 * k + LOW_WORD]! / positionSpan) === Math.floor(words[2 * k - 2 + LOW_WORD]! / positionSpan)
    )
      continue;
    if (k - start > 1) {
      // Equal keys and an id that ended inside them: the same id, twice or more.
      if (ids[items[start]!]!.length < common + units)
        throw invalid(`duplicate ${what} id in draw input`, { id: ids[items[start]!] });
      sortIdRange(ids, items, start, k, common + units, what, scratch); // reuses keys[start … k) only
    }
    start = k;
  }
}

// =======================================================================================
// Canonical serialisations and their digests

/**
 * Buffers the canonical bytes 64 KiB at a time towards a sink (SHA-256, or a collector).
 * Numbers are written little-endian whatever the platform.
 */
class CanonicalWriter {
  private readonly bytes = new Uint8Array(1 << 16);
  private readonly float = new Float64Array(1);
  private readonly floatBytes = new Uint8Array(this.float.buffer);
  private at = 0;

  constructor(private readonly sink: (piece: string | Uint8Array) => void) {}

  private room(size: number): void {
    if (this.at + size > this.bytes.length) this.flush();
  }

  flush(): void {
    if (this.at > 0) this.sink(this.bytes.subarray(0, this.at));
    this.at = 0;
  }

  /** UTF-8 text. */
  text(text: string): void {
    this.flush();
    this.sink(text);
  }

  u8(value: number): void {
    this.room(1);
    this.bytes[this.at++] = value;
  }

  u32(value: number): void {
    this.room(4);
    const bytes = this.bytes;
    let at = this.at;
    bytes[at++] = value;
    bytes[at++] = value >>> 8;
    bytes[at++] = value >>> 16;
    bytes[at++] = value >>> 24;
    this.at = at;
  }

  f64(value: number): void {
    this.room(8);
    this.float[0] = value;
    const bytes = this.bytes;
    const floatBytes = this.floatBytes;
    const at = this.at;
    if (LOW_WORD === 0) for (let b = 0; b < 8; b++) bytes[at + b] = floatBytes[b]!;
    else for (let b = 0; b < 8; b++) bytes[at + b] = floatBytes[7 - b]!;
    this.at = at + 8;
  }

  /**
   * JSON.stringify([idAt(0), …, idAt(count-1)]), built about 32,768 characters of ids at a
   * time: small strings that die young. Measuring the ids as they are gathered also brings
   * them from memory many at a time (read in id order, they lie all over the heap) before
   * JSON.stringify reads them one after the other.
   */
  jsonArray(count: number, idAt: (k: number) => string): void {
    const chunk: string[] = [];
    this.text('[');
    for (let k = 0; k < count; ) {
      if (k > 0) this.text(',');
      chunk.length = 0;
      for (let length = 0; k < count && length < JSON_CHUNK; k++) {
        const id = idAt(k);
        chunk.push(id);
        length += id.length;
      }
      this.text(JSON.stringify(chunk).slice(1, -1));
    }
    this.text(']');
  }
}

function digestOf(write: (out: CanonicalWriter) => void): string {
  const hash = createHash('sha256');
  const out = new CanonicalWriter((piece) => {
    hash.update(piece);
  });
  write(out);
  out.flush();
  return hash.digest('hex');
}

/**
 * The canonical input, hashed with SHA-256 into `inputDigest`. UTF-8 text first (strings as
 * JSON.stringify writes them; lines end with \n), then binary records (numbers
 * little-endian; float64 holds epoch milliseconds, always integers):
 *
 *   creneau-draw-input/2
 *   seed\t"2026-06-01/93/renewal"
 *   sites\t["site-a","site-b"]              every site id named by a slot or request, sorted
 *   requests\t<n>\t["<request id>",…]       the request ids in canonical (id) order
 *   slots\t<m>\t["<slot id>",…]             the slot ids in canonical (id) order
 *   records
 *   then n request records, in the order of the request ids:
 *     batch uint32 · class uint8 · weekdays uint8 (bit d-1 ⇔ ISO weekday d) ·
 *     half-days uint8 (bit 0 am, bit 1 pm) · site count uint32 · that many uint32: the
 *     distinct sites accepted, as indices into `sites`, ascending
 *   then m slot records, in the order of the slot ids:
 *     startsAt float64 · site uint32 (index into `sites`) · weekday uint8 (1–7) ·
 *     half-day uint8 (0 am, 1 pm)
 *
 * Preferences are sets (their order and repetitions change nothing), hence normalised.
 */
function writeCanonicalInput(out: CanonicalWriter, input: DrawInput, prepared: Unordered): void {
  out.text(canonicalSeedLines(input.seed));
  writeCanonicalAfterSeed(out, prepared);
}

/** The first two lines of the canonical input: the only ones its seed changes. */
const canonicalSeedLines = (seed: string): string => `${DRAW_INPUT_FORMAT}\nseed\t${JSON.stringify(seed)}\n`;

/** The canonical input from its `sites` line on. */
function writeCanonicalAfterSeed(out: CanonicalWriter, prepared: Unordered): void {
  const { sites, slots } = prepared;
  const { ids, facts, factWords, byId, siteStart, siteIndex } = prepared.requests;
  const n = ids.length;
  const m = slots.ids.length;
  const sortedSites = sites.names.map((name, s) => ({ name, s })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const siteRank = new Uint32Array(sites.names.length);
  sortedSites.forEach(({ s }, r) => {
    siteRank[s] = r;
  });

  out.text(`sites\t${JSON.stringify(sortedSites.map((x) => x.name))}\nrequests\t${n}\t`);
  out.jsonArray(n, (k) => ids[byId[k]!]!);
  out.text(`\nslots\t${m}\t`);
  out.jsonArray(m, (k) => slots.ids[slots.byId[k]!]!);
  out.text('\nrecords\n');

  const narrow = sites.names.length <= 32; // then factWords[4i+3] holds every site of request i
  let widest = narrow ? 32 : 0;
  if (!narrow) for (let i = 0; i < n; i++) widest = Math.max(widest, siteStart[i + 1]! - siteStart[i]!);
  const chosen = new Uint32Array(widest);
  // Records are read in id order, all over their arrays: a block's facts are gathered first,
  // in a loop short enough for the processor to fetch many at once, then written.
  const requestOf = new Uint32Array(GATHER);
  const batchOf = new Float64Array(GATHER);
  const packedOf = new Uint32Array(GATHER);
  const sitesOf = new Int32Array(GATHER);
  for (let from = 0; from < n; from += GATHER) {
    const size = Math.min(GATHER, n - from);
    for (let g = 0; g < size; g++) {
      const i = byId[from + g]!;
      requestOf[g] = i;
      batchOf[g] = facts[2 * i]!;
      packedOf[g] = factWords[4 * i + FACT_PACKED]!;
      sitesOf[g] = factWords[4 * i + FACT_SITES]!;
    }
    for (let g = 0; g < size; g++) {
      const i = requestOf[g]!;
      const packed = packedOf[g]!;
      out.u32(batchOf[g]!);
      out.u8(packed & 255);
      out.u8(packed >>> 10);
      out.u8((packed >>> 8) & 3);
      // This request's site ranks, ascending, without repeats (insertion: sets of ~3).
      let count = 0;
      let bits = narrow ? sitesOf[g]! : 0;
      for (let p = narrow ? 0 : siteStart[i]!, end = narrow ? 0 : siteStart[i + 1]!; bits !== 0 || p < end; ) {
        let r: number;
        if (bits !== 0) {
          r = siteRank[31 - Math.clz32(bits & -bits)]!;
          bits &= bits - 1;
        } else {
          r = siteRank[siteIndex[p++]!]!;
        }
        let at = count;
        while (at > 0 && chosen[at - 1]! > r) at--;
        if (at > 0 && chosen[at - 1] === r) continue;
        for (let q = count; q > at; q--) chosen[q] = chosen[q - 1]!;
        chosen[at] = r;
        count++;
      }
      out.u32(count);
      for (let s = 0; s < count; s++) out.u32(chosen[s]!);
    }
  }
  const startsAtOf = new Float64Array(GATHER);
  const siteOf = new Uint32Array(GATHER);
  const dayHalfOf = new Uint32Array(GATHER);
  for (let from = 0; from < m; from += GATHER) {
    const size = Math.min(GATHER, m - from);
    for (let g = 0; g < size; g++) {
      const j = slots.byId[from + g]!;
      startsAtOf[g] = slots.startsAt[j]!;
      siteOf[g] = slots.site[j]!;
      dayHalfOf[g] = slots.bucket[j]! % 14;
    }
    for (let g = 0; g < size; g++) {
      const dayHalf = dayHalfOf[g]!;
      out.f64(startsAtOf[g]!);
      out.u32(siteRank[siteOf[g]!]!);
      out.u8((dayHalf >> 1) + 1);
      out.u8(dayHalf & 1);
    }
  }
}

/** Characters of ids per JSON.stringify call (see jsonArray). */
const JSON_CHUNK = 1 << 15;

/** Records gathered per block (see writeCanonicalAfterSeed). */
const GATHER = 256;

/**
 * The canonical result, hashed with SHA-256 into `resultDigest`: UTF-8 text, then binary
 * records (uint32 little-endian):
 *
 *   creneau-draw-result/2
 *   input\t<inputDigest, 64 hex digits>
 *   assignments\t<count>
 *   then one record per assignment, in choosing order: the request's index and the slot's
 *   index in the id lists of the canonical input (0 = the smallest id)
 *
 * Indices rather than ids: 8 bytes an assignment instead of about 80 of JSON, and the result
 * digest names the input it was drawn from. Example: the first assignment "r-2 → s-1" on an
 * input whose requests are r-1, r-2 and whose slots are s-1, s-2 is the record (1, 0).
 */
function writeCanonicalResult(
  out: CanonicalWriter,
  inputDigest: string,
  requests: Uint32Array,
  slots: Uint32Array,
): void {
  out.text(`${DRAW_RESULT_FORMAT}\ninput\t${inputDigest}\nassignments\t${requests.length}\n`);
  for (let a = 0; a < requests.length; a++) {
    out.u32(requests[a]!);
    out.u32(slots[a]!);
  }
}
