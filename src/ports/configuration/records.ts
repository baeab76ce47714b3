// What the configuration's repositories read and write: the records, without the repositories
// (ports/configuration-store.ts assembles those), so a repository never imports its store.
import type { Language } from '../../domain/language.ts';
import type { ExceptionalOpening, OpeningRule } from '../../domain/slot-generation.ts';

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
/** An appointment a counter's closure moved to another counter at the same time. */
export interface CounterMove {
  id: string;
  reference: string;
  startsAt: Date;
  timeZone: string;
  surname: string;
  givenNames: string;
  fromSlotId: string;
  toSlotId: string;
  toCounterId: string;
  toCounterName: string;
}

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
  /** The number to call them on, normalised (migration 0018); null when none was given. */
  phone: string | null;
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
