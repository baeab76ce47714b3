// The messages about one appointment: booked (directly or by confirming an offer), reminded,
// rescheduled, cancelled. Each says where and when in the site's local time, carries the
// calendar event (added, updated or cancelled), and — while the appointment stands — the
// convocation's QR code and short code. Only the first message after a booking carries the
// management link: the token is known in plain text at that moment only.
import type { TFunction } from 'i18next';
import { whatToBring } from '../../../domain/what-to-bring.ts';
import type { MailAttachment, MailMessage } from '../../../ports/mailer.ts';
import type { AppointmentNotice, OutboxPayloads } from '../../../ports/outbox.ts';
import { appointmentCalendar } from './calendar.ts';
import type { Block } from './compose.ts';
import {
  emailText,
  findUrl,
  letterTo,
  localDateTime,
  manageUrl,
  nameIn,
  type RenderContext,
  shortDateTime,
} from './format.ts';

/**
 * What to bring, the procedure's own list (domain/what-to-bring.ts); a message written before the
 * list was in the payload says the general rule.
 */
function bringBlocks(t: TFunction, ctx: RenderContext, a: AppointmentNotice): Block[] {
  if (!a.bring) return [{ p: t('reminder.bring') }];
  const { title, items } = whatToBring(
    { instructions: nameIn(a.bring.instructions, ctx.language), identityProof: a.bring.identityProof },
    t,
  );
  return [{ p: title }, { list: items }];
}

const QR_CID = 'convocation-qr@creneau';
const QR_WIDTH = 240;

function whereAndWhen(t: TFunction, ctx: RenderContext, a: AppointmentNotice): Block {
  return {
    lines: [
      localDateTime(t, a.startsAt, a.timeZone),
      `${a.siteName}, ${a.siteAddress}`,
      nameIn(a.procedureName, ctx.language),
    ],
  };
}

function calendarFile(
  t: TFunction,
  ctx: RenderContext,
  a: AppointmentNotice,
  method: 'REQUEST' | 'CANCEL',
  sequence: number,
): MailAttachment {
  const content = appointmentCalendar({
    appointment: a,
    method,
    sequence,
    summary: t('calendar.summary', { procedure: nameIn(a.procedureName, ctx.language) }),
    description: t('calendar.description', { reference: a.reference }),
    stamp: ctx.writtenAt,
    organizer: ctx.organizer,
    attendee: { name: `${a.givenNames} ${a.surname}`, email: ctx.to },
  });
  return { filename: t('calendar.filename'), content, contentType: `text/calendar; charset=utf-8; method=${method}` };
}

/** The QR code (inline image) and the short code, when the convocation was issued for this message. */
function convocation(t: TFunction, ctx: RenderContext): { blocks: Block[]; attachments: MailAttachment[] } {
  if (!ctx.convocation) return { blocks: [], attachments: [] };
  return {
    blocks: [
      { p: t('convocation.intro') },
      { image: QR_CID, alt: t('convocation.alt'), width: QR_WIDTH },
      { p: t('convocation.shortCode', { shortCode: ctx.convocation.shortCode }) },
    ],
    attachments: [
      { filename: 'convocation.png', content: ctx.convocation.qrPng, contentType: 'image/png', cid: QR_CID },
    ],
  };
}

interface AppointmentMail {
  subject: string;
  intro: Block[];
  /** Between the convocation and the closing lines. */
  body?: Block[];
  manage: Block[];
  calendar?: { method: 'REQUEST' | 'CANCEL'; sequence: number };
  withConvocation: boolean;
}

function appointmentMail(t: TFunction, ctx: RenderContext, a: AppointmentNotice, mail: AppointmentMail): MailMessage {
  const shown = mail.withConvocation ? convocation(t, ctx) : { blocks: [], attachments: [] };
  const calendar = mail.calendar ? [calendarFile(t, ctx, a, mail.calendar.method, mail.calendar.sequence)] : [];
  return letterTo(t, ctx, a, {
    subject: mail.subject,
    blocks: [
      ...mail.intro,
      ...shown.blocks,
      ...(calendar.length && mail.calendar?.method === 'REQUEST' ? [{ p: t('convocation.calendar') }] : []),
      ...(mail.body ?? []),
      ...mail.manage,
      ...(mail.calendar?.method === 'CANCEL' ? [] : [{ p: t('nominative') }]),
    ],
    attachments: [...shown.attachments, ...calendar],
  });
}

