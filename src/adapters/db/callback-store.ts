// Kysely implementation of the call-back store, the same on PostgreSQL and PGlite. A second
// open call-back for the same number and prefecture meets the partial unique index
// callback_request_one_open_per_phone and is skipped (ON CONFLICT … DO NOTHING), so that
// neither a double submission nor a flood adds rows to the agents' queue.
import { sql } from 'kysely';
import { DomainError } from '../../domain/errors.ts';
import type { CallbackLanguage } from '../../domain/callback-rules.ts';
import type { CallbackRequest, CallbackStore } from '../../ports/callback-store.ts';
import type { Db } from './database.ts';

interface PgError { code?: string; constraint?: string }

export function createCallbackStore(db: Db): CallbackStore {
  return {
    async insertCallbackRequest(c) {
      try {
        const inserted = await db
          .insertInto('callback_request')
          .values({
            prefecture_id: c.prefectureId, phone: c.phone, language: c.language, situation: c.situation,
            created_at: c.createdAt, updated_at: c.createdAt,
          })
          .onConflict((oc) => oc.columns(['prefecture_id', 'phone']).where('status', '=', sql.lit('to_call')).doNothing())
          .returning('id')
          .executeTakeFirst();
        return { stored: inserted !== undefined };
      } catch (error) {
        if ((error as PgError | undefined)?.code === '23503') throw new DomainError('PREFECTURE_NOT_FOUND');
        throw error;
      }
    },

    async listCallbackRequests(query) {
      let select = db
        .selectFrom('callback_request')
        .selectAll()
        .where('prefecture_id', '=', query.prefectureId)
        .where('status', '=', query.status);
      if (query.after) {
        const { createdAt, id } = query.after;
        select = select.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
      }
      const rows = await select.orderBy('created_at').orderBy('id').limit(query.limit).execute();
      return rows.map((r): CallbackRequest => ({
        id: r.id, prefectureId: r.prefecture_id, phone: r.phone, language: r.language as CallbackLanguage, situation: r.situation,
        status: r.status, assignedAgent: r.assigned_agent, notes: r.notes, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
      }));
    },
  };
}
