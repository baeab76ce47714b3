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

export type * from './configuration/records.ts';

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
