// The audit trail: events appended through the transaction of the change they describe (every
// unit of work offers an AuditWriter as `audit`), read back by the audit pages. Append-only
// (trigger, migration 0006).
import type { AuditEvent, AuditEventInput, AuditFacets, AuditQuery } from './agents/records.ts';

export interface AuditWriter {
  insertAuditEvent(event: AuditEventInput): Promise<void>;
}

export interface AuditTrailReader {
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditEvent[]>;
  /** The agents (by name) and actions found in a prefecture's audit (null: every prefecture). */
  facets(prefectureId: string | null): Promise<AuditFacets>;
}
