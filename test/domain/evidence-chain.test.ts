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
    // SHA-256 of "x", the published test value: lower-case hex.
    assert.equal(contentDigest('x'), '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
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

  it('says where and why the chain breaks', () => {
    const oneMissing = firstBreak(chain(4).filter((l) => l.seq !== 3));
    assert.deepEqual(oneMissing, {
      reason: 'link-missing',
      seq: 4,
      kind: 'audit',
      refId: '4',
      detail: 'link 3 missing: 2 is followed by 4',
    });
    assert.equal(
      firstBreak(chain(5).filter((l) => l.seq !== 3 && l.seq !== 4))?.detail,
      'link 3 to 4 missing: 2 is followed by 5',
    );

    const swapped = chain(3);
    swapped[1] = { ...swapped[2]!, seq: 2 };
    assert.equal(firstBreak(swapped)?.detail, 'its previous hash is not the hash of link 1');

    const forged = chain(2);
    forged[1] = { ...forged[1]!, refId: '99' };
    assert.deepEqual(firstBreak(forged), {
      reason: 'link-altered',
      seq: 2,
      kind: 'audit',
      refId: '99',
      detail: 'its hash does not match its content digest, number and previous hash',
    });

    const altered = chain(3);
    altered[2] = { ...altered[2]!, content: 'changed' };
    assert.equal(firstBreak(altered)?.detail, 'the audit row 3 changed since it was chained');

    const deleted = chain(3);
    deleted[1] = { ...deleted[1]!, content: null };
    assert.equal(firstBreak(deleted)?.detail, 'the audit row 2 it records is gone');
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

  it('takes a head for the chain only with the same number and the same hash', () => {
    const [ab, cd] = ['ab'.repeat(32), 'cd'.repeat(32)];
    assert.deepEqual(checkHead({ seq: 4, hash: ab }, { seq: 5, hash: cd }, 'the published head'), {
      reason: 'head-mismatch',
      seq: 4,
      kind: null,
      refId: null,
      detail: 'the chain ends at link 4 (abababababababab…), the published head says 5 (cdcdcdcdcdcdcdcd…)',
    });
    assert.equal(checkHead({ seq: 4, hash: ab }, { seq: 5, hash: ab }, 'the database')?.reason, 'head-mismatch');
    assert.equal(checkHead({ seq: 4, hash: ab }, { seq: 4, hash: cd }, 'the database')?.reason, 'head-mismatch');
    assert.equal(checkHead({ seq: 4, hash: ab }, { seq: 4, hash: ab }, 'the database'), null);
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

  it('digests the links a purge covers as sha256 of their hashes joined by "|", in hex', () => {
    const expected = createHash('sha256')
      .update(`${'a'.repeat(64)}|${'b'.repeat(64)}`)
      .digest('hex');
    assert.equal(purgeDigest(['a'.repeat(64), 'b'.repeat(64)]), expected);
    assert.notEqual(purgeDigest(['b'.repeat(64), 'a'.repeat(64)]), expected);
  });

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

  it('refuses a purge at the link itself, and accepts one dated the very instant of the verification', () => {
    assert.equal(purgeRefusal(record({ seq: 3 }), gone, now), 'it comes before the link');
    assert.equal(purgeRefusal(record({ seq: 4 }), gone, now), null);
    assert.equal(purgeRefusal(record(), gone, purgeAt), null);
    assert.equal(
      purgeRefusal(record(), gone, new Date(purgeAt.getTime() - 1)),
      'it is dated 2026-12-06T03:00:00.000Z, in the future',
    );
  });

  it('lets a gone row pass the chain only when a purge accounts for it', () => {
    const previous = { seq: 2, hash: 'e'.repeat(64) };
    const base = {
      seq: 3,
      kind: 'security' as const,
      refId: '77',
      contentHash: contentDigest('row'),
      prevHash: previous.hash,
    };
    const link: EvidenceLink = { ...base, at: gone.at, hash: linkHash(base), content: null };
    assert.equal(checkLink(previous, link, { record: record(), now }), null);
    assert.deepEqual(checkLink(previous, link, { record: record({ seq: 2 }), now }), {
      reason: 'row-deleted',
      seq: 3,
      kind: 'security',
      refId: '77',
      detail: 'the security row 77 it records is gone (purge link 2 names it, but it comes before the link)',
    });
    assert.equal(checkLink(previous, link)?.detail, 'the security row 77 it records is gone');
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
    assert.deepEqual(checkPurge(record({ seqs: [3, 4, 5] }), hashes), {
      reason: 'purge-mismatch',
      seq: 10,
      kind: 'purge',
      refId: null,
      detail: 'purge link 10 does not name the links it covers as they are (3 links)',
    });
    // A purge naming a link that is not there, whose digest was made with an empty hash in its place.
    const withGhost = record({ seqs: [3, 4, 5], linksDigest: purgeDigest(['a'.repeat(64), 'b'.repeat(64), '']) });
    assert.equal(checkPurge(withGhost, hashes)?.reason, 'purge-mismatch');
  });
});
