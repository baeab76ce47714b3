// The text messages as they go out: each kind in both languages, the way back in by
// reference, no token, at most two segments even with a long site name and address; and
// which messages get an SMS twin (an offer's, with its own dedupe key).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSmsText } from '../../src/app/notifications/messages/sms-messages.ts';
import { offerMadeNotifications, textMessageTwins } from '../../src/app/notifications/notifications.ts';
import type { Language } from '../../src/domain/language.ts';
import { fitsInTwoSegments, smsLength } from '../../src/domain/sms-rules.ts';
import type { AppointmentNotice, OutboxContent } from '../../src/ports/outbox.ts';

const URL = 'https://rdv.example.gouv.fr';
const appointment: AppointmentNotice = {
  appointmentId: '00000000-0000-4000-8000-000000000001',
  reference: 'K7QM-2P4X',
  givenNames: 'Aminata',
  surname: 'Diallo',
  startsAt: '2026-06-08T07:00:00.000Z',
  endsAt: '2026-06-08T07:30:00.000Z',
  timeZone: 'Europe/Paris',
  siteName: 'Préfecture de la Seine-Saint-Denis',
  siteAddress: '1 esplanade Jean Moulin, 93000 Bobigny',
  procedureName: { fr: 'Titre de séjour', en: 'Residence permit' },
  sequence: 0,
};
const long = {
  ...appointment,
  siteName: `Sous-préfecture ${'de Saint-Denis '.repeat(12)}`.trim(),
  siteAddress: `${'Boulevard très long '.repeat(10)}93200 Saint-Denis`,
};
const offer = (slot: { siteName: string; siteAddress: string }): OutboxContent => ({
  kind: 'offer-made',
  payload: {
    requestReference: 'R7QM-2P4X',
    givenNames: 'Awa',
    surname: 'Sow',
    procedureName: { fr: 'Naturalisation', en: 'Naturalisation' },
    slot: { startsAt: '2026-06-08T07:00:00.000Z', endsAt: '2026-06-08T07:30:00.000Z', ...slot },
    timeZone: 'Europe/Paris',
    expiresAt: '2026-06-03T08:00:00.000Z',
    offerHours: 48,
    declinesLeft: 1,
    ignoredLeft: 1,
  },
});
const contents = (a: AppointmentNotice): OutboxContent[] => [
  { kind: 'appointment-booked', payload: { appointment: a, managementToken: 'secret-token-never-in-an-sms' } },
  { kind: 'appointment-reminder', payload: { appointment: a } },
  { kind: 'offer-confirmed', payload: { appointment: a, requestReference: 'R7QM-2P4X' } },
  offer(a),
  {
    kind: 'appointment-closed',
    payload: { appointment: a, reason: 'Travaux', wayBack: { kind: 'requeued', requestReference: 'R7QM-2P4X' } },
  },
];

describe('text messages', () => {
  for (const language of ['fr', 'en'] as Language[]) {
    it(`every kind fits in two segments, links back by reference and carries no token (${language})`, () => {
      for (const a of [appointment, long]) {
        for (const content of contents(a)) {
          const text = renderSmsText(content, { language, publicUrl: URL });
          assert.ok(text, content.kind);
          assert.ok(fitsInTwoSegments(text), `${content.kind}: ${JSON.stringify(smsLength(text))} ${text}`);
          assert.match(text, /https:\/\/rdv\.example\.gouv\.fr\/manage\/find\?reference=[KR]7QM-2P4X/);
          assert.ok(!text.includes('secret-token'));
          assert.match(text, language === 'fr' ? /Répondez STOP/ : /Reply STOP/);
        }
      }
    });
  }

  it('says the date, the place and the deadline in the language', () => {
    assert.equal(
      renderSmsText(offer(appointment), { language: 'fr', publicUrl: URL }),
      'Créneau : un rendez-vous vous est proposé le 8 juin à 09h00, Préfecture de la Seine-Saint-Denis, 1 esplanade Jean Moulin, 93000 Bobigny. Répondez avant le 3 juin à 10h00 : https://rdv.example.gouv.fr/manage/find?reference=R7QM-2P4X Répondez STOP pour ne plus en recevoir.',
    );
    const reminder = renderSmsText(
      { kind: 'appointment-reminder', payload: { appointment: long } },
      { language: 'en', publicUrl: URL },
    )!;
    assert.ok(!reminder.includes('Boulevard'), 'the long address is dropped first');
    assert.match(reminder, /^Créneau: reminder of your appointment on 8 June at 09:00, Sous-préfecture de Saint-Denis/);
  });

  it('gives no text for a kind that never goes by text message', () => {
    const paused: OutboxContent = {
      kind: 'request-paused',
      payload: { requestReference: 'R1', givenNames: 'A', surname: 'B', procedureName: { fr: 'x', en: 'x' } },
    };
    assert.equal(renderSmsText(paused, { language: 'fr', publicUrl: URL }), null);
  });

  it('an offer to a request with a number gets an SMS twin with its own key and no secret', () => {
    const notice = {
      offerId: 'offer-1',
      requestReference: 'R7QM-2P4X',
      email: 'awa@example.org',
      phone: '0612345678',
      language: 'fr' as const,
      givenNames: 'Awa',
      surname: 'Sow',
      declinedCount: 0,
      ignoredCount: 0,
      offer: {
        id: 'offer-1',
        drawId: 'draw-1',
        requestId: 'request-1',
        status: 'pending' as const,
        expiresAt: new Date('2026-06-03T08:00:00Z'),
        extended: false,
        createdAt: new Date('2026-06-01T08:00:00Z'),
        decidedAt: null,
        appointmentId: null,
        slot: {
          id: 'slot-1',
          startsAt: new Date('2026-06-08T07:00:00Z'),
          endsAt: new Date('2026-06-08T07:30:00Z'),
          localDate: '2026-06-08',
          siteId: 'site-1',
          siteName: 'Préfecture',
          siteAddress: '1 rue',
        },
        timeZone: 'Europe/Paris',
        procedure: {
          id: 'naturalisation',
          nameFr: 'Naturalisation',
          nameEn: 'Naturalisation',
          channel: 'appointment' as const,
          offerHours: 48,
          maxIgnoredOffers: 2,
          maxDeclines: 2,
          urgentWithinDays: 60,
        },
      },
    };
    const messages = offerMadeNotifications(notice, new Date('2026-06-01T08:00:00Z'));
    assert.deepEqual(
      messages.map((m) => [m.channel ?? 'email', m.recipient, m.dedupeKey]),
      [
        ['email', 'awa@example.org', 'offer-made:offer-1'],
        ['sms', '0612345678', 'sms:offer-made:offer-1'],
      ],
    );
    assert.deepEqual(offerMadeNotifications({ ...notice, phone: null }, new Date()).length, 1);
    const [booked] = textMessageTwins('0612345678', [
      {
        kind: 'appointment-booked',
        payload: { appointment, managementToken: 'secret' },
        recipient: 'a@example.org',
        language: 'fr',
        dedupeKey: 'appointment-booked:1',
        deliverAfter: new Date(),
      },
    ]);
    assert.ok(booked && !('managementToken' in booked.payload), 'the token stays out of the SMS row');
  });
});
