// What the configuration use cases read and write: sites, counters, the procedures offered
// per site, opening rules, closures, the draw schedule and cadences, the national settings — and the
// slots a change reaches. One small repository per entity (ports/configuration/); a change goes
// through one unit of work whose repositories, audit writer and outbox writer share its transaction.
import type { Language } from '../domain/language.ts';
import type { ExceptionalOpening, OpeningRule } from '../domain/slot-generation.ts';
import type { AuditWriter } from './audit-trail.ts';
import type {
  AffectedAppointmentRepository,
  PendingOfferRepository,
  RequeueRepository,
} from './configuration/closure-fallout.ts';
import type {
  DrawCadenceReader,
  DrawCadenceRepository,
  DrawScheduleReader,
  DrawScheduleRepository,
} from './configuration/draw-settings.ts';
import type { FutureSlotRepository } from './configuration/future-slots.ts';
import type {
  ClosureReader,
  ClosureRepository,
  ExceptionalOpeningReader,
  ExceptionalOpeningRepository,
  OpeningRuleReader,
  OpeningRuleRepository,
} from './configuration/opening-hours.ts';
import type { CounterReader, CounterRepository, SiteReader, SiteRepository } from './configuration/places.ts';
import type {
  ProcedureReader,
  ProcedureRepository,
  SiteOfferReader,
  SiteOfferRepository,
} from './configuration/procedures.ts';
import type { SettingsReader, SettingsRepository } from './configuration/settings.ts';
import type { OutboxWriter } from './outbox.ts';
import type { PrefectureRepository } from './prefectures.ts';
import type { NarrowStore } from './unit-of-work.ts';

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

/** What may be read outside a transaction (the pages, and the checks before a change). */
export interface ConfigurationReaders {
  prefectures: PrefectureRepository;
  sites: SiteReader;
  counters: CounterReader;
  procedures: ProcedureReader;
  siteOffers: SiteOfferReader;
  openingRules: OpeningRuleReader;
  exceptionalOpenings: ExceptionalOpeningReader;
  closures: ClosureReader;
  drawSchedules: DrawScheduleReader;
  drawCadences: DrawCadenceReader;
  settings: SettingsReader;
}

/** The repositories of one transaction: every read and write of a change, its audit and its emails. */
export interface ConfigurationRepositories {
  prefectures: PrefectureRepository;
  sites: SiteRepository;
  counters: CounterRepository;
  procedures: ProcedureRepository;
  siteOffers: SiteOfferRepository;
  openingRules: OpeningRuleRepository;
  exceptionalOpenings: ExceptionalOpeningRepository;
  closures: ClosureRepository;
  drawSchedules: DrawScheduleRepository;
  drawCadences: DrawCadenceRepository;
  settings: SettingsRepository;
  futureSlots: FutureSlotRepository;
  appointments: AffectedAppointmentRepository;
  offers: PendingOfferRepository;
  requests: RequeueRepository;
  audit: AuditWriter;
  outbox: OutboxWriter;
}

/** The configuration storage a use case declares (NarrowStore). */
export type ConfigurationStore<
  R extends keyof ConfigurationReaders = keyof ConfigurationReaders,
  W extends keyof ConfigurationRepositories = keyof ConfigurationRepositories,
> = NarrowStore<ConfigurationReaders, ConfigurationRepositories, R, W>;
