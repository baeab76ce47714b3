// Appends audit events through the transaction of the change they describe (every unit of
// work offers one as `audit`); the table is append-only (trigger, migration 0006).
import type { AuditEventInput } from './agent-store.ts';

export interface AuditWriter {
  insertAuditEvent(event: AuditEventInput): Promise<void>;
}
