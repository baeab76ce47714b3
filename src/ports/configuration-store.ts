// What the configuration use cases read and write: sites, counters, the procedures offered
// per site, opening rules, closures, the draw schedule and cadences, the national settings — and the
// slots a change reaches. Every write goes through one ConfigurationTransaction, which also
// writes the audit event (AuditWriter) and the applicants' emails (OutboxWriter) of the change.
import type { ExistingSlot, SlotResyncPlan } from '../domain/configuration-rules.ts';
import type { Language } from '../domain/language.ts';
import type { ExceptionalOpening, OpeningRule } from '../domain/slot-generation.ts';
import type { AuditEventInput } from './agent-store.ts';
import type { OutboxWriter } from './outbox.ts';
import type { PrefectureSchedule } from './schedule-store.ts';

export interface ConfigPrefecture {
  id: string;
  name: string;
  timeZone: string;
}

export type SiteKind = 'prefecture' | 'sub_prefecture' | 'antenna';

export interface ConfigSite {
  id: string;
  prefectureId: string;
  kind: SiteKind;
  name: string;
  address: string;
  phone: string | null;
  publicHours: string | null;
}

export interface ConfigCounter {
  id: string;
  siteId: string;
  prefectureId: string;
  name: string;
  active: boolean;
}

export interface ConfigProcedure {
  id: string;
  nameFr: string;
  nameEn: string;
  slotMinutes: number;
  /** How it is done: only 'appointment' procedures get opening rules and slots. */
  channel: 'appointment' | 'postal' | 'online';
  releaseDaysAhead: number;
  releaseTime: string;
  offerHours: number;
  maxIgnoredOffers: number;
  maxDeclines: number;
}

/** The national policy of a procedure, as an administrator changes it (domain ProcedurePolicy). */
export type ProcedurePolicySettings = Omit<ConfigProcedure, 'id' | 'nameFr' | 'nameEn' | 'slotMinutes' | 'channel'>;

/** A procedure at a site: offered or not, and the agents' share (no row: offered, 0 %). */
export interface SiteOffer {
  siteId: string;
  procedureId: string;
  offered: boolean;
  reservedPercent: number;
}

/** An opening rule as stored: the domain's rule, with where it is. */
export interface ConfigOpeningRule extends OpeningRule {
  id: string;
  siteId: string;
  prefectureId: string;
}

export type NewOpeningRule = OpeningRule;

/** A counter open for a procedure on one date, whatever its rules, weekday or holiday say. */
export interface ConfigExceptionalOpening extends ExceptionalOpening {
  id: string;
  siteId: string;
  prefectureId: string;
}

export interface ConfigClosure {
  id: string;
  siteId: string;
  counterId: string | null;
  dateFrom: string;
  dateTo: string;
  reason: string;
}

/** The prefecture's daily draw time: the draws of every procedure without a cadence. */
export interface DrawScheduleSettings {
  prefectureId: string;
  dailyAt: string;
}

/** Draws of one procedure in one prefecture through the day, instead of once a day (table draw_cadence). */
export interface DrawCadenceSettings {
  prefectureId: string;
  procedureId: string;
  everyMinutes: number;
  fromTime: string;
  untilTime: string;
}

/** A booked appointment a closure falls on: what the confirmation lists and the email says. */
export interface AffectedAppointment {
  id: string;
  reference: string;
  slotId: string;
  counterId: string;
  procedureId: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  surname: string;
  givenNames: string;
  /** null: booked by an agent for a caller without an email address (call them). */
  email: string | null;
  language: Language;
  rescheduleCount: number;
  siteId: string;
  siteName: string;
  siteAddress: string;
  procedureNameFr: string;
  procedureNameEn: string;
  /** The request whose offer became this appointment, or null (booked first come, or by an agent). */
  requestId: string | null;
  requestReference: string | null;
}

