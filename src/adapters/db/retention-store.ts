// The retention purge's storage (ports/retention-store.ts, migration 0022). The candidates'
// conditions are repeated in each delete, so a row that changed between the read and the
// delete (reopened, rescheduled) is not deleted.
import { sql } from 'kysely';
import { purgeDigest } from '../../domain/evidence-chain.ts';
import type { EvidenceHold, RetainedRow } from '../../domain/retention.ts';
import type { HoldInput, HoldTransaction, RetentionRunReport, RetentionStore } from '../../ports/retention-store.ts';
import { insertAuditEvent } from './audit-repository.ts';
import type { Db } from './database.ts';
import type { Executor } from './kysely-helpers.ts';

/** Requests no longer live: their retention counts from their closing. */
const CLOSED_REQUEST = sql`r.status in ('booked', 'withdrawn', 'closed')`;
/**
 * Appointments over: their retention counts from the later of their end and their last change.
 * A past appointment still "booked" or "arrived" (never marked) stays: it still counts against
 * its email's cap (migration 0001's quota follows status changes, not deletions).
 */
const APPOINTMENT_OVER = sql`a.status in ('served', 'no_show', 'cancelled')`;

export type HoldRow = {
  id: string;
  reason: string;
  from_at: Date | null;
  to_at: Date | null;
  request_ids: string[];
  appointment_ids: string[];
  ip_prefixes: string[];
  released_at: Date | null;
};

export const holdOf = (r: HoldRow): EvidenceHold => ({
  id: String(r.id),
  reason: r.reason,
  from: r.from_at ? new Date(r.from_at) : null,
  to: r.to_at ? new Date(r.to_at) : null,
  requestIds: r.request_ids,
  appointmentIds: r.appointment_ids,
  ipPrefixes: r.ip_prefixes,
  releasedAt: r.released_at ? new Date(r.released_at) : null,
});

export const HOLD_COLUMNS = [
  'id',
  'reason',
  'from_at',
  'to_at',
  'request_ids',
  'appointment_ids',
  'ip_prefixes',
  'released_at',
] as const;

