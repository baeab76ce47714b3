// Offers (ports/draws/offers.ts).
import { sql } from 'kysely';
import type { NewOffer, OfferChanges, OfferDetails, OfferNotice, OfferRequest } from '../../../ports/draw-store.ts';
import type { OfferRepository } from '../../../ports/draws/offers.ts';
import { chunks, type Executor } from '../kysely-helpers.ts';
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
async function offerNotices(db: Executor, offerIds: string[]): Promise<OfferNotice[]> {
  const notices: OfferNotice[] = [];
  for (const part of chunks(offerIds, 1000)) {
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

export function offerRepository(db: Executor): OfferRepository {
  return {
    latestOf: (requestId) => latestOffer(db, requestId, false),
    lockLatestOf: (requestId) => latestOffer(db, requestId, true),
    notices: (offerIds) => offerNotices(db, offerIds),

    async record(drawId: string, offers: NewOffer[], now: Date): Promise<string[]> {
      const pendingIds: string[] = [];
      for (const part of chunks(offers)) {
        // Only requests still waiting become offered (one may have been withdrawn meanwhile).
        const { rows: offered } = await sql<{ id: string }>`
          update allocation_request r set status = 'offered', updated_at = ${now}
            from unnest(${part.map((o) => o.requestId)}::uuid[]) as t(id)
           where r.id = t.id and r.status = 'waiting'
          returning r.id`.execute(db);
        const stillWaiting = new Set(offered.map((r) => r.id));
        const pending = part.filter((o) => stillWaiting.has(o.requestId));
        const gone = part.filter((o) => !stillWaiting.has(o.requestId));
        if (pending.length > 0) {
          const { rows } = await sql<{ id: string }>`
            insert into offer (draw_id, request_id, slot_id, expires_at, status, created_at)
            select ${drawId}::uuid, t.request_id, t.slot_id, t.expires_at, 'pending', ${now}::timestamptz
              from unnest(${pending.map((o) => o.requestId)}::uuid[], ${pending.map((o) => o.slotId)}::uuid[], ${pending.map((o) => o.expiresAt)}::timestamptz[])
                   as t(request_id, slot_id, expires_at)
            returning id`.execute(db);
          for (const r of rows) pendingIds.push(r.id);
        }
        if (gone.length > 0) {
          await sql`
            insert into offer (draw_id, request_id, slot_id, expires_at, status, created_at, decided_at)
            select ${drawId}::uuid, t.request_id, t.slot_id, t.expires_at, 'withdrawn', ${now}::timestamptz, ${now}::timestamptz
              from unnest(${gone.map((o) => o.requestId)}::uuid[], ${gone.map((o) => o.slotId)}::uuid[], ${gone.map((o) => o.expiresAt)}::timestamptz[])
                   as t(request_id, slot_id, expires_at)`.execute(db);
        }
      }
      return pendingIds;
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
