// From an outbox row to the message that goes out: the builder of its kind, in its language.
import type { MailMessage } from '../../../ports/mailer.ts';
import type { AppointmentNotice, OutboxContent } from '../../../ports/outbox.ts';
import {
  appointmentBookedMessage,
  appointmentCancelledMessage,
  appointmentReminderMessage,
  appointmentRescheduledMessage,
  offerConfirmedMessage,
} from './appointment-messages.ts';
import { appointmentClosedMessage } from './closure-messages.ts';
import { evidenceHeadMessage } from './evidence-head-message.ts';
import type { RenderContext } from './format.ts';
import {
  offerMadeMessage,
  requestClosedMessage,
  requestFiledMessage,
  requestHeldMessage,
  requestPausedMessage,
  requestRefusedMessage,
} from './request-messages.ts';
import { wayBackInMessage } from './way-back-in-message.ts';

export type { RenderContext } from './format.ts';

export function renderOutboxMessage(content: OutboxContent, ctx: RenderContext): MailMessage {
  switch (content.kind) {
    case 'appointment-booked':
      return appointmentBookedMessage(content.payload, ctx);
    case 'appointment-reminder':
      return appointmentReminderMessage(content.payload, ctx);
    case 'appointment-rescheduled':
      return appointmentRescheduledMessage(content.payload, ctx);
    case 'appointment-cancelled':
      return appointmentCancelledMessage(content.payload, ctx);
    case 'offer-confirmed':
      return offerConfirmedMessage(content.payload, ctx);
    case 'request-filed':
      return requestFiledMessage(content.payload, ctx);
    case 'offer-made':
      return offerMadeMessage(content.payload, ctx);
    case 'request-closed':
      return requestClosedMessage(content.payload, ctx);
    case 'request-paused':
      return requestPausedMessage(content.payload, ctx);
    case 'request-held':
      return requestHeldMessage(content.payload, ctx);
    case 'request-refused':
      return requestRefusedMessage(content.payload, ctx);
    case 'appointment-closed':
      return appointmentClosedMessage(content.payload, ctx);
    case 'evidence-head':
      return evidenceHeadMessage(content.payload, ctx);
    case 'way-back-in':
      return wayBackInMessage(content.payload, ctx);
    default: {
      const unknown: never = content;
      throw new Error(`unknown outbox message kind: ${(unknown as { kind: string }).kind}`);
    }
  }
}

/** The appointment whose convocation (QR code) the message shows, or null. */
export function convocationAppointmentOf(content: OutboxContent): AppointmentNotice | null {
  switch (content.kind) {
    case 'appointment-booked':
    case 'appointment-reminder':
    case 'appointment-rescheduled':
    case 'offer-confirmed':
      return content.payload.appointment;
    default:
      return null;
  }
}
