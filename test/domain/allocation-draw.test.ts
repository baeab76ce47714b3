// The allocation draw (src/domain/allocation-draw.ts): worked examples, then properties
// checked by fast-check on small random instances against a brute-force reference, and the
// statistics of the lottery within a batch.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Assignment,
  canonicalInputBytes,
  compareReplay,
  type DrawInput,
  type DrawRequest,
  type DrawSlot,
  drawOrder,
  type HalfDay,
  inputDigestOf,
  lotteryPermutation,
  lotteryRank,
  resultDigestOf,
  runDraw,
  runSeededDraw,
} from '../../src/domain/allocation-draw.ts';
import { isDomainError } from '../../src/domain/errors.ts';
import { propertyRuns } from '../support/property-runs.ts';

// Monday 1 June 2026, UTC for simplicity (the draw only compares instants).
const at = (day: number, time: string) => {
  const [h, m] = time.split(':').map(Number);
  return Date.UTC(2026, 5, day, h, m);
};
const MON = 1,
  TUE = 2,
  WED = 3;

/**
 * The batch of a request as Créneau computes it: days since 1970-01-01 of the LOCAL (Paris)
 * calendar day of the instant it entered the queue. Example: 2026-06-01T23:50 in Paris → 20605.
 */
const batchOf = (instant: number, timeZone = 'Europe/Paris'): number => {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(instant)
    .split('-')
    .map(Number);
  return Date.UTC(y!, m! - 1, d!) / 86_400_000;
};
const JUNE_1 = 20605; // batch of Monday 1 June 2026

const slot = (id: string, siteId: string, day: number, time: string, weekday: number): DrawSlot => ({
  id,
  siteId,
  startsAt: at(day, time),
  weekday,
  halfDay: Number(time.slice(0, 2)) < 12 ? 'am' : 'pm',
});

const request = (id: string, over: Partial<DrawRequest> = {}): DrawRequest => ({
  id,
  priorityClass: 2,
  batch: JUNE_1,
  siteIds: ['cite'],
  weekdays: [1, 2, 3, 4, 5],
  halfDays: ['am', 'pm'],
  ...over,
});

const pairs = (assignments: readonly Assignment[]) => assignments.map((a) => `${a.requestId}→${a.slotId}`);

const isValidationError = (e: unknown) => isDomainError(e) && e.code === 'VALIDATION_FAILED';

