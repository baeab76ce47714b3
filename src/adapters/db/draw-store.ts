// Kysely implementation of the draw store, the same on PostgreSQL and PGlite.
//
// The hot statements of a draw (waiting requests, free slots, offers) are plain SQL with
// their status literals written out, so that PostgreSQL matches them to the partial indexes
// (allocation_request_waiting, offer_one_pending_per_slot, appointment_one_per_slot) even in
// a generic plan of a named statement (see database.ts). Lists travel as one array parameter
// each (unnest), in chunks, whatever their length.
import { sql, type Transaction } from 'kysely';
import type { Assignment, HalfDay } from '../../domain/allocation-draw.ts';
import { DEFAULT_DRAW_SCHEDULE, type DrawTrigger } from '../../domain/draw-schedule.ts';
import { isUuid } from '../../domain/identifiers.ts';
import type { NewAppointment } from '../../ports/booking-store.ts';
import type {
  DrawClaim,
  DrawOutcome,
  DrawProcedure,
  DrawStore,
  DrawTransaction,
  DrawWindow,
  FreeSlotForDraw,
  LeftoverOutcome,
  NewOffer,
  OfferChanges,
  OfferDetails,
  OfferNotice,
  OfferRequest,
  OfferStatus,
  OfferTransaction,
  RequestChanges,
  RequestStatus,
  ScheduledProcedure,
  StoredDraw,
  WaitingRequest,
} from '../../ports/draw-store.ts';
import { insertAppointment, markSlotFreed } from './booking-store.ts';
import type { Db } from './database.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import type { Database } from './schema.ts';

type Executor = Db | Transaction<Database>;

/** Rows per statement when a list is sent as arrays. */
const CHUNK = 20_000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** PostgreSQL bytea from either driver: pg gives a Buffer, PGlite a Uint8Array. */
const bytes = (value: Uint8Array): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array(value));

// ---------------------------------------------------------------------------------------
// Requests and offers as the offer use cases see them

interface RequestRow {
  r_id: string;
  r_reference: string;
  r_status: RequestStatus;
  r_prefecture_id: string;
  r_procedure_id: string;
  r_surname: string;
  r_given_names: string;
  r_birth_date: string;
  r_nationality: string;
  r_email: string;
  r_email_key: string;
  r_agdref_number: string | null;
  r_passport_number: string | null;
  r_identity_key: string;
  r_management_token_hash: string;
  r_channel: 'online' | 'phone' | 'counter';
  r_language: 'fr' | 'en';
  r_declined_count: number;
  r_ignored_count: number;
  r_filed_at: Date;
  r_document_country: string | null;
  r_identity_attributes_hash: string | null;
}

const REQUEST_COLUMNS = sql.raw(`
  r.id as r_id, r.reference as r_reference, r.status as r_status, r.prefecture_id as r_prefecture_id, r.procedure_id as r_procedure_id,
  r.surname as r_surname, r.given_names as r_given_names, r.birth_date as r_birth_date, r.nationality as r_nationality,
  r.email as r_email, r.email_key as r_email_key, r.agdref_number as r_agdref_number, r.passport_number as r_passport_number,
  r.identity_key as r_identity_key, r.management_token_hash as r_management_token_hash, r.channel as r_channel,
  r.language as r_language, r.declined_count as r_declined_count, r.ignored_count as r_ignored_count, r.filed_at as r_filed_at,
  r.document_country as r_document_country, r.identity_attributes_hash as r_identity_attributes_hash`);

const toRequest = (r: RequestRow): OfferRequest => ({
  id: r.r_id,
  reference: r.r_reference,
  status: r.r_status,
  prefectureId: r.r_prefecture_id,
  procedureId: r.r_procedure_id,
  surname: r.r_surname,
  givenNames: r.r_given_names,
  birthDate: r.r_birth_date,
  nationality: r.r_nationality.trim(),
  email: r.r_email,
  emailKey: r.r_email_key,
  agdrefNumber: r.r_agdref_number,
  passportNumber: r.r_passport_number,
  identityKey: r.r_identity_key,
  managementTokenHash: r.r_management_token_hash,
  channel: r.r_channel,
  language: r.r_language,
  declinedCount: Number(r.r_declined_count),
  ignoredCount: Number(r.r_ignored_count),
  filedAt: new Date(r.r_filed_at),
  documentCountry: r.r_document_country?.trim() ?? null,
  identityAttributesHash: r.r_identity_attributes_hash,
});

