// Verifiable draws (src/domain/draw-commitment.ts): the commitment, the seed, the pseudonyms,
// and the verification of a published draw, which must catch every kind of tampering.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type DrawRequest,
  type DrawSlot,
  inputDigestOf,
  runDraw,
  runSeededDraw,
} from '../../src/domain/allocation-draw.ts';
import {
  closingDigestOf,
  commitmentOf,
  DRAW_PUBLICATION_FORMAT,
  drawRequestsOf,
  drawSecretOf,
  drawSeedOf,
  isDrawSecret,
  type PublishedDraw,
  parsePublishedDraw,
  pseudonymise,
  pseudonymOf,
  publishedRequest,
  publishedSlot,
  verifyPublishedDraw,
} from '../../src/domain/draw-commitment.ts';
import { DomainError } from '../../src/domain/errors.ts';

const SECRET = 'a1'.repeat(32);
const OTHER_SECRET = 'b2'.repeat(32);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const requests: DrawRequest[] = Array.from({ length: 12 }, (_, i) => ({
  id: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
  priorityClass: i % 3,
  batch: 20600 + (i % 2),
  siteIds: i % 4 === 0 ? ['site-b'] : ['site-a', 'site-b'],
  weekdays: [1, 2, 3, 4, 5],
  halfDays: i % 5 === 0 ? ['pm'] : ['am', 'pm'],
}));
const slots: DrawSlot[] = Array.from({ length: 7 }, (_, j) => ({
  id: `slot-${j}`,
  siteId: j % 2 ? 'site-a' : 'site-b',
  startsAt: 1_780_000_000_000 + j * 900_000,
  weekday: 1 + (j % 5),
  halfDay: j % 3 ? 'am' : 'pm',
}));

/** What the server does at a draw, and what it then publishes. */
function publish(secret = SECRET): PublishedDraw {
  const pseudonymised = pseudonymise(requests, secret);
  const closingDigest = closingDigestOf(pseudonymised, slots);
  const seed = drawSeedOf(secret, closingDigest);
  const result = runDraw({ requests: pseudonymised, slots, seed });
  return {
    format: DRAW_PUBLICATION_FORMAT,
    drawId: '00000000-0000-4000-8000-00000000d001',
    prefectureId: '93',
    procedureId: 'titre-sejour',
    tick: '2026-06-01T05:00:00.000Z',
    trigger: 'daily',
    committedAt: '2026-05-31T06:00:00.000Z',
    startedAt: '2026-06-01T05:00:01.000Z',
    finishedAt: '2026-06-01T05:00:02.000Z',
    commitment: commitmentOf(secret),
    secret,
    closingDigest,
    seed,
    inputDigest: result.inputDigest,
    resultDigest: result.resultDigest,
    counts: { requests: requests.length, slots: slots.length, assigned: result.assignments.length, opened: 0 },
    requests: pseudonymised.map(publishedRequest),
    slots: slots.map(publishedSlot),
    result: result.assignments.map((a) => [a.requestId, a.slotId]),
  };
}

const copy = (p: PublishedDraw): PublishedDraw => structuredClone(p);

