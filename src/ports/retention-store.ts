// What the retention purge reads and deletes (migration 0022, app/retention/): the election of
// the day's run, the legal holds, the candidates past their cutoff (in id order, a page at a
// time: held rows stay and are stepped over), and their deletion — security events with the
// chained purge record that accounts for their links, in one transaction.
import type { EvidenceHold, RetainedRow } from '../domain/retention.ts';
import type { AuditWriter } from './audit-trail.ts';

export type HoldInput = Omit<EvidenceHold, 'id' | 'releasedAt'> & { createdBy: string; at: Date };

export interface RetentionRunReport {
  securityEvents: number;
  requests: number;
  appointments: number;
  identityTraces: number;
  /** Requests and appointments whose fraud signals' network and device digest were cleared (migration 0023). */
  fraudSignals: number;
  held: number;
}

export interface RetentionStore {
  /** Inserts the period's run row: true for the one caller that inserted it (elected), false for the others. */
  claimRun(period: string, at: Date): Promise<boolean>;
  finishRun(period: string, at: Date, report: RetentionRunReport): Promise<void>;
  /** The holds not released. */
  activeHolds(): Promise<EvidenceHold[]>;
  /** Up to `limit` rows of a kind whose retention counts from before `cutoff`, ids after `afterId`, in id order. */
  candidates(kind: RetainedRow['kind'], cutoff: Date, afterId: string | null, limit: number): Promise<RetainedRow[]>;
  /**
   * Deletes these security events (those still before `cutoff`) and records, in the same
   * transaction, the chained purge naming their links, dated `at` (the instant the cutoff was
   * computed from). Returns how many were deleted.
   */
  purgeSecurityEvents(ids: readonly string[], cutoff: Date, period: string, at: Date): Promise<number>;
  /** Deletes these requests or appointments (still closed and before `cutoff`) and their offers. */
  deleteRecords(kind: 'request' | 'appointment', ids: readonly string[], cutoff: Date): Promise<number>;
  /**
   * Up to `limit` requests or appointments, filed or booked before `cutoff`, that still hold a
   * network or a device digest, ids after `afterId`, in id order (their span: the filing or booking).
   */
  signalCandidates(
    kind: 'request' | 'appointment',
    cutoff: Date,
    afterId: string | null,
    limit: number,
  ): Promise<RetainedRow[]>;
  /** Clears the network and the device digest of these rows (still before `cutoff`); how many. */
  clearSignals(kind: 'request' | 'appointment', ids: readonly string[], cutoff: Date): Promise<number>;
  /** Churn events and identity bindings before `cutoff` that no remaining request or appointment uses. */
  purgeIdentityTraces(cutoff: Date): Promise<number>;
  listHolds(): Promise<EvidenceHold[]>;
  /** Placing or releasing a hold, with its audit event, in one transaction. */
  holdTransaction<T>(work: (tx: HoldTransaction) => Promise<T>): Promise<T>;
}

export interface HoldTransaction extends AuditWriter {
  /** The agent account of this work address (null: none). */
  agentByEmail(email: string): Promise<{ id: string; prefectureId: string | null } | null>;
  createHold(hold: HoldInput): Promise<EvidenceHold>;
  /** Null when no such hold is active. */
  releaseHold(id: string, by: string, at: Date): Promise<EvidenceHold | null>;
}
