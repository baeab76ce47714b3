// Kysely implementation of the agenda store, the same on PostgreSQL and PGlite.
import { sql, type Transaction } from 'kysely';
import type { AppointmentStatus } from '../../domain/agenda-rules.ts';
import { isUuid } from '../../domain/identifiers.ts';
import type {
  AgendaEntry,
  AgendaSite,
  AgendaStore,
  AgendaTransaction,
  CheckInAppointment,
  NoShowStatisticsRow,
} from '../../ports/agenda-store.ts';
import { insertAuditEvent } from './audit-repository.ts';
import { markSlotFreed } from './booking-store.ts';
import type { Db } from './database.ts';
import { fraudSignals } from './fraud-signals-store.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import type { Database } from './schema.ts';

/** The column stamped by each arrival status. */
const STAMP: Partial<Record<AppointmentStatus, 'checked_in_at' | 'served_at' | 'no_show_at'>> = {
  arrived: 'checked_in_at',
  served: 'served_at',
  no_show: 'no_show_at',
};

const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function transactionOn(db: Transaction<Database>): AgendaTransaction {
  const outbox = new KyselyOutboxWriter(db);
  return {
    fraud: fraudSignals(db),
    enqueueMessages: (messages, now) => outbox.enqueueMessages(messages, now),
    async refuseIdentity(id, from, at, agentId) {
      const row = await db
        .updateTable('appointment')
        .set({
          status: 'cancelled',
          cancelled_at: at,
          identity_refused_at: at,
          identity_refused_by: agentId,
          status_changed_by: agentId,
          status_changed_at: at,
          updated_at: at,
        })
        .where('id', '=', id)
        .where('status', '=', from)
        .returning('slot_id')
        .executeTakeFirst();
      if (!row) return false;
      await markSlotFreed(db, row.slot_id, at);
      return true;
    },
    async transitionAppointment(id, from, to, at, agentId, options = {}) {
      const stamp = options.undo ? STAMP[from] : STAMP[to];
      const result = await db
        .updateTable('appointment')
        .set({
          status: to,
          status_changed_by: agentId,
          status_changed_at: at,
          updated_at: at,
          ...(stamp ? { [stamp]: options.undo ? null : at } : {}),
        })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    insertAuditEvent: (e) => insertAuditEvent(db, e),
  };
}

export function createAgendaStore(db: Db): AgendaStore {
  return {
    transaction: (work) => runTransaction(db, (trx) => work(transactionOn(trx))),

    async listSites(prefectureId) {
      let query = db
        .selectFrom('site as si')
        .innerJoin('prefecture as p', 'p.id', 'si.prefecture_id')
        .leftJoin('counter as c', 'c.site_id', 'si.id')
        .select(['si.id', 'si.name', 'si.prefecture_id', 'p.time_zone', 'c.id as counter_id', 'c.name as counter_name'])
        .orderBy('si.prefecture_id')
        .orderBy('si.name')
        .orderBy('si.id')
        .orderBy('c.name')
        .orderBy('c.id');
      if (prefectureId !== null) query = query.where('si.prefecture_id', '=', prefectureId);
      const sites = new Map<string, AgendaSite>();
      for (const r of await query.execute()) {
        let site = sites.get(r.id);
        if (!site)
          sites.set(
            r.id,
            (site = { id: r.id, name: r.name, prefectureId: r.prefecture_id, timeZone: r.time_zone, counters: [] }),
          );
        if (r.counter_id !== null && r.counter_name !== null)
          site.counters.push({ id: r.counter_id, name: r.counter_name });
      }
      return [...sites.values()];
    },

    async listAgenda(q) {
      let query = db
        .selectFrom('appointment as a')
        .innerJoin('slot as s', 's.id', 'a.slot_id')
        .innerJoin('counter as c', 'c.id', 's.counter_id')
        .innerJoin('procedure as pr', 'pr.id', 'a.procedure_id')
        .select([
          'a.id',
          'a.reference',
          'a.status',
          'a.surname',
          'a.given_names',
          'a.channel',
          'a.site_id',
          'a.procedure_id',
          's.starts_at',
          's.ends_at',
          's.counter_id',
          'c.name as counter_name',
          'pr.name_fr',
          'pr.name_en',
        ])
        .where('s.site_id', '=', q.siteId)
        .where('s.local_date', '=', q.date)
        .where('a.status', '<>', 'cancelled')
        .orderBy('s.starts_at')
        .orderBy('c.name')
        .orderBy('a.reference');
      if (q.counterId) query = query.where('s.counter_id', '=', q.counterId);
      return (await query.execute()).map(
        (r): AgendaEntry => ({
          appointmentId: r.id,
          reference: r.reference,
          status: r.status,
          surname: r.surname,
          givenNames: r.given_names,
          channel: r.channel,
          siteId: r.site_id,
          procedureId: r.procedure_id,
          startsAt: new Date(r.starts_at),
          endsAt: new Date(r.ends_at),
          counterId: r.counter_id,
          counterName: r.counter_name,
          procedureNameFr: r.name_fr,
          procedureNameEn: r.name_en,
        }),
      );
    },

    async findCheckInAppointment(id) {
      if (!isUuid(id)) return null;
      const r = await db
        .selectFrom('appointment as a')
        .innerJoin('slot as s', 's.id', 'a.slot_id')
        .innerJoin('counter as c', 'c.id', 's.counter_id')
        .innerJoin('site as si', 'si.id', 'a.site_id')
        .innerJoin('prefecture as p', 'p.id', 'si.prefecture_id')
        .innerJoin('procedure as pr', 'pr.id', 'a.procedure_id')
        .select([
          'a.id',
          'a.reference',
          'a.status',
          'a.surname',
          'a.given_names',
          'a.birth_date',
          'a.nationality',
          'a.agdref_number',
          'a.passport_number',
          'a.channel',
          'a.site_id',
          'a.procedure_id',
          'a.checked_in_at',
          'a.served_at',
          'a.no_show_at',
          'a.status_changed_at',
          's.starts_at',
          's.ends_at',
          's.counter_id',
          'c.name as counter_name',
          'si.name as site_name',
          'si.prefecture_id',
          'p.time_zone',
          'pr.name_fr',
          'pr.name_en',
        ])
        .where('a.id', '=', id)
        .executeTakeFirst();
      if (!r) return null;
      const found: CheckInAppointment = {
        id: r.id,
        reference: r.reference,
        status: r.status,
        surname: r.surname,
        givenNames: r.given_names,
        birthDate: r.birth_date,
        nationality: r.nationality,
        agdrefNumber: r.agdref_number,
        passportNumber: r.passport_number,
        channel: r.channel,
        startsAt: new Date(r.starts_at),
        endsAt: new Date(r.ends_at),
        timeZone: r.time_zone,
        siteId: r.site_id,
        siteName: r.site_name,
        prefectureId: r.prefecture_id,
        counterId: r.counter_id,
        counterName: r.counter_name,
        procedureId: r.procedure_id,
        procedureNameFr: r.name_fr,
        procedureNameEn: r.name_en,
        checkedInAt: toDate(r.checked_in_at),
        servedAt: toDate(r.served_at),
        noShowAt: toDate(r.no_show_at),
        statusChangedAt: toDate(r.status_changed_at),
      };
      return found;
    },

    async noShowStatistics(q) {
      let query = db
        .selectFrom('appointment as a')
        .innerJoin('slot as s', 's.id', 'a.slot_id')
        .innerJoin('site as si', 'si.id', 'a.site_id')
        .innerJoin('procedure as pr', 'pr.id', 'a.procedure_id')
        .select([
          'si.prefecture_id',
          'a.site_id',
          'si.name as site_name',
          'a.procedure_id',
          'pr.name_fr',
          'pr.name_en',
          sql<number>`count(*)::int`.as('due'),
          sql<number>`(count(*) filter (where a.status in ('arrived', 'served')))::int`.as('came'),
          sql<number>`(count(*) filter (where a.status = 'served'))::int`.as('served'),
          sql<number>`(count(*) filter (where a.status = 'no_show'))::int`.as('no_shows'),
          sql<number>`(count(*) filter (where a.status = 'booked'))::int`.as('unmarked'),
        ])
        .where('a.status', '<>', 'cancelled')
        .where('s.local_date', '>=', q.fromDate)
        .where('s.local_date', '<=', q.toDate)
        .where('s.starts_at', '<', q.before)
        .groupBy(['si.prefecture_id', 'a.site_id', 'si.name', 'a.procedure_id', 'pr.name_fr', 'pr.name_en'])
        .orderBy('si.prefecture_id')
        .orderBy('si.name')
        .orderBy('pr.name_fr')
        .orderBy('a.procedure_id');
      if (q.prefectureId !== null) query = query.where('si.prefecture_id', '=', q.prefectureId);
      return (await query.execute()).map(
        (r): NoShowStatisticsRow => ({
          prefectureId: r.prefecture_id,
          siteId: r.site_id,
          siteName: r.site_name,
          procedureId: r.procedure_id,
          procedureNameFr: r.name_fr,
          procedureNameEn: r.name_en,
          due: Number(r.due),
          came: Number(r.came),
          served: Number(r.served),
          noShows: Number(r.no_shows),
          unmarked: Number(r.unmarked),
        }),
      );
    },
  };
}
