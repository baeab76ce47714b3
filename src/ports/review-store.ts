// What the back-office's review lists read and write (issue 11 §3 and §4):
//   * declared urgencies awaiting an agent's check, and their decision — one conditional
//     UPDATE "where urgency_status = 'pending'": of two agents deciding at once, one row
//     changes, the other agent is told (URGENCY_ALREADY_REVIEWED);
//   * the live requests and active appointments of a prefecture that may belong to one
//     person under several identity documents (grouped by domain/duplicate-rules.ts).

import type { UrgencyStatus } from '../domain/priority.ts';
import type { UrgencyDecision } from '../domain/urgency-review-rules.ts';
import type { AuditEventInput } from './agent-store.ts';

export type Channel = 'online' | 'phone' | 'counter';

/** A request's declared urgency, as the review list shows it. */
export interface UrgencyDeclaration {
  requestId: string;
  reference: string;
  prefectureId: string;
  timeZone: string;
  procedureId: string;
  procedureNameFr: string;
  procedureNameEn: string;
  siteIds: string[];
  surname: string;
  givenNames: string;
  birthDate: string;
  /** The declared expiry of the permit or récépissé (YYYY-MM-DD). */
  urgencyDate: string;
  urgencyStatus: Exclude<UrgencyStatus, 'none'>;
  requestStatus: string;
  channel: Channel;
  email: string | null;
  language: 'fr' | 'en';
  filedAt: Date;
  reviewedBy: string | null;
  reviewedByName: string | null;
  reviewedAt: Date | null;
  reviewReason: string | null;
}

export interface UrgencyQuery {
  /** null: every prefecture (administrators only; the use case decides). */
  prefectureId: string | null;
  /** Only requests naming one of these sites (a counter agent's); absent: all. */
  siteIds?: readonly string[];
  /** pending: oldest filed first; decided: decided since `decidedSince`, latest first. */
  view: 'pending' | 'decided';
  decidedSince?: Date;
  limit: number;
  /** The last row of the previous page: its filed (pending) or decided (decided) instant, and id. */
  after?: { at: Date; id: string };
}

export interface UrgencyDecisionChange {
  requestId: string;
  decision: UrgencyDecision;
  agentId: string;
  at: Date;
  /** '' for none (a confirmation without a note). */
  reason: string;
}

export interface UrgencyReviewTransaction {
  /** Only a pending declaration of a live request changes; null otherwise (nothing written). */
  decideUrgency(change: UrgencyDecisionChange): Promise<UrgencyDeclaration | null>;
  insertAuditEvent(event: AuditEventInput): Promise<void>;
}

/** One live request or active appointment, for the likely-duplicates list and flags. */
export interface PersonRecord {
  kind: 'request' | 'appointment';
  id: string;
  reference: string;
  prefectureId: string;
  identityKey: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  email: string | null;
  emailKey: string | null;
  channel: Channel;
  /** waiting / offered / paused, or booked / arrived. */
  status: string;
  procedureId: string;
  procedureNameFr: string;
  procedureNameEn: string;
  /** The request's sites, or the appointment's site. */
  siteIds: string[];
  /** Filed (request) or booked (appointment). */
  since: Date;
  /** The appointment's start; null for a request. */
  startsAt: Date | null;
  /** The appointment's local day (its agenda), null for a request. */
  localDate: string | null;
  timeZone: string;
}

export interface DuplicateQuery {
  prefectureId: string;
  /** Appointments starting before this instant are no longer active (nobody marked them). */
  activeFrom: Date;
}

export interface ReviewStore {
  listUrgencyDeclarations(query: UrgencyQuery): Promise<UrgencyDeclaration[]>;
  /** A declared urgency (whatever its status), null when unknown or malformed. */
  findUrgencyDeclaration(requestId: string): Promise<UrgencyDeclaration | null>;
  transaction<T>(work: (tx: UrgencyReviewTransaction) => Promise<T>): Promise<T>;
  /**
   * The live requests and active appointments of a prefecture that share a birth date or an
   * email key with a record of another identity document: what may group (a superset; the
   * domain rules decide).
   */
  duplicateCandidates(query: DuplicateQuery): Promise<PersonRecord[]>;
  /**
   * For flags: the live records of the identity documents of these appointments, and every
   * live record of the prefecture sharing a birth date or an email key with one of them.
   */
  duplicateCandidatesAround(query: DuplicateQuery, appointmentIds: readonly string[]): Promise<PersonRecord[]>;
}