interface OfferRow {
  o_id: string;
  o_draw_id: string;
  o_request_id: string;
  o_status: OfferStatus;
  o_expires_at: Date;
  o_extended: boolean;
  o_created_at: Date;
  o_decided_at: Date | null;
  o_appointment_id: string | null;
  s_id: string;
  s_starts_at: Date;
  s_ends_at: Date;
  s_local_date: string;
  si_id: string;
  si_name: string;
  si_address: string;
  p_time_zone: string;
  pr_id: string;
  pr_name_fr: string;
  pr_name_en: string;
  pr_channel: 'appointment' | 'postal' | 'online';
  pr_offer_hours: number;
  pr_max_ignored_offers: number;
  pr_max_declines: number;
  pr_urgent_within_days: number;
}

/** `from offer o` joined to everything an offer shows; the caller adds its where clause. */
const OFFER_FROM = sql.raw(`
  o.id as o_id, o.draw_id as o_draw_id, o.request_id as o_request_id, o.status as o_status, o.expires_at as o_expires_at,
  o.extended as o_extended, o.created_at as o_created_at, o.decided_at as o_decided_at, o.appointment_id as o_appointment_id,
  s.id as s_id, s.starts_at as s_starts_at, s.ends_at as s_ends_at, s.local_date as s_local_date,
  si.id as si_id, si.name as si_name, si.address as si_address, p.time_zone as p_time_zone,
  pr.id as pr_id, pr.name_fr as pr_name_fr, pr.name_en as pr_name_en, pr.channel as pr_channel,
  pr.offer_hours as pr_offer_hours, pr.max_ignored_offers as pr_max_ignored_offers, pr.max_declines as pr_max_declines,
  pr.urgent_within_days as pr_urgent_within_days`);
const OFFER_JOINS = sql.raw(`
  join slot s on s.id = o.slot_id
  join site si on si.id = s.site_id
  join prefecture p on p.id = si.prefecture_id
  join procedure pr on pr.id = s.procedure_id`);

const toOffer = (r: OfferRow): OfferDetails => ({
  id: r.o_id,
  drawId: r.o_draw_id,
  requestId: r.o_request_id,
  status: r.o_status,
  expiresAt: new Date(r.o_expires_at),
  extended: r.o_extended,
  createdAt: new Date(r.o_created_at),
  decidedAt: r.o_decided_at ? new Date(r.o_decided_at) : null,
  appointmentId: r.o_appointment_id,
  slot: {
    id: r.s_id,
    startsAt: new Date(r.s_starts_at),
    endsAt: new Date(r.s_ends_at),
    localDate: r.s_local_date,
    siteId: r.si_id,
    siteName: r.si_name,
    siteAddress: r.si_address,
  },
  timeZone: r.p_time_zone,
  procedure: {
    id: r.pr_id,
    nameFr: r.pr_name_fr,
    nameEn: r.pr_name_en,
    channel: r.pr_channel,
    offerHours: Number(r.pr_offer_hours),
    maxIgnoredOffers: Number(r.pr_max_ignored_offers),
    maxDeclines: Number(r.pr_max_declines),
    urgentWithinDays: Number(r.pr_urgent_within_days),
  },
});

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

// ---------------------------------------------------------------------------------------
// Draw transaction

