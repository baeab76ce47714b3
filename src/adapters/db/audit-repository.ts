// The audit trail (table audit_event). Append only: the table refuses UPDATE and DELETE by
// itself (trigger, migration 0006), and this file only ever inserts into it.
import type { AuditEventInput } from '../../ports/agent-store.ts';
import type { AuditWriter } from '../../ports/audit-writer.ts';
import type { Executor } from './kysely-helpers.ts';

const jsonOrNull = (value: unknown): string | null =>
  value === undefined || value === null ? null : JSON.stringify(value);

/**
 * Appends one audit event with `db` — pass the transaction of the change it records (any
 * store's), so both commit together or not at all.
 */
export async function insertAuditEvent(db: Executor, e: AuditEventInput): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      at: e.at,
      agent_id: e.agentId,
      prefecture_id: e.prefectureId,
      action: e.action,
      target_type: e.targetType ?? null,
      target_id: e.targetId ?? null,
      before: jsonOrNull(e.before),
      after: jsonOrNull(e.after),
      ip: e.ip ?? null,
    })
    .execute();
}

/** The audit writer of a unit of work: `db` is its transaction. */
export const auditWriter = (db: Executor): AuditWriter => ({ insertAuditEvent: (e) => insertAuditEvent(db, e) });
