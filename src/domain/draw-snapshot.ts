// The input of a draw as stored with it (gzipped, in draw.input_snapshot), so that anyone can
// run the draw again: `creneau draw replay` reads it back, reruns the algorithm and checks
// that the input digest is the one recorded — which proves the snapshot is the input drawn.
//
// Format creneau-draw-snapshot/2 (the draw rules of creneau-draw-input/2: class, batch,
// lottery): UTF-8 text, one JSON value per line —
//   {"format":"creneau-draw-snapshot/2","seed":"3f9a…","requests":2,"slots":1}
//   ["r-1",0,20605,["site-a","site-b"],[2,4],["am"]]                  id, class, batch, sites, weekdays, half-days
//   ["r-2",2,20604,["site-a"],[1,2,3,4,5],["am","pm"]]
//   ["s-1","site-a",1767600000000,2,"am"]                             id, site, startsAt, weekday, half-day
// Lossless: decoding gives back the very DrawInput that was drawn (same arrays, same order).
// Pure; decoding throws DomainError VALIDATION_FAILED on anything else, with the line number.
import type { DrawInput, DrawRequest, DrawSlot, HalfDay } from './allocation-draw.ts';
import { DomainError } from './errors.ts';

export const DRAW_SNAPSHOT_FORMAT = 'creneau-draw-snapshot/2';

/** Lines are batched into chunks of about this many characters. */
const CHUNK = 1 << 16;

/** The snapshot text, in chunks (a draw of a million requests is about 100 MB of text). */
export function* encodeDrawSnapshot(input: DrawInput): Generator<string> {
  let chunk = `${JSON.stringify({ format: DRAW_SNAPSHOT_FORMAT, seed: input.seed, requests: input.requests.length, slots: input.slots.length })}\n`;
  for (const r of input.requests) {
    chunk += `${JSON.stringify([r.id, r.priorityClass, r.batch, r.siteIds, r.weekdays, r.halfDays])}\n`;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  for (const s of input.slots) {
    chunk += `${JSON.stringify([s.id, s.siteId, s.startsAt, s.weekday, s.halfDay])}\n`;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

const malformed = (line: number, why: string): DomainError =>
  new DomainError('VALIDATION_FAILED', `Malformed draw snapshot at line ${line}: ${why}`, { line });

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isArrayOf = <T>(v: unknown, check: (x: unknown) => x is T): v is T[] => Array.isArray(v) && v.every(check);

/** Reads a snapshot back; the draw algorithm validates the values themselves. */
export function decodeDrawSnapshot(text: string): DrawInput {
  let start = 0;
  let lineNumber = 0;
  const nextValue = (): unknown => {
    lineNumber++;
    const end = text.indexOf('\n', start);
    if (end < 0) throw malformed(lineNumber, 'unexpected end');
    const line = text.slice(start, end);
    start = end + 1;
    try {
      return JSON.parse(line);
    } catch {
      throw malformed(lineNumber, 'not JSON');
    }
  };

  const header = nextValue() as Record<string, unknown> | null;
  if (header?.format === 'creneau-draw-snapshot/1') {
    // Drawn by filing instant or by an order field this version no longer has: not replayable here.
    throw malformed(
      1,
      `format creneau-draw-snapshot/1 was drawn under the former rules (filing time, fifo or lottery); this version replays ${DRAW_SNAPSHOT_FORMAT}`,
    );
  }
  if (!header || header.format !== DRAW_SNAPSHOT_FORMAT) throw malformed(1, `expected format ${DRAW_SNAPSHOT_FORMAT}`);
  const { seed, requests: requestCount, slots: slotCount } = header;
  if (!isString(seed) || !Number.isSafeInteger(requestCount) || !Number.isSafeInteger(slotCount))
    throw malformed(1, 'seed, requests and slots are required');

  const requests: DrawRequest[] = new Array(requestCount as number);
  for (let k = 0; k < requests.length; k++) {
    const v = nextValue();
    if (!Array.isArray(v) || v.length !== 6)
      throw malformed(lineNumber, 'a request is [id, class, batch, sites, weekdays, half-days]');
    const [id, priorityClass, batch, siteIds, weekdays, halfDays] = v as unknown[];
    if (
      !isString(id) ||
      !isNumber(priorityClass) ||
      !isNumber(batch) ||
      !isArrayOf(siteIds, isString) ||
      !isArrayOf(weekdays, isNumber) ||
      !isArrayOf(halfDays, isString)
    ) {
      throw malformed(lineNumber, 'a request field has the wrong type');
    }
    requests[k] = { id, priorityClass, batch, siteIds, weekdays, halfDays: halfDays as HalfDay[] };
  }
  const slots: DrawSlot[] = new Array(slotCount as number);
  for (let k = 0; k < slots.length; k++) {
    const v = nextValue();
    if (!Array.isArray(v) || v.length !== 5)
      throw malformed(lineNumber, 'a slot is [id, site, startsAt, weekday, half-day]');
    const [id, siteId, startsAt, weekday, halfDay] = v as unknown[];
    if (!isString(id) || !isString(siteId) || !isNumber(startsAt) || !isNumber(weekday) || !isString(halfDay)) {
      throw malformed(lineNumber, 'a slot field has the wrong type');
    }
    slots[k] = { id, siteId, startsAt, weekday, halfDay: halfDay as HalfDay };
  }
  if (start !== text.length) throw malformed(lineNumber + 1, 'text after the last slot');
  return { seed, requests, slots };
}
