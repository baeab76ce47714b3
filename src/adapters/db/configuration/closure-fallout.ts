// What a closure does to appointments, offers and requests (ports/configuration/closure-fallout.ts).
import { sql } from 'kysely';
import type {
  AffectedAppointmentRepository,
  PendingOfferRepository,
  RequeueRepository,
} from '../../../ports/configuration/closure-fallout.ts';
import type { CounterMove } from '../../../ports/configuration/records.ts';
import type { Executor } from '../kysely-helpers.ts';

/** A refusal by a constraint or a trigger (unique, check): the move is not possible, try another slot. */
const isRefusedByTheDatabase = (error: unknown): boolean =>
  ['23505', '23514', '23P01'].includes((error as { code?: string }).code ?? '');

export function affectedAppointmentRepository(db: Executor): AffectedAppointmentRepository {
  let savepoints = 0;
  return {
    async moveToOtherCounters(slotIds, now) {
      if (slotIds.length === 0) return [];
      const { rows: booked } = await sql<{
        id: string;
        reference: string;
        slot_id: string;
        starts_at: Date;
        time_zone: string;
        surname: string;
        given_names: string;
      }>`
    select a.id, a.reference, a.slot_id, s.starts_at, p.time_zone, a.surname, a.given_names
      from appointment a
      join slot s on s.id = a.slot_id
      join site si on si.id = a.site_id
      join prefecture p on p.id = si.prefecture_id
     where a.status = 'booked' and a.slot_id = any(${[...slotIds]}::uuid[])
     order by s.starts_at, a.reference
     for update of a`.execute(db);
      const moves: CounterMove[] = [];
      for (const a of booked) {
        // The same site, procedure and times on another counter, open, held by nobody; rows
        // another closure is moving onto are skipped (no waiting: two closures never deadlock).
        const { rows: twins } = await sql<{ id: string; counter_id: string; counter_name: string }>`
      select t.id, t.counter_id, c.name as counter_name
        from slot s
        join slot t on t.site_id = s.site_id and t.procedure_id = s.procedure_id
                   and t.starts_at = s.starts_at and t.ends_at = s.ends_at and t.counter_id <> s.counter_id
        join counter c on c.id = t.counter_id
       where s.id = ${a.slot_id} and t.status = 'open' and c.active
         and not exists (select 1 from appointment x where x.slot_id = t.id and x.status <> 'cancelled')
       order by c.name, t.counter_id
       for update of t skip locked`.execute(db);
        for (const twin of twins) {
          const name = sql.id(`counter_move_${++savepoints}`);
          await sql`savepoint ${name}`.execute(db);
          try {
            await db
              .updateTable('appointment')
              .set({ slot_id: twin.id, updated_at: now })
              .where('id', '=', a.id)
              .where('status', '=', 'booked')
              .execute();
            await sql`release savepoint ${name}`.execute(db);
          } catch (error) {
            await sql`rollback to savepoint ${name}`.execute(db);
            if (isRefusedByTheDatabase(error)) continue;
            throw error;
          }
          moves.push({
            id: a.id,
            reference: a.reference,
            startsAt: new Date(a.starts_at),
            timeZone: a.time_zone,
            surname: a.surname,
            givenNames: a.given_names,
            fromSlotId: a.slot_id,
            toSlotId: twin.id,
            toCounterId: twin.counter_id,
            toCounterName: twin.counter_name,
          });
          break;
        }
      }
      return moves;
    },

    async bookedOnSlots(slotIds) {
      if (slotIds.length === 0) return [];
      // Locked: the cancellation that follows in the same transaction acts on exactly these.
      const { rows } = await sql<{
        id: string;
        reference: string;
        slot_id: string;
        counter_id: string;
        procedure_id: string;
        starts_at: Date;
        ends_at: Date;
        time_zone: string;
        surname: string;
        given_names: string;
        email: string | null;
        phone: string | null;
        language: 'fr' | 'en';
        reschedule_count: number;
        site_id: string;
        site_name: string;
        site_address: string;
        name_fr: string;
        name_en: string;
        request_id: string | null;
        request_reference: string | null;
      }>`
    select a.id, a.reference, a.slot_id, s.counter_id, a.procedure_id, s.starts_at, s.ends_at, p.time_zone,
           a.surname, a.given_names, a.email, a.phone, a.language, a.reschedule_count, a.site_id, si.name as site_name, si.address as site_address,
           pr.name_fr, pr.name_en, o.request_id, r.reference as request_reference
      from appointment a
      join slot s on s.id = a.slot_id
      join site si on si.id = a.site_id
      join prefecture p on p.id = si.prefecture_id
      join procedure pr on pr.id = a.procedure_id
      left join offer o on o.appointment_id = a.id and o.status = 'confirmed'
      left join allocation_request r on r.id = o.request_id
     where a.status = 'booked' and a.slot_id = any(${[...slotIds]}::uuid[])
     order by s.starts_at, s.counter_id
     for update of a`.execute(db);
      return rows.map((r) => ({
        id: r.id,
        reference: r.reference,
        slotId: r.slot_id,
        counterId: r.counter_id,
        procedureId: r.procedure_id,
        startsAt: new Date(r.starts_at),
        endsAt: new Date(r.ends_at),
        timeZone: r.time_zone,
        surname: r.surname,
        givenNames: r.given_names,
        email: r.email,
        phone: r.phone,
        language: r.language,
        rescheduleCount: Number(r.reschedule_count),
        siteId: r.site_id,
        siteName: r.site_name,
        siteAddress: r.site_address,
        procedureNameFr: r.name_fr,
        procedureNameEn: r.name_en,
        requestId: r.request_id,
        requestReference: r.request_reference,
      }));
    },

    async cancel(ids, now) {
      if (ids.length === 0) return;
      await db
        .updateTable('appointment')
        .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
        .where('id', 'in', [...ids])
        .where('status', '=', 'booked')
        .execute();
    },
  };
}

