// The messages of the allocation: an offer, its confirmation, and the closure of a request.
// Bilingual like the code message (send-email-code.ts): French first, then English. Dates
// and times are the prefecture's local time, with the zone named, since an applicant may
// read the message elsewhere (e.g. Guyane's prefecture from Paris).
import { DateTime } from 'luxon';
import { CONFIRMATION_CUTOFF_MS, FREE_DECLINES, remainingStrikes } from '../domain/offer-rules.ts';
import type { Appointment } from '../ports/booking-store.ts';
import type { OfferDetails, OfferNotice, OfferRequest } from '../ports/draw-store.ts';
import type { MailMessage } from '../ports/mailer.ts';

const HOURS = (ms: number) => Math.round(ms / 3_600_000);

function when(instant: Date, timeZone: string, language: 'fr' | 'en'): string {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  return language === 'fr'
    ? `${local.setLocale('fr').toFormat("cccc d LLLL yyyy 'à' HH'h'mm")} (heure locale, ${timeZone})`
    : `${local.setLocale('en-GB').toFormat("cccc d LLLL yyyy 'at' HH:mm")} (local time, ${timeZone})`;
}

/** The offer of a slot: where, when, until when to answer, and how. */
export function offerMessage(notice: OfferNotice): MailMessage {
  const { offer } = notice;
  const tz = offer.timeZone;
  const left = remainingStrikes(notice, offer.procedure.maxIgnoredOffers);
  const freeDeclineLeft = notice.declinedCount < FREE_DECLINES;
  const text = [
    `Bonjour ${notice.givenNames} ${notice.surname},`,
    '',
    `Un rendez-vous vous est proposé pour votre demande ${notice.requestReference} (${offer.procedure.nameFr}) :`,
    `  ${when(offer.slot.startsAt, tz, 'fr')}`,
    `  ${offer.slot.siteName}, ${offer.slot.siteAddress}`,
    '',
    `Répondez avant le ${when(offer.expiresAt, tz, 'fr')}.`,
    'Sur Créneau, avec le jeton de gestion reçu lors du dépôt de votre demande, vous pouvez :',
    '  - confirmer : le rendez-vous est à vous et votre convocation est disponible ;',
    `  - refuser : le créneau revient au prochain tirage${freeDeclineLeft ? ' et votre demande garde sa place' : ''} ;`,
    `  - prolonger le délai une fois, de ${offer.procedure.offerHours} heures de plus (au plus tard ${HOURS(CONFIRMATION_CUTOFF_MS)} heures avant le rendez-vous).`,
    `Sans réponse dans le délai, le créneau revient au prochain tirage. Votre demande est close après ${left} proposition(s) de plus restée(s) sans réponse${freeDeclineLeft ? '' : ' ou refusée(s)'}.`,
    '',
    'Ce rendez-vous est nominatif : votre identité sera vérifiée au guichet. Personne ne peut vous le vendre ni le prendre à votre place.',
    '',
    '— English below —',
    '',
    `Hello ${notice.givenNames} ${notice.surname},`,
    '',
    `An appointment is offered for your request ${notice.requestReference} (${offer.procedure.nameEn}):`,
    `  ${when(offer.slot.startsAt, tz, 'en')}`,
    `  ${offer.slot.siteName}, ${offer.slot.siteAddress}`,
    '',
    `Answer before ${when(offer.expiresAt, tz, 'en')}.`,
    'On Créneau, with the management token you received when you filed your request, you can:',
    '  - confirm: the appointment is yours and your convocation is available;',
    `  - decline: the slot goes back to the next draw${freeDeclineLeft ? ' and your request keeps its place' : ''};`,
    `  - extend the deadline once, by ${offer.procedure.offerHours} more hours (at the latest ${HOURS(CONFIRMATION_CUTOFF_MS)} hours before the appointment).`,
    `Without an answer in time, the slot goes back to the next draw. Your request is closed after ${left} more offer(s) left unanswered${freeDeclineLeft ? '' : ' or declined'}.`,
    '',
    'This appointment is in your name: your identity is checked at the counter. Nobody can sell it to you or take it in your place.',
    '',
    'Créneau',
  ].join('\n');
  return {
    to: notice.email,
    subject: `Rendez-vous proposé, répondez avant le ${DateTime.fromJSDate(offer.expiresAt, { zone: tz }).toFormat('dd/LL HH:mm')} / Appointment offered, answer by ${DateTime.fromJSDate(offer.expiresAt, { zone: tz }).setLocale('en-GB').toFormat('d LLL HH:mm')}`,
    text,
  };
}

