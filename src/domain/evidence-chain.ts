// The evidence chain's rules (issue 16, part 2): how a link's hash is made and how a run of
// links is checked. The links are written by the database's triggers (migration 0016, which
// defines a row's content text); this module recomputes every digest itself, so that a
// verification trusts the stored hashes in nothing.
import { createHash } from 'node:crypto';

export const EVIDENCE_KINDS = ['audit', 'security', 'draw', 'commitment'] as const;
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
  /** The row's id in its table (audit_event, security_event, draw, draw_commitment). */
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
  /** The row a link records is gone. */
  | 'row-deleted'
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
 * the broken link, as stored.
 */
export function checkLink(previous: ChainPoint, link: EvidenceLink): ChainBreak | null {
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
  if (link.content === null)
    return { reason: 'row-deleted', ...at, detail: `the ${link.kind} row ${link.refId} it records is gone` };
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
