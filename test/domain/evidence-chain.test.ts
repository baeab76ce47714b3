import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checkHead,
  checkLink,
  checkPurge,
  contentDigest,
  type EvidenceLink,
  GENESIS_HASH,
  linkHash,
  type PurgeRecord,
  parseChainPoint,
  purgeDigest,
  purgeRefusal,
} from '../../src/domain/evidence-chain.ts';

/** A chain of `n` audit links built by the rules, as the database's triggers build it. */
function chain(n: number): EvidenceLink[] {
  const links: EvidenceLink[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = `${String(seq).length}:${seq}|6:action`;
    const base = { seq, kind: 'audit' as const, refId: String(seq), contentHash: contentDigest(content), prevHash };
    const link = { ...base, at: new Date(seq * 1000), hash: linkHash(base), content };
    links.push(link);
    prevHash = link.hash;
  }
  return links;
}

/** The first break of a run of links from the genesis. */
function firstBreak(links: EvidenceLink[]) {
  let previous = { seq: 0, hash: GENESIS_HASH };
  for (const link of links) {
    const broken = checkLink(previous, link);
    if (broken) return broken;
    previous = { seq: link.seq, hash: link.hash };
  }
  return null;
}

describe('evidence chain rules', () => {
  it('hashes a link as sha256 of "prev|seq|kind|ref|content digest", in hex, as migration 0016 does', () => {
    const link = { prevHash: GENESIS_HASH, seq: 1, kind: 'audit', refId: '42', contentHash: contentDigest('x') };
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}|1|audit|42|${createHash('sha256').update('x').digest('hex')}`)
      .digest('hex');
    assert.equal(linkHash(link), expected);
    assert.equal(GENESIS_HASH, '0'.repeat(64));
  });

  it('accepts an intact chain', () => {
    assert.equal(firstBreak(chain(5)), null);
  });

  it('finds a changed row, a deleted row, a rewritten or altered link, and missing links, at the first one', () => {
    const altered = chain(5);
    altered[2] = { ...altered[2]!, content: `${altered[2]!.content}!` };
    assert.deepEqual([firstBreak(altered)?.reason, firstBreak(altered)?.seq], ['row-altered', 3]);

    const deleted = chain(5);
    deleted[3] = { ...deleted[3]!, content: null };
    assert.deepEqual([firstBreak(deleted)?.reason, firstBreak(deleted)?.seq], ['row-deleted', 4]);

    const missing = chain(6).filter((l) => l.seq !== 3 && l.seq !== 4);
    const gap = firstBreak(missing);
    assert.deepEqual([gap?.reason, gap?.seq], ['link-missing', 5]);
    assert.match(gap!.detail, /link 3 to 4 missing/);

    // Two links swapped: the second place holds a link whose predecessor is not the first.
    const swapped = chain(4);
    const [a, b] = [swapped[1]!, swapped[2]!];
    swapped[1] = { ...b, seq: a.seq };
    swapped[2] = { ...a, seq: b.seq };
    assert.deepEqual([firstBreak(swapped)?.reason, firstBreak(swapped)?.seq], ['link-rewritten', 2]);

    // A link's content digest replaced (to match a changed row) without its hash: altered.
    const forged = chain(3);
    forged[1] = { ...forged[1]!, content: 'forged', contentHash: contentDigest('forged') };
    assert.deepEqual([firstBreak(forged)?.reason, firstBreak(forged)?.seq], ['link-altered', 2]);
  });

  it('a rewrite that recomputes every later hash is caught only by a head kept elsewhere', () => {
    const original = chain(4);
    // Row 2 changed and the chain rebuilt from it: intact in itself…
    const rebuilt: EvidenceLink[] = [original[0]!];
    for (const link of original.slice(1)) {
      const prevHash = rebuilt[rebuilt.length - 1]!.hash;
      const content = link.seq === 2 ? 'rewritten' : link.content!;
      const base = { ...link, prevHash, contentHash: contentDigest(content), content };
      rebuilt.push({ ...base, hash: linkHash(base) });
    }
    assert.equal(firstBreak(rebuilt), null);
    // …but its head is not the one published before.
    const last = rebuilt[3]!;
    const published = { seq: 4, hash: original[3]!.hash };
    assert.equal(
      checkHead({ seq: last.seq, hash: last.hash }, published, 'the published head')?.reason,
      'head-mismatch',
    );
    assert.equal(checkHead({ seq: 4, hash: original[3]!.hash }, published, 'the published head'), null);
  });

  it('reads a published head as SEQ:HASH and nothing else', () => {
    const hash = 'ab'.repeat(32);
    assert.deepEqual(parseChainPoint(` 12:${hash} `), { seq: 12, hash });
    for (const bad of ['12', `x:${hash}`, `12:${hash.toUpperCase()}`, `12:${hash}0`, `-1:${hash}`, ''])
      assert.equal(parseChainPoint(bad), null, bad);
  });
});

describe('evidence chain purges', () => {
  const purgeAt = new Date('2026-12-06T03:00:00Z');
  const record = (overrides: Partial<PurgeRecord> = {}): PurgeRecord => ({
    seq: 10,
    kind: 'security',
    at: purgeAt,
    cutoff: new Date('2026-06-06T03:00:00Z'),
    seqs: [3, 4],
    linksDigest: purgeDigest(['a'.repeat(64), 'b'.repeat(64)]),
    ...overrides,
  });
  const gone = { seq: 3, kind: 'security' as const, at: new Date('2026-01-01T00:00:00Z') };
  const now = new Date('2026-12-07T00:00:00Z');

  it('accounts for a row older than a lawful cutoff, named by a later purge of its kind', () => {
    assert.equal(purgeRefusal(record(), gone, now), null);
    assert.match(purgeRefusal(record({ seq: 2 }), gone, now)!, /before the link/);
    assert.match(purgeRefusal(record(), { ...gone, kind: 'audit' }, now)!, /purges security rows/);
    assert.match(purgeRefusal(record({ kind: 'audit' }), { ...gone, kind: 'audit' }, now)!, /never purged/);
    assert.match(
      purgeRefusal(record({ cutoff: new Date('2026-06-06T03:00:01Z') }), gone, now)!,
      /later than the retention/,
    );
    assert.match(purgeRefusal(record(), { ...gone, at: new Date('2026-06-06T03:00:00Z') }, now)!, /not older/);
    // Dated in the future to stretch its cutoff: refused.
    assert.match(purgeRefusal(record({ at: new Date('2027-06-01T00:00:00Z') }), gone, now)!, /in the future/);
  });

  it('checks at the purge link that it names the links as they are', () => {
    const hashes = new Map([
      [3, 'a'.repeat(64)],
      [4, 'b'.repeat(64)],
    ]);
    assert.equal(checkPurge(record(), hashes), null);
    assert.equal(checkPurge(record(), new Map([...hashes, [4, 'c'.repeat(64)]]))?.reason, 'purge-mismatch');
    assert.equal(checkPurge(record({ seqs: [3] }), hashes)?.reason, 'purge-mismatch');
    assert.equal(checkPurge(record({ seqs: [3, 4, 5] }), hashes)?.reason, 'purge-mismatch');
  });
});
