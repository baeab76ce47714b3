// Kysely implementation of the configuration store, the same on PostgreSQL and PGlite.
// Readers work through the pool or a transaction alike; writes only through a transaction,
// whose object also writes the audit event (agent-store's insertAuditEvent) and the outbox.
import { sql, type Transaction } from 'kysely';
import type { ExistingSlot, SlotResyncPlan } from '../../domain/configuration-rules.ts';
import { DEFAULT_DRAW_SCHEDULE } from '../../domain/draw-schedule.ts';
import { DomainError } from '../../domain/errors.ts';
import type { IsoWeekday, SlotStatus } from '../../domain/slot-generation.ts';
import type { AuditEventInput } from '../../ports/agent-store.ts';
import type {
  AffectedAppointment,
  ConfigClosure,
  ConfigCounter,
  ConfigExceptionalOpening,
  ConfigOpeningRule,
  ConfigProcedure,
  ConfigSite,
  ConfigurationReader,
  ConfigurationStore,
  ConfigurationTransaction,
  DrawCadenceSettings,
  DrawScheduleSettings,
  NewOpeningRule,
  ProcedurePolicySettings,
  SiteOffer,
} from '../../ports/configuration-store.ts';
import { insertAuditEvent } from './agent-store.ts';
import type { Db } from './database.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import { createScheduleStore } from './schedule-store.ts';
import type { Database } from './schema.ts';

type Executor = Db | Transaction<Database>;

const EMAIL_CAP = 'max_active_appointments_per_email';
const BATCH = 1000;

function translate(error: unknown): never {
  const { code, constraint } = (error && typeof error === 'object' ? error : {}) as {
    code?: string;
    constraint?: string;
  };
  if (code === '23505' && constraint === 'counter_name_per_site') throw new DomainError('COUNTER_NAME_TAKEN');
  throw error;
}

const toCounter = (r: {
  id: string;
  site_id: string;
  prefecture_id: string;
  name: string;
  active: boolean;
}): ConfigCounter => ({ id: r.id, siteId: r.site_id, prefectureId: r.prefecture_id, name: r.name, active: r.active });

function counters(db: Executor) {
  return db
    .selectFrom('counter as c')
    .innerJoin('site as s', 's.id', 'c.site_id')
    .select(['c.id', 'c.site_id', 's.prefecture_id', 'c.name', 'c.active']);
}

function rules(db: Executor) {
  return db
    .selectFrom('opening_rule as r')
    .innerJoin('counter as c', 'c.id', 'r.counter_id')
    .innerJoin('site as s', 's.id', 'c.site_id')
    .select([
      'r.id',
      'r.counter_id',
      'c.site_id',
      's.prefecture_id',
      'r.procedure_id',
      'r.weekdays',
      'r.valid_from',
      'r.valid_until',
      'r.windows',
      'r.slot_minutes',
    ]);
}
type RuleRow = Awaited<ReturnType<ReturnType<typeof rules>['execute']>>[number];
const toRule = (r: RuleRow): ConfigOpeningRule => ({
  id: r.id,
  counterId: r.counter_id,
  siteId: r.site_id,
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  weekdays: r.weekdays.map(Number) as IsoWeekday[],
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  windows: r.windows,
  slotMinutes: r.slot_minutes,
});

function openings(db: Executor) {
  return db
    .selectFrom('exceptional_opening as e')
    .innerJoin('counter as c', 'c.id', 'e.counter_id')
    .innerJoin('site as s', 's.id', 'c.site_id')
    .select([
      'e.id',
      'e.counter_id',
      'c.site_id',
      's.prefecture_id',
      'e.procedure_id',
      'e.date',
      'e.windows',
      'e.slot_minutes',
    ]);
}
type OpeningRow = Awaited<ReturnType<ReturnType<typeof openings>['execute']>>[number];
const toOpening = (r: OpeningRow): ConfigExceptionalOpening => ({
  id: r.id,
  counterId: r.counter_id,
  siteId: r.site_id,
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  date: r.date,
  windows: r.windows,
  slotMinutes: r.slot_minutes,
});

