// Kysely implementation of the call-back store, the same on PostgreSQL and PGlite. A second
// open call-back for the same number and prefecture meets the partial unique index
// callback_request_one_open_per_phone and is skipped (ON CONFLICT … DO NOTHING), so that
// neither a double submission nor a flood adds rows to the agents' queue.
// The agents' changes are single conditional UPDATEs (… where version = $seen [and nobody
// has it]): two agents taking the same call-back at once, one row changes, the other UPDATE
// matches nothing and its agent is told (migration 0011).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { CallbackLanguage } from '../../domain/callback-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/identifiers.ts';
import type { CallbackNote, CallbackRequest, CallbackStore, CallbackTransaction } from '../../ports/callback-store.ts';
import { insertAuditEvent } from './audit-repository.ts';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

interface PgError {
  code?: string;
  constraint?: string;
}

type Executor = Kysely<Database> | Transaction<Database>;

function selectCallbacks(db: Executor) {
  return db
    .selectFrom('callback_request as c')
    .leftJoin('agent as a', 'a.id', 'c.assigned_agent')
    .select([
      'c.id',
      'c.reference',
      'c.prefecture_id',
      'c.phone',
      'c.language',
      'c.situation',
      'c.status',
      'c.assigned_agent',
      'c.notes',
      'c.created_at',
      'c.updated_at',
      'c.version',
      'a.display_name as assigned_agent_name',
    ]);
}

type CallbackRow = Awaited<ReturnType<ReturnType<typeof selectCallbacks>['executeTakeFirstOrThrow']>>;

const toCallback = (r: CallbackRow): CallbackRequest => ({
  id: r.id,
  reference: r.reference,
  prefectureId: r.prefecture_id,
  phone: r.phone,
  language: r.language as CallbackLanguage,
  situation: r.situation,
  status: r.status,
  assignedAgent: r.assigned_agent,
  assignedAgentName: r.assigned_agent_name ?? null,
  notes: r.notes,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  version: Number(r.version),
});