export function createRetentionStore(db: Db): RetentionStore {
  return {
    async claimRun(period, at) {
      const row = await db
        .insertInto('retention_run')
        .values({ period, started_at: at })
        .onConflict((oc) => oc.column('period').doNothing())
        .returning('period')
        .executeTakeFirst();
      return row !== undefined;
    },

    async finishRun(period, at, report: RetentionRunReport) {
      await db
        .updateTable('retention_run')
        .set({ finished_at: at, report: JSON.stringify(report) })
        .where('period', '=', period)
        .execute();
    },

    async activeHolds() {
      const rows = await db.selectFrom('evidence_hold').select(HOLD_COLUMNS).where('released_at', 'is', null).execute();
      return rows.map(holdOf);
    },

    async listHolds() {
      const rows = await db.selectFrom('evidence_hold').select(HOLD_COLUMNS).orderBy('id').execute();
      return rows.map(holdOf);
    },

    async candidates(kind, cutoff, afterId, limit): Promise<RetainedRow[]> {
      if (kind === 'security') {
        const { rows } = await sql<{ id: string; at: Date; ip: string | null }>`
          select e.id::text as id, e.at, e.ip from security_event e
           where e.at < ${cutoff} and e.id > ${afterId ?? '0'}::bigint
           order by e.id limit ${limit}`.execute(db);
        return rows.map((r) => ({ kind, id: r.id, at: new Date(r.at), ip: r.ip }));
      }
      const after = afterId ?? '00000000-0000-0000-0000-000000000000';
      const { rows } =
        kind === 'request'
          ? await sql<{ id: string; from: Date; at: Date }>`
              select r.id::text as id, r.filed_at as "from", coalesce(r.closed_at, r.updated_at) as at
                from allocation_request r
               where ${CLOSED_REQUEST} and coalesce(r.closed_at, r.updated_at) < ${cutoff} and r.id > ${after}::uuid
               order by r.id limit ${limit}`.execute(db)
          : await sql<{ id: string; from: Date; at: Date }>`
              select a.id::text as id, a.created_at as "from", greatest(s.ends_at, a.updated_at) as at
                from appointment a join slot s on s.id = a.slot_id
               where ${APPOINTMENT_OVER} and greatest(s.ends_at, a.updated_at) < ${cutoff} and a.id > ${after}::uuid
               order by a.id limit ${limit}`.execute(db);
      return rows.map((r) => ({ kind, id: r.id, from: new Date(r.from), at: new Date(r.at) }));
    },

    purgeSecurityEvents(ids, cutoff, period, at) {
      if (ids.length === 0) return Promise.resolve(0);
      return db.transaction().execute(async (trx) => {
        const { rows: deleted } = await sql<{ id: string }>`
          delete from security_event where id = any(${ids.map(Number)}::bigint[]) and at < ${cutoff}
          returning id::text as id`.execute(trx);
        if (deleted.length === 0) return 0;
        const { rows: links } = await sql<{ seq: string; hash: string }>`
          select seq::text as seq, hash from evidence_link
           where kind = 'security' and ref_id = any(${deleted.map((r) => r.id)}::text[])
           order by seq`.execute(trx);
        // A row written before the chain existed has no link: nothing to account for.
        if (links.length > 0)
          await trx
            .insertInto('evidence_purge')
            .values({
              // The instant the cutoff was computed from: what the verification checks it against.
              at,
              period,
              kind: 'security',
              cutoff,
              seqs: links.map((l) => l.seq),
              links_digest: purgeDigest(links.map((l) => l.hash)),
              row_count: deleted.length,
            })
            .execute();
        return deleted.length;
      });
    },

    async signalCandidates(kind, cutoff, afterId, limit): Promise<RetainedRow[]> {
      const after = afterId ?? '00000000-0000-0000-0000-000000000000';
      const { rows } =
        kind === 'request'
          ? await sql<{ id: string; at: Date }>`
              select id::text as id, filed_at as at from allocation_request
               where (network is not null or device_digest is not null) and filed_at < ${cutoff} and id > ${after}::uuid
               order by id limit ${limit}`.execute(db)
          : await sql<{ id: string; at: Date }>`
              select id::text as id, created_at as at from appointment
               where (network is not null or device_digest is not null) and created_at < ${cutoff} and id > ${after}::uuid
               order by id limit ${limit}`.execute(db);
      return rows.map((r) => ({ kind, id: r.id, from: new Date(r.at), at: new Date(r.at) }));
    },

    async clearSignals(kind, ids, cutoff) {
      if (ids.length === 0) return 0;
      const { rows } =
        kind === 'request'
          ? await sql<{ id: string }>`
              update allocation_request set network = null, device_digest = null
               where id = any(${ids}::uuid[]) and filed_at < ${cutoff} returning id`.execute(db)
          : await sql<{ id: string }>`
              update appointment set network = null, device_digest = null
               where id = any(${ids}::uuid[]) and created_at < ${cutoff} returning id`.execute(db);
      return rows.length;
    },

    async deleteRecords(kind, ids, cutoff) {
      if (ids.length === 0) return 0;
      return db.transaction().execute(async (trx) => {
        if (kind === 'request') {
          const { rows } = await sql<{ id: string }>`
            select r.id from allocation_request r
             where r.id = any(${ids}::uuid[]) and ${CLOSED_REQUEST} and coalesce(r.closed_at, r.updated_at) < ${cutoff}
             for update`.execute(trx);
          const gone = rows.map((r) => r.id);
          if (gone.length === 0) return 0;
          await sql`delete from offer where request_id = any(${gone}::uuid[])`.execute(trx);
          await sql`delete from allocation_request where id = any(${gone}::uuid[])`.execute(trx);
          return gone.length;
        }
        const { rows } = await sql<{ id: string }>`
          select a.id from appointment a join slot s on s.id = a.slot_id
           where a.id = any(${ids}::uuid[]) and ${APPOINTMENT_OVER} and greatest(s.ends_at, a.updated_at) < ${cutoff}
           for update of a`.execute(trx);
        const gone = rows.map((r) => r.id);
        if (gone.length === 0) return 0;
        await sql`delete from offer where appointment_id = any(${gone}::uuid[])`.execute(trx);
        await sql`delete from appointment where id = any(${gone}::uuid[])`.execute(trx);
        return gone.length;
      });
    },

    async purgeIdentityTraces(cutoff) {
      const churn = await sql`delete from churn_event where at < ${cutoff}`.execute(db);
      const bindings = await sql`
        delete from identity_document d where d.bound_at < ${cutoff}
           and not exists (select 1 from appointment a where a.identity_key = d.identity_key)
           and not exists (select 1 from allocation_request r where r.identity_key = d.identity_key)`.execute(db);
      return Number(churn.numAffectedRows ?? 0) + Number(bindings.numAffectedRows ?? 0);
    },

    holdTransaction(work) {
      return db.transaction().execute((trx) => work(holdTransaction(trx)));
    },
  };
}

function holdTransaction(trx: Executor): HoldTransaction {
  return {
    insertAuditEvent: (e) => insertAuditEvent(trx, e),

    async agentByEmail(email) {
      const row = await trx
        .selectFrom('agent')
        .select(['id', 'prefecture_id'])
        .where('email', '=', email)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      return row ? { id: row.id, prefectureId: row.prefecture_id } : null;
    },

    async createHold(hold: HoldInput) {
      const row = await trx
        .insertInto('evidence_hold')
        .values({
          reason: hold.reason,
          created_by: hold.createdBy,
          created_at: hold.at,
          from_at: hold.from,
          to_at: hold.to,
          request_ids: [...hold.requestIds],
          appointment_ids: [...hold.appointmentIds],
          ip_prefixes: [...hold.ipPrefixes],
        })
        .returning(HOLD_COLUMNS)
        .executeTakeFirstOrThrow();
      return holdOf(row);
    },

    async releaseHold(id, by, at) {
      if (!/^\d{1,18}$/.test(id)) return null;
      const row = await trx
        .updateTable('evidence_hold')
        .set({ released_at: at, released_by: by })
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .returning(HOLD_COLUMNS)
        .executeTakeFirst();
      return row ? holdOf(row) : null;
    },
  };
}
