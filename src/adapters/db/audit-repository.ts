// The audit trail (table audit_event). Append only: the table refuses UPDATE and DELETE by
// itself (trigger, migration 0006), and this file only ever inserts into it and reads it.
import { sql } from 'kysely';
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
          'a.display_name as agent_name',
          // What the target is called (names, not UUIDs): the types whose rows have a name or reference.
          sql<string | null>`case e.target_type
            when 'appointment' then (select x.reference from appointment x where x.id = e.target_id::uuid)
            when 'allocation_request' then (select x.reference from allocation_request x where x.id = e.target_id::uuid)
            when 'agent' then (select x.display_name from agent x where x.id = e.target_id::uuid)
            when 'site' then (select x.name from site x where x.id = e.target_id)
            when 'counter' then (select x.name from counter x where x.id = e.target_id)
            when 'procedure' then (select x.name_fr from procedure x where x.id = e.target_id)
          end`.as('target_label'),
        ]);
      if (q.prefectureId !== null) query = query.where('e.prefecture_id', '=', q.prefectureId);
      if (q.from) query = query.where('e.at', '>=', q.from);
      if (q.to) query = query.where('e.at', '<', q.to);
      if (q.beforeId && /^\d{1,18}$/.test(q.beforeId)) query = query.where('e.id', '<', q.beforeId);
      if (q.agentId) query = query.where(sql<boolean>`e.agent_id::text = ${q.agentId}`);
      if (q.action) query = query.where('e.action', '=', q.action);
      const rows = await query.orderBy('e.id', 'desc').limit(q.limit).execute();
      return rows.map(
        (r): AuditEvent => ({
          id: String(r.id),
          at: new Date(r.at),
          agentId: r.agent_id,
          agentEmail: r.agent_email,
          agentName: r.agent_name,
          targetLabel: r.target_label,
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

    async facets(prefectureId) {
      let agents = db
        .selectFrom('audit_event as e')
        .innerJoin('agent as a', 'a.id', 'e.agent_id')
        .select(['a.id', 'a.display_name'])
        .distinct()
        .orderBy('a.display_name')
        .orderBy('a.id');
      let actions = db.selectFrom('audit_event as e').select('e.action').distinct().orderBy('e.action');
      if (prefectureId !== null) {
        agents = agents.where('e.prefecture_id', '=', prefectureId);
        actions = actions.where('e.prefecture_id', '=', prefectureId);
      }
      return {
        agents: (await agents.execute()).map((r) => ({ id: r.id, name: r.display_name })),
        actions: (await actions.execute()).map((r) => r.action),
      };
    },
  };
}
