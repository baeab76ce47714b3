// What the request use cases need from storage (filing, viewing, changing, withdrawing an
// allocation request, and attesting it). The database adapter implements it and turns
// constraint violations into DomainErrors: ALREADY_REQUESTED_FOR_PROCEDURE (one live request
// per person and procedure, a unique index) and ALREADY_BOOKED_FOR_PROCEDURE (no request
// while an active appointment exists, a trigger). The constraints, not this interface, are
// what guarantee them.
import type { HalfDay } from '../domain/allocation-draw.ts';
import type { ReviewState } from '../domain/fraud-signals.ts';
import type { Language } from '../domain/language.ts';
import type { Urgency, UrgencySource, UrgencyStatus } from '../domain/priority.ts';
import type { RequestStatus } from '../domain/request-rules.ts';
import type { BookingTransaction, Prefecture, Procedure, Site } from './booking-store.ts';
import type { EmailVerificationConsumer } from './email-verification-store.ts';
import type { FraudSignals } from './fraud-store.ts';
import type { OutboxWriter } from './outbox.ts';

/** A freshly drawn request reference already exists (about 1 in 10^14): draw again. */
export class RequestReferenceTaken extends Error {}

export type { RequestStatus } from '../domain/request-rules.ts';

export interface RequestPreferences {
  /** Acceptable sites of the prefecture, sorted, distinct. */
  siteIds: string[];
  /** Acceptable ISO weekdays (1 = Monday), ascending, distinct. */
  weekdays: number[];
  /** Acceptable half-days, 'am' before 'pm'. */
  halfDays: HalfDay[];
}

export interface NewRequest extends RequestPreferences, Urgency {
  reference: string;
  prefectureId: string;
  procedureId: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  email: string;
  emailKey: string;
  agdrefNumber: string | null;
  passportNumber: string | null;
  identityKey: string;
  managementTokenHash: string;
  documentCountry?: string | null;
  identityAttributesHash?: string | null;
  /** The number to call, normalised (migration 0018). */
  phone?: string | null;
  channel: 'online' | 'phone' | 'counter';
  /** When it was filed (shown to the person and on the attestation; the draw never ranks on it). */
  filedAt: Date;
  /** The batch: the prefecture's local day of filing (YYYY-MM-DD). */
  queuedOn: string;
  /** The language the applicant chose: every message about the request (offers…) uses it. */
  language: Language;
  /** Fraud signals (migration 0023): the filing's network (/24, /64), the device cookie's digest (online only), the private email domain. */
  network?: string | null;
  deviceDigest?: string | null;
  emailDomain?: string | null;
}

export interface AllocationRequest extends RequestPreferences {
  id: string;
  reference: string;
  prefectureId: string;
  procedureId: string;
  /** The prefecture's time zone: "today" for priority classes and dates on the attestation. */
  timeZone: string;
  status: RequestStatus;
  urgencyDate: string | null;
  urgencySource: UrgencySource | null;
  urgencyStatus: UrgencyStatus;
  /** The batch: the local day the request entered the queue (filed or returned); earlier batches are drawn first. */
  queuedOn: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  email: string;
  declinedCount: number;
  ignoredCount: number;
  channel: 'online' | 'phone' | 'counter';
  language: Language;
  filedAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Fraud review (migration 0023): 'held' keeps it out of draws until `holdLapsesAt` at the latest. */
  reviewState: ReviewState;
  holdLapsesAt: Date | null;
}

/**
 * Waiting requests of one queue (prefecture + procedure) grouped by urgency date, with how
 * many of each group come before a given request in filing order (filedAt, then id).
 */
export interface QueueGroup {
  /** The verified expiry date (domain/priority.ts verifiedUrgencyDate) the group's class comes from. */
  urgencyDate: string | null;
  waiting: number;
  /** Of them, those queued on an earlier day than the request asked about, and on the same day. */
  inEarlierBatches: number;
  inSameBatch: number;
}

