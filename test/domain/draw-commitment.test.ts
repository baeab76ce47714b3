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
  drawSecretOf,
  drawSeedOf,
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
  const closingDigest = closingDigestOf(pseudonymised.requests, slots);
  const seed = drawSeedOf(secret, closingDigest);
  const result = runDraw({ requests: pseudonymised.requests, slots, seed });
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
    requests: pseudonymised.requests.map(publishedRequest),
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

  it('pseudonymises requests without changing anything else, and maps each pseudonym back to its request', () => {
    const { requests: out, idOf } = pseudonymise(requests, SECRET);
    assert.equal(out.length, requests.length);
    out.forEach((r, k) => {
      assert.equal(idOf.get(r.id), requests[k]!.id);
      assert.deepEqual({ ...r, id: requests[k]!.id }, requests[k]);
    });
  });

  it('runs a seeded draw in one pass exactly as the closing digest, the seed and the draw one after the other', () => {
    const { requests: pseudonymised } = pseudonymise(requests, SECRET);
    const seen: string[] = [];
    const seeded = runSeededDraw({ requests: pseudonymised, slots }, (closing) => {
      seen.push(closing);
      return drawSeedOf(SECRET, closing);
    });
    const closing = closingDigestOf(pseudonymised, slots);
    assert.deepEqual(seen, [closing]);
    const apart = runDraw({ requests: pseudonymised, slots, seed: drawSeedOf(SECRET, closing) });
    assert.deepEqual(seeded, { ...apart, seed: drawSeedOf(SECRET, closing), closingDigest: closing });
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
