// Allocation requests as draws and offers see them (ports/draws/requests.ts).
import { sql } from 'kysely';
import pg from 'pg';
import type { HalfDay } from '../../../domain/allocation-draw.ts';
import type { OfferRequest, RequestChanges, WaitingRequest } from '../../../ports/draw-store.ts';
import type { DrawRequestRepository } from '../../../ports/draws/requests.ts';
import { CHUNK, chunks, type Executor, interner, readInBatches } from '../kysely-helpers.ts';
import { inQueue } from '../request-status.ts';
import { REQUEST_COLUMNS, type RequestRow, toRequest } from './rows.ts';

/** `batchSize`: rows per FETCH of the waiting list. */
// PostgreSQL's text form of text[] (oid 1009) and smallint[] (oid 1005), read by the pg
// driver's own parsers, whichever engine sent it.
// (Array oids are not in @types/pg's TypeId enum, hence the casts.)
const parseTextArray = pg.types.getTypeParser(1009 as never) as (text: string) => string[];
const parseSmallintArray = pg.types.getTypeParser(1005 as never) as (text: string) => number[];

export function drawRequestRepository(db: Executor, batchSize = CHUNK): DrawRequestRepository {
  return {
    async findByToken(tokenHash: string): Promise<OfferRequest | null> {
      const { rows } = await sql<RequestRow>`
        select ${REQUEST_COLUMNS} from allocation_request r where r.management_token_hash = ${tokenHash}`.execute(db);
      return rows[0] ? toRequest(rows[0]) : null;
    },

    async waiting(
      prefectureId: string,
      procedureId: string,
      declinedSince: Date | null,
      now: Date,
    ): Promise<WaitingRequest[]> {
      const sittingOut = new Set<string>();
      if (declinedSince) {
        const { rows: decliners } = await sql<{ request_id: string }>`
          select o.request_id from offer o join allocation_request r on r.id = o.request_id
           where o.status = 'declined' and o.decided_at > ${declinedSince}
             and r.prefecture_id = ${prefectureId} and r.procedure_id = ${procedureId}`.execute(db);
        for (const d of decliners) sittingOut.add(d.request_id);
      }
      // A million requests share a few hundred preference sets and batch days: each array
      // travels as text, parsed (by the driver's own parser) the first time it is seen, and
      // shared by every request that has it.
      const sitesOf = interner(parseTextArray);
      const weekdaysOf = interner(parseSmallintArray);
      const halfDaysOf = interner((text) => parseTextArray(text) as HalfDay[]);
      const dayOf = interner((day) => day);
      const requests: WaitingRequest[] = [];
      // Only a confirmed urgency counts (a declared one waits for an agent's review). A request held
      // for a fraud check (migration 0023) sits out until cleared, refused or lapsed; it keeps its batch.
      await readInBatches(
        db,
        'draw_waiting_requests',
        sql<{
          id: string;
          queued_on: string;
          urgency_date: string | null;
          sites: string;
          days: string;
          halves: string;
        }>`
          select id, queued_on, case when urgency_status = 'confirmed' then urgency_date end as urgency_date,
                 site_ids::text as sites, weekdays::text as days, half_days::text as halves
            from allocation_request r
           where prefecture_id = ${prefectureId} and procedure_id = ${procedureId} and ${inQueue('r')}
             and not (review_state = 'held' and lapses_at > ${now})`,
        batchSize,
        (rows) => {
          for (const r of rows) {
            if (sittingOut.has(r.id)) continue;
            requests.push({
              id: r.id,
              queuedOn: dayOf(r.queued_on),
              urgencyDate: r.urgency_date === null ? null : dayOf(r.urgency_date),
              siteIds: sitesOf(r.sites),
              weekdays: weekdaysOf(r.days),
              halfDays: halfDaysOf(r.halves),
            });
          }
        },
      );
      return requests;
    },

    async lockByToken(tokenHash: string): Promise<OfferRequest | null> {
      const { rows } = await sql<RequestRow>`
        select ${REQUEST_COLUMNS} from allocation_request r where r.management_token_hash = ${tokenHash} for update`.execute(
        db,
      );
      return rows[0] ? toRequest(rows[0]) : null;
    },

    async update(requestId: string, changes: RequestChanges, now: Date): Promise<void> {
      await db
        .updateTable('allocation_request')
        .set({
          status: changes.status,
          updated_at: now,
          ...(changes.declinedCount !== undefined ? { declined_count: changes.declinedCount } : {}),
          ...(changes.ignoredCount !== undefined ? { ignored_count: changes.ignoredCount } : {}),
          ...(changes.closedAt !== undefined ? { closed_at: changes.closedAt } : {}),
          ...(changes.queuedOn !== undefined ? { queued_on: changes.queuedOn } : {}),
          ...(changes.pausedAt !== undefined ? { paused_at: changes.pausedAt } : {}),
        })
        .where('id', '=', requestId)
        .execute();
    },

    async settle(changes: ({ id: string } & RequestChanges)[], now: Date): Promise<void> {
      for (const part of chunks(changes)) {
        await sql`
          update allocation_request r
             set status = t.status, declined_count = coalesce(t.declined_count, r.declined_count),
                 ignored_count = coalesce(t.ignored_count, r.ignored_count),
                 closed_at = case when t.status = 'closed' then ${now}::timestamptz else r.closed_at end,
                 paused_at = case when t.status = 'paused' then ${now}::timestamptz else r.paused_at end,
                 updated_at = ${now}
            from unnest(${part.map((c) => c.id)}::uuid[], ${part.map((c) => c.status)}::text[],
                        ${part.map((c) => c.declinedCount ?? null)}::int[], ${part.map((c) => c.ignoredCount ?? null)}::int[])
                 as t(id, status, declined_count, ignored_count)
           where r.id = t.id`.execute(db);
      }
    },
  };
}
