// Messages in the applicant's language, with dates in the site's time zone written the way
// that language writes them. Pure: payload in, MailMessage out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vtimezone } from '../../src/app/notifications/messages/calendar.ts';
import { emailCodeMessage } from '../../src/app/notifications/messages/email-code-message.ts';
import { type RenderContext, renderOutboxMessage } from '../../src/app/notifications/messages/render.ts';
import type { Language } from '../../src/domain/language.ts';
import type { AppointmentNotice, OutboxContent } from '../../src/ports/outbox.ts';
import { CAYENNE, parseCalendar } from '../support/outbox.ts';

const context = (language: Language): RenderContext => ({
  to: 'awa.diallo@example.org',
  language,
  messageId: '<outbox.1@creneau>',
  writtenAt: new Date('2026-11-01T10:00:00Z'),
  publicUrl: 'https://rdv.example.gouv.fr',
  organizer: { name: 'Créneau', email: 'ne-pas-repondre@creneau.localhost' },
  convocation: { shortCode: CAYENNE.reference, qrPng: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
});

const booked: OutboxContent = {
  kind: 'appointment-booked',
  payload: { appointment: CAYENNE, managementToken: 'tok/en+1' },
};

describe('email messages', () => {
  it("speaks the applicant's language, with the date in the site's time zone, formatted for that language", () => {
    const fr = renderOutboxMessage(booked, context('fr'));
    const en = renderOutboxMessage(booked, context('en'));
    assert.equal(fr.subject, 'Rendez-vous confirmé le 9 novembre à 09h00 (K7M4-9XQ2-HT)');
    assert.equal(en.subject, 'Appointment confirmed on 9 November at 09:00 (K7M4-9XQ2-HT)');
    assert.match(fr.text, /^Bonjour Awa Diallo,/);
    assert.match(en.text, /^Hello Awa Diallo,/);
    assert.match(fr.text, /lundi 9 novembre 2026 à 09h00 \(heure locale, America\/Cayenne\)/);
    assert.match(en.text, /Monday 9 November 2026 at 09:00 \(local time, America\/Cayenne\)/);
    assert.match(fr.text, /Renouvellement/);
    assert.match(en.text, /Renewal/);
    assert.match(fr.text, /Ce rendez-vous est nominatif/);
    assert.match(en.text, /This appointment is in your name/);
    assert.doesNotMatch(en.text, /Bonjour|heure locale/, 'one language per message');
    for (const message of [fr, en]) {
      assert.ok(
        message.text.includes('https://rdv.example.gouv.fr/manage/open?token=tok%2Fen%2B1'),
        'the link, its token escaped',
      );
      assert.equal(message.messageId, '<outbox.1@creneau>');
      assert.match(message.html ?? '', /<a href="https:\/\/rdv\.example\.gouv\.fr\/manage\/open\?token=tok%2Fen%2B1">/);
    }
    assert.match(fr.html ?? '', /<html lang="fr">/);
    assert.match(en.html ?? '', /<html lang="en">/);
    const calendar = parseCalendar(
      String(en.attachments!.find((a) => a.contentType.startsWith('text/calendar'))!.content),
    );
    assert.deepEqual(
      [calendar.startZone, calendar.startLocal, calendar.start.toISOString()],
      ['America/Cayenne', '2026-11-09T09:00:00', CAYENNE.startsAt],
    );
    assert.equal(calendar.summary, 'Prefecture appointment: Renewal');
    assert.equal(calendar.location, 'Préfecture de la Guyane, Rue Fiedmond, 97300 Cayenne');
    assert.equal(
      parseCalendar(String(fr.attachments!.find((a) => a.contentType.startsWith('text/calendar'))!.content)).summary,
      'Rendez-vous en préfecture : Renouvellement',
    );
  });

  it('escapes what it puts in HTML', () => {
    const message = renderOutboxMessage(
      { kind: 'appointment-booked', payload: { appointment: { ...CAYENNE, surname: "O'Brien <b>" } } },
      context('en'),
    );
    assert.match(message.html ?? '', /Hello Awa O&#39;Brien &lt;b&gt;,/);
    assert.match(
      message.text,
      /https:\/\/[^\s]+\/manage\/find\?reference=K7M4-9XQ2-HT/,
      'without its token, the message links to the way back in with its reference',
    );
  });

  it('writes an offer with its deadline and what answering does, in either language', () => {
    const offer: OutboxContent = {
      kind: 'offer-made',
      payload: {
        requestReference: 'R2D2-C3PO-XY',
        givenNames: 'Awa',
        surname: 'Diallo',
        procedureName: { fr: 'Naturalisation', en: 'Naturalisation' },
        slot: {
          startsAt: '2026-06-08T07:00:00.000Z',
          endsAt: '2026-06-08T07:30:00.000Z',
          siteName: 'Bobigny',
          siteAddress: '1 esplanade Jean Moulin',
        },
        timeZone: 'Europe/Paris',
        expiresAt: '2026-06-03T08:00:00.000Z',
        offerHours: 48,
        declinesLeft: 2,
        ignoredLeft: 1,
      },
    };
    const fr = renderOutboxMessage(offer, { ...context('fr'), convocation: null });
    const en = renderOutboxMessage(offer, { ...context('en'), convocation: null });
    assert.equal(fr.subject, 'Rendez-vous proposé : répondez avant le 3 juin à 10h00');
    assert.equal(en.subject, 'Appointment offered: answer by 3 June at 10:00');
    assert.match(fr.text, /Répondez avant le mercredi 3 juin 2026 à 10h00 \(heure locale, Europe\/Paris\)/);
    assert.match(en.text, /Answer before Wednesday 3 June 2026 at 10:00 \(local time, Europe\/Paris\)/);
    assert.match(fr.text, /lot du jour \(sans garder d'ancienneté\)\. Encore 2 refus possibles/);
    assert.match(en.text, /2 more declines are allowed/);
    assert.match(
      en.text,
      /your request is paused: it takes part in no draw until you reconfirm it .*1 more unanswered offer is allowed/,
    );
    assert.equal(fr.attachments, undefined);
  });

  it("lists the procedure's own things to bring in the confirmation, the reminder and the move", () => {
    const withList: AppointmentNotice = {
      ...CAYENNE,
      bring: {
        instructions: { fr: 'Trois photos d’identité récentes.', en: 'Three recent identity photographs.' },
        identityProof: 'agdref',
      },
    };
    const kinds: OutboxContent[] = [
      { kind: 'appointment-booked', payload: { appointment: withList } },
      { kind: 'appointment-reminder', payload: { appointment: withList } },
      { kind: 'appointment-rescheduled', payload: { appointment: withList, previousStartsAt: '2026-11-02T12:00:00Z' } },
      { kind: 'offer-confirmed', payload: { appointment: withList, requestReference: 'R-1' } },
    ];
    for (const content of kinds) {
      const fr = renderOutboxMessage(content, context('fr'));
      const en = renderOutboxMessage(content, context('en'));
      assert.match(
        fr.text,
        /Ce qu'il faut apporter\n\n {2}- Trois photos d’identité récentes\.\n {2}- Votre titre de séjour/,
        content.kind,
      );
      assert.match(en.text, /\n {2}- Three recent identity photographs\.\n/, content.kind);
      assert.match(fr.html ?? '', /<li>Votre convocation, imprimée/, content.kind);
      assert.doesNotMatch(fr.text, /passeport en cours/, `${content.kind}: the procedure checks the AGDREF document`);
    }
    const passport = renderOutboxMessage(
      {
        kind: 'appointment-reminder',
        payload: {
          appointment: { ...withList, bring: { instructions: { fr: '', en: '' }, identityProof: 'passport' } },
        },
      },
      context('fr'),
    );
    assert.match(passport.text, /Ce qu'il faut apporter\n\n {2}- Votre passeport en cours de validité/);
    // A reminder written before the list was in its payload still says the general rule.
    const older = renderOutboxMessage(
      { kind: 'appointment-reminder', payload: { appointment: CAYENNE } },
      context('fr'),
    );
    assert.match(older.text, /Apportez votre pièce d'identité et votre convocation/);
  });

  it('sends the email code in the language of the page that asked for it', () => {
    const fr = emailCodeMessage({
      to: 'a@example.org',
      code: '12345678',
      purpose: 'booking',
      ttlMinutes: 10,
      maxAttempts: 5,
      language: 'fr',
    });
    const en = emailCodeMessage({
      to: 'a@example.org',
      code: '12345678',
      purpose: 'reschedule',
      ttlMinutes: 1,
      maxAttempts: 3,
      language: 'en',
    });
    assert.equal(fr.subject, 'Votre code Créneau : 1234 5678');
    assert.equal(en.subject, 'Your Créneau code: 1234 5678');
    assert.match(fr.text, /valable 10 minutes .* Après 5 essais/);
    assert.match(en.text, /valid for 1 minute .* After 3 wrong tries/);
    assert.match(en.text, /move your appointment/);
  });
});

describe('VTIMEZONE of the calendar attachment', () => {
  it('is built once per zone and year, and never handed to another zone or year', () => {
    const paris2027 = vtimezone('Europe/Paris', new Date('2027-06-01T10:00:00Z'));
    // Asked again (now from the cache), then for another zone and another year.
    assert.equal(vtimezone('Europe/Paris', new Date('2027-12-01T10:00:00Z')), paris2027);
    const cayenne2027 = vtimezone('America/Cayenne', new Date('2027-06-01T10:00:00Z'));
    const paris2031 = vtimezone('Europe/Paris', new Date('2031-06-01T10:00:00Z'));
    assert.match(paris2027!, /TZID:Europe\/Paris/);
    assert.match(paris2027!, /DTSTART:20260101T010000/); // from the year before
    assert.match(paris2027!, /DTSTART:20270328T020000/); // the 2027 spring change, 02:00 local
    assert.match(cayenne2027!, /TZID:America\/Cayenne/);
    assert.doesNotMatch(cayenne2027!, /DAYLIGHT/);
    assert.match(paris2031!, /DTSTART:20300101T010000/);
    assert.doesNotMatch(paris2031!, /2027/);
    assert.equal(vtimezone('Not/AZone', new Date('2027-06-01T10:00:00Z')), null);
  });
});
