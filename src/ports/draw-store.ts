// What draws and offers need from storage. The database adapter implements it; its
// constraints — one draw per tick (draw_once_per_tick), one pending offer per slot and per
// request, one live appointment per slot and per person — are what guarantee the outcome
// whatever the timing, not this interface.
import type { Assignment, HalfDay } from '../domain/allocation-draw.ts';
import type { DrawCadence, DrawTrigger } from '../domain/draw-schedule.ts';
import type { Language } from '../domain/language.ts';
import type { OfferStatus } from '../domain/offer-rules.ts';
import type { Appointment, NewAppointment } from './booking-store.ts';
import type { OutboxWriter } from './outbox.ts';
import type { RequestStatus } from './request-store.ts';

export type { RequestStatus };

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

export interface DrawOutcome {
  inputDigest: string;
  resultDigest: string;
  /** gzip of the draw's input (creneau-draw-snapshot/1, domain/draw-snapshot.ts). */
  inputSnapshot: Uint8Array;
  requestsCount: number;
  slotsCount: number;
  assignedCount: number;
  /** Slots the draw left without a taker, opened to first-come booking. */
  openedCount: number;
  finishedAt: Date;
}

export interface DrawTransaction extends OutboxWriter {
  /** Inserts the draw row; null when this tick was already drawn (a concurrent claimer waits for the first to commit). */
  claimTick(claim: DrawClaim): Promise<string | null>;
  /** Serialises draws of one prefecture and procedure (two different ticks at once) until the transaction ends. */
  lockProcedureDraws(prefectureId: string, procedureId: string): Promise<void>;
  /** When the latest other draw of this queue started, or null for its first draw. */
  previousDrawStart(prefectureId: string, procedureId: string, currentDrawId: string): Promise<Date | null>;
  /** Waiting requests of the queue, except those that declined an offer after `declinedSince`. */
  waitingRequests(prefectureId: string, procedureId: string, declinedSince: Date | null): Promise<WaitingRequest[]>;
  /**
   * Free slots of the queue to draw: not withdrawn nor reserved for agents, released by
   * `tick`, available since `availableBy` at the latest (the collection window), starting at
   * or after `startsFrom`, with no live appointment and no pending offer.
   */
  freeSlots(prefectureId: string, procedureId: string, window: DrawWindow): Promise<FreeSlotForDraw[]>;
  /**
   * What becomes of the free slots of the queue in `window` (any start after `now`) that no
   * offer holds, once the offers are written (domain rule: see run-draw.ts):
   *   - nobody waits in the queue any more → all of them open to first-come booking at `now`;
   *   - people still wait → nothing opens: the slots wait for the next draws, and those too
   *     soon to be offered (start before `window.startsFrom`) are given to nobody (counted).
   */
  settleLeftovers(
    drawId: string,
    prefectureId: string,
    procedureId: string,
    window: DrawWindow,
    now: Date,
  ): Promise<LeftoverOutcome>;
  /**
   * Records the assignments: requests still waiting become 'offered' with a pending offer;
   * a request that left the queue meanwhile (withdrawn) gets its offer as 'withdrawn', so the
   * draw's record stays whole and the slot stays free. Returns the ids of the pending offers.
   */
  recordOffers(drawId: string, offers: NewOffer[], now: Date): Promise<string[]>;
  finishDraw(drawId: string, outcome: DrawOutcome): Promise<void>;
  /** What the offer emails say, for these offers (read in the draw's transaction, to enqueue them with it). */
  offerNotices(offerIds: string[]): Promise<OfferNotice[]>;
}

/** A finished draw: what was claimed, and what came out. */
export interface StoredDraw extends DrawClaim, DrawOutcome {
  id: string;
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

export interface OfferTransaction extends OutboxWriter {
  /** The request the management token opens, locked for update. */
  lockRequestByToken(tokenHash: string): Promise<OfferRequest | null>;
  /** The request's latest offer (pending or answered), locked for update. */
  lockLatestOffer(requestId: string): Promise<OfferDetails | null>;
  updateOffer(offerId: string, changes: OfferChanges): Promise<void>;
  updateRequest(requestId: string, changes: RequestChanges, now: Date): Promise<void>;
  /** The slot of a declined or withdrawn offer goes back to a draw, after a full collection window from `now`. */
  freeSlot(slotId: string, now: Date): Promise<void>;
  /** The same statement as direct booking (slot open, released, ahead; unique indexes decide races). */
  insertAppointment(appointment: NewAppointment, now: Date): Promise<Appointment | null>;
  /**
   * Pending offers whose deadline passed by `now`, oldest first, with their requests — both
   * locked; rows another transaction holds are skipped (the next sweep takes them).
   */
  lockExpiredOffers(now: Date, limit: number): Promise<{ request: OfferRequest; offer: OfferDetails }[]>;
  /** Bulk form of updateOffer/updateRequest for the sweep. */
  expireOffers(offerIds: string[], now: Date): Promise<void>;
  settleRequests(changes: ({ id: string } & RequestChanges)[], now: Date): Promise<void>;
}

/** What an offer email says. */
export interface OfferNotice {
  offerId: string;
  requestReference: string;
  email: string;
  language: Language;
  givenNames: string;
  surname: string;
  offer: OfferDetails;
  declinedCount: number;
  ignoredCount: number;
}

export interface DrawStore {
  /** Every procedure done at a counter, at every prefecture that has opening rules for it or waiting requests, with its schedule. */
  listScheduledProcedures(): Promise<ScheduledProcedure[]>;
  /** One queue's schedule (defaults when the prefecture set none); null when the queue has nothing to draw. */
  getSchedule(prefectureId: string, procedureId: string): Promise<ScheduledProcedure | null>;
  getProcedure(procedureId: string): Promise<DrawProcedure | null>;
  getPrefectureTimeZone(prefectureId: string): Promise<string | null>;
  drawExists(prefectureId: string, procedureId: string, tick: Date): Promise<boolean>;
  getDraw(drawId: string): Promise<StoredDraw | null>;
  /** Every offer a draw made (whatever became of it), as assignments. */
  drawAssignments(drawId: string): Promise<Assignment[]>;
  /** The request's latest offer with its request, for viewing. */
  findOfferByToken(tokenHash: string): Promise<{ request: OfferRequest; offer: OfferDetails | null } | null>;
  drawTransaction<T>(work: (tx: DrawTransaction) => Promise<T>): Promise<T>;
  offerTransaction<T>(work: (tx: OfferTransaction) => Promise<T>): Promise<T>;
}
