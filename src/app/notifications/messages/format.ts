// What every message shares: the translation of the applicant's language, dates in the
// prefecture's time zone written the way that language writes them, the procedure's name,
// and the personal management link.
import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import type { Language } from '../../../domain/language.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { MailAttachment, MailMessage } from '../../../ports/mailer.ts';
import type { LocalisedName } from '../../../ports/outbox.ts';
import { type Block, composeMail } from './compose.ts';

/** The email namespace (src/i18n/locales/<language>/email.json) in one language. */
export const emailText = (language: Language): TFunction => translator(language, 'email');

function local(t: TFunction, instant: string | Date, timeZone: string): DateTime {
  return DateTime.fromJSDate(new Date(instant), { zone: timeZone }).setLocale(t('format.locale'));
}

/**
 * A full local date and time with the zone named, since a message may be read elsewhere
 * (Guyane's prefecture from Paris). fr: "lundi 8 juin 2026 à 09h00 (heure locale, Europe/Paris)",
 * en: "Monday 8 June 2026 at 09:00 (local time, Europe/Paris)".
 */
export function localDateTime(t: TFunction, instant: string | Date, timeZone: string): string {
  return t('format.localTime', { when: local(t, instant, timeZone).toFormat(t('format.dateTime')), zone: timeZone });
}

/** A short local date and time for subjects. fr: "8 juin à 09h00", en: "8 June at 09:00". */
export function shortDateTime(t: TFunction, instant: string | Date, timeZone: string): string {
  return local(t, instant, timeZone).toFormat(t('format.shortDateTime'));
}

export const nameIn = (name: LocalisedName, language: Language): string => name[language];

/** The page that opens an appointment or request with its management token (only the first message carries it). */
export function manageUrl(publicUrl: string, managementToken: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/manage/open?token=${encodeURIComponent(managementToken)}`;
}

/**
 * The way back in with the reference filled in (/manage/find, http/pages/way-back-in.ts): the
 * link of every message written without the management token (a draw, a reminder, a closure).
 * The reference alone opens nothing; on a device that holds the link already it goes straight in.
 */
export function findUrl(publicUrl: string, reference: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/manage/find?reference=${encodeURIComponent(reference)}`;
}

/** A message to one applicant, by name: greeting, the blocks, signature; with the row's Message-ID. */
export function letterTo(
  t: TFunction,
  ctx: RenderContext,
  person: { givenNames: string; surname: string },
  mail: { subject: string; blocks: Block[]; attachments?: MailAttachment[] },
): MailMessage {
  return composeMail({
    to: ctx.to,
    language: ctx.language,
    messageId: ctx.messageId,
    subject: mail.subject,
    blocks: [
      { p: t('greeting', { givenNames: person.givenNames, surname: person.surname }) },
      ...mail.blocks,
      { p: t('signature') },
    ],
    ...(mail.attachments ? { attachments: mail.attachments } : {}),
  });
}

/** What rendering needs besides the message's own payload. */
export interface RenderContext {
  to: string;
  language: Language;
  /** The Message-ID, the same at every attempt (domain/outbox-rules.ts). */
  messageId: string;
  /** When the message was written (the event's time): the calendar's DTSTAMP. */
  writtenAt: Date;
  /** Where Créneau is reached from outside: the base of every link. */
  publicUrl: string;
  /** The calendar event's organiser (the sender's address). */
  organizer: { name: string; email: string };
  /** The signed convocation of the appointment, for the messages that show it. */
  convocation: { shortCode: string; qrPng: Buffer } | null;
}
