// What the booking use cases need from storage. The database adapter implements it and
// turns constraint violations into DomainErrors (SLOT_TAKEN, ALREADY_BOOKED_FOR_PROCEDURE,
// EMAIL_CAP_REACHED): the constraints, not this interface, are what guarantee them.

import type { AppointmentStatus } from '../domain/agenda-rules.ts';
import type { IdentityProof } from '../domain/identity.ts';
import type { Language } from '../domain/language.ts';
import type { SlotStatus } from '../domain/slot-generation.ts';
import type { AuditEventInput } from './agent-store.ts';
import type { EmailVerificationConsumer } from './email-verification-store.ts';
import type { FraudSignals } from './fraud-store.ts';
import type { OutboxWriter } from './outbox.ts';

/** A freshly drawn booking reference already exists (about 1 in 10^14): draw again. */
export class ReferenceTaken extends Error {}

export interface Prefecture {
  id: string;
  name: string;
  timeZone: string;
  phone: string | null;
}
export interface Site {
  id: string;
  prefectureId: string;
  kind: 'prefecture' | 'sub_prefecture' | 'antenna';
  name: string;
  address: string;
  phone: string | null;
  publicHours: string | null;
}
export interface Procedure {
  id: string;
  nameFr: string;
  nameEn: string;
  descriptionFr: string;
  descriptionEn: string;
  slotMinutes: number;
  identityProof: IdentityProof;
  channel: 'appointment' | 'postal' | 'online';
  releaseDaysAhead: number;
  releaseTime: string;
  instructionsFr: string;
  instructionsEn: string;
  /** Booking checks the AGDREF number against the registry (renewals, duplicates, handovers). */
  registryCheck: boolean;
  /** Months before permit expiry when booking is open, e.g. { startMonths: 4, endMonths: 2 }; null = any time. */
  renewalWindow: { startMonths: number; endMonths: number } | null;
  /** Where to send people this procedure refuses (e.g. expired permit → first request). */
  alternativeProcedureId: string | null;
  /** Draws and offers: offer deadline, offers ignored or declined before a request closes, urgency horizon. */
  allocation: { offerHours: number; maxIgnoredOffers: number; maxDeclines: number; urgentWithinDays: number };
}

export interface SlotDetails {
  id: string;
  siteId: string;
  prefectureId: string;
  timeZone: string;
  procedureId: string;
  startsAt: Date;
  endsAt: Date;
  localDate: string;
  releasedAt: Date;
  status: SlotStatus;
  /** Kept for the phone / counter channel: never listed nor booked online (migration 0010). */
  reservedForAgents: boolean;
  /**
   * Live appointments held the slot and every other counter of its time that a booking may take
   * instead, when it was read (a hint: the database decides the race).
   */
  held: boolean;
  procedure: Procedure;
}

export interface FreeSlot {
  slotId: string;
  siteId: string;
  startsAt: Date;
  endsAt: Date;
  localDate: string;
  freeCounters: number;
}

export interface FreeSlotQuery {
  procedureId: string;
  siteIds: string[];
  fromDate: string;
  toDate: string;
  now: Date;
  limit: number;
  /** Which slots: the public ones (default), or those reserved for the agents' phone / counter channel. */
  reserve?: 'public' | 'agents';
}

export interface NewAppointment {
  reference: string;
  slotId: string;
  procedureId: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  /** Null only for a phone / counter booking of someone without email (the agent prints the convocation). */
  email: string | null;
  emailKey: string | null;
  agdrefNumber: string | null;
  passportNumber: string | null;
  identityKey: string;
  managementTokenHash: string;
  /** Passports: the issuing country, part of the identity key. */
  documentCountry?: string | null;
  /** Keyed digest of the names, birth date and nationality the document is bound to (domain/identity.ts attributesMaterial). */
  identityAttributesHash?: string | null;
  /** The number to call, normalised; required by the database for an agent's booking without email (migration 0018). */
  phone?: string | null;
  channel: 'online' | 'phone' | 'counter';
  /** The language the applicant chose: every message about the appointment uses it. */
  language: Language;
  /** Fraud signals (migration 0023), as a filing keeps them: network, device digest, private email domain. */
  network?: string | null;
  deviceDigest?: string | null;
  emailDomain?: string | null;
}