class KyselyDrawTransaction extends KyselyOutboxWriter implements DrawTransaction {
  async claimTick(claim: DrawClaim): Promise<string | null> {
    // ON CONFLICT waits for a concurrent claimer of the same tick to commit or roll back,
    // then skips (it committed: the tick is drawn) or inserts (it failed: we draw).
    const row = await this.trx
      .insertInto('draw')
      .values({
        prefecture_id: claim.prefectureId,
        procedure_id: claim.procedureId,
        tick: claim.tick,
        trigger: claim.trigger,
        allocation_order: 'lottery',
        seed: claim.seed,
        input_digest: '',
        result_digest: '',
        input_snapshot: Buffer.alloc(0),
        requests_count: 0,
        slots_count: 0,
        assigned_count: 0,
        started_at: claim.startedAt,
        finished_at: claim.startedAt,
      })
      .onConflict((oc) => oc.constraint('draw_once_per_tick').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  async lockProcedureDraws(prefectureId: string, procedureId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`creneau:draw:${prefectureId}:${procedureId}`}, 0))`.execute(
      this.trx,
    );
  }

  async previousDrawStart(prefectureId: string, procedureId: string, currentDrawId: string): Promise<Date | null> {
    const row = await this.trx
      .selectFrom('draw')
      .select('started_at')
      .where('prefecture_id', '=', prefectureId)
      .where('procedure_id', '=', procedureId)
      .where('id', '<>', currentDrawId)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? new Date(row.started_at) : null;
  }

  async waitingRequests(
    prefectureId: string,
    procedureId: string,
    declinedSince: Date | null,
  ): Promise<WaitingRequest[]> {
    const sittingOut = new Set<string>();
    if (declinedSince) {
      const { rows: decliners } = await sql<{ request_id: string }>`
        select o.request_id from offer o join allocation_request r on r.id = o.request_id
         where o.status = 'declined' and o.decided_at > ${declinedSince}
           and r.prefecture_id = ${prefectureId} and r.procedure_id = ${procedureId}`.execute(this.trx);
      for (const d of decliners) sittingOut.add(d.request_id);
    }
    // Only a confirmed urgency counts (a declared one waits for an agent's review).
    const { rows } = await sql<{
      id: string;
      queued_on: string;
      urgency_date: string | null;
      site_ids: string[];
      weekdays: number[];
      half_days: HalfDay[];
    }>`
      select id, queued_on, case when urgency_status = 'confirmed' then urgency_date end as urgency_date, site_ids, weekdays, half_days
        from allocation_request
       where prefecture_id = ${prefectureId} and procedure_id = ${procedureId} and status = 'waiting'`.execute(
      this.trx,
    );
    const requests: WaitingRequest[] = [];
    for (const r of rows) {
      if (sittingOut.has(r.id)) continue;
      requests.push({
        id: r.id,
        queuedOn: r.queued_on,
        urgencyDate: r.urgency_date,
        siteIds: r.site_ids,
        weekdays: r.weekdays.map(Number),
        halfDays: r.half_days,
      });
    }
    return requests;
  }

  async freeSlots(prefectureId: string, procedureId: string, window: DrawWindow): Promise<FreeSlotForDraw[]> {
    const { rows } = await sql<{ id: string; site_id: string; starts_at: Date; weekday: number; minute: number }>`
      select s.id, s.site_id, s.starts_at,
             extract(isodow from s.starts_at at time zone p.time_zone)::int as weekday,
             (extract(hour from s.starts_at at time zone p.time_zone) * 60 + extract(minute from s.starts_at at time zone p.time_zone))::int as minute
        from slot s
        join site si on si.id = s.site_id
        join prefecture p on p.id = si.prefecture_id
       where si.prefecture_id = ${prefectureId} and s.procedure_id = ${procedureId}
         and s.status = 'open' and s.released_at <= ${window.tick} and ${waitedTheWindow(window)}
         and s.starts_at >= ${window.startsFrom}
         and not s.reserved_for_agents -- the agents' reserve is booked by phone or at the counter, never drawn
         and not exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
         and not exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')`.execute(this.trx);
    return rows.map((r) => ({
      id: r.id,
      siteId: r.site_id,
      startsAt: new Date(r.starts_at),
      localWeekday: Number(r.weekday),
      localMinuteOfDay: Number(r.minute),
    }));
  }

  async settleLeftovers(
    drawId: string,
    prefectureId: string,
    procedureId: string,
    window: DrawWindow,
    now: Date,
  ): Promise<LeftoverOutcome> {
    const {
      rows: [queue],
    } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from allocation_request
       where prefecture_id = ${prefectureId} and procedure_id = ${procedureId} and status = 'waiting'`.execute(
      this.trx,
    );
    // Free slots of the queue that waited their window and that no offer holds.
    const leftover = sql`
      si.id = s.site_id and si.prefecture_id = ${prefectureId} and s.procedure_id = ${procedureId}
      and s.status = 'open' and s.opened_at is null and not s.reserved_for_agents
      and s.released_at <= ${window.tick} and ${waitedTheWindow(window)} and s.starts_at > ${now}
      and not exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
      and not exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')`;
    if (Number(queue!.waiting) === 0) {
      const { rows } = await sql<{ id: string }>`
        update slot s set opened_at = ${now}, opened_by_draw = ${drawId} from site si where ${leftover} returning s.id`.execute(
        this.trx,
      );
      return { opened: rows.length, unused: 0 };
    }
    const {
      rows: [late],
    } = await sql<{ count: number }>`
      select count(*)::int as count from slot s join site si on si.id = s.site_id where ${leftover} and s.starts_at < ${window.startsFrom}`.execute(
      this.trx,
    );
    return { opened: 0, unused: Number(late!.count) };
  }

  async recordOffers(drawId: string, offers: NewOffer[], now: Date): Promise<string[]> {
    const pendingIds: string[] = [];
    for (const part of chunks(offers)) {
      // Only requests still waiting become offered (one may have been withdrawn meanwhile).
      const { rows: offered } = await sql<{ id: string }>`
        update allocation_request r set status = 'offered', updated_at = ${now}
          from unnest(${part.map((o) => o.requestId)}::uuid[]) as t(id)
         where r.id = t.id and r.status = 'waiting'
        returning r.id`.execute(this.trx);
      const stillWaiting = new Set(offered.map((r) => r.id));
      const pending = part.filter((o) => stillWaiting.has(o.requestId));
      const gone = part.filter((o) => !stillWaiting.has(o.requestId));
      if (pending.length > 0) {
        const { rows } = await sql<{ id: string }>`
          insert into offer (draw_id, request_id, slot_id, expires_at, status, created_at)
          select ${drawId}::uuid, t.request_id, t.slot_id, t.expires_at, 'pending', ${now}::timestamptz
            from unnest(${pending.map((o) => o.requestId)}::uuid[], ${pending.map((o) => o.slotId)}::uuid[], ${pending.map((o) => o.expiresAt)}::timestamptz[])
                 as t(request_id, slot_id, expires_at)
          returning id`.execute(this.trx);
        for (const r of rows) pendingIds.push(r.id);
      }
      if (gone.length > 0) {
        await sql`
          insert into offer (draw_id, request_id, slot_id, expires_at, status, created_at, decided_at)
          select ${drawId}::uuid, t.request_id, t.slot_id, t.expires_at, 'withdrawn', ${now}::timestamptz, ${now}::timestamptz
            from unnest(${gone.map((o) => o.requestId)}::uuid[], ${gone.map((o) => o.slotId)}::uuid[], ${gone.map((o) => o.expiresAt)}::timestamptz[])
                 as t(request_id, slot_id, expires_at)`.execute(this.trx);
      }
    }
    return pendingIds;
  }

  async finishDraw(drawId: string, outcome: DrawOutcome): Promise<void> {
    await this.trx
      .updateTable('draw')
      .set({
        input_digest: outcome.inputDigest,
        result_digest: outcome.resultDigest,
        input_snapshot: Buffer.from(outcome.inputSnapshot),
        requests_count: outcome.requestsCount,
        slots_count: outcome.slotsCount,
        assigned_count: outcome.assignedCount,
        opened_count: outcome.openedCount,
        finished_at: outcome.finishedAt,
      })
      .where('id', '=', drawId)
      .execute();
  }

  offerNotices(offerIds: string[]): Promise<OfferNotice[]> {
    return offerNotices(this.trx, offerIds);
  }
}

