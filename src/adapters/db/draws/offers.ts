// Offers (ports/draws/offers.ts).
import { sql } from 'kysely';
import type { NewOffer, OfferChanges, OfferDetails, OfferNotice, OfferRequest } from '../../../ports/draw-store.ts';
import type { OfferRepository } from '../../../ports/draws/offers.ts';
import { arrayLiteral, CHUNK, chunks, type Executor, readInBatches } from '../kysely-helpers.ts';
import {
  OFFER_FROM,
  OFFER_JOINS,
  type OfferRow,
  REQUEST_COLUMNS,
  type RequestRow,
  toOffer,
  toRequest,
} from './rows.ts';

async function latestOffer(db: Executor, requestId: string, lock: boolean): Promise<OfferDetails | null> {
  const { rows } = await sql<OfferRow>`
    select ${OFFER_FROM} from offer o ${OFFER_JOINS}
     where o.request_id = ${requestId}
     order by o.created_at desc, o.id desc
     limit 1 ${lock ? sql`for update of o` : sql``}`.execute(db);
  return rows[0] ? toOffer(rows[0]) : null;
}

/** The request's columns an offer email needs (a draw reads them for every offer it made). */
type NoticeRow = Pick<
  RequestRow,
  | 'r_reference'
  | 'r_email'
  | 'r_phone'
  | 'r_language'
  | 'r_given_names'
  | 'r_surname'
  | 'r_declined_count'
  | 'r_ignored_count'
> &
  OfferRow;

/** What the offer emails say: the draw's pending offers, read where they were just written, `batchSize` rows per FETCH. */
async function offerNotices(db: Executor, drawId: string, batchSize: number): Promise<OfferNotice[]> {
  const notices: OfferNotice[] = [];
  await readInBatches(
    db,
    'draw_offer_notices',
    sql<NoticeRow>`
      select r.reference as r_reference, r.email as r_email, r.phone as r_phone, r.language as r_language,
             r.given_names as r_given_names, r.surname as r_surname,
             r.declined_count as r_declined_count, r.ignored_count as r_ignored_count, ${OFFER_FROM}
        from offer o
        join allocation_request r on r.id = o.request_id
        ${OFFER_JOINS}
       where o.draw_id = ${drawId} and o.status = 'pending'`,
    batchSize,
    (rows) => {
      for (const row of rows)
        notices.push({
          offerId: row.o_id,
          requestReference: row.r_reference,
          email: row.r_email,
          phone: row.r_phone,
          language: row.r_language,
          givenNames: row.r_given_names,
          surname: row.r_surname,
          offer: toOffer(row),
          declinedCount: Number(row.r_declined_count),
          ignoredCount: Number(row.r_ignored_count),
        });
    },
  );
  return notices;
}

/**
 * The parts of a draw's offer ids around their counter (UUID version 7, RFC 9562 §6.2 method 1):
 * the draw's instant in milliseconds, then the offer's rank in the write (seven hex digits
 * around the variant), then the last 44 bits of the draw's own (random) id, so that two draws
 * at the same instant never share one. Written in the order of the ids, the primary key fills
 * its index left to right instead of at 500,000 random places: 500,000 rows in 2.7 s instead
 * of 4.3 (PostgreSQL, measured alone). An offer id is never shown to anyone.
 */
function timeOrderedIds(now: Date, drawId: string): { head: string; tail: string } {
  return {
    head: `${now.getTime().toString(16).padStart(12, '0')}7`,
    tail: drawId.replace(/-/g, '').slice(-11),
  };
}

