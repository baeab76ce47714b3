// What the fraud signals and their review need from storage (issue 16 §3, domain/fraud-signals.ts).
//   * FraudSignals: bound to the transaction of an event (a filing, a booking, a withdrawal,
//     an ignored offer, a counter outcome): the counts of RequestFacts, each over the window
//     RequestFacts documents, and the score written back with its observation;
//   * FraudStore: the supervisors' review (list, case, decisions, signals over time).
// A decision is one conditional UPDATE "where review_state = 'held'": of two agents, one wins.

import type {
  FraudEvent,
  FraudReason,
  FraudSignalKind,
  HoldDecision,
  RequestFacts,
  ReviewState,
} from '../domain/fraud-signals.ts';
import type { Language } from '../domain/language.ts';
import type { RequestStatus } from '../domain/request-rules.ts';
import type { AuditWriter } from './audit-trail.ts';
import type { LocalisedName, OutboxWriter } from './outbox.ts';

/** A request as its scoring sees it, locked for the rest of the transaction. */
export interface ScoredRequest {
  id: string;
  reference: string;
  prefectureId: string;
  prefectureName: string;
  timeZone: string;
  status: RequestStatus;
  reviewState: ReviewState;
  clearedKinds: FraudSignalKind[];
  lapsesAt: Date | null;
  /** The score last written (0 for a new request). */
  fraudScore: number;
  email: string;
  language: Language;
  givenNames: string;
  surname: string;
  procedureName: LocalisedName;
}

export interface ScoreWrite {
  event: FraudEvent;
  at: Date;
  score: number;
  reasons: FraudReason[];
  /** Held by this score: from `at` until `lapsesAt`. */
  hold: { lapsesAt: Date } | null;
}

/** What shares something with a request or appointment: the live requests to score again after a counter outcome or a churn. */
export interface Sharing {
  identityKey: string;
  emailKey?: string | null;
  phone?: string | null;
  network?: string | null;
}

/** What a filing or a booking keeps for the signals (app/fraud/filing-signals.ts). */
export interface FilingSignals {
  network: string | null;
  deviceDigest: string | null;
  emailDomain: string | null;
}

export interface FraudSignals {
  /** The counts of one request as of `now`. */
  requestFacts(requestId: string, now: Date): Promise<RequestFacts>;
  /** The same counts for an appointment (its identity document, email, phone, network, device). */
  appointmentFacts(appointmentId: string, now: Date): Promise<RequestFacts>;
  /** The request, locked; null when unknown. */
  lockScoredRequest(requestId: string): Promise<ScoredRequest | null>;
  /** The score (and the hold, if any) written on the request, and its observation when above zero. */
  recordRequestScore(requestId: string, write: ScoreWrite): Promise<void>;
  /** The appointment's score, and its observation when above zero (an appointment is flagged, never held). */
  recordAppointmentScore(appointmentId: string, write: Omit<ScoreWrite, 'hold'>): Promise<void>;
  /** What a request or appointment shares with others (its document, email, phone, network); null when unknown. */
  sharingOf(kind: 'request' | 'appointment', id: string): Promise<Sharing | null>;
  /** Live requests (waiting, offered, paused) sharing the identity document, email, phone or network. */
  liveRequestsSharing(sharing: Sharing): Promise<string[]>;
}

/** One line of the review list: a held request (or a cleared / refused one, or a flagged appointment). */
export interface ReviewItem {
  kind: 'request' | 'appointment';
  id: string;
  reference: string;
  prefectureId: string;
  timeZone: string;
  surname: string;
  givenNames: string;
  score: number;
  reasons: FraudReason[];
  /** Requests only ('none' for an appointment). */
  reviewState: ReviewState;
  heldAt: Date | null;
  lapsesAt: Date | null;
  /** When it was filed or booked. */
  since: Date;
  status: string;
  decidedAt: Date | null;
  decidedByName: string | null;
  decisionReason: string | null;
}

export interface ReviewListQuery {
  prefectureId: string;
  now: Date;
  /** Decided, lapsed and flagged ones since this instant. */
  since: Date;
  limit: number;
  /** Appointments at or above this score are listed (the hold score: an appointment is flagged, never held). */
  flagScore: number;
}

/** A record sharing something with the case. */
export interface RelatedRecord {
  kind: 'request' | 'appointment';
  id: string;
  reference: string;
  surname: string;
  givenNames: string;
  status: string;
  at: Date;
  /** What it shares with the case. */
  shares: ('identity' | 'network' | 'email_domain' | 'phone' | 'device' | 'names')[];
}

export interface Observation {
  at: Date;
  event: FraudEvent;
  score: number;
  reasons: FraudReason[];
  held: boolean;
}

export interface FraudCase extends ReviewItem {
  email: string | null;
  network: string | null;
  emailDomain: string | null;
  phone: string | null;
  birthDate: string;
  procedureName: LocalisedName;
  clearedKinds: FraudSignalKind[];
  observations: Observation[];
  related: RelatedRecord[];
}

export interface SignalDay {
  /** Local day of the prefecture, YYYY-MM-DD. */
  day: string;
  /** Requests and appointments that scored above zero that day (distinct); every day of the window is listed, 0 when nothing. */
  flagged: number;
  /** Requests held that day. */
  held: number;
}

export interface HoldDecisionWrite {
  requestId: string;
  decision: HoldDecision;
  agentId: string | null;
  at: Date;
  reason: string;
  clearedKinds: FraudSignalKind[];
}

export interface FraudTransaction extends FraudSignals, AuditWriter, OutboxWriter {
  /** Applies the decision if the request is still held (a refusal closes it and withdraws its pending offer); false otherwise. */
  decide(write: HoldDecisionWrite): Promise<boolean>;
  /** Holds of the prefecture that lapsed by `now`, turned into clearances (by nobody, reason "lapsed"): the ones noted. */
  noteLapses(
    prefectureId: string | null,
    now: Date,
  ): Promise<{ id: string; prefectureId: string; reference: string; lapsesAt: Date }[]>;
}

export interface FraudStore {
  transaction<T>(work: (tx: FraudTransaction) => Promise<T>): Promise<T>;
  reviewList(query: ReviewListQuery): Promise<ReviewItem[]>;
  findCase(kind: 'request' | 'appointment', id: string): Promise<FraudCase | null>;
  signalsOverTime(prefectureId: string, from: Date, to: Date): Promise<SignalDay[]>;
}
