// The transactional outbox: messages written in the transaction of what they announce, and
// delivered later by a worker (app/notifications/deliver-outbox.ts). Each payload is a snapshot of what the
// message says, taken when the event happened, in JSON (instants as ISO 8601 strings); the
// message itself is rendered at delivery, in the recipient's language (app/notifications/messages/).
import type { IdentityProof } from '../domain/identity.ts';
import type { Language } from '../domain/language.ts';

/** A procedure's name in each language. */
export interface LocalisedName {
  fr: string;
  en: string;
}

/** An appointment as its messages describe it. */
export interface AppointmentNotice {
  appointmentId: string;
  reference: string;
  givenNames: string;
  surname: string;
  startsAt: string;
  endsAt: string;
  /** The prefecture's time zone: every date of the message is local time there. */
  timeZone: string;
  siteName: string;
  siteAddress: string;
  procedureName: LocalisedName;
  /** The calendar event's SEQUENCE: the number of times it was rescheduled. */
  sequence: number;
  /** What to bring (domain/what-to-bring.ts); absent from messages written before it was added. */
  bring?: { instructions: LocalisedName; identityProof: IdentityProof };
}

/** An applicant's request as its messages describe it. */
export interface RequestNotice {
  requestReference: string;
  givenNames: string;
  surname: string;
  procedureName: LocalisedName;
}

export interface OutboxPayloads {
  /** The first message after a booking: the only one that carries the management link. */
  'appointment-booked': { appointment: AppointmentNotice; managementToken?: string };
  'appointment-reminder': { appointment: AppointmentNotice };
  'appointment-rescheduled': { appointment: AppointmentNotice; previousStartsAt: string };
  'appointment-cancelled': { appointment: AppointmentNotice };
  /** The first message after filing a request: the only one that carries the management link. */
  'request-filed': RequestNotice & { prefectureName: string; managementToken?: string };
  'offer-made': RequestNotice & {
    slot: { startsAt: string; endsAt: string; siteName: string; siteAddress: string };
    timeZone: string;
    expiresAt: string;
    offerHours: number;
    /** Declines still allowed (one more closes the request). */
    declinesLeft: number;
    /** Offers that may still go unanswered (the next one closes the request); an unanswered offer pauses it. */
    ignoredLeft: number;
  };
  'offer-confirmed': { appointment: AppointmentNotice; requestReference: string };
  'request-closed': RequestNotice & { maxIgnoredOffers: number };
  /** An offer went unanswered: the request takes part in no draw until its owner reconfirms it. */
  'request-paused': RequestNotice;
  /** Held out of the draws for an agent's check (app/fraud/): it keeps its place; back in the draws by `lapsesAt` at the latest. */
  'request-held': RequestNotice & { lapsesAt: string; timeZone: string };
  /** Refused after an agent's check (app/fraud/decide-hold.ts): closed; how to contest it (the prefecture's phone or counter). */
  'request-refused': RequestNotice & { prefectureName: string };
  /** An appointment cancelled by a closure of its site or counter, and the way back (app/configuration/close-site.ts). */
  'appointment-closed': {
    appointment: AppointmentNotice;
    reason: string;
    wayBack: ClosureWayBack;
    /** The link of the request filed for them ('filed'): a secret, removed once sent. */
    managementToken?: string;
  };
  /** The day's head of the evidence chain, to an outside address that keeps it (app/evidence/publish-evidence-head.ts). */
  'evidence-head': { seq: number; hash: string; day: string; takenAt: string };
  /** Opened again by reference, birth date and email code (app/access/): the new personal link. */
  'way-back-in': {
    target: 'appointment' | 'request';
    reference: string;
    givenNames: string;
    surname: string;
    managementToken?: string;
  };
}

/**
 * What a closure offers the applicants it cancels: a link to book again (direct booking), or
 * their request back in the queue with priority (allocation by draw), or — an allocation-mode
 * appointment not made from a request — the link to file one.
 */
export type ClosureWayBack =
  | { kind: 'rebook'; path: string }
  | { kind: 'requeued'; requestReference: string }
  /** A request filed for them by the closure, at the head of the queue (they had none). */
  | { kind: 'filed'; requestReference: string }
  | { kind: 'request'; path: string };

export type OutboxKind = keyof OutboxPayloads;

