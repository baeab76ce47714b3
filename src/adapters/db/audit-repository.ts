// The audit trail (table audit_event). Append only: the table refuses UPDATE and DELETE by
// itself (trigger, migration 0006), and this file only ever inserts into it and reads it.
import { NATIONAL_TIME_ZONE } from '../../domain/local-time.ts';
import type { AuditEvent, AuditEventInput } from '../../ports/agent-store.ts';
import type { AuditTrailReader, AuditWriter } from '../../ports/audit-trail.ts';
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

/** The audit pages' reader: each event with its prefecture's zone (metropolitan time for national events). */
export function auditTrailReader(db: Executor): AuditTrailReader {
  return {
    async list(q) {
      let query = db
        .selectFrom('audit_event as e')
        .leftJoin('agent as a', 'a.id', 'e.agent_id')
        .leftJoin('prefecture as p', 'p.id', 'e.prefecture_id')
        .select([
          'p.time_zone',
          'e.id',
          'e.at',
          'e.agent_id',
          'e.prefecture_id',
          'e.action',
          'e.target_type',
          'e.target_id',
          'e.before',
          'e.after',
          'e.ip',
          'a.email as agent_email',
        ]);
      if (q.prefectureId !== null) query = query.where('e.prefecture_id', '=', q.prefectureId);
      if (q.from) query = query.where('e.at', '>=', q.from);
      if (q.to) query = query.where('e.at', '<', q.to);
      if (q.beforeId && /^\d{1,18}$/.test(q.beforeId)) query = query.where('e.id', '<', q.beforeId);
      const rows = await query.orderBy('e.id', 'desc').limit(q.limit).execute();
      return rows.map(
        (r): AuditEvent => ({
          id: String(r.id),
          at: new Date(r.at),
          agentId: r.agent_id,
          agentEmail: r.agent_email,
          prefectureId: r.prefecture_id,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          before: r.before ?? null,
          after: r.after ?? null,
          ip: r.ip,
          timeZone: r.time_zone ?? NATIONAL_TIME_ZONE,
        }),
      );
    },
  };
}