// ---------------------------------------------------------------------------------------
// Offer transaction

class KyselyOfferTransaction extends KyselyOutboxWriter implements OfferTransaction {
  async lockRequestByToken(tokenHash: string): Promise<OfferRequest | null> {
    const { rows } = await sql<RequestRow>`
      select ${REQUEST_COLUMNS} from allocation_request r where r.management_token_hash = ${tokenHash} for update`.execute(
      this.trx,
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  lockLatestOffer(requestId: string): Promise<OfferDetails | null> {
    return latestOffer(this.trx, requestId, true);
  }

  async updateOffer(offerId: string, changes: OfferChanges): Promise<void> {
    await this.trx
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
  }

  async updateRequest(requestId: string, changes: RequestChanges, now: Date): Promise<void> {
    await this.trx
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
  }

  insertAppointment(appointment: NewAppointment, now: Date) {
    return insertAppointment(this.trx, appointment, now);
  }

  freeSlot(slotId: string, now: Date): Promise<void> {
    return markSlotFreed(this.trx, slotId, now);
  }

  async lockExpiredOffers(now: Date, limit: number): Promise<{ request: OfferRequest; offer: OfferDetails }[]> {
    const { rows } = await sql<RequestRow & OfferRow>`
      select ${REQUEST_COLUMNS}, ${OFFER_FROM}
        from offer o
        join allocation_request r on r.id = o.request_id
        ${OFFER_JOINS}
       where o.status = 'pending' and o.expires_at <= ${now}
       order by o.expires_at, o.id
       limit ${limit}
         for update of o, r skip locked`.execute(this.trx);
    return rows.map((row) => ({ request: toRequest(row), offer: toOffer(row) }));
  }

  async expireOffers(offerIds: string[], now: Date): Promise<void> {
    for (const part of chunks(offerIds)) {
      // The slot goes back to a draw, after a full collection window from now.
      await sql`
        with expired as (
          update offer set status = 'expired', decided_at = ${now}
           where id in (select unnest(${part}::uuid[])) and status = 'pending'
          returning slot_id)
        update slot set available_since = ${now}, opened_at = null, opened_by_draw = null
         where id in (select slot_id from expired)`.execute(this.trx);
    }
  }

  async settleRequests(changes: ({ id: string } & RequestChanges)[], now: Date): Promise<void> {
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
         where r.id = t.id`.execute(this.trx);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The store

const toStoredDraw = (r: {
  id: string;
  prefecture_id: string;
  procedure_id: string;
  tick: Date;
  trigger: DrawTrigger | 'release';
  seed: string;
  input_digest: string;
  result_digest: string;
  input_snapshot: Uint8Array;
  requests_count: number;
  slots_count: number;
  assigned_count: number;
  opened_count: number;
  started_at: Date;
  finished_at: Date;
}): StoredDraw => ({
  id: r.id,
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  tick: new Date(r.tick),
  // Draws before migration 0012 could be triggered by a release; they read as scheduled ones.
  trigger: r.trigger === 'release' ? 'daily' : r.trigger,
  openedCount: r.opened_count,
  seed: r.seed,
  inputDigest: r.input_digest,
  resultDigest: r.result_digest,
  inputSnapshot: bytes(r.input_snapshot),
  requestsCount: r.requests_count,
  slotsCount: r.slots_count,
  assignedCount: r.assigned_count,
  startedAt: new Date(r.started_at),
  finishedAt: new Date(r.finished_at),
});

/** A slot has waited its collection window: a released one the full window, a freed one (available after its release) the shorter one. */
const waitedTheWindow = (window: DrawWindow) =>
  sql`(s.available_since <= ${window.availableBy} or (s.available_since > s.released_at and s.available_since <= ${window.freedBy}))`;

/** Queues the scheduler draws: every procedure done at a counter, at every prefecture that receives it or has requests for it. */
async function scheduledProcedures(
  db: Db,
  only: { prefectureId: string; procedureId: string } | null,
): Promise<ScheduledProcedure[]> {
  const { rows } = await sql<{
    prefecture_id: string;
    time_zone: string;
    procedure_id: string;
    daily_at: string | null;
    every_minutes: number | null;
    from_time: string | null;
    until_time: string | null;
  }>`
    select p.id as prefecture_id, p.time_zone, pr.id as procedure_id, ds.daily_at, dc.every_minutes, dc.from_time, dc.until_time
      from prefecture p
      cross join procedure pr
      left join draw_schedule ds on ds.prefecture_id = p.id
      left join draw_cadence dc on dc.prefecture_id = p.id and dc.procedure_id = pr.id
     where pr.channel = 'appointment'
       ${only ? sql`and p.id = ${only.prefectureId} and pr.id = ${only.procedureId}` : sql``}
       and (exists (select 1 from opening_rule o join counter c on c.id = o.counter_id join site si on si.id = c.site_id
                     where si.prefecture_id = p.id and o.procedure_id = pr.id)
            or exists (select 1 from exceptional_opening e join counter c on c.id = e.counter_id join site si on si.id = c.site_id
                        where si.prefecture_id = p.id and e.procedure_id = pr.id)
            or exists (select 1 from allocation_request r
                        where r.prefecture_id = p.id and r.procedure_id = pr.id and r.status = 'waiting'))
     order by p.id, pr.id`.execute(db);
  return rows.map((r) => ({
    prefectureId: r.prefecture_id,
    timeZone: r.time_zone,
    procedureId: r.procedure_id,
    dailyAt: r.daily_at ?? DEFAULT_DRAW_SCHEDULE.dailyAt,
    cadence:
      r.every_minutes === null
        ? null
        : { everyMinutes: Number(r.every_minutes), fromTime: r.from_time!, untilTime: r.until_time! },
  }));
}

export function createDrawStore(db: Db): DrawStore {
  return {
    listScheduledProcedures: () => scheduledProcedures(db, null),

    async getSchedule(prefectureId: string, procedureId: string): Promise<ScheduledProcedure | null> {
      const [found] = await scheduledProcedures(db, { prefectureId, procedureId });
      return found ?? null;
    },

    async getProcedure(procedureId: string): Promise<DrawProcedure | null> {
      const r = await db.selectFrom('procedure').selectAll().where('id', '=', procedureId).executeTakeFirst();
      return r
        ? {
            id: r.id,
            nameFr: r.name_fr,
            nameEn: r.name_en,
            channel: r.channel,
            offerHours: r.offer_hours,
            maxIgnoredOffers: r.max_ignored_offers,
            maxDeclines: r.max_declines,
            urgentWithinDays: r.urgent_within_days,
          }
        : null;
    },

    async getPrefectureTimeZone(prefectureId: string): Promise<string | null> {
      const r = await db.selectFrom('prefecture').select('time_zone').where('id', '=', prefectureId).executeTakeFirst();
      return r?.time_zone ?? null;
    },

    async drawExists(prefectureId, procedureId, tick): Promise<boolean> {
      const row = await db
        .selectFrom('draw')
        .select('id')
        .where('prefecture_id', '=', prefectureId)
        .where('procedure_id', '=', procedureId)
        .where('tick', '=', tick)
        .executeTakeFirst();
      return row !== undefined;
    },

    async getDraw(drawId: string): Promise<StoredDraw | null> {
      if (!isUuid(drawId)) return null;
      const row = await db.selectFrom('draw').selectAll().where('id', '=', drawId).executeTakeFirst();
      return row ? toStoredDraw(row) : null;
    },

    async drawAssignments(drawId: string): Promise<Assignment[]> {
      const rows = await db
        .selectFrom('offer')
        .select(['request_id', 'slot_id'])
        .where('draw_id', '=', drawId)
        .execute();
      return rows.map((r) => ({ requestId: r.request_id, slotId: r.slot_id }));
    },

    async findOfferByToken(tokenHash: string) {
      const { rows } = await sql<RequestRow>`
        select ${REQUEST_COLUMNS} from allocation_request r where r.management_token_hash = ${tokenHash}`.execute(db);
      if (!rows[0]) return null;
      const request = toRequest(rows[0]);
      return { request, offer: await latestOffer(db, request.id, false) };
    },

    drawTransaction: (work) => runTransaction(db, (trx) => work(new KyselyDrawTransaction(trx))),
    offerTransaction: (work) => runTransaction(db, (trx) => work(new KyselyOfferTransaction(trx))),
  };
}