describe('draw commitments', () => {
  it('commits with SHA-256 of the secret as hex text, and seeds with SHA-256(secret ‖ closing digest)', () => {
    assert.equal(commitmentOf(SECRET), sha256(SECRET));
    assert.notEqual(commitmentOf(SECRET), commitmentOf(OTHER_SECRET));
    const digest = 'cd'.repeat(32);
    assert.equal(drawSeedOf(SECRET, digest), sha256(SECRET + digest));
    assert.notEqual(drawSeedOf(SECRET, digest), drawSeedOf(SECRET, 'ce'.repeat(32)));
    assert.equal(drawSecretOf(new Uint8Array(32).fill(255)), 'ff'.repeat(32));
    assert.throws(
      () => drawSecretOf(new Uint8Array(16)),
      (e: unknown) => e instanceof DomainError,
    );
  });

  it('gives each request a pseudonym of 20 hex digits per draw: SHA-256 of the secret and the id, unlinkable across draws', () => {
    const id = requests[0]!.id;
    const pseudonym = pseudonymOf(SECRET, id);
    assert.match(pseudonym, /^[0-9a-f]{20}$/);
    assert.equal(pseudonym, sha256(SECRET + id).slice(0, 20));
    assert.notEqual(pseudonymOf(OTHER_SECRET, id), pseudonym);
    assert.notEqual(pseudonymOf(SECRET, requests[1]!.id), pseudonym);
  });

  it('pseudonymises requests without changing anything else, in the same order (the way back is the position)', () => {
    const out = pseudonymise(requests, SECRET);
    assert.equal(out.length, requests.length);
    out.forEach((r, k) => {
      assert.equal(r.id, pseudonymOf(SECRET, requests[k]!.id));
      assert.deepEqual({ ...r, id: requests[k]!.id }, requests[k]);
    });
    assert.deepEqual(pseudonymise([], SECRET), []);
  });

  it('runs a seeded draw in one pass exactly as the closing digest, the seed and the draw one after the other', () => {
    const pseudonymised = pseudonymise(requests, SECRET);
    const seen: string[] = [];
    const { positions, ...seeded } = runSeededDraw({ requests: pseudonymised, slots }, (closing) => {
      seen.push(closing);
      return drawSeedOf(SECRET, closing);
    });
    const closing = closingDigestOf(pseudonymised, slots);
    assert.deepEqual(seen, [closing]);
    const apart = runDraw({ requests: pseudonymised, slots, seed: drawSeedOf(SECRET, closing) });
    assert.deepEqual(seeded, { ...apart, seed: drawSeedOf(SECRET, closing), closingDigest: closing });
    // Each assignment's request and slot by their places in the input arrays.
    assert.ok(apart.assignments.length > 0);
    assert.deepEqual(
      apart.assignments,
      Array.from(positions.requests, (r, a) => ({
        requestId: pseudonymised[r]!.id,
        slotId: slots[positions.slots[a]!]!.id,
      })),
    );
  });

  it('digests what closed with an empty seed, so the digest does not depend on the seed it makes', () => {
    assert.equal(closingDigestOf(requests, slots), inputDigestOf({ requests, slots, seed: '' }));
    assert.notEqual(closingDigestOf(requests, slots), closingDigestOf(requests.slice(1), slots));
  });
});

