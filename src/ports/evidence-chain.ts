// The evidence chain as stored (migration 0016): its links with the content of the rows they
// record, its head, and the rows that have no link.
import type { ChainPoint, EvidenceKind, EvidenceLink, PurgeRecord } from '../domain/evidence-chain.ts';

export interface UnchainedRow {
  kind: EvidenceKind;
  refId: string;
  at: Date;
}

export interface EvidenceChainReader {
  /** The head as the database states it: the last link's number and hash (0 and the genesis hash when empty). */
  head(): Promise<ChainPoint>;
  /** The number of the first link recorded at or after `at`; null when there is none. */
  firstSeqFrom(at: Date): Promise<number | null>;
  /** Link `seq`'s number and hash, as stored; null when it is not there. */
  point(seq: number): Promise<ChainPoint | null>;
  /** Up to `limit` links from number `fromSeq` on, in order, each with its row's content now. */
  links(fromSeq: number, limit: number): Promise<EvidenceLink[]>;
  /** Up to `limit` rows written at or after `since` (all when null) that no link records, oldest first. */
  unchained(since: Date | null, limit: number): Promise<UnchainedRow[]>;
  /** Every chained purge record (migration 0022), by its link's number. */
  purges(): Promise<PurgeRecord[]>;
}