async function findCallback(db: Executor, id: string): Promise<CallbackRequest | null> {
  if (!isUuid(id)) return null;
  const row = await selectCallbacks(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toCallback(row) : null;
}

function transactionOn(db: Executor): CallbackTransaction {
  return {
    async assignCallback(change) {
      if (!isUuid(change.id)) return null;
      let update = db
        .updateTable('callback_request')
        .set((eb) => ({ assigned_agent: change.agentId, version: eb('version', '+', 1), updated_at: change.at }))
        .where('id', '=', change.id);
      if (change.expectedVersion !== undefined) update = update.where('version', '=', change.expectedVersion);
      if (change.onlyIfUnassigned) {
        update = update.where((eb) =>
          eb.or([
            eb('assigned_agent', 'is', null),
            ...(change.agentId ? [eb('assigned_agent', '=', change.agentId)] : []),
          ]),
        );
      }
      const result = await update.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? findCallback(db, change.id) : null;
    },

    async changeCallbackStatus(change) {
      if (!isUuid(change.id)) return null;
      const me = change.onlyIfFreeOrAssignedTo;
      let update = db
        .updateTable('callback_request')
        .set((eb) => ({
          status: change.status,
          // Back to the queue: anyone may take it. A counter agent's change makes it theirs.
          ...(change.release
            ? { assigned_agent: null }
            : me
              ? { assigned_agent: eb.fn.coalesce('assigned_agent', eb.val(me)) }
              : {}),
          version: eb('version', '+', 1),
          updated_at: change.at,
        }))
        .where('id', '=', change.id);
      if (change.expectedVersion !== undefined) update = update.where('version', '=', change.expectedVersion);
      if (me) update = update.where((eb) => eb.or([eb('assigned_agent', 'is', null), eb('assigned_agent', '=', me)]));
      try {
        const result = await update.executeTakeFirst();
        return Number(result.numUpdatedRows) === 1 ? findCallback(db, change.id) : null;
      } catch (error) {
        const pg = error as PgError | undefined;
        if (pg?.code === '23505' && pg.constraint === 'callback_request_one_open_per_phone')
          throw new DomainError('CALLBACK_ALREADY_OPEN');
        throw error;
      }
    },

    async insertCallbackNote(note) {
      await db
        .insertInto('callback_note')
        .values({
          callback_id: note.callbackId,
          agent_id: note.agentId,
          at: note.at,
          status_before: note.statusBefore,
          status_after: note.statusAfter,
          text: note.text,
        })
        .execute();
    },

    insertAuditEvent: (e) => insertAuditEvent(db, e),
  };
}

export function createCallbackStore(db: Db): CallbackStore {
  return {
    async insertCallbackRequest(c) {
      try {
        const inserted = await db
          .insertInto('callback_request')
          .values({
            reference: c.reference ?? null,
            prefecture_id: c.prefectureId,
            phone: c.phone,
            language: c.language,
            situation: c.situation,
            created_at: c.createdAt,
            updated_at: c.createdAt,
          })
          .onConflict((oc) =>
            oc.columns(['prefecture_id', 'phone']).where('status', '=', sql.lit('to_call')).doNothing(),
          )
          .returning('reference')
          .executeTakeFirst();
        if (inserted) return { stored: true, reference: inserted.reference };
        // Already waiting: its reference (one given now to a call-back queued before references).
        const waiting = await db
          .updateTable('callback_request')
          .set({ reference: sql<string | null>`coalesce(reference, ${c.reference ?? null})` })
          .where('prefecture_id', '=', c.prefectureId)
          .where('phone', '=', c.phone)
          .where('status', '=', 'to_call')
          .returning('reference')
          .executeTakeFirst();
        return { stored: false, reference: waiting?.reference ?? null };
      } catch (error) {
        if ((error as PgError | undefined)?.code === '23503') throw new DomainError('PREFECTURE_NOT_FOUND');
        throw error;
      }
    },

    async findWaitingCallback(reference) {
      const row = await db
        .selectFrom('callback_request')
        .select(['reference', 'phone', 'prefecture_id'])
        .where('reference', '=', reference)
        .where('status', '=', 'to_call')
        .executeTakeFirst();
      return row?.reference ? { reference: row.reference, phone: row.phone, prefectureId: row.prefecture_id } : null;
    },

    async listCallbackRequests(query) {
      let select = selectCallbacks(db).where('c.status', '=', query.status);
      if (query.prefectureId !== null) select = select.where('c.prefecture_id', '=', query.prefectureId);
      if (query.assignedTo !== undefined) {
        if (!isUuid(query.assignedTo)) return [];
        select = select.where('c.assigned_agent', '=', query.assignedTo);
      }
      if (query.after) {
        const { createdAt, id } = query.after;
        if (!isUuid(id)) return [];
        select = select.where((eb) =>
          eb.or([
            eb('c.created_at', '>', createdAt),
            eb.and([eb('c.created_at', '=', createdAt), eb('c.id', '>', id)]),
          ]),
        );
      }
      const rows = await select.orderBy('c.created_at').orderBy('c.id').limit(query.limit).execute();
      return rows.map(toCallback);
    },

    findCallbackRequest: (id) => findCallback(db, id),

    async listCallbackNotes(callbackIds) {
      const ids = callbackIds.filter(isUuid);
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('callback_note as n')
        .leftJoin('agent as a', 'a.id', 'n.agent_id')
        .select([
          'n.id',
          'n.callback_id',
          'n.agent_id',
          'a.display_name',
          'n.at',
          'n.status_before',
          'n.status_after',
          'n.text',
        ])
        .where('n.callback_id', 'in', ids)
        .orderBy('n.id')
        .execute();
      return rows.map(
        (r): CallbackNote => ({
          id: String(r.id),
          callbackId: r.callback_id,
          agentId: r.agent_id,
          agentName: r.display_name ?? null,
          at: new Date(r.at),
          statusBefore: r.status_before,
          statusAfter: r.status_after,
          text: r.text,
        }),
      );
    },

    async purgeClosedCallbacks(before) {
      const result = await db
        .deleteFrom('callback_request')
        .where('status', 'in', ['resolved', 'unreachable'])
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    transaction: (work) => db.transaction().execute((trx) => work(transactionOn(trx))),
  };
}