describe('verifying a published draw', () => {
  const published = publish();

  it('matches a draw as published, every check passing', () => {
    const report = verifyPublishedDraw(parsePublishedDraw(JSON.stringify(published)));
    assert.deepEqual(report, {
      matches: true,
      mismatch: null,
      checks: ['commitment', 'counts', 'closing digest', 'seed', 'input digest', 'result digest', 'result'].map(
        (name) => ({ name, ok: true }),
      ),
    });
    assert.ok(published.result.length > 0 && published.result.length <= slots.length);
  });

  it('detects a changed secret (its hash is not the commitment)', () => {
    const changed = { ...copy(published), secret: OTHER_SECRET };
    const report = verifyPublishedDraw(changed);
    assert.equal(report.matches, false);
    assert.match(report.mismatch!, /^commitment:/);
  });

  it('detects a secret AND commitment swapped after the fact, against the commitment seen before the draw', () => {
    // A whole draw redone under another secret is consistent in itself…
    const redone = publish(OTHER_SECRET);
    assert.equal(verifyPublishedDraw(redone).matches, true);
    // …but not with the commitment published before the tick.
    const report = verifyPublishedDraw(redone, { expectedCommitment: commitmentOf(SECRET).toUpperCase() });
    assert.equal(report.matches, false);
    assert.match(report.mismatch!, /commitment published before the draw/);
    assert.equal(verifyPublishedDraw(published, { expectedCommitment: commitmentOf(SECRET) }).matches, true);
  });

  it('detects a tampered commitment', () => {
    const report = verifyPublishedDraw({ ...copy(published), commitment: 'f'.repeat(64) });
    assert.match(report.mismatch!, /^commitment:/);
  });

  it('detects a request added after closing, even with the counts fixed', () => {
    const added = copy(published);
    added.requests.push(['0123456789abcdef0123', 0, 1, ['site-a'], [1, 2, 3, 4, 5], ['am']]);
    assert.match(verifyPublishedDraw(added).mismatch!, /^counts:/);
    added.counts.requests++;
    const report = verifyPublishedDraw(added);
    assert.equal(report.matches, false);
    assert.match(report.mismatch!, /^closing digest:.*added, removed or changed/);
  });

  it('detects a request removed after closing, and a changed one', () => {
    const removed = copy(published);
    removed.requests.splice(3, 1);
    removed.counts.requests--;
    assert.match(verifyPublishedDraw(removed).mismatch!, /^closing digest:/);
    const changed = copy(published);
    changed.requests[0]![1] = changed.requests[0]![1] === 0 ? 1 : 0; // another priority class
    assert.match(verifyPublishedDraw(changed).mismatch!, /^closing digest:/);
  });

  it('detects a seed that was not made from the secret and the closing digest', () => {
    assert.match(verifyPublishedDraw({ ...copy(published), seed: 'e'.repeat(64) }).mismatch!, /^seed:/);
  });

  it('detects a tampered result: an offer moved to another slot, given to someone else, or left out', () => {
    const moved = copy(published);
    const free = slots.find((s) => !moved.result.some(([, slotId]) => slotId === s.id));
    moved.result[0]![1] = free ? free.id : moved.result[1]![1];
    const report = verifyPublishedDraw(moved);
    assert.equal(report.matches, false);
    assert.match(report.mismatch!, /^result: assignment #1 is /);

    const givenToOther = copy(published);
    const outsider = givenToOther.requests.find(([p]) => !givenToOther.result.some(([q]) => q === p));
    assert.ok(outsider, 'someone got nothing');
    givenToOther.result[givenToOther.result.length - 1]![0] = outsider[0];
    assert.match(verifyPublishedDraw(givenToOther).mismatch!, /^result: assignment #\d+ is /);

    const shortened = copy(published);
    shortened.result.pop();
    assert.match(verifyPublishedDraw(shortened).mismatch!, /^result: assignment #\d+ is nothing in the file/);
  });

  it('detects a tampered result digest', () => {
    assert.match(
      verifyPublishedDraw({ ...copy(published), resultDigest: '0'.repeat(64) }).mismatch!,
      /^result digest:/,
    );
  });

  it('refuses what is not a published draw with VALIDATION_FAILED', () => {
    const refused = (text: string) =>
      assert.throws(
        () => parsePublishedDraw(text),
        (e: unknown) => e instanceof DomainError && e.code === 'VALIDATION_FAILED',
      );
    refused('not json');
    refused(JSON.stringify({ format: 'creneau-draw-publication/0' }));
    refused(JSON.stringify({ ...published, secret: 7 }));
    refused(JSON.stringify({ ...published, requests: [['p', 0, 1, ['s'], [1], ['noon']]] }));
    refused(JSON.stringify({ ...published, slots: [['s', 'site', 'soon', 1, 'am']] }));
    refused(JSON.stringify({ ...published, result: [['p']] }));
  });
});

describe('draw secrets and pseudonyms: the edges', () => {
  it('names the format of the published file', () => {
    assert.equal(DRAW_PUBLICATION_FORMAT, 'creneau-draw-publication/1');
  });

  it('makes a secret of exactly 32 bytes, and refuses 31 or 33 with VALIDATION_FAILED', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 8);
    // 0, 8, 16, … 248: two lowercase hex digits a byte, in order.
    assert.equal(drawSecretOf(bytes), '0008101820283038404850586068707880889098a0a8b0b8c0c8d0d8e0e8f0f8');
    for (const length of [31, 33, 0]) {
      assert.throws(
        () => drawSecretOf(new Uint8Array(length)),
        (e: unknown) =>
          e instanceof DomainError && e.code === 'VALIDATION_FAILED' && e.message === 'A draw secret is 32 bytes.',
        `${length} bytes`,
      );
    }
  });

  it('recognises a secret: 64 lowercase hex digits, nothing before or after', () => {
    const hex = '0123456789abcdef'.repeat(4);
    assert.equal(isDrawSecret(hex), true);
    assert.equal(isDrawSecret(SECRET), true);
    assert.equal(isDrawSecret(drawSecretOf(new Uint8Array(32).fill(171))), true);
    for (const bad of [
      hex.toUpperCase(),
      hex.slice(1), // 63 digits
      `${hex}0`, // 65
      `x${hex.slice(1)}`,
      `${hex.slice(1)}x`,
      ` ${hex}`,
      `${hex}\n`,
      'g'.repeat(64),
      '-'.repeat(64),
      '',
    ]) {
      assert.equal(isDrawSecret(bad), false, JSON.stringify(bad));
    }
    for (const notText of [7, null, undefined, ['a1'.repeat(32)], { secret: SECRET }]) {
      assert.equal(isDrawSecret(notText), false, String(notText));
    }
  });

  it('refuses to draw two requests that share a pseudonym (the same id twice): the draw refuses the duplicate id', () => {
    const twice = pseudonymise([requests[0]!, requests[1]!, { ...requests[0]!, batch: 1 }], SECRET);
    assert.throws(() => runSeededDraw({ requests: twice, slots }, (closing) => drawSeedOf(SECRET, closing)), {
      code: 'VALIDATION_FAILED',
      message: 'duplicate request id in draw input',
    });
  });
});

describe('verifying a published draw: each check, its message and the checks run', () => {
  const published = publish();
  const ORDER = ['commitment', 'counts', 'closing digest', 'seed', 'input digest', 'result digest', 'result'];
  /** The checks of a report that failed at `failed`: every earlier one passed, none after it ran. */
  const checksUpTo = (failed: string, order = ORDER) => [
    ...order.slice(0, order.indexOf(failed)).map((name) => ({ name, ok: true })),
    { name: failed, ok: false },
  ];
  const failure = (failed: string, mismatch: string, order = ORDER) => ({
    matches: false,
    mismatch,
    checks: checksUpTo(failed, order),
  });
  const [firstPseudonym, firstSlot] = published.result[0]!;
  const [lastPseudonym, lastSlot] = published.result.at(-1)!;
  const n = published.result.length;

  it('reports a changed secret at the first check', () => {
    assert.deepEqual(
      verifyPublishedDraw({ ...copy(published), secret: OTHER_SECRET }),
      failure('commitment', 'commitment: SHA-256(secret) is not the published commitment'),
    );
  });

  it('runs the expected-commitment check second when a commitment is given', () => {
    const withExpected = ['commitment', 'expected commitment', ...ORDER.slice(1)];
    assert.deepEqual(verifyPublishedDraw(published, { expectedCommitment: commitmentOf(SECRET).toUpperCase() }), {
      matches: true,
      mismatch: null,
      checks: withExpected.map((name) => ({ name, ok: true })),
    });
    assert.deepEqual(
      verifyPublishedDraw(publish(OTHER_SECRET), { expectedCommitment: commitmentOf(SECRET) }),
      failure(
        'expected commitment',
        'commitment: not the one given (the commitment published before the draw)',
        withExpected,
      ),
    );
  });

  it('compares both counts with the lists: requests and slots', () => {
    const moreSlots = copy(published);
    moreSlots.counts.slots = 8;
    assert.deepEqual(
      verifyPublishedDraw(moreSlots),
      failure('counts', 'counts: the file lists 12 requests and 7 slots, its counts say 12 and 8'),
    );
    const fewerRequests = copy(published);
    fewerRequests.counts.requests = 11;
    assert.deepEqual(
      verifyPublishedDraw(fewerRequests),
      failure('counts', 'counts: the file lists 12 requests and 7 slots, its counts say 11 and 7'),
    );
  });

  it('reports requests or slots the draw refuses (a weekday 9) as an invalid closing digest', () => {
    const invalid = copy(published);
    invalid.slots[2]![3] = 9;
    assert.deepEqual(
      verifyPublishedDraw(invalid),
      failure(
        'closing digest',
        'closing digest: the requests or slots are invalid (weekday must be 1 (Monday) to 7 (Sunday))',
      ),
    );
  });

  it('reports a changed request with the digest the file gives', () => {
    const changed = copy(published);
    changed.requests[0]![2] += 1; // another batch
    const digest = inputDigestOf({ requests: drawRequestsOf(changed), slots, seed: '' });
    assert.notEqual(digest, published.closingDigest);
    assert.deepEqual(
      verifyPublishedDraw(changed),
      failure(
        'closing digest',
        `closing digest: the requests and slots give ${digest}, not the published ${published.closingDigest} (a request or slot was added, removed or changed)`,
      ),
    );
  });

  it('reports a seed not made from the secret and the closing digest, with the right one', () => {
    const seed = sha256(SECRET + published.closingDigest);
    assert.equal(published.seed, seed);
    assert.deepEqual(
      verifyPublishedDraw({ ...copy(published), seed: 'e'.repeat(64) }),
      failure('seed', `seed: SHA-256(secret ‖ closing digest) is ${seed}, not the published ${'e'.repeat(64)}`),
    );
  });

  it('reports a tampered input digest', () => {
    assert.deepEqual(
      verifyPublishedDraw({ ...copy(published), inputDigest: '0'.repeat(64) }),
      failure('input digest', `input digest: the draw's input gives ${published.inputDigest}, not ${'0'.repeat(64)}`),
    );
  });

  it('reports a tampered result digest', () => {
    assert.deepEqual(
      verifyPublishedDraw({ ...copy(published), resultDigest: '0'.repeat(64) }),
      failure(
        'result digest',
        `result digest: the draw run again gives ${published.resultDigest}, not the published ${'0'.repeat(64)}`,
      ),
    );
  });

  it('reports the first assignment that differs: moved, missing from the file, or added to it', () => {
    const moved = copy(published);
    moved.result[0]![1] = 'slot-x';
    assert.deepEqual(
      verifyPublishedDraw(moved),
      failure(
        'result',
        `result: assignment #1 is ${firstPseudonym} → slot-x in the file, ${firstPseudonym} → ${firstSlot} when drawn again`,
      ),
    );
    const shortened = copy(published);
    shortened.result.pop();
    assert.deepEqual(
      verifyPublishedDraw(shortened),
      failure(
        'result',
        `result: assignment #${n} is nothing in the file, ${lastPseudonym} → ${lastSlot} when drawn again`,
      ),
    );
    const lengthened = copy(published);
    lengthened.result.push(['0123456789abcdef0123', 'slot-6']);
    assert.deepEqual(
      verifyPublishedDraw(lengthened),
      failure(
        'result',
        `result: assignment #${n + 1} is 0123456789abcdef0123 → slot-6 in the file, nothing when drawn again`,
      ),
    );
  });
});

describe('reading a published draw: every shape it refuses, and why', () => {
  const published = publish();
  const text = (changes: Record<string, unknown>) => JSON.stringify({ ...published, ...changes });
  const refusedWith = (input: string, why: string) =>
    assert.throws(
      () => parsePublishedDraw(input),
      (e: unknown) =>
        e instanceof DomainError && e.code === 'VALIDATION_FAILED' && e.message === `Not a published draw: ${why}`,
      `${input.slice(0, 80)} → ${why}`,
    );
  /** `length`-keyed objects look like arrays to every check but Array.isArray. */
  const arrayLike = (items: readonly unknown[]) => ({ ...items, length: items.length });

  it('reads back what was published', () => {
    assert.deepEqual(parsePublishedDraw(JSON.stringify(published)), published);
  });

  it('refuses what is not JSON', () => {
    refusedWith('not json', 'not JSON');
    refusedWith('{"format":', 'not JSON');
  });

  it('refuses another format, or no object at all', () => {
    const why = 'expected format creneau-draw-publication/1';
    refusedWith(text({ format: 'creneau-draw-publication/0' }), why);
    refusedWith(text({ format: undefined }), why);
    for (const notObject of ['null', '7', '"creneau-draw-publication/1"', '[]', 'false']) refusedWith(notObject, why);
  });

  it('requires each digest, the commitment and the secret as text', () => {
    for (const field of ['commitment', 'secret', 'closingDigest', 'seed', 'inputDigest', 'resultDigest']) {
      refusedWith(text({ [field]: undefined }), `${field} is required`);
      refusedWith(text({ [field]: 7 }), `${field} is required`);
    }
  });

  it('requires the counts of requests and slots as whole numbers', () => {
    const why = 'counts are required';
    refusedWith(text({ counts: undefined }), why);
    refusedWith(text({ counts: null }), why);
    refusedWith(text({ counts: { ...published.counts, requests: '12' } }), why);
    refusedWith(text({ counts: { ...published.counts, slots: 7.5 } }), why);
    refusedWith(text({ counts: { ...published.counts, slots: undefined } }), why);
  });

  it('refuses a list with one malformed request among good ones', () => {
    const why = 'a request is [pseudonym, class, batch, sites, weekdays, half-days]';
    const good = published.requests[0]!;
    const [pseudonym, priorityClass, batch, sites, weekdays, halfDays] = good;
    const bad: unknown[] = [
      arrayLike(good),
      [...good, 'more'],
      good.slice(0, 5),
      [7, priorityClass, batch, sites, weekdays, halfDays],
      [pseudonym, 1.5, batch, sites, weekdays, halfDays],
      [pseudonym, '0', batch, sites, weekdays, halfDays],
      [pseudonym, priorityClass, null, sites, weekdays, halfDays],
      [pseudonym, priorityClass, batch, [...sites, 3], weekdays, halfDays],
      [pseudonym, priorityClass, batch, 'site-a', weekdays, halfDays],
      [pseudonym, priorityClass, batch, sites, [...weekdays, 2.5], halfDays],
      [pseudonym, priorityClass, batch, sites, weekdays, [...halfDays, 'noon']],
      'abcdef',
    ];
    for (const request of bad) {
      refusedWith(text({ requests: [good, request, ...published.requests.slice(1)] }), why);
      refusedWith(text({ requests: [request] }), why);
    }
    refusedWith(text({ requests: arrayLike(published.requests) }), why);
    refusedWith(text({ requests: undefined }), why);
  });

  it('refuses a list with one malformed slot among good ones', () => {
    const why = 'a slot is [id, site, startsAt, weekday, half-day]';
    const good = published.slots[0]!;
    const [id, site, startsAt, weekday, halfDay] = good;
    const bad: unknown[] = [
      arrayLike(good),
      [...good, 'more'],
      good.slice(0, 4),
      [7, site, startsAt, weekday, halfDay],
      [id, 7, startsAt, weekday, halfDay],
      [id, site, 'soon', weekday, halfDay],
      [id, site, startsAt + 0.5, weekday, halfDay],
      [id, site, startsAt, '1', halfDay],
      [id, site, startsAt, weekday, 'noon'],
    ];
    for (const slot of bad) {
      refusedWith(text({ slots: [good, slot, ...published.slots.slice(1)] }), why);
      refusedWith(text({ slots: [slot] }), why);
    }
    refusedWith(text({ slots: undefined }), why);
  });

  it('refuses a result with one malformed assignment among good ones', () => {
    const why = 'the result is a list of [pseudonym, slot id]';
    const good = published.result[0]!;
    const bad: unknown[] = [arrayLike(good), [...good, 'more'], [good[0]], [7, good[1]], [good[0], 7], 'ab'];
    for (const assignment of bad) {
      refusedWith(text({ result: [good, assignment, ...published.result.slice(1)] }), why);
      refusedWith(text({ result: [assignment] }), why);
    }
    refusedWith(text({ result: undefined }), why);
  });
});