export interface ConfigurationReader {
  listPrefectures(): Promise<ConfigPrefecture[]>;
  getPrefecture(id: string): Promise<ConfigPrefecture | null>;
  listSites(prefectureId: string): Promise<ConfigSite[]>;
  getSite(id: string): Promise<ConfigSite | null>;
  listCounters(siteId: string): Promise<ConfigCounter[]>;
  getCounter(id: string): Promise<ConfigCounter | null>;
  listProcedures(): Promise<ConfigProcedure[]>;
  getProcedure(id: string): Promise<ConfigProcedure | null>;
  listSiteOffers(siteId: string): Promise<SiteOffer[]>;
  listOpeningRules(counterId: string): Promise<ConfigOpeningRule[]>;
  getOpeningRule(id: string): Promise<ConfigOpeningRule | null>;
  /** Exceptional openings of the counter on `fromDate` or later. */
  listExceptionalOpenings(counterId: string, fromDate: string): Promise<ConfigExceptionalOpening[]>;
  getExceptionalOpening(id: string): Promise<ConfigExceptionalOpening | null>;
  /** Closures of the site (its own and its counters') ending on `fromDate` or later. */
  listClosures(siteId: string, fromDate: string): Promise<ConfigClosure[]>;
  getDrawSchedule(prefectureId: string): Promise<DrawScheduleSettings>;
  /** The prefecture's cadences, by procedure id. */
  listDrawCadences(prefectureId: string): Promise<DrawCadenceSettings[]>;
  getDrawCadence(prefectureId: string, procedureId: string): Promise<DrawCadenceSettings | null>;
  getEmailCap(): Promise<number>;
  /** Booked appointments whose slot is at the site (or counter) on one of the days, in time order. */
  appointmentsInRange(
    siteId: string,
    counterId: string | null,
    dateFrom: string,
    dateTo: string,
  ): Promise<AffectedAppointment[]>;
}

export interface ConfigurationTransaction extends ConfigurationReader, OutboxWriter {
  insertAuditEvent(event: AuditEventInput): Promise<void>;
  updateSite(
    id: string,
    fields: { name: string; address: string; phone: string | null; publicHours: string | null },
  ): Promise<void>;
  /** COUNTER_NAME_TAKEN when the site has a counter of that name. */
  insertCounter(siteId: string, name: string): Promise<ConfigCounter>;
  /** COUNTER_NAME_TAKEN when the site has another counter of that name. */
  updateCounter(id: string, fields: { name: string; active: boolean }): Promise<void>;
  upsertSiteOffer(offer: SiteOffer): Promise<void>;
  insertOpeningRule(rule: NewOpeningRule): Promise<string>;
  setOpeningRuleEnd(id: string, validUntil: string): Promise<void>;
  deleteOpeningRule(id: string): Promise<void>;
  insertExceptionalOpening(opening: Omit<ConfigExceptionalOpening, 'id' | 'siteId' | 'prefectureId'>): Promise<string>;
  deleteExceptionalOpening(id: string): Promise<void>;
  insertClosure(closure: Omit<ConfigClosure, 'id'>): Promise<string>;
  /** Withdraws every open slot of the site (or counter) on those days, held or free; returns their ids. */
  withdrawSlotsInRange(siteId: string, counterId: string | null, dateFrom: string, dateTo: string): Promise<string[]>;
  /** Booked appointments on these slots, locked for the update (read after the slots were withdrawn). */
  bookedAppointmentsOnSlots(slotIds: readonly string[]): Promise<AffectedAppointment[]>;
  cancelAppointments(ids: readonly string[], now: Date): Promise<void>;
  /** Pending offers of these slots withdrawn, their requests waiting again; returns the request ids. */
  withdrawPendingOffers(slotIds: readonly string[], now: Date): Promise<string[]>;
  /**
   * Puts a request back in the queue ('waiting') at the top priority class: a confirmed
   * urgency of source 'closure' dated `urgencyDate`; its batch (queued_on) is kept.
   */
  requeueRequest(requestId: string, urgencyDate: string, now: Date): Promise<void>;
  upsertDrawSchedule(schedule: DrawScheduleSettings): Promise<void>;
  upsertDrawCadence(cadence: DrawCadenceSettings): Promise<void>;
  /** False when there was none. */
  deleteDrawCadence(prefectureId: string, procedureId: string): Promise<boolean>;
  updateProcedurePolicy(id: string, policy: ProcedurePolicySettings): Promise<void>;
  setEmailCap(value: number, now: Date): Promise<void>;
  // Slots after a change (app/configuration/resync-slots.ts).
  loadSchedule(prefectureId: string, fromDate: string, toDate: string): Promise<PrefectureSchedule>;
  /** Slots of the prefecture's sites on [fromDate, toDate] starting after `now`, open or withdrawn. */
  listSlotsFrom(prefectureId: string, fromDate: string, toDate: string, now: Date): Promise<ExistingSlot[]>;
  /** Applies a plan (withdraw, then update, then insert); returns the counts. */
  applySlotPlan(
    siteOf: ReadonlyMap<string, string>,
    plan: SlotResyncPlan,
  ): Promise<{ withdrawn: number; updated: number; inserted: number }>;
}

export interface ConfigurationStore extends ConfigurationReader {
  transaction<T>(work: (tx: ConfigurationTransaction) => Promise<T>): Promise<T>;
}
