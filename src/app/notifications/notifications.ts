// Which messages each event writes to the outbox, in the event's own transaction: the
// payloads are snapshots of what the message will say (ports/outbox.ts), and the dedupe keys
// name the event, so an event writes its message once however often its transaction is
// retried, and a pending reminder can be found again to cancel or replace it.
import { offersLeft } from '../../domain/offer-rules.ts';
import { reminderDueAt } from '../../domain/outbox-rules.ts';
import type { Appointment } from '../../ports/booking-store.ts';
import type { OfferNotice, OfferRequest } from '../../ports/draw-store.ts';
import {
  type AppointmentNotice,
  type LocalisedName,
  type NewOutboxMessage,
  SECRET_PAYLOAD_KEYS,
} from '../../ports/outbox.ts';
import type { AllocationRequest } from '../../ports/request-store.ts';

export function appointmentNotice(a: Appointment): AppointmentNotice {
  return {
    appointmentId: a.id,
    reference: a.reference,
    givenNames: a.givenNames,
    surname: a.surname,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    timeZone: a.timeZone,
    siteName: a.siteName,
    siteAddress: a.siteAddress,
    procedureName: { fr: a.procedureNameFr, en: a.procedureNameEn },
    sequence: a.rescheduleCount,
    bring: {
      instructions: { fr: a.procedureInstructionsFr, en: a.procedureInstructionsEn },
      identityProof: a.identityProof,
    },
  };
}

/** The reminder of one version of the appointment (each reschedule makes a new version, with its own reminder). */
export const reminderKey = (a: Pick<Appointment, 'id' | 'rescheduleCount'>): string =>
  `appointment-reminder:${a.id}:${a.rescheduleCount}`;

/** The dedupe key of a message's text-message twin: "sms:appointment-reminder:<id>:0". */
export const smsKey = (dedupeKey: string): string => `sms:${dedupeKey}`;

/** A reminder's keys on both channels (what a cancellation, a move or a closure cancels). */
export const reminderKeys = (a: Pick<Appointment, 'id' | 'rescheduleCount'>): string[] => [
  reminderKey(a),
  smsKey(reminderKey(a)),
];

/** What also goes by text message: a confirmation, the reminder, an offer with its deadline, a closure. */
const SMS_KINDS: ReadonlySet<NewOutboxMessage['kind']> = new Set([
  'appointment-booked',
  'offer-confirmed',
  'appointment-reminder',
  'offer-made',
  'appointment-closed',
] as const);

/**
 * The text-message twins of these messages, to `phone` (normalised), for the kinds that go by
 * text message: the same payload without its secrets (a text message never carries the
 * management token: its link is the way back in with the reference), its own dedupe key.
 */
export function textMessageTwins(phone: string | null, messages: readonly NewOutboxMessage[]): NewOutboxMessage[] {
  if (phone === null) return [];
  return messages
    .filter((m) => SMS_KINDS.has(m.kind))
    .map((m) => {
      const payload: Record<string, unknown> = { ...m.payload };
      for (const key of SECRET_PAYLOAD_KEYS) delete payload[key];
      // The payload keeps its kind's shape: only optional secret fields were removed.
      return { ...m, channel: 'sms', recipient: phone, dedupeKey: smsKey(m.dedupeKey), payload } as NewOutboxMessage;
    });
}

const to = (a: Appointment) => ({ recipient: a.email ?? '', language: a.language });
/**
 * The messages by email when there is an address (someone booked by phone or at the counter
 * without one gets none: the agent printed their convocation), and their text-message twins
 * when there is a number.
 */
const reachable = (a: Appointment, messages: NewOutboxMessage[]): NewOutboxMessage[] => [
  ...(a.email === null ? [] : messages),
  ...textMessageTwins(a.phone, messages),
];

/** The text-message reminder of `a` to `phone` (none when its moment has passed or no number). */
export const textReminder = (a: Appointment, phone: string | null, now: Date): NewOutboxMessage[] =>
  textMessageTwins(phone, reminder(a, now));

/** The reminder 48 h before, unless that moment has passed already. */
function reminder(a: Appointment, now: Date): NewOutboxMessage[] {
  const due = reminderDueAt(a.startsAt, now);
  return due
    ? [
        {
          kind: 'appointment-reminder',
          payload: { appointment: appointmentNotice(a) },
          ...to(a),
          dedupeKey: reminderKey(a),
          deliverAfter: due,
        },
      ]
    : [];
}

/** A direct booking: the confirmation (the only message with the management link) and the reminder. */
export function bookedNotifications(a: Appointment, managementToken: string, now: Date): NewOutboxMessage[] {
  return reachable(a, [
    {
      kind: 'appointment-booked',
      payload: { appointment: appointmentNotice(a), managementToken },
      ...to(a),
      dedupeKey: `appointment-booked:${a.id}`,
      deliverAfter: now,
    },
    ...reminder(a, now),
  ]);
}