describe('runDraw — worked examples', () => {
  it('is the worked example at the top of allocation-draw.ts, to the letter', () => {
    assert.equal(batchOf(Date.parse('2026-06-01T23:50:00+02:00')), JUNE_1);
    assert.equal(batchOf(Date.parse('2026-06-01T00:10:00+02:00')), JUNE_1); // 22:10 UTC the day before
    assert.deepEqual(Array.from(lotteryRank(4, 'tirage')), [0, 3, 1, 2]);
    const tuesdayMornings = { weekdays: [TUE], halfDays: ['am'] as HalfDay[] };
    const result = runDraw({
      seed: 'tirage',
      slots: [
        slot('tue-0900', 'cite', 2, '09:00', TUE),
        slot('tue-0915', 'cite', 2, '09:15', TUE),
        slot('tue-0930', 'cite', 2, '09:30', TUE),
      ],
      requests: [
        request('bruno', {
          priorityClass: 2,
          batch: batchOf(Date.parse('2026-06-01T08:00:00+02:00')),
          ...tuesdayMornings,
        }),
        request('chloe', {
          priorityClass: 2,
          batch: batchOf(Date.parse('2026-06-01T23:50:00+02:00')),
          ...tuesdayMornings,
        }),
        request('aicha', { priorityClass: 0, batch: 20606, ...tuesdayMornings }),
        request('djamel', { priorityClass: 2, batch: 20604, ...tuesdayMornings }),
      ],
    });
    assert.deepEqual(result.order, ['aicha', 'djamel', 'chloe', 'bruno']);
    assert.deepEqual(pairs(result.assignments), ['aicha→tue-0900', 'djamel→tue-0915', 'chloe→tue-0930']); // Bruno waits
  });

  it('gives each request its earliest ACCEPTABLE slot: Daniel (afternoons only) skips Monday 09:00 for Tuesday 14:00', () => {
    const result = runDraw({
      seed: '',
      slots: [
        slot('mon-0900', 'cite', 1, '09:00', MON),
        slot('tue-1400', 'cite', 2, '14:00', TUE),
        slot('wed-1400', 'cite', 3, '14:00', WED),
      ],
      requests: [
        request('daniel', { batch: 1, halfDays: ['pm'] }),
        request('emma', { batch: 2 }), // both half-days: the Monday morning is still free
        request('farid', { batch: 3, weekdays: [TUE] }), // Tuesday only: already taken → waits
      ],
    });
    assert.deepEqual(pairs(result.assignments), ['daniel→tue-1400', 'emma→mon-0900']);
  });

  it('compares sites: Gaëlle (Cité or Saint-Denis) takes the earlier one, wherever it is', () => {
    const result = runDraw({
      seed: '',
      slots: [
        slot('cite-1000', 'cite', 1, '10:00', MON),
        slot('sd-0930', 'saint-denis', 1, '09:30', MON),
        slot('bobigny-0800', 'bobigny', 1, '08:00', MON),
      ],
      requests: [request('gaelle', { siteIds: ['cite', 'saint-denis'] })],
    });
    assert.deepEqual(pairs(result.assignments), ['gaelle→sd-0930']);
  });

  it('matches sites at exactly 32 sites (the widest one-word mask) as at 31 and 33', () => {
    for (const count of [31, 32, 33]) {
      const sites = Array.from({ length: count }, (_, i) => `site-${String(i).padStart(2, '0')}`);
      const last = sites.at(-1)!;
      const result = runDraw({
        seed: '',
        // One slot a site, the last site's the latest: each request takes the earliest it accepts.
        slots: sites.map((site, i) =>
          slot(
            `slot-${site}`,
            site,
            1,
            `${String(8 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`,
            MON,
          ),
        ),
        requests: [
          request('only-last', { siteIds: [last] }),
          request('first-or-last', { siteIds: [sites[0]!, last], batch: JUNE_1 + 1 }),
        ],
      });
      assert.deepEqual(
        pairs(result.assignments),
        [`only-last→slot-${last}`, `first-or-last→slot-${sites[0]}`],
        `${count} sites`,
      );
    }
  });

  it('breaks ties between simultaneous slots by the smallest slot id', () => {
    const result = runDraw({
      seed: '',
      slots: [
        slot('counter-2', 'cite', 1, '09:00', MON),
        slot('counter-1', 'cite', 1, '09:00', MON),
        slot('counter-0', 'cite', 1, '09:15', MON),
      ],
      requests: [request('a', { batch: 1 }), request('b', { batch: 2 }), request('c', { batch: 3 })],
    });
    assert.deepEqual(pairs(result.assignments), ['a→counter-1', 'b→counter-2', 'c→counter-0']);
  });

  it('orders slot starts that are too far apart to pack into 64-bit keys, and the widest batches', () => {
    const order = drawOrder({
      seed: 'x',
      requests: [
        request('late', { batch: 2 ** 32 - 1 }),
        request('early', { batch: 0 }),
        request('mid', { batch: 2 ** 31 }),
      ],
    });
    assert.deepEqual(order, ['early', 'mid', 'late']);
    const far = 2 ** 52; // a span of 2^53 ms: the draw falls back to a comparator sort
    const result = runDraw({
      seed: '',
      slots: [
        { ...slot('far', 'cite', 1, '09:00', MON), startsAt: far },
        { ...slot('near', 'cite', 1, '09:00', MON), startsAt: -far },
      ],
      requests: [request('only')],
    });
    assert.deepEqual(pairs(result.assignments), ['only→near']);
  });

  it('falls back to the comparator sort when 3,002 slot starts span 1.5 × 2^52 ms (keys past 64 bits beside 12-bit positions)', () => {
    // 3,002 positions take 12 bits: a key must stay below 2^52. Packed anyway, 'a-far-late'
    // (the first position) would wrap to key 0 and come first.
    const slots: DrawSlot[] = [
      { ...slot('a-far-late', 'cite', 1, '09:00', MON), startsAt: 2 ** 52 },
      { ...slot('b-far-early', 'cite', 1, '09:00', MON), startsAt: -(2 ** 51) },
      ...Array.from({ length: 3000 }, (_, k) => ({
        ...slot(`slot-${k}`, 'cite', 1, '09:00', MON),
        startsAt: k * 60_000,
      })),
    ];
    const result = runDraw({ seed: '', slots, requests: [request('r1'), request('r2', { batch: JUNE_1 + 1 })] });
    assert.deepEqual(pairs(result.assignments), ['r1→b-far-early', 'r2→slot-0']);
  });

  it('a request that accepts nothing left (or nothing at all) gets nothing, and the draw goes on', () => {
    const result = runDraw({
      seed: '',
      slots: [slot('mon-0900', 'cite', 1, '09:00', MON)],
      requests: [
        request('nobody-site', { batch: 1, siteIds: ['elsewhere'] }),
        request('no-weekday', { batch: 2, weekdays: [] }),
        request('no-half-day', { batch: 3, halfDays: [] }),
        request('hana', { batch: 4 }),
      ],
    });
    assert.deepEqual(pairs(result.assignments), ['hana→mon-0900']);
    assert.equal(result.order.length, 4);
  });

  it('within a class and a batch the seeded ranks decide; class, then batch, come first', () => {
    const requests = [
      request('urgent-late', { priorityClass: 0, batch: JUNE_1 + 5 }),
      request('old', { batch: JUNE_1 - 1 }),
      ...['n-a', 'n-b', 'n-c', 'n-d', 'n-e'].map((id) => request(id)),
    ];
    const order = drawOrder({ seed: 'tirage-2026-06-01', requests });
    assert.deepEqual(order.slice(0, 2), ['urgent-late', 'old']);
    // The ranks are those of all 7 requests in canonical order: n-a … n-e, old, urgent-late.
    const rank = lotteryRank(7, 'tirage-2026-06-01');
    const canonical = ['n-a', 'n-b', 'n-c', 'n-d', 'n-e', 'old', 'urgent-late'];
    const expected = canonical.slice(0, 5).sort((x, y) => rank[canonical.indexOf(x)]! - rank[canonical.indexOf(y)]!);
    assert.deepEqual(order.slice(2), expected);
  });

  it('different seeds give different winners within one batch; an earlier batch wins whatever the seed', () => {
    const requests = Array.from({ length: 20 }, (_, k) => request(`r${String(k).padStart(2, '0')}`));
    const slots = [slot('only', 'cite', 1, '09:00', MON)];
    const winners = new Set<string>();
    for (let s = 0; s < 10; s++) winners.add(runDraw({ seed: `seed-${s}`, requests, slots }).assignments[0]!.requestId);
    assert.ok(winners.size >= 3, `10 seeds gave only ${[...winners].join(', ')}`);
    const withAnElder = [...requests, request('zz-elder', { batch: JUNE_1 - 1 })];
    for (let s = 0; s < 10; s++)
      assert.equal(runDraw({ seed: `seed-${s}`, requests: withAnElder, slots }).assignments[0]!.requestId, 'zz-elder');
  });
});

