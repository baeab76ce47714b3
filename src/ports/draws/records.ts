// Draw, request, slot and offer records as the draw repositories read and write them; the
// store (ports/draw-store.ts) assembles the repositories.
import type { HalfDay } from '../../domain/allocation-draw.ts';
import type { DrawCadence, DrawTrigger } from '../../domain/draw-schedule.ts';
import type { Language } from '../../domain/language.ts';
import type { OfferStatus } from '../../domain/offer-rules.ts';
import type { RequestStatus } from '../request-store.ts';

/** A queue (prefecture, procedure done at a counter) the scheduler draws for, with its schedule. */
export interface ScheduledProcedure {
  prefectureId: string;
  timeZone: string;
  procedureId: string;
  dailyAt: string;
  cadence: DrawCadence | null;
}

/** The draw row inserted first: its unique tick elects the one instance that runs the draw. */
export interface DrawClaim {
  prefectureId: string;
  procedureId: string;
  tick: Date;
  trigger: DrawTrigger;
  seed: string;
  startedAt: Date;
}

/** The procedure settings a draw and its offers use. */
export interface DrawProcedure {
  id: string;
  nameFr: string;
  nameEn: string;
  channel: 'appointment' | 'postal' | 'online';
  offerHours: number;
  maxIgnoredOffers: number;
  maxDeclines: number;
  urgentWithinDays: number;
}

export interface WaitingRequest {
  id: string;
  /** The batch: the local day the request entered the queue (YYYY-MM-DD). */
  queuedOn: string;
  /** Verified expiry of the current permit or récépissé (YYYY-MM-DD): the registry's, or a declared one an agent confirmed. */
  urgencyDate: string | null;
  siteIds: string[];
  weekdays: number[];
  halfDays: HalfDay[];
}

export interface FreeSlotForDraw {
  id: string;
  siteId: string;
  startsAt: Date;
  /** ISO weekday (1 = Monday) and minute of the day of the start, in the prefecture's time zone. */
  localWeekday: number;
  localMinuteOfDay: number;
}

export interface LeftoverOutcome {
  /** Opened to first-come booking. */
  opened: number;
  /** Too soon to be offered while people wait: given to nobody. */
  unused: number;
}

export interface DrawWindow {
  tick: Date;
  /** Released slots available since this instant at the latest (the collection window). */
  availableBy: Date;
  /** Freed slots (cancelled, moved, declined, expired) available since this instant at the latest. */
  freedBy: Date;
  startsFrom: Date;
}

export interface NewOffer {
  requestId: string;
  slotId: string;
  expiresAt: Date;
}

/** The secret of a tick and its commitment (migration 0020, domain/draw-commitment.ts). */
export interface DrawCommitment {
  prefectureId: string;
  procedureId: string;
  tick: Date;
  secret: string;
  commitment: string;
  committedAt: Date;
}

/** A commitment as published before its draw: never the secret. */
export type PublicCommitment = Omit<DrawCommitment, 'secret'>;

export interface DrawOutcome {
  /** SHA-256(secret ‖ closingDigest): known only once the input is read. */
  seed: string;
  commitment: string;
  secret: string;
  committedAt: Date;
  closingDigest: string;
  inputDigest: string;
  resultDigest: string;
  /** gzip of the draw's input (creneau-draw-snapshot/2, domain/draw-snapshot.ts): under pseudonyms since migration 0020. */
  inputSnapshot: Uint8Array;
  requestsCount: number;
  slotsCount: number;
  assignedCount: number;
  /** Slots the draw left without a taker, opened to first-come booking. */
  openedCount: number;
  finishedAt: Date;
}

/** A finished draw: what was claimed, and what came out (no commitment before migration 0020). */
export interface StoredDraw
  extends DrawClaim,
    Omit<DrawOutcome, 'commitment' | 'secret' | 'committedAt' | 'closingDigest'> {
  id: string;
  commitment: string | null;
  secret: string | null;
  committedAt: Date | null;
  closingDigest: string | null;
}

/** A finished draw as its prefecture's page lists it (no snapshot). */
export type PublicDraw = Omit<StoredDraw, 'inputSnapshot'>;

/** A finished draw of a request's queue while it was there, with what makes its pseudonym. */
export interface DrawOfRequest {
  requestId: string;
  drawId: string;
  tick: Date;
  /** Null for a draw before migration 0020 (no pseudonyms). */
  secret: string | null;
}

export type { OfferStatus };

/** A request as the offer use cases see it: identity for the appointment, counters for the rules. */
export interface OfferRequest {
  id: string;
  reference: string;
  status: RequestStatus;
  prefectureId: string;
  procedureId: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  email: string;
  /** The number given with the request (migration 0018): its offers and, once confirmed, the appointment's messages go there by text message too. */
  phone: string | null;
  emailKey: string;
  agdrefNumber: string | null;
  passportNumber: string | null;
  identityKey: string;
  managementTokenHash: string;
  documentCountry: string | null;
  identityAttributesHash: string | null;
  channel: 'online' | 'phone' | 'counter';
  language: Language;
  declinedCount: number;
  ignoredCount: number;
  filedAt: Date;
}

/** An offer with what the applicant must see to decide: slot, site, deadline, procedure. */
export interface OfferDetails {
  id: string;
  drawId: string;
  requestId: string;
  status: OfferStatus;
  expiresAt: Date;
  extended: boolean;
  createdAt: Date;
  decidedAt: Date | null;
  appointmentId: string | null;
  slot: {
    id: string;
    startsAt: Date;
    endsAt: Date;
    localDate: string;
    siteId: string;
    siteName: string;
    siteAddress: string;
  };
  timeZone: string;
  procedure: DrawProcedure;
}

export interface OfferChanges {
  status?: OfferStatus;
  decidedAt?: Date;
  expiresAt?: Date;
  extended?: boolean;
  appointmentId?: string;
}

export interface RequestChanges {
  status: RequestStatus;
  declinedCount?: number;
  ignoredCount?: number;
  closedAt?: Date | null;
  /** Back in the queue: the batch of that day (YYYY-MM-DD). */
  queuedOn?: string;
  pausedAt?: Date | null;
}

/** What an offer email says. */
export interface OfferNotice {
  offerId: string;
  requestReference: string;
  email: string;
  /** The request's number, if given: the offer goes by text message too (migration 0019). */
  phone: string | null;
  language: Language;
  givenNames: string;
  surname: string;
  offer: OfferDetails;
  declinedCount: number;
  ignoredCount: number;
}
