// Offers (ports/draws/offers.ts).
import { sql } from 'kysely';
import type { NewOffer, OfferChanges, OfferDetails, OfferNotice, OfferRequest } from '../../../ports/draw-store.ts';
import type { OfferRepository } from '../../../ports/draws/offers.ts';
import { CHUNK, chunks, type Executor } from '../kysely-helpers.ts';
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

/** What the offer emails say, read where the offers were just written. */
async function offerNotices(db: Executor, offerIds: string[], batchSize: number): Promise<OfferNotice[]> {
  const notices: OfferNotice[] = [];
  for (const part of chunks(offerIds, batchSize)) {
    const { rows } = await sql<RequestRow & OfferRow>`
      select ${REQUEST_COLUMNS}, ${OFFER_FROM}
        from offer o
        join allocation_request r on r.id = o.request_id
        ${OFFER_JOINS}
       where o.id in (select unnest(${part}::uuid[]))`.execute(db);
    for (const row of rows) {
      const request = toRequest(row);
      notices.push({
        offerId: row.o_id,
        requestReference: request.reference,
        email: request.email,
        phone: row.r_phone,
        language: request.language,
        givenNames: request.givenNames,
        surname: request.surname,
        offer: toOffer(row),
        declinedCount: request.declinedCount,
        ignoredCount: request.ignoredCount,
      });
    }
  }
  return notices;
}

/** `batchSize`: rows per statement of a draw's offers and of their notices. */
export function offerRepository(db: Executor, batchSize = CHUNK): OfferRepository {
  return {
    latestOf: (requestId) => latestOffer(db, requestId, false),
    lockLatestOf: (requestId) => latestOffer(db, requestId, true),
    notices: (offerIds) => offerNotices(db, offerIds, batchSize),

    async record(drawId: string, offers: NewOffer[], now: Date): Promise<string[]> {
      // Set-based: the assignments go into a temporary table (no WAL, no index), `batchSize`
      // rows per statement; then ONE statement writes every offer — pending for the requests
      // still waiting, withdrawn for one that left the queue meanwhile, so the draw's record
      // stays whole and the slot stays free. The request rows are not rewritten: a waiting
      // request with a pending offer is offered (migration 0026). They are locked FOR SHARE
      // instead, re-checked after any wait: a concurrent withdrawal or closure either committed
      // first (its request is not offered) or waits for this draw's commit and then finds the
      // pending offer. The planner sees the whole list (analyzed). All in the draw's
      // transaction: nothing shows before the commit, and the unique indexes still decide (one
      // pending offer per slot, per request).
      await sql`
        create temporary table draw_assignment (
          request_id uuid not null, slot_id uuid not null, expires_at timestamptz not null) on commit drop`.execute(db);
      for (const part of chunks(offers, batchSize)) {
        await sql`
          insert into draw_assignment (request_id, slot_id, expires_at)
          select * from unnest(${part.map((o) => o.requestId)}::uuid[], ${part.map((o) => o.slotId)}::uuid[], ${part.map((o) => o.expiresAt)}::timestamptz[])`.execute(
          db,
        );
      }
      await sql`analyze draw_assignment`.execute(db);
      const { rows } = await sql<{ id: string }>`
        with still_waiting as (
          select r.id from allocation_request r
           where r.id in (select request_id from draw_assignment) and r.status = 'waiting'
             for share),
        written as (
          insert into offer (draw_id, request_id, slot_id, expires_at, status, created_at, decided_at)
          select ${drawId}::uuid, t.request_id, t.slot_id, t.expires_at,
                 case when w.id is null then 'withdrawn' else 'pending' end, ${now}::timestamptz,
                 case when w.id is null then ${now}::timestamptz end
            from draw_assignment t left join still_waiting w on w.id = t.request_id
          returning id, status)
        select id from written where status = 'pending'`.execute(db);
      await sql`drop table draw_assignment`.execute(db);
      return rows.map((r) => r.id);
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