describe('the lottery within a batch is fair: filing at once buys nothing', () => {
  it('two requests of one class and one batch, filed 23 h 58 apart, each win one slot about half the time over 2,000 seeds', () => {
    // As the app builds them: the instants differ, the batch (the local day) is the same.
    const early = Date.parse('2026-06-01T00:01:00+02:00'); // the bot, filing the instant the day starts
    const late = Date.parse('2026-06-01T23:59:00+02:00'); // a person, at the end of the day
    const requests = [request('bot-0001', { batch: batchOf(early) }), request('person-0002', { batch: batchOf(late) })];
    assert.equal(requests[0]!.batch, requests[1]!.batch);
    const slots = [slot('only', 'cite', 2, '09:00', TUE)];
    const SEEDS = 2_000;
    let earlyWins = 0;
    for (let s = 0; s < SEEDS; s++) {
      const { assignments } = runDraw({ seed: `draw-${s}`, requests, slots });
      assert.equal(assignments.length, 1);
      if (assignments[0]!.requestId === 'bot-0001') earlyWins++;
    }
    // Binomial(n = 2000, p = 1/2): mean 1000, sd = √(2000 · ¼) ≈ 22.4. Accepting 1000 ± 5 sd,
    // i.e. 888 … 1112, a fair lottery fails this test with probability < 1e-6; a lottery
    // that let the earlier filing win even 56 % of the time (1120 expected) would fail it.
    assert.ok(earlyWins >= 888 && earlyWins <= 1112, `the early filer won ${earlyWins} of ${SEEDS}`);
  });
});

describe('the lottery is pinned (a replay must reproduce it years later)', () => {
  it('Fisher–Yates over xoroshiro128+ seeded from SHA-256(seed): fixed ranks for a fixed seed', () => {
    // Pinned values: if these change, every stored lottery draw stops replaying.
    assert.deepEqual(Array.from(lotteryPermutation(10, 'creneau')), PINNED_PERMUTATION);
    assert.deepEqual(Array.from(lotteryRank(10, 'creneau')), PINNED_RANK);
    assert.deepEqual(Array.from(lotteryRank(0, 'x')), []);
    assert.deepEqual(Array.from(lotteryRank(1, 'x')), [0]);
  });

  it('is a permutation, and the rank is its inverse', () => {
    for (const count of [2, 3, 17, 1000]) {
      const permutation = lotteryPermutation(count, `p${count}`);
      const rank = lotteryRank(count, `p${count}`);
      assert.deepEqual(
        [...permutation].sort((a, b) => a - b),
        Array.from({ length: count }, (_, k) => k),
      );
      for (let place = 0; place < count; place++) assert.equal(rank[permutation[place]!], place);
    }
  });
});
// Computed independently with pure-rand 8.4.2 from the documented recipe.
const PINNED_PERMUTATION = [9, 3, 7, 0, 6, 5, 4, 2, 1, 8];
const PINNED_RANK = [3, 8, 7, 1, 6, 5, 4, 2, 9, 0];

