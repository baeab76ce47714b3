// What the agenda, check-in and no-show statistics read and write. Transitions are applied
// as one conditional UPDATE ("where status = <from>"): false means another agent changed the
// appointment first, and nothing was written.
import type { AppointmentStatus } from '../domain/agenda-rules.ts';
import type { AuditEventInput } from './agent-store.ts';
import type { FraudSignals } from './fraud-store.ts';
import type { OutboxWriter } from './outbox.ts';

/** A site as the agenda's filters show it, with its counters. */
export interface AgendaSite {
  id: string;
  name: string;
  prefectureId: string;
  timeZone: string;
  counters: { id: string; name: string }[];
}

/** One line of a day's agenda. */
export interface AgendaEntry {
  appointmentId: string;
  reference: string;
  startsAt: Date;
  endsAt: Date;
  siteId: string;
  counterId: string;
  counterName: string;
  procedureId: string;
  procedureNameFr: string;
  procedureNameEn: string;
  surname: string;
  givenNames: string;
  channel: 'online' | 'phone' | 'counter';
  status: AppointmentStatus;
}

export interface AgendaQuery {
  siteId: string;
  /** The local day, "2026-06-02". */
  date: string;
  counterId?: string;
}

/** Everything the check-in screen shows: the identity to compare with the ID document, and the appointment. */
export interface CheckInAppointment {
  id: string;
  reference: string;
  status: AppointmentStatus;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  agdrefNumber: string | null;
  passportNumber: string | null;
  channel: 'online' | 'phone' | 'counter';
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  siteId: string;
  siteName: string;
  prefectureId: string;
  counterId: string;
  counterName: string;
  procedureId: string;
  procedureNameFr: string;
  procedureNameEn: string;
  checkedInAt: Date | null;
  servedAt: Date | null;
  noShowAt: Date | null;
  /** When the last step was made (or taken back); null before any. */
  statusChangedAt: Date | null;
}

export interface StatisticsQuery {
  /** null: every prefecture (administrators). */
  prefectureId: string | null;
  /** Local days of the slots, both included. */
  fromDate: string;
  toDate: string;
  /** Only appointments whose slot started before this instant (the future is not "due" yet). */
  before: Date;
}

/** One procedure at one site over the period. */
export interface NoShowStatisticsRow {
  prefectureId: string;
  siteId: string;
  siteName: string;
  procedureId: string;
  procedureNameFr: string;
  procedureNameEn: string;
  /** Appointments due (slot started, not cancelled). */
  due: number;
  /** Checked in (arrived or served). */
  came: number;
  served: number;
  noShows: number;
  /** Still "booked": nobody marked them. */
  unmarked: number;
}

export interface AgendaTransaction extends Pick<OutboxWriter, 'enqueueMessages'> {
  /** The fraud signals' counts and scores, in this transaction. */
  readonly fraud: FraudSignals;
  /**
   * The person is not the one convoked: cancels the appointment from `from` (identity_refused_at,
   * by the agent), its slot freed for the next draw; false when its status is no longer `from`.
   */
  refuseIdentity(id: string, from: AppointmentStatus, at: Date, agentId: string): Promise<boolean>;
  /**
   * Moves the appointment from `from` to `to`, stamping the step's time and the agent, only
   * if its status is still `from`; false otherwise (nothing written). With `undo`, the step
   * being taken back has its time cleared instead (served → arrived clears served_at).
   */
  transitionAppointment(
    id: string,
    from: AppointmentStatus,
    to: AppointmentStatus,
    at: Date,
    agentId: string,
    options?: { undo?: boolean },
  ): Promise<boolean>;
  insertAuditEvent(event: AuditEventInput): Promise<void>;
}

export interface AgendaStore {
  transaction<T>(work: (tx: AgendaTransaction) => Promise<T>): Promise<T>;
  /** Sites with their counters: of one prefecture, or all of them (null). */
  listSites(prefectureId: string | null): Promise<AgendaSite[]>;
  /** The day's appointments of a site (cancelled ones left out), by time then counter. */
  listAgenda(query: AgendaQuery): Promise<AgendaEntry[]>;
  findCheckInAppointment(id: string): Promise<CheckInAppointment | null>;
  noShowStatistics(query: StatisticsQuery): Promise<NoShowStatisticsRow[]>;
}