/** An offer confirmed: the appointment's confirmation (the request's link manages it) and the reminder. */
export function offerConfirmedNotifications(a: Appointment, requestReference: string, now: Date): NewOutboxMessage[] {
  return reachable(a, [
    {
      kind: 'offer-confirmed',
      payload: { appointment: appointmentNotice(a), requestReference },
      ...to(a),
      dedupeKey: `offer-confirmed:${a.id}`,
      deliverAfter: now,
    },
    ...reminder(a, now),
  ]);
}

/** A reschedule: the old version's reminder goes, the new version's confirmation and reminder come. */
export function rescheduledNotifications(
  before: Appointment,
  after: Appointment,
  now: Date,
): { cancel: string[]; enqueue: NewOutboxMessage[] } {
  return {
    cancel: reminderKeys(before),
    enqueue: reachable(after, [
      {
        kind: 'appointment-rescheduled',
        payload: { appointment: appointmentNotice(after), previousStartsAt: before.startsAt.toISOString() },
        ...to(after),
        dedupeKey: `appointment-rescheduled:${after.id}:${after.rescheduleCount}`,
        deliverAfter: now,
      },
      ...reminder(after, now),
    ]),
  };
}

/** A cancellation: its message, and no reminder any more. */
export function cancelledNotifications(a: Appointment, now: Date): { cancel: string[]; enqueue: NewOutboxMessage[] } {
  return {
    cancel: reminderKeys(a),
    enqueue: reachable(a, [
      {
        kind: 'appointment-cancelled',
        payload: { appointment: appointmentNotice(a) },
        ...to(a),
        dedupeKey: `appointment-cancelled:${a.id}`,
        deliverAfter: now,
      },
    ]),
  };
}

/** A request filed: the acknowledgement, the only message with the request's management link. */
export function requestFiledNotification(
  request: AllocationRequest,
  prefectureName: string,
  procedureName: LocalisedName,
  managementToken: string,
  now: Date,
): NewOutboxMessage {
  return {
    kind: 'request-filed',
    payload: {
      requestReference: request.reference,
      givenNames: request.givenNames,
      surname: request.surname,
      procedureName,
      prefectureName,
      managementToken,
    },
    recipient: request.email,
    language: request.language,
    dedupeKey: `request-filed:${request.id}`,
    deliverAfter: now,
  };
}

const leftOf = (left: { declines: number; ignored: number }) => ({
  declinesLeft: left.declines,
  ignoredLeft: left.ignored,
});

/** An offer made by a draw, with its deadline and what answering (or not) does: by email, and by text message when the request has a number. */
export function offerMadeNotifications(notice: OfferNotice, now: Date): NewOutboxMessage[] {
  const email = offerMadeNotification(notice, now);
  return [email, ...textMessageTwins(notice.phone, [email])];
}

/** An offer made by a draw, by email. */
function offerMadeNotification(notice: OfferNotice, now: Date): NewOutboxMessage {
  const { offer } = notice;
  return {
    kind: 'offer-made',
    payload: {
      requestReference: notice.requestReference,
      givenNames: notice.givenNames,
      surname: notice.surname,
      procedureName: { fr: offer.procedure.nameFr, en: offer.procedure.nameEn },
      slot: {
        startsAt: offer.slot.startsAt.toISOString(),
        endsAt: offer.slot.endsAt.toISOString(),
        siteName: offer.slot.siteName,
        siteAddress: offer.slot.siteAddress,
      },
      timeZone: offer.timeZone,
      expiresAt: offer.expiresAt.toISOString(),
      offerHours: offer.procedure.offerHours,
      ...leftOf(offersLeft(notice, offer.procedure)),
    },
    recipient: notice.email,
    language: notice.language,
    dedupeKey: `offer-made:${notice.offerId}`,
    deliverAfter: now,
  };
}

/** A request paused after an unanswered offer, and how to reconfirm it. */
export function requestPausedNotification(
  request: Pick<OfferRequest, 'id' | 'email' | 'language' | 'givenNames' | 'surname' | 'reference'>,
  procedure: { nameFr: string; nameEn: string },
  offerId: string,
  now: Date,
): NewOutboxMessage {
  return {
    kind: 'request-paused',
    payload: {
      requestReference: request.reference,
      givenNames: request.givenNames,
      surname: request.surname,
      procedureName: { fr: procedure.nameFr, en: procedure.nameEn },
    },
    recipient: request.email,
    language: request.language,
    dedupeKey: `request-paused:${offerId}`,
    deliverAfter: now,
  };
}

/** A request closed after too many offers left unanswered (or declined), and how to file again. */
export function requestClosedNotification(
  request: Pick<OfferRequest, 'id' | 'email' | 'language' | 'givenNames' | 'surname' | 'reference'>,
  procedure: { nameFr: string; nameEn: string; maxIgnoredOffers: number },
  now: Date,
): NewOutboxMessage {
  return {
    kind: 'request-closed',
    payload: {
      requestReference: request.reference,
      givenNames: request.givenNames,
      surname: request.surname,
      procedureName: { fr: procedure.nameFr, en: procedure.nameEn },
      maxIgnoredOffers: procedure.maxIgnoredOffers,
    },
    recipient: request.email,
    language: request.language,
    dedupeKey: `request-closed:${request.id}`,
    deliverAfter: now,
  };
}