describe('digests and replay', () => {
  const example: DrawInput = {
    seed: 'tirage-93-2026-06-01',
    slots: [slot('s1', 'cite', 1, '09:00', MON), slot('s2', 'saint-denis', 2, '14:00', TUE)],
    requests: [
      request('r1', { priorityClass: 1, siteIds: ['saint-denis', 'cite'], weekdays: [2, 1], halfDays: ['pm', 'am'] }),
      request('r2', { batch: JUNE_1 + 5 }),
    ],
  };

  it('the input digest is SHA-256 of the documented canonical bytes (rebuilt here independently)', () => {
    const bytes = canonicalInputBytes(example);
    assert.deepEqual(bytes, naiveCanonicalInput(example));
    assert.equal(runDraw(example).inputDigest, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(inputDigestOf(example), runDraw(example).inputDigest);
    assert.equal(PINNED_INPUT_DIGEST, runDraw(example).inputDigest, 'canonical format changed: bump DRAW_INPUT_FORMAT');
  });

  it('the result digest is SHA-256 of the documented canonical result', () => {
    const result = runDraw(example);
    assert.deepEqual(pairs(result.assignments), ['r1→s1']); // r1 (class 1) first; r2 wants Cité only
    assert.equal(result.resultDigest, naiveResultDigest(example, result.inputDigest, result.assignments));
    assert.equal(resultDigestOf(example, result.assignments), result.resultDigest);
    assert.notEqual(resultDigestOf(example, [{ requestId: 'r1', slotId: 's2' }]), result.resultDigest);
    assert.notEqual(resultDigestOf(example, []), result.resultDigest);
    assert.throws(() => resultDigestOf(example, [{ requestId: 'r9', slotId: 's1' }]), isValidationError);
  });

  it('preferences are sets: their order and repetitions change neither the digest nor the result', () => {
    const reordered: DrawInput = {
      ...example,
      slots: [...example.slots].reverse(),
      requests: [
        example.requests[1]!,
        {
          ...example.requests[0]!,
          siteIds: ['cite', 'saint-denis', 'cite'],
          weekdays: [1, 2, 2],
          halfDays: ['am', 'pm', 'am'],
        },
      ],
    };
    assert.deepEqual(runDraw(reordered), runDraw(example));
  });

  it('the input digest covers the seed and every field', () => {
    const base = inputDigestOf(example);
    const variants: DrawInput[] = [
      { ...example, seed: 'tirage-93-2026-06-02' },
      { ...example, requests: [{ ...example.requests[0]!, priorityClass: 0 }, example.requests[1]!] },
      {
        ...example,
        requests: [{ ...example.requests[0]!, batch: example.requests[0]!.batch + 1 }, example.requests[1]!],
      },
      { ...example, requests: [{ ...example.requests[0]!, siteIds: ['cite'] }, example.requests[1]!] },
      { ...example, requests: [{ ...example.requests[0]!, weekdays: [2] }, example.requests[1]!] },
      { ...example, requests: [{ ...example.requests[0]!, halfDays: ['am'] }, example.requests[1]!] },
      { ...example, requests: [{ ...example.requests[0]!, id: 'r1b' }, example.requests[1]!] },
      {
        ...example,
        slots: [{ ...example.slots[0]!, startsAt: example.slots[0]!.startsAt + 60_000 }, example.slots[1]!],
      },
      { ...example, slots: [{ ...example.slots[0]!, siteId: 'saint-denis' }, example.slots[1]!] },
      { ...example, slots: [{ ...example.slots[0]!, weekday: 3 }, example.slots[1]!] },
      { ...example, slots: [{ ...example.slots[0]!, halfDay: 'pm' }, example.slots[1]!] },
      { ...example, slots: [example.slots[0]!] },
    ];
    const digests = new Set(variants.map(inputDigestOf));
    assert.equal(digests.size, variants.length);
    assert.ok(!digests.has(base));
  });

  it('compareReplay: identical replay, and the first difference otherwise', () => {
    const stored = runDraw(example);
    assert.deepEqual(compareReplay(stored, runDraw(example)), {
      identical: true,
      inputDigestMatches: true,
      resultDigestMatches: true,
      firstDifference: null,
    });
    const other = runDraw({ ...example, seed: 'another' });
    const altered = [stored.assignments[0]!, { requestId: 'r2', slotId: 's2' }];
    const verdict = compareReplay(stored, {
      ...stored,
      assignments: altered,
      resultDigest: resultDigestOf(example, altered),
    });
    assert.equal(verdict.identical, false);
    assert.equal(verdict.inputDigestMatches, true);
    assert.equal(verdict.resultDigestMatches, false);
    assert.deepEqual(verdict.firstDifference, { index: 1, stored: null, replayed: { requestId: 'r2', slotId: 's2' } });
    const otherVerdict = compareReplay(stored, other);
    assert.equal(otherVerdict.inputDigestMatches, false);
    assert.equal(otherVerdict.resultDigestMatches, false); // the result digest names its input
    assert.equal(otherVerdict.identical, false);
  });

  it('compareReplay names a difference in the slot alone, in the request alone, a missing replayed assignment, and digests alone', () => {
    const stored = runDraw(example);
    const first = stored.assignments[0]!;
    const otherSlot = `${first.slotId}-other`;
    const slotOnly = compareReplay(stored, {
      ...stored,
      assignments: [{ ...first, slotId: otherSlot }, ...stored.assignments.slice(1)],
    });
    assert.deepEqual(slotOnly.firstDifference, { index: 0, stored: first, replayed: { ...first, slotId: otherSlot } });
    assert.equal(slotOnly.identical, false);
    const requestOnly = compareReplay(stored, {
      ...stored,
      assignments: [{ ...first, requestId: `${first.requestId}-other` }, ...stored.assignments.slice(1)],
    });
    assert.deepEqual(requestOnly.firstDifference?.index, 0);
    const shorter = compareReplay(stored, { ...stored, assignments: stored.assignments.slice(0, -1) });
    const last = stored.assignments.length - 1;
    assert.deepEqual(shorter.firstDifference, { index: last, stored: stored.assignments[last], replayed: null });
    // The same assignments under another digest are not identical: the digests are the evidence.
    for (const digests of [{ inputDigest: 'x' }, { resultDigest: 'x' }]) {
      const verdict = compareReplay(stored, { ...stored, ...digests });
      assert.deepEqual([verdict.identical, verdict.firstDifference], [false, null]);
    }
  });

  it('resultDigestOf refuses an assignment naming a request or a slot the input does not have', () => {
    const stored = runDraw(example);
    const first = stored.assignments[0]!;
    for (const assignment of [
      { ...first, requestId: 'nobody' },
      { ...first, slotId: 'no-slot' },
    ])
      assert.throws(
        () => resultDigestOf(example, [assignment]),
        (e: any) =>
          isValidationError(e) &&
          e.details.requestId === assignment.requestId &&
          e.details.slotId === assignment.slotId &&
          /does not have/.test(e.message),
      );
  });
});
const PINNED_INPUT_DIGEST = 'bd2fd0308a9baa00c9ae983a04f2c00859dad70094544d6ebf9ad69a18c3df64'; // creneau-draw-input/2

/** An assert.throws matcher: VALIDATION_FAILED with exactly this message and these details. */
const refusedWith = (message: string, details: Record<string, unknown>) => (e: unknown) => {
  assert.ok(isDomainError(e) && e.code === 'VALIDATION_FAILED');
  assert.deepEqual([e.message, e.details], [message, details]);
  return true;
};

describe('runDraw — malformed input is refused with VALIDATION_FAILED', () => {
  const ok: DrawInput = { seed: '', slots: [slot('s1', 'cite', 1, '09:00', MON)], requests: [request('r1')] };
  const weekdayMessage = 'weekday must be 1 (Monday) to 7 (Sunday)';
  const halfDayMessage = "half-day must be 'am' or 'pm'";
  const batchMessage = 'batch must be an integer from 0 to 2^32 - 1 (days since 1970-01-01)';
  const classMessage = 'priority class must be an integer from 0 to 255';
  const startsAtMessage = 'startsAt must be epoch milliseconds (an integer)';
  // Each malformed input with the exact message and details an operator reads in the log.
  const cases: Array<[string, DrawInput, string, Record<string, unknown>]> = [
    [
      'duplicate request id',
      { ...ok, requests: [request('r1'), request('r1', { batch: 9 })] },
      'duplicate request id in draw input',
      { id: 'r1' },
    ],
    [
      'duplicate slot id',
      { ...ok, slots: [slot('s1', 'cite', 1, '09:00', MON), slot('s1', 'cite', 1, '10:00', MON)] },
      'duplicate slot id in draw input',
      { id: 's1' },
    ],
    [
      'weekday 0',
      { ...ok, requests: [request('r1', { weekdays: [0] })] },
      weekdayMessage,
      { requestId: 'r1', weekday: 0 },
    ],
    [
      'weekday 8',
      { ...ok, requests: [request('r1', { weekdays: [1, 8] })] },
      weekdayMessage,
      { requestId: 'r1', weekday: 8 },
    ],
    [
      'weekday 1.5',
      { ...ok, requests: [request('r1', { weekdays: [1.5] })] },
      weekdayMessage,
      { requestId: 'r1', weekday: 1.5 },
    ],
    [
      'weekday 8 on a slot',
      { ...ok, slots: [{ ...ok.slots[0]!, weekday: 8 }] },
      weekdayMessage,
      { slotId: 's1', weekday: 8 },
    ],
    [
      'weekday 0 on a slot',
      { ...ok, slots: [{ ...ok.slots[0]!, weekday: 0 }] },
      weekdayMessage,
      { slotId: 's1', weekday: 0 },
    ],
    [
      'weekday 2.5 on a slot',
      { ...ok, slots: [{ ...ok.slots[0]!, weekday: 2.5 }] },
      weekdayMessage,
      { slotId: 's1', weekday: 2.5 },
    ],
    [
      'half-day "evening"',
      { ...ok, requests: [request('r1', { halfDays: ['evening' as HalfDay] })] },
      halfDayMessage,
      { requestId: 'r1', halfDay: 'evening' },
    ],
    [
      'half-day "night" on a slot',
      { ...ok, slots: [{ ...ok.slots[0]!, halfDay: 'night' as HalfDay }] },
      halfDayMessage,
      { slotId: 's1', halfDay: 'night' },
    ],
    [
      'batch not an integer',
      { ...ok, requests: [request('r1', { batch: 1.5 })] },
      batchMessage,
      { requestId: 'r1', batch: 1.5 },
    ],
    ['batch -1', { ...ok, requests: [request('r1', { batch: -1 })] }, batchMessage, { requestId: 'r1', batch: -1 }],
    [
      'batch 2^32',
      { ...ok, requests: [request('r1', { batch: 2 ** 32 })] },
      batchMessage,
      { requestId: 'r1', batch: 2 ** 32 },
    ],
    ['batch NaN', { ...ok, requests: [request('r1', { batch: NaN })] }, batchMessage, { requestId: 'r1', batch: NaN }],
    [
      'batch missing (a caller still sending filedAt)',
      { ...ok, requests: [{ ...request('r1'), batch: undefined as unknown as number }] },
      batchMessage,
      { requestId: 'r1', batch: undefined },
    ],
    ['startsAt NaN', { ...ok, slots: [{ ...ok.slots[0]!, startsAt: NaN }] }, startsAtMessage, { slotId: 's1' }],
    ['startsAt 1.5', { ...ok, slots: [{ ...ok.slots[0]!, startsAt: 1.5 }] }, startsAtMessage, { slotId: 's1' }],
    [
      'class 256',
      { ...ok, requests: [request('r1', { priorityClass: 256 })] },
      classMessage,
      { requestId: 'r1', priorityClass: 256 },
    ],
    [
      'class -1',
      { ...ok, requests: [request('r1', { priorityClass: -1 })] },
      classMessage,
      { requestId: 'r1', priorityClass: -1 },
    ],
    [
      'class 0.5',
      { ...ok, requests: [request('r1', { priorityClass: 0.5 })] },
      classMessage,
      { requestId: 'r1', priorityClass: 0.5 },
    ],
    ['seed not a string', { ...ok, seed: 42 as unknown as string }, 'the seed must be a string', { seed: 42 }],
    [
      'a request id not a string',
      { ...ok, requests: [request('r0'), request(7 as unknown as string)] },
      'request id must be a string',
      { index: 1 },
    ],
    [
      'a slot id not a string',
      { ...ok, slots: [ok.slots[0]!, { ...ok.slots[0]!, id: null as unknown as string }] },
      'slot id must be a string',
      { index: 1 },
    ],
    [
      'a site id not a string',
      { ...ok, slots: [{ ...ok.slots[0]!, siteId: 93 as unknown as string }] },
      'site id must be a string',
      { siteId: 93 },
    ],
  ];
  for (const [name, input, message, details] of cases) {
    it(name, () => assert.throws(() => runDraw(input), refusedWith(message, details)));
  }

  it('accepts the bounds: class 0 and 255, batch 0 and 2^32 - 1, weekdays 1 and 7', () => {
    const result = runDraw({
      seed: 'bounds',
      slots: [slot('s1', 'cite', 1, '09:00', 7), slot('s2', 'cite', 1, '10:00', 1)],
      requests: [
        request('r1', { priorityClass: 255, batch: 2 ** 32 - 1, weekdays: [7] }),
        request('r2', { priorityClass: 0, batch: 0, weekdays: [1] }),
      ],
    });
    assert.deepEqual(result.assignments, [
      { requestId: 'r2', slotId: 's2' },
      { requestId: 'r1', slotId: 's1' },
    ]);
  });

  it('finds a duplicate among many ids, whatever their shape (radix rounds), and names it', () => {
    const duplicate = (what: string, id: string) => refusedWith(`duplicate ${what} id in draw input`, { id });
    const many = Array.from({ length: 5000 }, (_, k) => request(`request-${String(k).padStart(8, '0')}`));
    assert.doesNotThrow(() => drawOrder({ seed: '', requests: many }));
    assert.throws(
      () => drawOrder({ seed: '', requests: [...many, request('request-00004321')] }),
      duplicate('request', 'request-00004321'),
    );
    assert.throws(
      () => drawOrder({ seed: '', requests: [...many, request(''), request('')] }),
      duplicate('request', ''),
    );
    // Ids sharing a prefix longer than a radix round's window, and ids of which one is the prefix of another.
    const prefix = 'p'.repeat(40);
    const long = Array.from({ length: 300 }, (_, k) => request(`${prefix}${k}`));
    assert.doesNotThrow(() => drawOrder({ seed: '', requests: [...long, request(prefix)] }));
    assert.throws(
      () => drawOrder({ seed: '', requests: [...long, request(`${prefix}123`)] }),
      duplicate('request', `${prefix}123`),
    );
    const slots = Array.from({ length: 100 }, (_, k) => slot(`slot-${k}`, 'cite', 1, '09:00', MON));
    assert.throws(
      () => runDraw({ seed: '', requests: [], slots: [...slots, slot('slot-57', 'cite', 2, '09:00', TUE)] }),
      duplicate('slot', 'slot-57'),
    );
    assert.throws(
      () =>
        runDraw({
          seed: '',
          requests: [],
          slots: [slot('a', 'cite', 1, '09:00', MON), slot('a', 'cite', 1, '09:00', MON)],
        }),
      duplicate('slot', 'a'),
    );
  });

  it('accepts the empty draw', () => {
    const result = runDraw({ seed: 's', slots: [], requests: [] });
    assert.deepEqual(result.assignments, []);
    assert.deepEqual(result.order, []);
    assert.match(result.inputDigest, /^[0-9a-f]{64}$/);
  });
});

/** The choosing order of requests of one class and batch: the lottery's permutation of the ids in `<` order. */
const lotteryOrderOf = (ids: readonly string[], seed: string): string[] => {
  const canonical = [...ids].sort();
  return Array.from(lotteryPermutation(canonical.length, seed), (k) => canonical[k]!);
};

describe('canonical id order = JavaScript string order, for any ids', () => {
  it('sorts awkward ids as `<` does (prefixes, empty, non-ASCII, surrogates, long shared prefixes)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(
            fc.string({ maxLength: 6 }),
            fc.string({ unit: 'binary', maxLength: 5 }),
            fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', '\uffff', '\ud800', 'é'), maxLength: 8 }),
            fc.nat(99999).map((k) => `request-0000-${k}`),
          ),
          { maxLength: 400 },
        ),
        (ids) => {
          const requests = ids.map((id) => request(id)); // one class, one batch: the lottery over the id order decides
          assert.deepEqual(drawOrder({ seed: 'ids', requests }), lotteryOrderOf(ids, 'ids'));
        },
      ),
      { seed: 20260601, numRuns: propertyRuns(200) },
    );
  });

  it('sorts 20,000 UUID-like ids as `<` does', () => {
    const ids = Array.from({ length: 20_000 }, (_, k) =>
      createHash('sha256')
        .update(String(k))
        .digest('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
    );
    assert.deepEqual(
      drawOrder({ seed: 'uuids', requests: ids.map((id) => request(id)) }),
      lotteryOrderOf(ids, 'uuids'),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Properties on small random instances

const SITES = ['bobigny', 'cite', 'saint-denis'];
// More than 32 sites takes the other path of the draw (sites as lists rather than bit masks).
const MANY_SITES = Array.from({ length: 40 }, (_, k) => `site-${k}`);

const slotArbOf = (sites: string[]) =>
  fc.record({
    siteId: fc.constantFrom(...sites),
    startsAt: fc.integer({ min: 0, max: 40 }).map((q) => Date.UTC(2026, 5, 1, 8) + q * 900_000), // few instants: ties
    weekday: fc.integer({ min: 1, max: 7 }),
    halfDay: fc.constantFrom<HalfDay>('am', 'pm'),
  });

const requestArbOf = (sites: string[]) =>
  fc.record({
    priorityClass: fc.integer({ min: 0, max: 2 }),
    batch: fc.integer({ min: JUNE_1 - 3, max: JUNE_1 }), // few days: ties, decided by the lottery
    siteIds: fc.array(fc.constantFrom(...sites, 'nowhere'), { maxLength: 4 }),
    weekdays: fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 8 }),
    halfDays: fc.array(fc.constantFrom<HalfDay>('am', 'pm'), { maxLength: 3 }),
  });

const inputArbOf = (sites: string[]): fc.Arbitrary<DrawInput> =>
  fc
    .record({
      slotIds: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 25 }),
      requestIds: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 30 }),
      slotFacts: fc.array(slotArbOf(sites), { minLength: 25, maxLength: 25 }),
      requestFacts: fc.array(requestArbOf(sites), { minLength: 30, maxLength: 30 }),
      seed: fc.string({ maxLength: 8 }),
    })
    .map(({ slotIds, requestIds, slotFacts, requestFacts, seed }) => ({
      seed,
      slots: slotIds.map((id, k) => ({ id, ...slotFacts[k]! })),
      requests: requestIds.map((id, k) => ({ id, ...requestFacts[k]! })),
    }));