/** What a message says: its kind and the matching payload. */
export type OutboxContent = { [K in OutboxKind]: { kind: K; payload: OutboxPayloads[K] } }[OutboxKind];

/** Payload fields that hold secrets: removed from the row once the message is sent, failed or cancelled. */
export const SECRET_PAYLOAD_KEYS = ['managementToken'] as const;

/** How a message goes: an email to an address, or a text message to a phone number (migration 0019). */
export type OutboxChannel = 'email' | 'sms';

export type NewOutboxMessage = OutboxContent & {
  /** 'email' when absent. An SMS's recipient is a normalised number ("0612345678", "+221771234567"). */
  channel?: OutboxChannel;
  recipient: string;
  language: Language;
  /**
   * One message per event: a second message with the same key is not written (an idempotent
   * retry of the transaction). Also how a pending message is found to cancel it.
   */
  dedupeKey: string;
  /** Not before this instant (a reminder); otherwise the enqueueing instant. */
  deliverAfter: Date;
};

/** Writes messages inside the transaction of what they announce (every store's transaction offers it). */
export interface OutboxWriter {
  /** Adds the messages; one whose dedupe key already exists is skipped. */
  enqueueMessages(messages: readonly NewOutboxMessage[], now: Date): Promise<void>;
  /**
   * Adds the messages; one whose key was cancelled is written again with this content and is
   * pending anew (one pending or sent stays as it is). A reminder sent to a new number reuses
   * its key, which the cancellations of a move or a closure name.
   */
  rewriteCancelledMessages(messages: readonly NewOutboxMessage[], now: Date): Promise<void>;
  /** Cancels the messages with these dedupe keys that are still pending; returns how many. */
  cancelMessages(dedupeKeys: readonly string[], now: Date): Promise<number>;
  /** Records numbers (their keyed digests) that want no text message, with the booking or request that gave them. */
  optOutOfTextMessages(phoneKeys: readonly string[], now: Date): Promise<void>;
}

/** A message a worker holds until `claimedUntil`. */
export type ClaimedMessage = OutboxContent & {
  id: string;
  channel: OutboxChannel;
  recipient: string;
  language: Language;
  /** Attempts so far, this one included. */
  attempts: number;
  claimToken: string;
  claimedUntil: Date;
  createdAt: Date;
};

export interface OutboxStore {
  /** Writes messages in a transaction of their own (messages that announce no other write). */
  enqueue(messages: readonly NewOutboxMessage[], now: Date): Promise<void>;
  /**
   * Claims up to `limit` messages due at `now` (pending, due, and not held by another live
   * claim), oldest due first, for `leaseMs`; counts one attempt on each. Concurrent claimers
   * get disjoint sets.
   */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedMessage[]>;
  /**
   * Extends to `now + leaseMs` the lease of those claims that still hold their message (same
   * token, still pending); returns their ids. A live worker calls it while it works, so only
   * a dead worker's claims run out.
   */
  renewClaims(
    claims: readonly Pick<ClaimedMessage, 'id' | 'claimToken'>[],
    now: Date,
    leaseMs: number,
  ): Promise<string[]>;
  /** Marks the message sent, if this claim still holds it; false otherwise (the lease ran out and someone else claimed it). */
  markSent(claim: Pick<ClaimedMessage, 'id' | 'claimToken'>, now: Date): Promise<boolean>;
  /** Releases the claim after a failed attempt: retried at `retryAt`, or 'failed' for good when null. */
  markFailed(
    claim: Pick<ClaimedMessage, 'id' | 'claimToken'>,
    error: string,
    now: Date,
    retryAt: Date | null,
  ): Promise<boolean>;
  /**
   * Gives back claims never tried (a worker stopping mid-batch): the message is due again at
   * once for any worker, and the attempt its claim counted is undone. Returns how many.
   */
  releaseClaims(claims: readonly Pick<ClaimedMessage, 'id' | 'claimToken'>[], now: Date): Promise<number>;
  /** Deletes sent, failed and cancelled messages last changed before `before`; returns how many. */
  purgeFinished(before: Date): Promise<number>;
  /** Calls `listener` after each commit of a transaction that enqueued messages (in this process); returns the unsubscribe function. */
  onCommitted(listener: () => void): () => void;
}
