// The evidence chain's rules (issue 16, part 2): how a link's hash is made and how a run of
// links is checked. The links are written by the database's triggers (migration 0016, which
// defines a row's content text); this module recomputes every digest itself, so that a
// verification trusts the stored hashes in nothing.
import { createHash } from 'node:crypto';
import { latestPurgeCutoff } from './retention.ts';

export const EVIDENCE_KINDS = ['audit', 'security', 'draw', 'commitment', 'purge'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** The "previous hash" of the chain's first link. */
export const GENESIS_HASH = '0'.repeat(64);

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const contentDigest = (content: string): string => sha256(content);

export function linkHash(link: { prevHash: string; seq: number; kind: string; refId: string; contentHash: string }) {
  return sha256(`${link.prevHash}|${link.seq}|${link.kind}|${link.refId}|${link.contentHash}`);
}

export interface EvidenceLink {
  seq: number;
  kind: EvidenceKind;
  /** The row's id in its table (audit_event, security_event, draw, draw_commitment, evidence_purge). */
  refId: string;
  at: Date;
  contentHash: string;
  prevHash: string;
  hash: string;
  /** The row's content text as it is now; null when the row is gone. */
  content: string | null;
}

/** A link as the chain stands: its number and hash. */
export interface ChainPoint {
  seq: number;
  hash: string;
}

export type BreakReason =
  /** Links are missing: numbers skip from one to a later one. */
  | 'link-missing'
  /** A link's previous hash is not the hash of the link before it (a link replaced, reordered or rewritten). */
  | 'link-rewritten'
  /** A link's own hash does not match what it records. */
  | 'link-altered'
  /** The row a link records is not what it was when it was chained. */
  | 'row-altered'
  /** The row a link records is gone, and no purge may account for it. */
  | 'row-deleted'
  /** A purge record does not name the links it covers as they are (its digest differs). */
  | 'purge-mismatch'
  /** A row with no link: written while the chain's triggers were disabled. */
  | 'row-unchained'
  /** The chain's last link is not the head the database or a published copy states. */
  | 'head-mismatch';

export interface ChainBreak {
  reason: BreakReason;
  /** The first link (or, for 'row-unchained', the row) where the chain stops being true. */
  seq: number | null;
  kind: EvidenceKind | null;
  refId: string | null;
  detail: string;
}

/**
 * Checks links in order, from a point taken as true (the genesis, or the link before the first
 * one checked). Returns the first break, or null; after a break the verifier's state is that of
 * the broken link, as stored. `purge`: the purge record that names this link, if one does, and
 * the verification's instant — a row it may purge (purgeRefusal) can be gone.
 */
export function checkLink(
  previous: ChainPoint,
  link: EvidenceLink,
  purge?: { record: PurgeRecord; now: Date },
): ChainBreak | null {
  const at = { seq: link.seq, kind: link.kind, refId: link.refId };
  if (link.seq !== previous.seq + 1)
    return {
      reason: 'link-missing',
      ...at,
      detail: `link ${previous.seq + 1}${link.seq > previous.seq + 2 ? ` to ${link.seq - 1}` : ''} missing: ${previous.seq} is followed by ${link.seq}`,
    };
  if (link.prevHash !== previous.hash)
    return { reason: 'link-rewritten', ...at, detail: `its previous hash is not the hash of link ${previous.seq}` };
  if (linkHash(link) !== link.hash)
    return {
      reason: 'link-altered',
      ...at,
      detail: 'its hash does not match its content digest, number and previous hash',
    };
  if (link.content === null) {
    const refused = purge ? purgeRefusal(purge.record, link, purge.now) : null;
    if (purge && refused === null) return null;
    return {
      reason: 'row-deleted',
      ...at,
      detail: `the ${link.kind} row ${link.refId} it records is gone${refused ? ` (purge link ${purge!.record.seq} names it, but ${refused})` : ''}`,
    };
  }
  if (contentDigest(link.content) !== link.contentHash)
    return { reason: 'row-altered', ...at, detail: `the ${link.kind} row ${link.refId} changed since it was chained` };
  return null;
}

/** The chain's end against a head stated elsewhere (the database's head row, or a published copy). */
export function checkHead(last: ChainPoint, head: ChainPoint, source: string): ChainBreak | null {
  if (last.seq === head.seq && last.hash === head.hash) return null;
  return {
    reason: 'head-mismatch',
    seq: last.seq,
    kind: null,
    refId: null,
    detail: `the chain ends at link ${last.seq} (${last.hash.slice(0, 16)}…), ${source} says ${head.seq} (${head.hash.slice(0, 16)}…)`,
  };
}

/** "SEQ:HASH", as the head is published; null when malformed. */
export function parseChainPoint(text: string): ChainPoint | null {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  return match ? { seq: Number(match[1]), hash: match[2]! } : null;
}

// --- Purges (issue 16, part 5) ----------------------------------------------------------------
// The retention purge deletes rows the chain records. Each purge writes one evidence_purge row,
// itself chained (kind 'purge'), that names exactly the links whose rows it deleted (their
// numbers, and the digest of their hashes) and the cutoff it applied. The verification accepts
// a gone row only when a later purge names its link, the purge may purge that kind, the row was
// older than the cutoff, and the cutoff respects the kind's shortest retention: a superuser who
// deletes a row and fakes a purge record can hide nothing younger than that retention, and the
// faked purge is itself a link of the chain, seen by every verification after it.

export interface PurgeRecord {
  /** The purge's own link. */
  seq: number;
  /** The kind of the links it covers. */
  kind: EvidenceKind;
  /** When it ran (its link's instant). */
  at: Date;
  /** Rows recorded before this instant only. */
  cutoff: Date;
  /** The links whose rows it deleted, ascending. */
  seqs: readonly number[];
  /** purgeDigest of those links' hashes. */
  linksDigest: string;
}

/** The digest a purge records of the links it covers: sha256 of their hashes, in order, joined by "|". */
export const purgeDigest = (hashes: readonly string[]): string => sha256(hashes.join('|'));

/**
 * Why a purge may not account for a gone row (its link), or null when it may. `now`: the
 * verification's instant — a purge dated later (to stretch its cutoff) accounts for nothing.
 */
export function purgeRefusal(
  purge: PurgeRecord,
  link: Pick<EvidenceLink, 'seq' | 'kind' | 'at'>,
  now: Date,
): string | null {
  if (purge.seq <= link.seq) return 'it comes before the link';
  if (purge.at > now) return `it is dated ${purge.at.toISOString()}, in the future`;
  if (purge.kind !== link.kind) return `it purges ${purge.kind} rows`;
  const floor = latestPurgeCutoff(link.kind, purge.at);
  if (floor === null) return `${link.kind} rows are never purged`;
  if (purge.cutoff > floor) return `its cutoff ${purge.cutoff.toISOString()} is later than the retention allows`;
  if (link.at >= purge.cutoff) return `the row is not older than its cutoff ${purge.cutoff.toISOString()}`;
  return null;
}

/** At a purge's own link: the links it names must be those seen, with those hashes. */
export function checkPurge(purge: PurgeRecord, hashes: ReadonlyMap<number, string>): ChainBreak | null {
  const seen = purge.seqs.map((seq) => hashes.get(seq));
  if (seen.every((hash) => hash !== undefined) && purgeDigest(seen as string[]) === purge.linksDigest) return null;
  return {
    reason: 'purge-mismatch',
    seq: purge.seq,
    kind: 'purge',
    refId: null,
    detail: `purge link ${purge.seq} does not name the links it covers as they are (${purge.seqs.length} links)`,
  };
}