const inputArb = inputArbOf(SITES);

const accepts = (r: DrawRequest, s: DrawSlot) =>
  r.siteIds.includes(s.siteId) && r.weekdays.includes(s.weekday) && r.halfDays.includes(s.halfDay);
const earlier = (a: DrawSlot, b: DrawSlot) => a.startsAt < b.startsAt || (a.startsAt === b.startsAt && a.id < b.id);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The rules, written the slow obvious way: O(requests × slots). */
function referenceDraw(input: DrawInput): { order: string[]; assignments: Assignment[] } {
  const canonical = [...input.requests].sort(byId);
  const rank = lotteryRank(canonical.length, input.seed);
  const order = canonical
    .map((r, k) => ({ r, rank: rank[k]! }))
    .sort((x, y) => x.r.priorityClass - y.r.priorityClass || x.r.batch - y.r.batch || x.rank - y.rank)
    .map((x) => x.r);
  const taken = new Set<string>();
  const assignments: Assignment[] = [];
  for (const r of order) {
    let best: DrawSlot | null = null;
    for (const s of input.slots) if (!taken.has(s.id) && accepts(r, s) && (best === null || earlier(s, best))) best = s;
    if (best) {
      taken.add(best.id);
      assignments.push({ requestId: r.id, slotId: best.id });
    }
  }
  return { order: order.map((r) => r.id), assignments };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed | 1;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const RUNS = { seed: 36475, numRuns: propertyRuns(300) };

describe('runDraw — properties (fast-check, 300 random instances each)', () => {
  it('gives no slot twice and no request two slots, only slots the request accepts', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { assignments } = runDraw(input);
        const slots = new Map(input.slots.map((s) => [s.id, s]));
        const requests = new Map(input.requests.map((r) => [r.id, r]));
        assert.equal(new Set(assignments.map((a) => a.slotId)).size, assignments.length, 'a slot given twice');
        assert.equal(
          new Set(assignments.map((a) => a.requestId)).size,
          assignments.length,
          'a request given two slots',
        );
        for (const a of assignments)
          assert.ok(
            accepts(requests.get(a.requestId)!, slots.get(a.slotId)!),
            `${a.requestId} does not accept ${a.slotId}`,
          );
      }),
      RUNS,
    );
  });

  it('equals the brute-force reference, order and assignments', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = runDraw(input);
        const reference = referenceDraw(input);
        assert.deepEqual(result.order, reference.order);
        assert.deepEqual(result.assignments, reference.assignments);
        assert.equal(result.resultDigest, naiveResultDigest(input, result.inputDigest, reference.assignments));
      }),
      RUNS,
    );
  });

  it('equals the brute-force reference with more than 32 sites too', () => {
    // 33 extra slots on 33 distinct sites: more than 32 sites with slots, whatever is drawn.
    const withSlotsEverywhere = inputArbOf(MANY_SITES).map((input) => ({
      ...input,
      slots: [
        ...input.slots,
        ...MANY_SITES.slice(0, 33).map(
          (siteId, k): DrawSlot => ({
            id: `filler-${k}`,
            siteId,
            startsAt: Date.UTC(2026, 5, 1, 8) + k * 600_000,
            weekday: 1 + (k % 7),
            halfDay: k % 2 ? 'pm' : 'am',
          }),
        ),
      ],
    }));
    fc.assert(
      fc.property(withSlotsEverywhere, (input) => {
        const result = runDraw(input);
        const reference = referenceDraw(input);
        assert.deepEqual(result.order, reference.order);
        assert.deepEqual(result.assignments, reference.assignments);
        assert.deepEqual(canonicalInputBytes(input), naiveCanonicalInput(input));
      }),
      { ...RUNS, numRuns: propertyRuns(150) },
    );
  });

  it("writes the documented canonical input byte for byte past the writer's 64 KiB buffer and 1,024-id chunks, at 12, 32 and 40 sites", () => {
    for (const siteCount of [12, 32, 40]) {
      const sites = Array.from({ length: siteCount }, (_, k) => `site-${k}`);
      const input: DrawInput = {
        seed: `big-${siteCount}`,
        slots: Array.from({ length: 3000 }, (_, k) => ({
          id: `slot-${k}`,
          siteId: sites[k % siteCount]!,
          startsAt: at(1 + (k % 28), `${String(8 + (k % 9)).padStart(2, '0')}:00`),
          weekday: 1 + (k % 7),
          halfDay: k % 2 === 0 ? 'am' : 'pm',
        })),
        requests: Array.from({ length: 5000 }, (_, k) =>
          request(`request-${k}`, {
            priorityClass: k % 4,
            batch: JUNE_1 - (k % 90),
            siteIds: [sites[k % siteCount]!, sites[(k * 7) % siteCount]!],
            weekdays: [1 + (k % 7), 1 + ((k + 3) % 7)],
            halfDays: k % 3 === 0 ? ['am', 'pm'] : ['pm'],
          }),
        ),
      };
      const naive = naiveCanonicalInput(input);
      assert.ok(naive.length > 3 * 65_536, `only ${naive.length} bytes`);
      assert.deepEqual(canonicalInputBytes(input), naive);
      assert.equal(inputDigestOf(input), createHash('sha256').update(naive).digest('hex'));
    }
  });

  it('a seeded draw hashes the documented canonical input under both seeds: awkward ids and sites, past the 64 KiB buffer and the JSON chunks', () => {
    const awkward = ['é', 'quote"', 'back\\slash', 'tab\t', '\u0000', '😀', '\ud800', ''];
    const sites = ['Cité', 'site "b"', 'site-c'];
    const input: Omit<DrawInput, 'seed'> = {
      requests: Array.from({ length: 4000 }, (_, k) =>
        request(`r-${awkward[k % awkward.length]}-${k}`, {
          priorityClass: k % 3,
          batch: JUNE_1 - (k % 40),
          siteIds: [sites[k % 3]!, sites[(k + 1) % 3]!],
          weekdays: [1 + (k % 7)],
          halfDays: k % 2 ? ['am'] : ['am', 'pm'],
        }),
      ),
      slots: Array.from({ length: 3000 }, (_, k) => ({
        id: `s-${awkward[k % awkward.length]}-${k}`,
        siteId: sites[k % 3]!,
        startsAt: at(1 + (k % 28), `${String(8 + (k % 9)).padStart(2, '0')}:00`),
        weekday: 1 + (k % 7),
        halfDay: k % 2 ? 'pm' : 'am',
      })),
    };
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const closing = naiveCanonicalInput({ ...input, seed: '' });
    assert.ok(closing.length > 3 * 65_536 && closing.length < 4 * 65_536, `${closing.length} bytes`);
    const seedFrom = (digest: string) => `seed of ${digest}`;
    const seed = seedFrom(sha256(closing));
    const { positions, ...seeded } = runSeededDraw(input, seedFrom);
    const drawn = runDraw({ ...input, seed });
    assert.equal(drawn.inputDigest, sha256(naiveCanonicalInput({ ...input, seed })));
    assert.deepEqual(seeded, { ...drawn, seed, closingDigest: sha256(closing) });
    assert.equal(positions.requests.length, drawn.assignments.length);
  });

  it('writes the documented canonical input, byte for byte', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        assert.deepEqual(canonicalInputBytes(input), naiveCanonicalInput(input));
      }),
      RUNS,
    );
  });

  it('respects priority: no request that chose earlier is left without, or with a later slot, for a slot it accepted that a later one got', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = runDraw(input);
        const requests = new Map(input.requests.map((r) => [r.id, r]));
        const slots = new Map(input.slots.map((s) => [s.id, s]));
        const got = new Map(result.assignments.map((a) => [a.requestId, slots.get(a.slotId)!]));
        const place = new Map(result.order.map((id, k) => [id, k]));
        // Choosing order itself: class first; within a class, the earlier batch first.
        for (let k = 1; k < result.order.length; k++) {
          const before = requests.get(result.order[k - 1]!)!;
          const after = requests.get(result.order[k]!)!;
          assert.ok(before.priorityClass <= after.priorityClass, 'a lower class chose first');
          if (before.priorityClass === after.priorityClass)
            assert.ok(before.batch <= after.batch, 'a later batch chose first');
        }
        for (const { requestId: laterId, slotId } of result.assignments) {
          const s = slots.get(slotId)!;
          for (const r1 of input.requests) {
            if (place.get(r1.id)! >= place.get(laterId)! || !accepts(r1, s)) continue;
            const own = got.get(r1.id);
            assert.ok(own !== undefined, `${r1.id} chose before ${laterId}, accepted ${slotId} and got nothing`);
            assert.ok(
              earlier(own, s),
              `${r1.id} chose before ${laterId}, accepted ${slotId} and got the later ${own.id}`,
            );
          }
        }
      }),
      RUNS,
    );
  });

  it('replays identically: same input → same result and digests; shuffled input → the same too', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const first = runDraw(input);
        assert.deepEqual(runDraw(input), first);
        const shuffledInput: DrawInput = {
          ...input,
          slots: shuffled(input.slots, seed),
          requests: shuffled(input.requests, seed + 1).map((r) => ({
            ...r,
            siteIds: shuffled(r.siteIds, seed + 2),
            weekdays: shuffled(r.weekdays, seed + 3),
          })),
        };
        assert.deepEqual(runDraw(shuffledInput), first);
        assert.equal(compareReplay(first, runDraw(shuffledInput)).identical, true);
      }),
      RUNS,
    );
  });

  it('the seed only reorders requests of the same class and batch (the digests record it)', () => {
    fc.assert(
      fc.property(inputArb, fc.string(), (input, otherSeed) => {
        fc.pre(otherSeed !== input.seed);
        const requests = new Map(input.requests.map((r) => [r.id, r]));
        const groups = (order: string[]) =>
          order.map((id) => `${requests.get(id)!.priorityClass}/${requests.get(id)!.batch}`);
        const a = runDraw(input);
        const b = runDraw({ ...input, seed: otherSeed });
        assert.deepEqual(groups(b.order), groups(a.order));
        assert.notEqual(b.inputDigest, a.inputDigest);
        assert.equal(b.resultDigest, naiveResultDigest(input, b.inputDigest, b.assignments));
      }),
      RUNS,
    );
  });

  it('an earlier batch always chooses before a later one of its class, and a class before any batch, whatever the seed', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 2 ** 32 - 2 }), (seed, batch) => {
        const order = drawOrder({
          seed,
          requests: [
            request('later-normal', { priorityClass: 2, batch: batch + 1 }),
            request('earlier-normal', { priorityClass: 2, batch }),
            request('latest-urgent', { priorityClass: 1, batch: 2 ** 32 - 1 }),
          ],
        });
        assert.deepEqual(order, ['latest-urgent', 'earlier-normal', 'later-normal']);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------

/** The result digest exactly as documented above writeCanonicalResult, built naively. */
function naiveResultDigest(input: DrawInput, inputDigest: string, assignments: readonly Assignment[]): string {
  const requestIds = input.requests.map((r) => r.id).sort();
  const slotIds = input.slots.map((s) => s.id).sort();
  const records = Buffer.alloc(8 * assignments.length);
  assignments.forEach((a, k) => {
    records.writeUInt32LE(requestIds.indexOf(a.requestId), 8 * k);
    records.writeUInt32LE(slotIds.indexOf(a.slotId), 8 * k + 4);
  });
  return createHash('sha256')
    .update(`creneau-draw-result/2\ninput\t${inputDigest}\nassignments\t${assignments.length}\n`, 'utf8')
    .update(records)
    .digest('hex');
}

/** The canonical input exactly as documented above writeCanonicalInput, built naively. */
function naiveCanonicalInput(input: DrawInput): Buffer {
  const requests = [...input.requests].sort(byId);
  const slots = [...input.slots].sort(byId);
  const sites = [...new Set([...input.slots.map((s) => s.siteId), ...input.requests.flatMap((r) => r.siteIds)])].sort();
  const text =
    `creneau-draw-input/2\nseed\t${JSON.stringify(input.seed)}\n` +
    `sites\t${JSON.stringify(sites)}\nrequests\t${requests.length}\t${JSON.stringify(requests.map((r) => r.id))}\n` +
    `slots\t${slots.length}\t${JSON.stringify(slots.map((s) => s.id))}\nrecords\n`;
  const records: Buffer[] = [Buffer.from(text, 'utf8')];
  for (const r of requests) {
    const distinctSites = [...new Set(r.siteIds.map((s) => sites.indexOf(s)))].sort((a, b) => a - b);
    const record = Buffer.alloc(4 + 3 + 4 + 4 * distinctSites.length);
    record.writeUInt32LE(r.batch, 0);
    record.writeUInt8(r.priorityClass, 4);
    record.writeUInt8(
      r.weekdays.reduce((mask, d) => mask | (1 << (d - 1)), 0),
      5,
    );
    record.writeUInt8(
      r.halfDays.reduce((mask, h) => mask | (h === 'am' ? 1 : 2), 0),
      6,
    );
    record.writeUInt32LE(distinctSites.length, 7);
    distinctSites.forEach((site, k) => {
      record.writeUInt32LE(site, 11 + 4 * k);
    });
    records.push(record);
  }
  for (const s of slots) {
    const record = Buffer.alloc(8 + 4 + 2);
    record.writeDoubleLE(s.startsAt, 0);
    record.writeUInt32LE(sites.indexOf(s.siteId), 8);
    record.writeUInt8(s.weekday, 12);
    record.writeUInt8(s.halfDay === 'am' ? 0 : 1, 13);
    records.push(record);
  }
  return Buffer.concat(records);
}