/** The confirmation: the appointment and where to find the convocation. */
export function offerConfirmedMessage(request: OfferRequest, offer: OfferDetails, appointment: Appointment): MailMessage {
  const tz = offer.timeZone;
  const text = [
    `Bonjour ${request.givenNames} ${request.surname},`,
    '',
    `Votre rendez-vous est confirmé (référence ${appointment.reference}) :`,
    `  ${when(appointment.startsAt, tz, 'fr')}`,
    `  ${offer.slot.siteName}, ${offer.slot.siteAddress}`,
    '',
    'Votre convocation nominative (code QR) est sur Créneau, avec le même jeton de gestion que votre demande. Présentez-la avec votre pièce d\'identité.',
    '',
    '— English below —',
    '',
    `Hello ${request.givenNames} ${request.surname},`,
    '',
    `Your appointment is confirmed (reference ${appointment.reference}):`,
    `  ${when(appointment.startsAt, tz, 'en')}`,
    `  ${offer.slot.siteName}, ${offer.slot.siteAddress}`,
    '',
    'Your convocation (QR code) is on Créneau, with the same management token as your request. Bring it with your identity document.',
    '',
    'Créneau',
  ].join('\n');
  return { to: request.email, subject: `Rendez-vous confirmé / Appointment confirmed: ${appointment.reference}`, text };
}

/** The closure of a request after too many offers left unanswered (or declined), and how to file again. */
export function requestClosedMessage(request: Pick<OfferRequest, 'email' | 'givenNames' | 'surname' | 'reference'>, procedure: { nameFr: string; nameEn: string }, maxIgnoredOffers: number): MailMessage {
  const text = [
    `Bonjour ${request.givenNames} ${request.surname},`,
    '',
    `Votre demande ${request.reference} (${procedure.nameFr}) est close : ${maxIgnoredOffers} proposition(s) de rendez-vous sont restées sans réponse ou ont été refusées.`,
    'Les créneaux proposés sont revenus aux tirages suivants, pour d\'autres personnes qui attendent.',
    '',
    'Pour obtenir un rendez-vous, déposez une nouvelle demande sur Créneau (votre adresse électronique sera de nouveau vérifiée).',
    'Indiquez les sites, jours et demi-journées où vous pouvez vraiment vous présenter : vous ne recevrez que des propositions qui y correspondent.',
    'Si vous ne pouvez pas utiliser Créneau, appelez la préfecture ou présentez-vous à l\'accueil : un agent déposera la demande pour vous.',
    '',
    '— English below —',
    '',
    `Hello ${request.givenNames} ${request.surname},`,
    '',
    `Your request ${request.reference} (${procedure.nameEn}) is closed: ${maxIgnoredOffers} appointment offer(s) were left unanswered or declined.`,
    'The offered slots went back to the next draws, for other people who are waiting.',
    '',
    'To get an appointment, file a new request on Créneau (your email address will be verified again).',
    'Give the sites, days and half-days when you can really come: you will only be offered slots that match them.',
    'If you cannot use Créneau, call the prefecture or come to its reception desk: an agent will file the request for you.',
    '',
    'Créneau',
  ].join('\n');
  return { to: request.email, subject: `Demande close, comment en déposer une nouvelle / Request closed, how to file again: ${request.reference}`, text };
}