/** What the draws of one queue served over a recent window. */
export interface RecentCapacity {
  draws: number;
  /** Slots offered by those draws whose offer is confirmed or still pending (each served someone, or is about to). */
  slotsServed: number;
}

export interface PendingOffer {
  id: string;
  slotId: string;
  siteId: string;
  startsAt: Date;
  endsAt: Date;
  expiresAt: Date;
  extended: boolean;
}

/** A site of the prefecture that receives the procedure, and the weekdays of its opening rules. */
export interface ReceivingSite {
  siteId: string;
  weekdays: number[];
}

/** Reads that run alike on the pool or inside a transaction (PGlite has one connection: inside a transaction, read through it). */
export interface RequestReader {
  /**
   * In one read: the waiting requests of the request's queue, grouped by urgency date (batches
   * before and of the request's day), and the draws of the queue that finished at or after
   * `since` with the slots they served.
   */
  queueStanding(
    request: Pick<AllocationRequest, 'prefectureId' | 'procedureId' | 'queuedOn'>,
    since: Date,
  ): Promise<{ groups: QueueGroup[]; capacity: RecentCapacity }>;
  /** The request's pending offer, with its slot, or null. Read-only: offers belong to the draws. */
  pendingOffer(requestId: string): Promise<PendingOffer | null>;
}

/** Where a request for a procedure at a prefecture may go, as the catalogue says at one instant. */
export interface RequestCatalogue {
  procedure: Procedure | null;
  prefecture: Prefecture | null;
  /** Every site of the prefecture, in the catalogue's order (kind, then name). */
  sites: Site[];
  /** As `receivingSites` on the prefecture's local date at that instant. */
  receiving: ReceivingSite[];
}

export interface RequestStore extends RequestReader {
  /** Sites of the prefecture with an opening rule for the procedure that is valid on or after `fromDate`. */
  receivingSites(prefectureId: string, procedureId: string, fromDate: string): Promise<ReceivingSite[]>;
  /** In one read, what a filing and the request form check: the procedure, the prefecture, its sites and those receiving the procedure at `now`. */
  requestCatalogue(prefectureId: string, procedureId: string, now: Date): Promise<RequestCatalogue>;
  /** `id` must be a UUID. */
  findRequestById(id: string): Promise<AllocationRequest | null>;
  /** The request a management token opens (its digest), without locking it. */
  findRequestByToken(tokenHash: string): Promise<AllocationRequest | null>;
  transaction<T>(work: (tx: RequestTransaction) => Promise<T>): Promise<T>;
}

export interface RequestTransaction
  extends RequestReader,
    EmailVerificationConsumer,
    OutboxWriter,
    Pick<
      BookingTransaction,
      'claimIdempotencyKey' | 'saveIdempotencyOutcome' | 'attempt' | 'insertAuditEvent' | 'churnSince'
    > {
  /** The fraud signals' counts and scores, in this transaction. */
  readonly fraud: FraudSignals;
  /** Inserts the request; throws ALREADY_REQUESTED_FOR_PROCEDURE, ALREADY_BOOKED_FOR_PROCEDURE or RequestReferenceTaken. */
  insertRequest(request: NewRequest): Promise<AllocationRequest>;
  lockRequestByToken(tokenHash: string): Promise<AllocationRequest | null>;
  /** New preferences and urgency; the batch (the place in the queue) stays. */
  updatePreferences(
    id: string,
    preferences: RequestPreferences,
    urgency: Urgency,
    now: Date,
  ): Promise<AllocationRequest>;
  /** A paused request back in the draws, in the batch of `queuedOn` (today). */
  reconfirmRequest(id: string, queuedOn: string, now: Date): Promise<AllocationRequest>;
  /** Withdraws the request and its pending offer, if any (the slot goes back to the next draw). */
  withdrawRequest(id: string, now: Date): Promise<{ request: AllocationRequest; offerWithdrawn: boolean }>;
}
