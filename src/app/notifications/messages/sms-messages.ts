// The text messages: a confirmation, the reminder 48 h before, an offer with its deadline, a
// closure. Each is short (at most two segments: domain/sms-rules.ts), in the person's
// language, and carries the way back in with the reference (/manage/find?reference=…), never
// a management token: a text message is read on a lock screen and kept by the operator.
//
// Written in GSM-7 (an accent outside it dropped: 306 characters rather than 134). When the
// place's full address would make the text too long, it is dropped (the site's name stays),
// then the site's name is shortened: e.g. fr "Créneau : rendez-vous confirmé le 8 juin à
// 09h00, Préfecture de Bobigny. Réf. K7QM-2P4X. Votre rendez-vous : https://…/manage/find?reference=K7QM-2P4X
// Répondez STOP pour ne plus en recevoir."
import type { TFunction } from 'i18next';
import type { Language } from '../../../domain/language.ts';
import { fitsInTwoSegments, toGsm7 } from '../../../domain/sms-rules.ts';
import type { OutboxContent } from '../../../ports/outbox.ts';
import { emailText, findUrl, shortDateTime } from './format.ts';

export interface SmsRenderContext {
  language: Language;
  publicUrl: string;
}

interface Place {
  siteName: string;
  siteAddress: string;
}

/**
 * The first version of `build(place)` that fits, in GSM-7 (toGsm7): with the site's name and
 * address, with its name alone, then with its name shortened word by word.
 */
function fitted(t: TFunction, place: Place, build: (place: string) => string): string {
  const stop = t('sms.stop');
  const words = place.siteName.split(/\s+/);
  const candidates = [
    `${place.siteName}, ${place.siteAddress}`,
    ...words.map((_, i) => words.slice(0, words.length - i).join(' ')),
  ];
  let text = '';
  for (const candidate of candidates) {
    text = toGsm7(build(candidate) + stop);
    if (fitsInTwoSegments(text)) return text;
  }
  return text;
}

/** The text of an outbox row of the 'sms' channel; null for a kind that never goes by text message. */
export function renderSmsText(content: OutboxContent, ctx: SmsRenderContext): string | null {
  const t = emailText(ctx.language);
  switch (content.kind) {
    case 'appointment-booked':
    case 'offer-confirmed':
    case 'appointment-reminder': {
      const a = content.payload.appointment;
      const key = content.kind === 'appointment-reminder' ? 'sms.reminder' : 'sms.booked';
      return fitted(t, a, (place) =>
        t(key, {
          date: shortDateTime(t, a.startsAt, a.timeZone),
          place,
          reference: a.reference,
          link: findUrl(ctx.publicUrl, a.reference),
        }),
      );
    }
    case 'offer-made': {
      const p = content.payload;
      return fitted(t, p.slot, (place) =>
        t('sms.offer', {
          date: shortDateTime(t, p.slot.startsAt, p.timeZone),
          place,
          deadline: shortDateTime(t, p.expiresAt, p.timeZone),
          link: findUrl(ctx.publicUrl, p.requestReference),
        }),
      );
    }
    case 'appointment-closed': {
      const { appointment: a, wayBack } = content.payload;
      const reference =
        wayBack.kind === 'requeued' || wayBack.kind === 'filed' ? wayBack.requestReference : a.reference;
      return fitted(t, a, (place) =>
        t('sms.closed', {
          date: shortDateTime(t, a.startsAt, a.timeZone),
          place,
          link: findUrl(ctx.publicUrl, reference),
        }),
      );
    }
    default:
      return null;
  }
}