/** `batchSize`: rows per FETCH of a draw's offer notices. */
export function offerRepository(db: Executor, batchSize = CHUNK): OfferRepository {
  return {
    latestOf: (requestId) => latestOffer(db, requestId, false),
    lockLatestOf: (requestId) => latestOffer(db, requestId, true),
    notices: (drawId) => offerNotices(db, drawId, batchSize),

    async record(drawId: string, offers: NewOffer[], now: Date): Promise<{ pending: number }> {
      // Set-based: one statement writes the pending offers, of the requests still waiting; a
      // second, only if some are missing, writes the others as withdrawn (their request left
      // the queue meanwhile), so the draw's record stays whole and the slot stays free. The
      // request rows are not rewritten: a waiting request with a pending offer is offered
      // (migration 0026). They are locked FOR SHARE instead, re-checked after any wait: a
      // concurrent withdrawal or closure either committed first (its request is not offered)
      // or waits for this draw's commit and then finds the pending offer. All in the draw's
      // transaction: nothing shows before the commit, and the unique indexes still decide (one
      // pending offer per slot, per request).
      // The list travels as three array literals (uuids and numbers need no quoting; the
      // driver's quoting of 1.5 million elements took half a second), the deadlines as epoch
      // milliseconds. With room for the join in memory, the requests are locked in the order
      // of the list — the caller's, the order they were read in: page after page.
      // Planned for this list, whatever the connection ran before (a generic plan, made for a
      // list of unknown length, would not be).
      await sql`select set_config('work_mem', '128MB', true), set_config('plan_cache_mode', 'force_custom_plan', true)`.execute(
        db,
      );
      const assignments = sql`unnest(${arrayLiteral(offers.map((o) => o.requestId))}::uuid[],
                                     ${arrayLiteral(offers.map((o) => o.slotId))}::uuid[],
                                     ${arrayLiteral(offers.map((o) => o.expiresAt.getTime()))}::float8[])
                              as t(request_id, slot_id, expires_ms)`;
      const ids = timeOrderedIds(now, drawId);
      const { numAffectedRows } = await sql`
        insert into offer (id, draw_id, request_id, slot_id, expires_at, status, created_at)
        select (${ids.head} || substr(n, 1, 3) || '8' || substr(n, 4, 4) || ${ids.tail})::uuid,
               ${drawId}::uuid, request_id, slot_id, to_timestamp(expires_ms / 1000), 'pending', ${now}::timestamptz
          from (select still_waiting.*, lpad(to_hex(row_number() over (order by request_id)), 7, '0') as n
                  from (select t.* from ${assignments} join allocation_request r on r.id = t.request_id
                         where r.status = 'waiting'
                           for share of r) as still_waiting) as numbered
         order by request_id`.execute(db);
      const pending = Number(numAffectedRows ?? 0);
      if (pending < offers.length)
        await sql`
          insert into offer (draw_id, request_id, slot_id, expires_at, status, created_at, decided_at)
          select ${drawId}::uuid, t.request_id, t.slot_id, to_timestamp(t.expires_ms / 1000), 'withdrawn', ${now}::timestamptz, ${now}::timestamptz
            from ${assignments}
           where not exists (select 1 from offer o where o.draw_id = ${drawId}::uuid and o.request_id = t.request_id)`.execute(
          db,
        );
      return { pending };
    },

    async update(offerId: string, changes: OfferChanges): Promise<void> {
      await db
        .updateTable('offer')
        .set({
          ...(changes.status ? { status: changes.status } : {}),
          ...(changes.decidedAt ? { decided_at: changes.decidedAt } : {}),
          ...(changes.expiresAt ? { expires_at: changes.expiresAt } : {}),
          ...(changes.extended !== undefined ? { extended: changes.extended } : {}),
          ...(changes.appointmentId ? { appointment_id: changes.appointmentId } : {}),
        })
        .where('id', '=', offerId)
        .execute();
    },

    async lockExpired(now: Date, limit: number): Promise<{ request: OfferRequest; offer: OfferDetails }[]> {
      const { rows } = await sql<RequestRow & OfferRow>`
        select ${REQUEST_COLUMNS}, ${OFFER_FROM}
          from offer o
          join allocation_request r on r.id = o.request_id
          ${OFFER_JOINS}
         where o.status = 'pending' and o.expires_at <= ${now}
         order by o.expires_at, o.id
         limit ${limit}
           for update of o, r skip locked`.execute(db);
      return rows.map((row) => ({ request: toRequest(row), offer: toOffer(row) }));
    },

    async expire(offerIds: string[], now: Date): Promise<void> {
      for (const part of chunks(offerIds)) {
        // The slot goes back to a draw, after a full collection window from now.
        await sql`
          with expired as (
            update offer set status = 'expired', decided_at = ${now}
             where id in (select unnest(${part}::uuid[])) and status = 'pending'
            returning slot_id)
          update slot set available_since = ${now}, opened_at = null, opened_by_draw = null
           where id in (select slot_id from expired)`.execute(db);
      }
    },
  };
}