export type { AppointmentStatus };
export interface Appointment {
  id: string;
  reference: string;
  status: AppointmentStatus;
  slotId: string;
  procedureId: string;
  siteId: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  email: string | null;
  /** Normalised (migration 0018); their text messages go there (migration 0019). */
  phone: string | null;
  rescheduleCount: number;
  createdAt: Date;
  language: Language;
  /** What its messages show: where, and for what. */
  siteName: string;
  siteAddress: string;
  procedureNameFr: string;
  procedureNameEn: string;
  /** What to bring (domain/what-to-bring.ts), for its messages. */
  procedureInstructionsFr: string;
  procedureInstructionsEn: string;
  identityProof: IdentityProof;
}

export type IdempotencyClaim = { kind: 'claimed' } | { kind: 'existing'; fingerprint: string; outcome: unknown | null };

/** A site that offers a procedure, and when it next releases slots of it. */
export interface SiteOffering extends Site {
  /** The earliest release still ahead of a slot of the procedure there; null when none is planned. */
  nextReleaseAt: Date | null;
}

export interface CatalogueReader {
  listPrefectures(): Promise<Prefecture[]>;
  getPrefecture(id: string): Promise<Prefecture | null>;
  listSites(prefectureId: string): Promise<Site[]>;
  /**
   * The sites of a prefecture that offer a procedure: not withdrawn from it (site_procedure),
   * and an active counter with an opening rule for it still valid on `today` or later, or an
   * exceptional opening from `today`, or a slot of it still ahead of `now`.
   */
  listSitesOffering(prefectureId: string, procedureId: string, now: Date, today: string): Promise<SiteOffering[]>;
  getSite(id: string): Promise<Site | null>;
  listProcedures(): Promise<Procedure[]>;
  getProcedure(id: string): Promise<Procedure | null>;
}

export interface BookingStore extends CatalogueReader {
  /** The slot with its procedure, in one read. */
  findSlot(id: string): Promise<SlotDetails | null>;
  listFreeSlots(query: FreeSlotQuery): Promise<FreeSlot[]>;
  transaction<T>(work: (tx: BookingTransaction) => Promise<T>): Promise<T>;
  /** Deletes idempotency records created before `before`; returns how many. */
  purgeIdempotencyRecords(before: Date): Promise<number>;
}

export interface InsertAppointmentOptions {
  /** The slot stands for its site and time: another free counter of that time will do. */
  anyCounter?: boolean;
}

export interface BookingTransaction extends EmailVerificationConsumer, OutboxWriter {
  /** The fraud signals' counts and scores, in this transaction. */
  readonly fraud: FraudSignals;
  /** Claims an Idempotency-Key; concurrent claims of one key wait for the first to commit. */
  claimIdempotencyKey(key: string, scope: string, fingerprint: string): Promise<IdempotencyClaim>;
  saveIdempotencyOutcome(key: string, outcome: unknown): Promise<void>;
  /** Runs `work` in a savepoint: if it throws, only its writes are undone and the transaction goes on. */
  attempt<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Inserts the appointment if the slot is open, released, in the future and for the procedure
   * (null otherwise); SLOT_TAKEN when it is held. With `anyCounter`, a held slot's free twin
   * (same site, procedure, times, reserve and draw state) is booked instead.
   */
  insertAppointment(
    appointment: NewAppointment,
    now: Date,
    options?: InsertAppointmentOptions,
  ): Promise<Appointment | null>;
  lockAppointmentByToken(tokenHash: string): Promise<Appointment | null>;
  /** The appointment by id, locked for update (an agent acting for the caller: app/agent-channel/). */
  lockAppointmentById(id: string): Promise<Appointment | null>;
  setAppointmentStatus(id: string, status: AppointmentStatus, now: Date): Promise<Appointment>;
  /** The number its calls and text messages go to (normalised: domain/callback-rules.ts), or none. */
  setAppointmentPhone(id: string, phone: string | null, now: Date): Promise<Appointment>;
  /**
   * Moves the appointment to another bookable slot of the same procedure — a public one, or
   * one of the agents' reserve (an agent moving a phone or counter booking); null if that slot
   * is not bookable.
   */
  moveAppointment(id: string, slotId: string, now: Date, reserve?: 'public' | 'agents'): Promise<Appointment | null>;
  /** The audit event of an agent's write, in this transaction (agents booking for a caller). */
  insertAuditEvent(event: AuditEventInput): Promise<void>;
  /** A cancellation by the person, for the cooling-off rule (domain/churn-rules.ts). */
  recordCancellationChurn(appointmentId: string, now: Date): Promise<void>;
  /** When this document withdrew or cancelled for this procedure since `since`. */
  churnSince(identityKey: string, procedureId: string, since: Date): Promise<Date[]>;
}