export function pendingOfferRepository(db: Executor): PendingOfferRepository {
  return {
    async withdrawOnSlots(slotIds, now) {
      if (slotIds.length === 0) return [];
      const { rows } = await sql<{ request_id: string }>`
      with withdrawn as (
        update offer set status = 'withdrawn', decided_at = ${now}
         where slot_id = any(${[...slotIds]}::uuid[]) and status = 'pending'
        returning request_id)
      update allocation_request r set updated_at = ${now}
        from withdrawn w where r.id = w.request_id and r.status = 'waiting'
      returning r.id as request_id`.execute(db);
      return rows.map((r) => r.request_id);
    },
  };
}

export function requeueRepository(db: Executor): RequeueRepository {
  return {
    async fileAfterClosure(f) {
      const { rows } = await sql<{ id: string }>`
      insert into allocation_request (reference, prefecture_id, procedure_id, site_ids, surname, given_names,
             birth_date, nationality, email, email_key, agdref_number, passport_number, identity_key,
             management_token_hash, channel, language, queued_on, urgency_date, urgency_source, urgency_status,
             document_country, identity_attributes_hash, phone, name_key, filed_at, updated_at)
      select ${f.reference}, si.prefecture_id, a.procedure_id, array[a.site_id], a.surname, a.given_names,
             a.birth_date, a.nationality, a.email, a.email_key, a.agdref_number, a.passport_number, a.identity_key,
             ${f.managementTokenHash}, a.channel, a.language, ${f.queuedOn}::date, ${f.urgencyDate}::date, 'closure', 'confirmed',
             a.document_country, a.identity_attributes_hash, a.phone, a.name_key, ${f.now}, ${f.now}
        from appointment a join site si on si.id = a.site_id
       where a.id = ${f.appointmentId} and a.email is not null
      returning id`.execute(db);
      return rows[0]!.id;
    },

    async requeueAfterClosure(requestId, urgencyDate, now) {
      // The closure is the urgency, confirmed by the agent who closed: the request leads the
      // next draw (an urgency date before the draw date is class 0), in its own batch (queued_on
      // unchanged). A declared urgency awaiting review gives way to it (check constraint
      // allocation_request_urgency_consistent: date, source and status go together).
      await db
        .updateTable('allocation_request')
        .set({
          status: 'waiting',
          updated_at: now,
          closed_at: null,
          paused_at: null,
          urgency_date: urgencyDate,
          urgency_source: 'closure',
          urgency_status: 'confirmed',
          urgency_reviewed_by: null,
          urgency_reviewed_at: null,
          urgency_review_reason: null,
        })
        .where('id', '=', requestId)
        .execute();
    },
  };
}