function procedures(db: Executor) {
  return db
    .selectFrom('procedure')
    .select([
      'id',
      'name_fr',
      'name_en',
      'slot_minutes',
      'channel',
      'release_days_ahead',
      'release_time',
      'offer_hours',
      'max_ignored_offers',
      'max_declines',
    ]);
}
type ProcedureRow = Awaited<ReturnType<ReturnType<typeof procedures>['execute']>>[number];
const toProcedure = (r: ProcedureRow): ConfigProcedure => ({
  id: r.id,
  nameFr: r.name_fr,
  nameEn: r.name_en,
  slotMinutes: r.slot_minutes,
  channel: r.channel,
  releaseDaysAhead: r.release_days_ahead,
  releaseTime: r.release_time,
  offerHours: r.offer_hours,
  maxIgnoredOffers: Number(r.max_ignored_offers),
  maxDeclines: Number(r.max_declines),
});

function cadences(db: Executor) {
  return db
    .selectFrom('draw_cadence')
    .select(['prefecture_id', 'procedure_id', 'every_minutes', 'from_time', 'until_time']);
}
const toCadence = (r: {
  prefecture_id: string;
  procedure_id: string;
  every_minutes: number;
  from_time: string;
  until_time: string;
}): DrawCadenceSettings => ({
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  everyMinutes: Number(r.every_minutes),
  fromTime: r.from_time,
  untilTime: r.until_time,
});

const toSite = (r: {
  id: string;
  prefecture_id: string;
  kind: ConfigSite['kind'];
  name: string;
  address: string;
  phone: string | null;
  public_hours: string | null;
}): ConfigSite => ({
  id: r.id,
  prefectureId: r.prefecture_id,
  kind: r.kind,
  name: r.name,
  address: r.address,
  phone: r.phone,
  publicHours: r.public_hours,
});

