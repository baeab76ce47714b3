// `creneau audit verify`: walks the evidence chain from a date (or its start), recomputing every
// link's hash and every row's digest (domain/evidence-chain.ts), then looks for rows written
// without a link, then compares the chain's end with the head the database states and, when
// given, with a head published earlier. Reports the first break. A row deleted by the retention
// purge is accounted for by the purge's own link, which names it (domain/evidence-chain.ts).
import {
  type ChainBreak,
  type ChainPoint,
  checkHead,
  checkLink,
  checkPurge,
  GENESIS_HASH,
  type PurgeRecord,
} from '../../domain/evidence-chain.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EvidenceChainReader } from '../../ports/evidence-chain.ts';

export interface VerifyEvidenceChainInput {
  /** Check the links recorded from this instant on (their predecessor is taken as true). */
  from?: Date | undefined;
  /** A head published earlier: the chain must still hold that link, with that hash. */
  expectHead?: ChainPoint | undefined;
}

export interface EvidenceChainReport {
  ok: boolean;
  /** The first link checked (null: no link from that date). */
  fromSeq: number | null;
  linksChecked: number;
  /** Of those, links whose row a recorded purge deleted. */
  linksPurged: number;
  /** The database's head. */
  head: ChainPoint;
  firstBreak: ChainBreak | null;
}

const BATCH = 1_000;

export async function verifyEvidenceChain(
  ctx: { evidence: EvidenceChainReader; clock: Clock },
  input: VerifyEvidenceChainInput = {},
): Promise<EvidenceChainReport> {
  const { evidence } = ctx;
  const head = await evidence.head();
  const fromSeq = input.from ? await evidence.firstSeqFrom(input.from) : head.seq > 0 ? 1 : null;
  let previous: ChainPoint = { seq: 0, hash: GENESIS_HASH };
  if (fromSeq !== null && fromSeq > 1) previous = (await evidence.point(fromSeq - 1)) ?? { seq: fromSeq - 1, hash: '' };
  const start = fromSeq ?? head.seq + 1;
  const report = (linksChecked: number, firstBreak: ChainBreak | null): EvidenceChainReport => ({
    ok: firstBreak === null,
    fromSeq,
    linksChecked,
    linksPurged: purged,
    head,
    firstBreak,
  });

  // Each purge by the links it names; their hashes, as walked, for the purge's own link.
  const purges = await evidence.purges();
  const purgeOf = new Map<number, PurgeRecord>();
  for (const purge of purges) for (const seq of purge.seqs) if (!purgeOf.has(seq)) purgeOf.set(seq, purge);
  const purgeAt = new Map(purges.map((purge) => [purge.seq, purge]));
  const namedHashes = new Map<number, string>();
  const now = ctx.clock.now();

  let checked = 0;
  let purged = 0;
  for (let next = start; ; ) {
    const links = await evidence.links(next, BATCH);
    for (const link of links) {
      const purge = purgeOf.get(link.seq);
      let broken = checkLink(previous, link, purge && { record: purge, now });
      if (purge) namedHashes.set(link.seq, link.hash);
      if (!broken && purge && link.content === null) purged++;
      // A purge whose named links all lie in the part checked: they must be those links.
      const own = purgeAt.get(link.seq);
      if (!broken && own && own.seqs.every((seq) => seq >= start)) broken = checkPurge(own, namedHashes);
      checked++;
      if (broken) return report(checked, broken);
      previous = { seq: link.seq, hash: link.hash };
    }
    if (links.length < BATCH) break;
    next = previous.seq + 1;
  }

  const [unchained] = await evidence.unchained(input.from ?? null, 1);
  if (unchained)
    return report(checked, {
      reason: 'row-unchained',
      seq: null,
      kind: unchained.kind,
      refId: unchained.refId,
      detail: `the ${unchained.kind} row ${unchained.refId} (${unchained.at.toISOString()}) has no link: it was written while the chain's triggers were off`,
    });

  // From a date with no link after it, the chain's end is the link before that date.
  const end = fromSeq === null && head.seq > 0 ? ((await evidence.point(head.seq)) ?? previous) : previous;
  const atHead = checkHead(end, head, 'the database');
  if (atHead) return report(checked, atHead);
  const expected = input.expectHead;
  if (expected) {
    const published = await evidence.point(expected.seq);
    if (published?.hash !== expected.hash)
      return report(checked, {
        reason: 'head-mismatch',
        seq: expected.seq,
        kind: null,
        refId: null,
        detail: published
          ? `link ${expected.seq}'s hash is not the one published (${expected.hash.slice(0, 16)}…)`
          : `link ${expected.seq}, a published head, is gone`,
      });
  }
  return report(checked, null);
}
