// The other ways in over HTTP (app.inject), on both engines: the phone numbers and counter
// hours of each site, the "be called back" form (no JavaScript, no proof of work: CSRF, the
// strict rate limit and one open call-back per number), and the accessibility statement,
// in French and in English.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createRateLimitCounter } from '../../src/adapters/limits/rate-limit-counter.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, linksOf, PageClient, unescapeHtml } from '../support/page-client.ts';
import { TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');

const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

describeEachEngine('contact pages', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let limited: FastifyInstance;
  before(async () => {
    const db = database().db;
    await db
      .insertInto('prefecture')
      .values([
        { id: '93', name: 'Préfecture de la Seine-Saint-Denis', time_zone: 'Europe/Paris', phone: '01 41 60 60 00' },
        { id: '973', name: 'Préfecture de la Guyane', time_zone: 'America/Cayenne', phone: null },
      ])
      .execute();
    await db
      .insertInto('site')
      .values([
        {
          id: 'bobigny',
          prefecture_id: '93',
          kind: 'prefecture',
          name: 'Préfecture de Bobigny',
          address: '1 esplanade Jean-Moulin, 93000 Bobigny',
          phone: '01 41 60 60 10',
          public_hours: 'Lundi–vendredi 9 h–16 h',
        },
        {
          id: 'cayenne',
          prefecture_id: '973',
          kind: 'prefecture',
          name: 'Préfecture de Cayenne',
          address: 'Rue Fiedmond, 97300 Cayenne',
          phone: null,
          public_hours: null,
        },
      ])
      .execute();
    app = await testServer(database(), clock);
    limited = await testServer(database(), clock, {
      rateLimits: {
        counter: createRateLimitCounter(null),
        perMinute: 1000,
        sensitivePerMinute: 3,
        events: testContext(db, clock).securityEvents,
      },
    });
  });
  after(async () => {
    await app?.close();
    await limited?.close();
  });

  const callbacks = () => database().db.selectFrom('callback_request').selectAll().orderBy('created_at').execute();
  const form = (fields: Partial<Record<'prefectureId' | 'phone' | 'language' | 'situation', string>> = {}) => ({
    prefectureId: '93',
    phone: '06 12 34 56 78',
    language: 'ar',
    situation: 'Mon titre de séjour expire le 30 juin.',
    ...fields,
  });

  describe('phone and reception', () => {
    for (const [lang, heading, hoursLabel] of [
      ['fr', 'Obtenir un rendez-vous sans Internet', 'Horaires d&#39;accueil :'],
      ['en', 'Get an appointment without the Internet', 'Reception hours:'],
    ] as const) {
      it(`lists every site with its phone number and counter hours, and the call-back form (${lang})`, async () => {
        const page = await new PageClient(app, lang).get('/contact');
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), heading);
        assert.match(page.body, /<h2 id="prefecture-93">Préfecture de la Seine-Saint-Denis<\/h2>/);
        assert.match(page.body, /<h2 id="prefecture-973">Préfecture de la Guyane<\/h2>/);
        assert.match(page.body, /href="tel:0141606000">01 41 60 60 00<\/a>/);
        assert.match(page.body, /href="tel:0141606010">01 41 60 60 10<\/a>/);
        assert.ok(
          page.body.includes(`${hoursLabel} <span${lang === 'fr' ? '' : ' lang="fr"'}>Lundi–vendredi 9 h–16 h</span>`),
          'French hours marked as French on the English page',
        );
        assert.match(page.body, lang === 'fr' ? /Pas de ligne directe/ : /No direct line/);
        assert.match(page.body, /action="\/contact\/callback"/);
        assert.match(page.body, /id="phone" name="phone" value="" autocomplete="tel" inputmode="tel"/);
        assert.match(page.body, /<textarea class="fr-input" id="situation" name="situation" rows="4" maxlength="500">/);
        assert.match(page.body, new RegExp(`<option value="${lang}" selected>`), "the page's language preselected");
        assert.match(page.body, /<option value="ar"/);
        assert.doesNotMatch(page.body, /altcha-widget|pow\.js/, 'no proof of work: this form works without JavaScript');
      });
    }

    it('shows one prefecture when asked, and preselects it in the form', async () => {
      const page = await new PageClient(app, 'en').get('/contact?prefecture=973');
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /id="prefecture-93"/);
      assert.match(page.body, /id="prefecture-973"/);
      assert.match(page.body, /<option value="973" selected>973 — Préfecture de la Guyane<\/option>/);
      assert.match(page.body, /href="\/contact">Show all prefectures/);
      const junk = await new PageClient(app).get('/contact?prefecture=%00');
      assert.equal(junk.statusCode, 200);
      assert.match(junk.body, /id="prefecture-93"/);
    });
  });

  describe('be called back', () => {
    it('refuses the form without its CSRF token', async () => {
      const client = new PageClient(app);
      await client.get('/contact');
      const response = await client.post('/contact/callback', form(), { csrf: false });
      assert.deepEqual([response.statusCode, errorCodeOf(response)], [403, 'CSRF_TOKEN_INVALID']);
    });

    it('shows each wrong field next to its input, keeping what was typed, and stores nothing', async () => {
      const client = new PageClient(app, 'en');
      await client.get('/contact');
      const response = await client.post(
        '/contact/callback',
        form({ phone: '12 34', language: 'klingon', situation: 'x'.repeat(501) }),
      );
      assert.equal(response.statusCode, 400);
      for (const field of ['phone', 'language', 'situation']) {
        assert.match(response.body, new RegExp(`<a href="#${field}">`), `${field} in the summary`);
        assert.match(
          response.body,
          new RegExp(`aria-invalid="true" aria-describedby="${field}-error"`),
          `${field} described by its error`,
        );
        assert.match(response.body, new RegExp(`<p class="fr-error-text" id="${field}-error">`));
      }
      assert.match(response.body, /Enter a valid phone number/);
      assert.match(response.body, /id="phone" name="phone" value="12 34"/, 'what was typed stays');
      assert.doesNotMatch(response.body, /href="#prefectureId"/);
      const unknown = await client.post('/contact/callback', form({ prefectureId: '99' }));
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.body, /<a href="#prefectureId">Choose a prefecture from the list/);
      assert.deepEqual(await callbacks(), []);
    });

    for (const [lang, heading] of [
      ['fr', 'Votre demande de rappel est enregistrée'],
      ['en', 'Your call-back request is recorded'],
    ] as const) {
      it(`stores the call-back for the agents and says when to expect the call (${lang})`, async () => {
        const phone = lang === 'fr' ? '07 11 22 33 44' : '+221 77 123 45 67';
        const client = new PageClient(app, lang);
        await client.get('/contact');
        const response = await client.post(
          '/contact/callback',
          form({ phone, language: 'other', situation: 'Renouvellement ; je parle wolof.' }),
        );
        assert.deepEqual([response.statusCode, response.headers.location], [303, '/contact/callback/sent']);
        const sent = await client.get('/contact/callback/sent');
        assert.equal(sent.statusCode, 200);
        assert.equal(headingOf(sent.body), heading);
        // The number repeated as it will be dialled, and a reference to give the agent.
        assert.ok(sent.body.includes(lang === 'fr' ? '07 11 22 33 44' : '+221771234567'), 'the number repeated');
        const reference = /([2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2})/.exec(sent.body)?.[1];
        assert.ok(reference, 'a reference');
        assert.match(
          sent.body,
          lang === 'fr' ? /Référence de votre demande de rappel/ : /Reference of your call-back request/,
        );
        assert.match(sent.body, lang === 'fr' ? /dans les 3 jours ouvrés/ : /within 3 working days/);
        const stored = (await callbacks()).find(
          (c) =>
            c.situation === 'Renouvellement ; je parle wolof.' &&
            c.phone === (lang === 'fr' ? '0711223344' : '+221771234567'),
        );
        assert.ok(stored, 'stored with the number normalised');
        assert.deepEqual([stored.prefecture_id, stored.language, stored.status], ['93', 'other', 'to_call']);
        for (const link of [...linksOf(sent.body), String(response.headers.location)]) {
          assert.ok(
            !link.replace(/\D/g, '').includes(phone.replace(/\D/g, '').slice(-8)),
            `no phone number in ${link}`,
          );
        }
      });
    }

    it('answers a second call-back for the same number like the first, without a second row', async () => {
      const client = new PageClient(app);
      await client.get('/contact');
      const first = await client.post('/contact/callback', form({ phone: '06 98 76 54 32' }));
      await client.get('/contact');
      const second = await client.post(
        '/contact/callback',
        form({ phone: '+33 6 98 76 54 32', situation: 'Je réessaie.' }),
      );
      assert.deepEqual([first.statusCode, first.headers.location], [303, '/contact/callback/sent']);
      assert.deepEqual([second.statusCode, second.headers.location], [303, '/contact/callback/sent']);
      assert.equal((await callbacks()).filter((c) => c.phone === '0698765432').length, 1);
    });

    it("sends a GET of the form's address back to the form", async () => {
      const response = await new PageClient(app).get('/contact/callback?lang=en');
      assert.deepEqual([response.statusCode, response.headers.location], [303, '/contact']);
    });

    it('is on the strict rate limit', async () => {
      const client = new PageClient(limited);
      await client.get('/contact');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await client.post('/contact/callback', form({ phone: `06 00 00 00 0${i}` }))).statusCode);
      assert.deepEqual(statuses, [303, 303, 303, 429]);
    });
  });

  describe('accessibility statement', () => {
    for (const [lang, heading, status, remedy] of [
      ['fr', 'Déclaration d&#39;accessibilité', 'partiellement conforme', 'Défenseur des droits'],
      ['en', 'Accessibility statement', 'partially compliant', 'Défenseur des droits'],
    ] as const) {
      it(`states the compliance, the tests, the limits and the remedies (${lang})`, async () => {
        const page = await new PageClient(app, lang).get('/accessibility');
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), unescapeHtml(heading));
        assert.ok(page.body.includes(status));
        assert.ok(page.body.includes(remedy));
        assert.match(page.body, /axe-core/);
        assert.match(page.body, /href="\/contact"/);
        assert.match(page.body, /href="https:\/\/formulaire\.defenseurdesdroits\.fr\/"/);
      });
    }
  });
});