const subjectDate = (t: TFunction, a: AppointmentNotice) => ({
  date: shortDateTime(t, a.startsAt, a.timeZone),
  reference: a.reference,
});

/**
 * The link that manages the appointment: the personal one (first message only), otherwise the
 * way back in with the reference filled in (straight to the appointment on a device that holds it).
 */
function manageBlocks(t: TFunction, ctx: RenderContext, a: AppointmentNotice, managementToken?: string): Block[] {
  if (!managementToken)
    return [
      { p: t('manage.byReference', { reference: a.reference }) },
      { link: findUrl(ctx.publicUrl, a.reference), label: t('manage.appointmentLabel') },
    ];
  return [
    { p: t('manage.appointmentLink') },
    { link: manageUrl(ctx.publicUrl, managementToken), label: t('manage.appointmentLabel') },
  ];
}

/** An appointment that is now the applicant's: booked directly, or an offer confirmed. */
function confirmationMail(
  t: TFunction,
  ctx: RenderContext,
  a: AppointmentNotice,
  intro: string,
  manage: Block[],
): MailMessage {
  return appointmentMail(t, ctx, a, {
    subject: t('booked.subject', subjectDate(t, a)),
    intro: [{ p: intro }, whereAndWhen(t, ctx, a)],
    body: bringBlocks(t, ctx, a),
    manage,
    calendar: { method: 'REQUEST', sequence: a.sequence },
    withConvocation: true,
  });
}

export function appointmentBookedMessage(p: OutboxPayloads['appointment-booked'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  const a = p.appointment;
  return confirmationMail(
    t,
    ctx,
    a,
    t('booked.intro', { reference: a.reference }),
    manageBlocks(t, ctx, a, p.managementToken),
  );
}

export function offerConfirmedMessage(p: OutboxPayloads['offer-confirmed'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  const a = p.appointment;
  return confirmationMail(
    t,
    ctx,
    a,
    t('offerConfirmed.intro', { requestReference: p.requestReference, reference: a.reference }),
    manageBlocks(t, ctx, a),
  );
}

export function appointmentReminderMessage(p: OutboxPayloads['appointment-reminder'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  const a = p.appointment;
  return appointmentMail(t, ctx, a, {
    subject: t('reminder.subject', subjectDate(t, a)),
    intro: [{ p: t('reminder.intro', { reference: a.reference }) }, whereAndWhen(t, ctx, a)],
    body: [...bringBlocks(t, ctx, a), { p: t('reminder.cannotCome') }],
    manage: manageBlocks(t, ctx, a),
    withConvocation: true,
  });
}

export function appointmentRescheduledMessage(
  p: OutboxPayloads['appointment-rescheduled'],
  ctx: RenderContext,
): MailMessage {
  const t = emailText(ctx.language);
  const a = p.appointment;
  return appointmentMail(t, ctx, a, {
    subject: t('rescheduled.subject', subjectDate(t, a)),
    intro: [
      {
        p: t('rescheduled.intro', {
          reference: a.reference,
          previous: localDateTime(t, p.previousStartsAt, a.timeZone),
        }),
      },
      whereAndWhen(t, ctx, a),
      { p: t('rescheduled.convocation') },
    ],
    body: bringBlocks(t, ctx, a),
    manage: manageBlocks(t, ctx, a),
    calendar: { method: 'REQUEST', sequence: a.sequence },
    withConvocation: true,
  });
}

export function appointmentCancelledMessage(
  p: OutboxPayloads['appointment-cancelled'],
  ctx: RenderContext,
): MailMessage {
  const t = emailText(ctx.language);
  const a = p.appointment;
  return appointmentMail(t, ctx, a, {
    subject: t('cancelled.subject', { reference: a.reference }),
    intro: [
      {
        p: t('cancelled.intro', {
          when: localDateTime(t, a.startsAt, a.timeZone),
          reference: a.reference,
          site: `${a.siteName}, ${a.siteAddress}`,
        }),
      },
      { p: t('cancelled.freed') },
    ],
    manage: [{ p: t('cancelled.again') }, { link: ctx.publicUrl, label: t('cancelled.againLabel') }],
    // A cancellation outranks every version of the event sent before it.
    calendar: { method: 'CANCEL', sequence: a.sequence + 1 },
    withConvocation: false,
  });
}
