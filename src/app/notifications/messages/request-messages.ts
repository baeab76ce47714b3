// The messages about an appointment request allocated by draws: filed (the first message,
// the only one with the management link), an offer with its deadline, and the closure of a
// request after too many offers left unanswered or declined.
import { CONFIRMATION_CUTOFF_MS } from '../../../domain/offer-rules.ts';
import type { MailMessage } from '../../../ports/mailer.ts';
import type { OutboxPayloads } from '../../../ports/outbox.ts';
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

const HOURS = (ms: number) => Math.round(ms / 3_600_000);

export function requestFiledMessage(p: OutboxPayloads['request-filed'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  return letterTo(t, ctx, p, {
    subject: t('requestFiled.subject', { reference: p.requestReference }),
    blocks: [
      {
        p: t('requestFiled.intro', {
          procedure: nameIn(p.procedureName, ctx.language),
          prefecture: p.prefectureName,
          reference: p.requestReference,
        }),
      },
      { p: t('requestFiled.howItWorks') },
      ...(p.managementToken
        ? [
            { p: t('manage.requestLink') },
            { link: manageUrl(ctx.publicUrl, p.managementToken), label: t('manage.requestLabel') },
          ]
        : []),
      { p: t('requestFiled.free') },
    ],
  });
}

export function offerMadeMessage(p: OutboxPayloads['offer-made'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  const deadline = localDateTime(t, p.expiresAt, p.timeZone);
  return letterTo(t, ctx, p, {
    subject: t('offer.subject', { deadline: shortDateTime(t, p.expiresAt, p.timeZone) }),
    blocks: [
      { p: t('offer.intro', { reference: p.requestReference, procedure: nameIn(p.procedureName, ctx.language) }) },
      { lines: [localDateTime(t, p.slot.startsAt, p.timeZone), `${p.slot.siteName}, ${p.slot.siteAddress}`] },
      { p: t('offer.answerBefore', { deadline }) },
      { p: t('offer.howToAnswer') },
      { link: findUrl(ctx.publicUrl, p.requestReference), label: t('offer.answerLabel') },
      {
        list: [
          t('offer.confirm'),
          t('offer.decline', { count: p.declinesLeft }),
          t('offer.extend', { hours: p.offerHours, cutoff: HOURS(CONFIRMATION_CUTOFF_MS) }),
        ],
      },
      { p: t('offer.noAnswer', { count: p.ignoredLeft }) },
      { p: t('nominative') },
    ],
  });
}

export function requestPausedMessage(p: OutboxPayloads['request-paused'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  return letterTo(t, ctx, p, {
    subject: t('requestPaused.subject', { reference: p.requestReference }),
    blocks: [
      {
        p: t('requestPaused.intro', {
          reference: p.requestReference,
          procedure: nameIn(p.procedureName, ctx.language),
        }),
      },
      { p: t('requestPaused.reconfirm') },
      { link: findUrl(ctx.publicUrl, p.requestReference), label: t('requestPaused.label') },
      { p: t('requestClosed.offline') },
    ],
  });
}

export function requestClosedMessage(p: OutboxPayloads['request-closed'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  return letterTo(t, ctx, p, {
    subject: t('requestClosed.subject', { reference: p.requestReference }),
    blocks: [
      {
        p: t('requestClosed.intro', {
          reference: p.requestReference,
          procedure: nameIn(p.procedureName, ctx.language),
          count: p.maxIgnoredOffers,
        }),
      },
      { p: t('requestClosed.slotsReturned') },
      { p: t('requestClosed.fileAgain') },
      { link: ctx.publicUrl, label: t('requestClosed.againLabel') },
      { p: t('requestClosed.preferences') },
      { p: t('requestClosed.offline') },
    ],
  });
}

/** Held for a check: the same words for everyone (nothing says which signal), the place kept, the latest date back. */
export function requestHeldMessage(p: OutboxPayloads['request-held'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  return letterTo(t, ctx, p, {
    subject: t('requestHeld.subject', { reference: p.requestReference }),
    blocks: [
      {
        p: t('requestHeld.intro', { reference: p.requestReference, procedure: nameIn(p.procedureName, ctx.language) }),
      },
      { p: t('requestHeld.place') },
      { p: t('requestHeld.latest', { date: localDateTime(t, p.lapsesAt, p.timeZone) }) },
      { link: findUrl(ctx.publicUrl, p.requestReference), label: t('requestHeld.label') },
    ],
  });
}

/** Refused after a check: closed, and how to contest it (by phone or at the counter). */
export function requestRefusedMessage(p: OutboxPayloads['request-refused'], ctx: RenderContext): MailMessage {
  const t = emailText(ctx.language);
  return letterTo(t, ctx, p, {
    subject: t('requestRefused.subject', { reference: p.requestReference }),
    blocks: [
      {
        p: t('requestRefused.intro', {
          reference: p.requestReference,
          procedure: nameIn(p.procedureName, ctx.language),
        }),
      },
      { p: t('requestRefused.contest', { prefecture: p.prefectureName }) },
    ],
  });
}