/** Booked appointments with what their confirmation line and email need; `where` narrows the slots. */
async function affected(db: Executor, where: ReturnType<typeof sql>, lock: boolean): Promise<AffectedAppointment[]> {
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
           a.surname, a.given_names, a.email, a.language, a.reschedule_count, a.site_id, si.name as site_name, si.address as site_address,
           pr.name_fr, pr.name_en, o.request_id, r.reference as request_reference
      from appointment a
      join slot s on s.id = a.slot_id
      join site si on si.id = a.site_id
      join prefecture p on p.id = si.prefecture_id
      join procedure pr on pr.id = a.procedure_id
      left join offer o on o.appointment_id = a.id and o.status = 'confirmed'
      left join allocation_request r on r.id = o.request_id
     where a.status = 'booked' and ${where}
     order by s.starts_at, s.counter_id
     ${lock ? sql`for update of a` : sql``}`.execute(db);
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
}

function readerOn(db: Executor): ConfigurationReader {
  return {
    listPrefectures: async () =>
      (await db.selectFrom('prefecture').select(['id', 'name', 'time_zone']).orderBy('id').execute()).map((r) => ({
        id: r.id,
        name: r.name,
        timeZone: r.time_zone,
      })),
    async getPrefecture(id) {
      const r = await db
        .selectFrom('prefecture')
        .select(['id', 'name', 'time_zone'])
        .where('id', '=', id)
        .executeTakeFirst();
      return r ? { id: r.id, name: r.name, timeZone: r.time_zone } : null;
    },
    listSites: async (prefectureId) =>
      (await db.selectFrom('site').selectAll().where('prefecture_id', '=', prefectureId).orderBy('name').execute()).map(
        toSite,
      ),
    async getSite(id) {
      const r = await db.selectFrom('site').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toSite(r) : null;
    },
    listCounters: async (siteId) =>
      (await counters(db).where('c.site_id', '=', siteId).orderBy('c.name').execute()).map(toCounter),
    async getCounter(id) {
      const r = await counters(db).where('c.id', '=', id).executeTakeFirst();
      return r ? toCounter(r) : null;
    },
    listProcedures: async () => (await procedures(db).orderBy('name_fr').execute()).map(toProcedure),
    async getProcedure(id) {
      const r = await procedures(db).where('id', '=', id).executeTakeFirst();
      return r ? toProcedure(r) : null;
    },
    listSiteOffers: async (siteId) =>
      (await db.selectFrom('site_procedure').selectAll().where('site_id', '=', siteId).execute()).map((r) => ({
        siteId: r.site_id,
        procedureId: r.procedure_id,
        offered: r.offered,
        reservedPercent: Number(r.reserved_percent),
      })),
    listOpeningRules: async (counterId) =>
      (
        await rules(db)
          .where('r.counter_id', '=', counterId)
          .orderBy('r.valid_from')
          .orderBy('r.procedure_id')
          .execute()
      ).map(toRule),
    async getOpeningRule(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const r = await rules(db).where('r.id', '=', id).executeTakeFirst();
      return r ? toRule(r) : null;
    },
    listExceptionalOpenings: async (counterId, fromDate) =>
      (
        await openings(db)
          .where('e.counter_id', '=', counterId)
          .where('e.date', '>=', fromDate)
          .orderBy('e.date')
          .execute()
      ).map(toOpening),
    async getExceptionalOpening(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const r = await openings(db).where('e.id', '=', id).executeTakeFirst();
      return r ? toOpening(r) : null;
    },
    listClosures: async (siteId, fromDate) =>
      (
        await db
          .selectFrom('closure')
          .selectAll()
          .where('site_id', '=', siteId)
          .where('date_to', '>=', fromDate)
          .orderBy('date_from')
          .execute()
      ).map((r) => ({
        id: r.id,
        siteId: r.site_id,
        counterId: r.counter_id,
        dateFrom: r.date_from,
        dateTo: r.date_to,
        reason: r.reason,
      })),
    async getDrawSchedule(prefectureId) {
      const r = await db
        .selectFrom('draw_schedule')
        .selectAll()
        .where('prefecture_id', '=', prefectureId)
        .executeTakeFirst();
      // No row: the table's default (migration 0003), which the draw scheduler uses too.
      return { prefectureId, dailyAt: r?.daily_at ?? DEFAULT_DRAW_SCHEDULE.dailyAt };
    },
    listDrawCadences: async (prefectureId) =>
      (await cadences(db).where('prefecture_id', '=', prefectureId).orderBy('procedure_id').execute()).map(toCadence),
    async getDrawCadence(prefectureId, procedureId) {
      const r = await cadences(db)
        .where('prefecture_id', '=', prefectureId)
        .where('procedure_id', '=', procedureId)
        .executeTakeFirst();
      return r ? toCadence(r) : null;
    },
    async getEmailCap() {
      const r = await db.selectFrom('app_setting').select('value').where('name', '=', EMAIL_CAP).executeTakeFirst();
      return r?.value ?? 2;
    },
    appointmentsInRange: (siteId, counterId, dateFrom, dateTo) =>
      affected(
        db,
        sql`s.site_id = ${siteId} and s.local_date between ${dateFrom}::date and ${dateTo}::date ${counterId ? sql`and s.counter_id = ${counterId}` : sql``}`,
        false,
      ),
  };
}

class KyselyConfigurationTransaction extends KyselyOutboxWriter implements ConfigurationTransaction {
  private readonly reader: ConfigurationReader;
  constructor(trx: Transaction<Database>) {
    super(trx);
    this.reader = readerOn(trx);
  }
  listPrefectures() {
    return this.reader.listPrefectures();
  }
  getPrefecture(id: string) {
    return this.reader.getPrefecture(id);
  }
  listSites(prefectureId: string) {
    return this.reader.listSites(prefectureId);
  }
  getSite(id: string) {
    return this.reader.getSite(id);
  }
  listCounters(siteId: string) {
    return this.reader.listCounters(siteId);
  }
  getCounter(id: string) {
    return this.reader.getCounter(id);
  }
  listProcedures() {
    return this.reader.listProcedures();
  }
  getProcedure(id: string) {
    return this.reader.getProcedure(id);
  }
  listSiteOffers(siteId: string) {
    return this.reader.listSiteOffers(siteId);
  }
  listOpeningRules(counterId: string) {
    return this.reader.listOpeningRules(counterId);
  }
  getOpeningRule(id: string) {
    return this.reader.getOpeningRule(id);
  }
  listExceptionalOpenings(counterId: string, fromDate: string) {
    return this.reader.listExceptionalOpenings(counterId, fromDate);
  }
  getExceptionalOpening(id: string) {
    return this.reader.getExceptionalOpening(id);
  }
  listClosures(siteId: string, fromDate: string) {
    return this.reader.listClosures(siteId, fromDate);
  }
  getDrawSchedule(prefectureId: string) {
    return this.reader.getDrawSchedule(prefectureId);
  }
  listDrawCadences(prefectureId: string) {
    return this.reader.listDrawCadences(prefectureId);
  }
  getDrawCadence(prefectureId: string, procedureId: string) {
    return this.reader.getDrawCadence(prefectureId, procedureId);
  }
  getEmailCap() {
    return this.reader.getEmailCap();
  }
  appointmentsInRange(siteId: string, counterId: string | null, dateFrom: string, dateTo: string) {
    return this.reader.appointmentsInRange(siteId, counterId, dateFrom, dateTo);
  }

  insertAuditEvent(event: AuditEventInput) {
    return insertAuditEvent(this.trx, event);
  }

  async updateSite(id: string, f: { name: string; address: string; phone: string | null; publicHours: string | null }) {
    await this.trx
      .updateTable('site')
      .set({ name: f.name, address: f.address, phone: f.phone, public_hours: f.publicHours })
      .where('id', '=', id)
      .execute();
  }

  async insertCounter(siteId: string, name: string): Promise<ConfigCounter> {
    // The id is the database's: 'c-' and 12 hex digits (counter ids are text, see migration 0001).
    const row = await this.trx
      .insertInto('counter')
      .values({ id: sql<string>`'c-' || substr(md5(gen_random_uuid()::text), 1, 12)`, site_id: siteId, name })
      .returning(['id'])
      .executeTakeFirstOrThrow()
      .catch(translate);
    return (await this.getCounter(row.id))!;
  }

  async updateCounter(id: string, f: { name: string; active: boolean }) {
    await this.trx
      .updateTable('counter')
      .set({ name: f.name, active: f.active })
      .where('id', '=', id)
      .execute()
      .catch(translate);
  }

  async upsertSiteOffer(o: SiteOffer) {
    await this.trx
      .insertInto('site_procedure')
      .values({
        site_id: o.siteId,
        procedure_id: o.procedureId,
        offered: o.offered,
        reserved_percent: o.reservedPercent,
      })
      .onConflict((oc) =>
        oc
          .columns(['site_id', 'procedure_id'])
          .doUpdateSet({ offered: o.offered, reserved_percent: o.reservedPercent }),
      )
      .execute();
  }

  async insertOpeningRule(rule: NewOpeningRule): Promise<string> {
    const row = await this.trx
      .insertInto('opening_rule')
      .values({
        counter_id: rule.counterId,
        procedure_id: rule.procedureId,
        weekdays: rule.weekdays,
        valid_from: rule.validFrom,
        valid_until: rule.validUntil,
        windows: JSON.stringify(rule.windows),
        slot_minutes: rule.slotMinutes,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async setOpeningRuleEnd(id: string, validUntil: string) {
    await this.trx.updateTable('opening_rule').set({ valid_until: validUntil }).where('id', '=', id).execute();
  }

  async deleteOpeningRule(id: string) {
    await this.trx.deleteFrom('opening_rule').where('id', '=', id).execute();
  }

  async insertExceptionalOpening(o: Omit<ConfigExceptionalOpening, 'id' | 'siteId' | 'prefectureId'>): Promise<string> {
    const row = await this.trx
      .insertInto('exceptional_opening')
      .values({
        counter_id: o.counterId,
        procedure_id: o.procedureId,
        date: o.date,
        windows: JSON.stringify(o.windows),
        slot_minutes: o.slotMinutes,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async deleteExceptionalOpening(id: string) {
    await this.trx.deleteFrom('exceptional_opening').where('id', '=', id).execute();
  }

  async insertClosure(c: Omit<ConfigClosure, 'id'>): Promise<string> {
    const row = await this.trx
      .insertInto('closure')
      .values({
        site_id: c.siteId,
        counter_id: c.counterId,
        date_from: c.dateFrom,
        date_to: c.dateTo,
        reason: c.reason,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async withdrawSlotsInRange(
    siteId: string,
    counterId: string | null,
    dateFrom: string,
    dateTo: string,
  ): Promise<string[]> {
    let query = this.trx
      .updateTable('slot')
      .set({ status: 'withdrawn' })
      .where('site_id', '=', siteId)
      .where('status', '=', 'open')
      .where('local_date', '>=', dateFrom)
      .where('local_date', '<=', dateTo);
    if (counterId) query = query.where('counter_id', '=', counterId);
    return (await query.returning('id').execute()).map((r) => r.id);
  }

  async bookedAppointmentsOnSlots(slotIds: readonly string[]): Promise<AffectedAppointment[]> {
    if (slotIds.length === 0) return [];
    return affected(this.trx, sql`a.slot_id = any(${[...slotIds]}::uuid[])`, true);
  }

  async cancelAppointments(ids: readonly string[], now: Date) {
    if (ids.length === 0) return;
    await this.trx
      .updateTable('appointment')
      .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
      .where('id', 'in', [...ids])
      .where('status', '=', 'booked')
      .execute();
  }

  async withdrawPendingOffers(slotIds: readonly string[], now: Date): Promise<string[]> {
    if (slotIds.length === 0) return [];
    const { rows } = await sql<{ request_id: string }>`
      with withdrawn as (
        update offer set status = 'withdrawn', decided_at = ${now}
         where slot_id = any(${[...slotIds]}::uuid[]) and status = 'pending'
        returning request_id)
      update allocation_request r set status = 'waiting', updated_at = ${now}
        from withdrawn w where r.id = w.request_id and r.status = 'offered'
      returning r.id as request_id`.execute(this.trx);
    return rows.map((r) => r.request_id);
  }

  async requeueRequest(requestId: string, urgencyDate: string, now: Date) {
    // The closure is the urgency, confirmed by the agent who closed: the request leads the
    // next draw (an urgency date before the draw date is class 0), in its own batch (queued_on
    // unchanged). A declared urgency awaiting review gives way to it (check constraint
    // allocation_request_urgency_consistent: date, source and status go together).
    await this.trx
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
  }

  async upsertDrawSchedule(s: DrawScheduleSettings) {
    // draw_schedule.after_release is left to its default: it means nothing any more (no release ticks).
    await this.trx
      .insertInto('draw_schedule')
      .values({ prefecture_id: s.prefectureId, daily_at: s.dailyAt })
      .onConflict((oc) => oc.column('prefecture_id').doUpdateSet({ daily_at: s.dailyAt }))
      .execute();
  }

  async upsertDrawCadence(c: DrawCadenceSettings) {
    const fields = { every_minutes: c.everyMinutes, from_time: c.fromTime, until_time: c.untilTime };
    await this.trx
      .insertInto('draw_cadence')
      .values({ prefecture_id: c.prefectureId, procedure_id: c.procedureId, ...fields })
      .onConflict((oc) => oc.columns(['prefecture_id', 'procedure_id']).doUpdateSet(fields))
      .execute();
  }

  async deleteDrawCadence(prefectureId: string, procedureId: string): Promise<boolean> {
    const result = await this.trx
      .deleteFrom('draw_cadence')
      .where('prefecture_id', '=', prefectureId)
      .where('procedure_id', '=', procedureId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async updateProcedurePolicy(id: string, p: ProcedurePolicySettings) {
    await this.trx
      .updateTable('procedure')
      .set({
        release_days_ahead: p.releaseDaysAhead,
        release_time: p.releaseTime,
        offer_hours: p.offerHours,
        max_ignored_offers: p.maxIgnoredOffers,
        max_declines: p.maxDeclines,
      })
      .where('id', '=', id)
      .execute();
  }

  async setEmailCap(value: number, now: Date) {
    await this.trx.updateTable('app_setting').set({ value, edited_at: now }).where('name', '=', EMAIL_CAP).execute();
  }

  loadSchedule(prefectureId: string, fromDate: string, toDate: string) {
    return createScheduleStore(this.trx).loadSchedule(prefectureId, fromDate, toDate);
  }

  async listSlotsFrom(prefectureId: string, fromDate: string, toDate: string, now: Date): Promise<ExistingSlot[]> {
    const { rows } = await sql<{
      id: string;
      counter_id: string;
      procedure_id: string;
      starts_at: Date;
      ends_at: Date;
      released_at: Date;
      status: SlotStatus;
      reserved_for_agents: boolean;
      held: boolean;
    }>`
      select s.id, s.counter_id, s.procedure_id, s.starts_at, s.ends_at, s.released_at, s.status, s.reserved_for_agents,
             (exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
              or exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')) as held
        from slot s join site si on si.id = s.site_id
       where si.prefecture_id = ${prefectureId} and s.local_date between ${fromDate}::date and ${toDate}::date and s.starts_at > ${now}
       for update of s`.execute(this.trx);
    return rows.map((r) => ({
      id: r.id,
      counterId: r.counter_id,
      procedureId: r.procedure_id,
      startsAt: new Date(r.starts_at),
      endsAt: new Date(r.ends_at),
      releasedAt: new Date(r.released_at),
      status: r.status,
      reservedForAgents: r.reserved_for_agents,
      held: r.held,
    }));
  }

  async applySlotPlan(siteOf: ReadonlyMap<string, string>, plan: SlotResyncPlan) {
    for (let i = 0; i < plan.withdraw.length; i += BATCH) {
      await this.trx
        .updateTable('slot')
        .set({ status: 'withdrawn' })
        .where('id', 'in', plan.withdraw.slice(i, i + BATCH))
        .where('status', '=', 'open')
        .execute();
    }
    for (const { id, slot } of plan.update) {
      await this.trx
        .updateTable('slot')
        .set({
          status: 'open',
          procedure_id: slot.procedureId,
          ends_at: slot.endsAt,
          released_at: slot.releasedAt,
          local_date: slot.localDate,
          reserved_for_agents: slot.reservedForAgents,
        })
        .where('id', '=', id)
        .execute();
    }
    let inserted = 0;
    for (let i = 0; i < plan.insert.length; i += BATCH) {
      const batch = plan.insert.slice(i, i + BATCH);
      const result = await this.trx
        .insertInto('slot')
        .values(
          batch.map((s) => ({
            site_id: siteOf.get(s.counterId)!,
            counter_id: s.counterId,
            procedure_id: s.procedureId,
            starts_at: s.startsAt,
            ends_at: s.endsAt,
            local_date: s.localDate,
            released_at: s.releasedAt,
            reserved_for_agents: s.reservedForAgents,
          })),
        )
        // Without a target, DO NOTHING also skips a slot that would overlap one at the same counter.
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    return { withdrawn: plan.withdraw.length, updated: plan.update.length, inserted };
  }
}

export function createConfigurationStore(db: Db): ConfigurationStore {
  return {
    ...readerOn(db),
    transaction: (work) => runTransaction(db, (trx) => work(new KyselyConfigurationTransaction(trx))),
  };
}
