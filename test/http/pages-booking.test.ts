// The direct booking pages over HTTP (app.inject), on both engines: the slot list, the
// identity form, the email code step and the confirmation, with CSRF tokens, the proof of
// work solved, the code read from the mail, in French and in English.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { insertRegistryResidents } from '../../src/adapters/registry/db-registry.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { viewAppointment } from '../../src/app/booking/view-appointment.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import {
  capturingMailer,
  csrfOf,
  headingOf,
  hiddenFields,
  linksOf,
  PageClient,
  unescapeHtml,
} from '../support/page-client.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
/** Wednesday 3 June 2026, 09:00 in Paris. */
const FIRST_SLOT = new Date('2026-06-03T07:00:00Z');

describeEachEngine('booking pages', (database) => {
  const clock = new TestClock(NOW);
  const mailer = capturingMailer();
  let app: FastifyInstance;
  let s: Awaited<ReturnType<typeof createScenario>>;
  let slots: string[];
  before(async () => {
    app = await testServer(database(), clock, { ctx: { mailer } });
    s = await createScenario(database().db, { counters: 1 });
    slots = await s.addSlots(6, FIRST_SLOT);
  });
  after(async () => {
    await app?.close();
  });

  const listUrl = () => `/book?procedure=${s.procedureId}&prefecture=${s.prefectureId}&site=${s.siteId}`;

  /** What a person types in the identity form. */
  const typed = (person = applicant()) => ({
    surname: person.surname,
    givenNames: person.givenNames,
    birthDate: person.birthDate,
    nationality: person.nationality.toLowerCase(),
    email: person.email,
    passportNumber: person.passportNumber!,
  });

  /** From the slot list to the code step; returns the client on the code step. */
  async function toCodeStep(
    slotId: string,
    form: Record<string, string> & { email: string } = typed(),
    lang: 'fr' | 'en' = 'fr',
  ) {
    const client = new PageClient(app, lang);
    assert.equal((await client.get(`/book/details?slot=${slotId}`)).statusCode, 200);
    const sent = await client.post('/book/details', { slot: slotId, ...form, altcha: await solvedPow(app) });
    assert.equal(sent.statusCode, 200, sent.body);
    return { client, form, code: () => mailer.codeFor(form.email) };
  }

  /** The code step's form as the browser would send it, with the code typed. */
  async function confirmForm(client: PageClient, code: string) {
    return { ...hiddenFields(client.html), code, altcha: await solvedPow(app) };
  }

  describe('slot list', () => {
    for (const [lang, heading, day, time] of [
      ['fr', 'Choisir un créneau', 'mercredi 3 juin 2026', '09h00'],
      ['en', 'Choose a slot', 'Wednesday 3 June 2026', '09:00'],
    ] as const) {
      it(`shows the sites, then the free slots by day in the site's time zone (${lang})`, async () => {
        const client = new PageClient(app, lang);
        const choice = await client.get(`/book?procedure=${s.procedureId}&prefecture=${s.prefectureId}`);
        assert.equal(choice.statusCode, 200);
        assert.equal(headingOf(choice.body), heading);
        assert.match(choice.body, new RegExp(`name="site" value="${s.siteId}"`));

        const list = await client.get(listUrl());
        assert.equal(list.statusCode, 200);
        assert.match(list.body, new RegExp(`<legend[^>]*>${day}</legend>`));
        assert.match(list.body, new RegExp(`for="slot">${time}</label>`));
        assert.equal([...list.body.matchAll(/name="slot" value="/g)].length, 6);
        assert.match(list.body, /action="\/book\/details"/);
      });
    }

    it('pages by week and says where the next free slot is when a week is empty', async () => {
      const client = new PageClient(app, 'en');
      const empty = await client.get(`${listUrl()}&week=2026-06-04`);
      assert.equal(empty.statusCode, 200);
      assert.match(empty.body, /No free slot this week/);
      assert.doesNotMatch(empty.body, /name="slot"/);
      const lastWeek = await client.get(`${listUrl()}&week=2026-06-20`);
      // Nothing open later on: released slots go to draws, so the way in is a request.
      assert.match(lastWeek.body, /No slot is open: the released slots go to draws among the requests\./);
      assert.match(
        lastWeek.body,
        new RegExp(`href="/request\\?procedure=${s.procedureId}&amp;prefecture=${s.prefectureId}"`),
      );
      assert.match(lastWeek.body, new RegExp(`href="/contact\\?prefecture=${s.prefectureId}"`));
      const past = await client.get(`${listUrl()}&week=2020-01-01`);
      assert.match(past.body, /Free slots from Monday 1 June 2026 to Sunday 7 June 2026/, 'a past week starts today');
      assert.match(past.body, /week=2026-06-08"/, 'a link to the next week');
    });

    it('sends procedures that take no appointment to their procedure page', async () => {
      const allocated = await createScenario(database().db, { procedure: { channel: 'postal' } });
      const response = await new PageClient(app).get(`/book?procedure=${allocated.procedureId}&prefecture=93`);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, `/procedure?procedure=${allocated.procedureId}&prefecture=93`);
      const unknown = await new PageClient(app).get('/book?procedure=nope&prefecture=93');
      assert.equal(unknown.statusCode, 404);
      assert.match(unknown.body, /data-error-code="PROCEDURE_NOT_FOUND"/);
    });

    it('asks for a slot when the list is sent without a choice', async () => {
      const response = await new PageClient(app).get(
        `/book/details?procedure=${s.procedureId}&prefecture=93&site=${s.siteId}`,
      );
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /href="#slot">Choisissez un créneau dans la liste/);
      assert.match(response.body, /id="slot-error"/);
    });
  });

  describe('identity and code', () => {
    it('shows the identity form in both languages, with autocomplete and the proof-of-work widget', async () => {
      for (const [lang, heading] of [
        ['fr', 'Votre identité'],
        ['en', 'Your identity'],
      ] as const) {
        const page = await new PageClient(app, lang).get(`/book/details?slot=${slots[0]}`);
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), heading);
        assert.match(page.body, /id="surname" name="surname" value="" autocomplete="family-name"/);
        assert.match(page.body, /id="birthDate" name="birthDate" value="" autocomplete="bday" maxlength="10"/);
        assert.match(page.body, /id="passportNumber"/);
        assert.doesNotMatch(page.body, /id="agdrefNumber"/, 'only the proof the procedure asks for');
        assert.match(page.body, /<altcha-widget/);
        assert.match(page.body, /<script type="module" src="\/assets\/pow.js"><\/script>/);
      }
    });

    it('refuses a form without its CSRF token', async () => {
      const client = new PageClient(app);
      await client.get(`/book/details?slot=${slots[0]}`);
      const response = await client.post('/book/details', { slot: slots[0]!, ...typed() }, { csrf: false });
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-error-code="CSRF_TOKEN_INVALID"/);
    });

    it('shows each wrong field next to its input, keeping what was typed, before any code is sent', async () => {
      const client = new PageClient(app, 'en');
      await client.get(`/book/details?slot=${slots[0]}`);
      const before = mailer.sent.length;
      const response = await client.post('/book/details', {
        slot: slots[0]!,
        ...typed(),
        surname: 'Diallo',
        birthDate: '2090-01-01',
        email: 'not-an-email',
        passportNumber: '',
      });
      assert.equal(response.statusCode, 400);
      assert.equal(mailer.sent.length, before);
      for (const field of ['birthDate', 'email', 'passportNumber']) {
        assert.match(response.body, new RegExp(`<a href="#${field}">`), `${field} in the summary`);
        assert.match(
          response.body,
          new RegExp(`aria-invalid="true" aria-describedby="${field}-error"`),
          `${field} described by its error`,
        );
        assert.match(response.body, new RegExp(`<p class="fr-error-text" id="${field}-error">`));
      }
      assert.doesNotMatch(response.body, /href="#surname"/);
      assert.match(response.body, /id="surname" name="surname" value="Diallo"/, 'what was typed stays');
      assert.match(response.body, /The date of birth must be a real date/);
    });

    it('asks the nationality from a list of countries in the page language, stores the alpha-3 code, refuses a free value', async () => {
      const client = new PageClient(app, 'en');
      const form = await client.get(`/book/details?slot=${slots[0]}`);
      assert.match(form.body, /<select class="fr-select" id="nationality" name="nationality"/);
      assert.match(form.body, /<option value="MLI">Mali<\/option>/);
      assert.match(form.body, /<option value="CIV">Côte d’Ivoire<\/option>/);
      const french = await new PageClient(app, 'fr').get(`/book/details?slot=${slots[0]}`);
      assert.match(french.body, /<option value="DZA">Algérie<\/option>/);
      const refused = await client.post('/book/details', { slot: slots[0]!, ...typed(), nationality: 'MAL' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /<a href="#nationality">Choose the country of your nationality from the list/);
      assert.match(refused.body, /<option value="MAL" selected>MAL<\/option>/, 'what was sent stays shown as it is');
    });

    it('keeps the form when the proof of work is missing', async () => {
      const client = new PageClient(app);
      await client.get(`/book/details?slot=${slots[0]}`);
      const form = typed();
      const response = await client.post('/book/details', { slot: slots[0]!, ...form });
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /href="#pow-hint">La vérification anti-robot/);
      assert.match(response.body, new RegExp(`value="${form.email}"`));
    });

    it('sends a new code from the code step, and goes back to the filled form to change it', async () => {
      const { client, form } = await toCodeStep(slots[0]!);
      const first = hiddenFields(client.html).verificationId;
      const resent = await client.post('/book/details', {
        ...hiddenFields(client.html),
        resend: '1',
        altcha: await solvedPow(app),
      });
      assert.equal(resent.statusCode, 200);
      assert.notEqual(hiddenFields(resent.body).verificationId, first);
      assert.equal(mailer.sent.filter((m) => m.to === form.email).length, 2);
      const edit = await client.post('/book/details', { ...hiddenFields(client.html), edit: '1' });
      assert.equal(edit.statusCode, 200);
      assert.match(edit.body, new RegExp(`id="email" name="email" value="${form.email}"`));
      assert.match(
        edit.body,
        /<form class="creneau-needs-js" method="post" action="\/book\/details\?slot=[0-9a-f-]{36}"/,
      );
    });
  });

  describe('the whole booking', () => {
    for (const [lang, index, done, when] of [
      ['fr', 1, 'Votre rendez-vous est confirmé', 'mercredi 3 juin 2026 à 09h30'],
      ['en', 4, 'Your appointment is confirmed', 'Wednesday 3 June 2026 at 11:00'],
    ] as const) {
      it(`books with the code from the mail, sets the management cookie, and shows the token once (${lang})`, async () => {
        const { client, form, code } = await toCodeStep(slots[index]!, { ...typed(), birthDate: '12/04/1990' }, lang);
        const codeStep = client.html;
        assert.match(codeStep, /autocomplete="one-time-code"/);
        assert.match(codeStep, /inputmode="numeric"/);
        assert.equal(hiddenFields(codeStep).email, form.email, 'the identity rides in hidden fields');
        assert.match(hiddenFields(codeStep).idempotencyKey!, /^[0-9a-f-]{36}$/);

        const wrong = await client.post(
          '/book/confirm',
          await confirmForm(client, code() === '00000000' ? '11111111' : '00000000'),
        );
        assert.equal(wrong.statusCode, 422);
        assert.match(wrong.body, /href="#code"/);
        assert.match(wrong.body, /aria-describedby="code-error"/);
        assert.notEqual(
          hiddenFields(wrong.body).idempotencyKey,
          hiddenFields(codeStep).idempotencyKey,
          'a new key after a refusal',
        );

        const confirmed = await client.post('/book/confirm', await confirmForm(client, code()));
        assert.equal(confirmed.statusCode, 303, confirmed.body);
        assert.equal(confirmed.headers.location, '/book/done');
        const cookie = confirmed.cookies.find((c) => c.name === 'creneau_manage');
        assert.ok(cookie, 'the management cookie is set');
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.sameSite, 'Lax');
        const token = cookie.value;
        assert.equal(
          (await viewAppointment(testContext(database().db, clock), token)).applicant.birthDate,
          '1990-04-12',
          'a birth date typed day first',
        );

        const page = await client.get('/book/done');
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), done);
        assert.ok(page.body.includes(token), 'the token is shown to write down');
        assert.ok(page.body.includes(when), "the time in the site's zone, in the page's language");
        assert.match(page.body, /href="\/manage\/convocation"/);
        for (const link of linksOf(page.body).concat(linksOf(codeStep))) {
          assert.ok(
            !link.includes(token) && !link.includes(form.email) && !link.includes(form.surname!),
            `nothing personal in ${link}`,
          );
        }
      });
    }

    it('books once on a double click: the second post replays the first booking', async () => {
      const { client, code } = await toCodeStep(slots[2]!);
      const form = await confirmForm(client, code());
      const first = await client.post('/book/confirm', form);
      const second = await client.post('/book/confirm', form);
      assert.deepEqual([first.statusCode, second.statusCode], [303, 303], second.body);
      const tokenOf = (r: typeof first) => r.cookies.find((c) => c.name === 'creneau_manage')?.value;
      assert.equal(tokenOf(second), tokenOf(first));
    });

    it('lets a double click present its solution twice, but not another form under the same key', async () => {
      const { client, code } = await toCodeStep(slots[4]!);
      const wrongCode = code() === '00000000' ? '11111111' : '00000000';
      const form = await confirmForm(client, wrongCode);
      const first = await client.post('/book/confirm', form);
      assert.equal(first.statusCode, 422, 'the wrong code is refused');
      // The same form again (a double click): same key, same solution, same fields — the stored refusal.
      const again = await client.post('/book/confirm', form);
      assert.equal(again.statusCode, 422);
      // The same key and solution with another field (here, the right code): the solution is spent.
      const other = await client.post('/book/confirm', { ...form, code: code() });
      assert.equal(other.statusCode, 403, other.body);
      assert.match(other.body, /La vérification anti-robot a expiré ou a déjà servi/);
    });

    it('goes back to the slot list with the message when someone else took the slot', async () => {
      const { client, code } = await toCodeStep(slots[3]!);
      const ctx = testContext(database().db, clock);
      const other = applicant();
      await bookSlot(ctx, { slotId: slots[3]!, applicant: other, emailProof: await knownEmailProof(ctx, other.email) });
      const response = await client.post('/book/confirm', await confirmForm(client, code()));
      assert.equal(response.statusCode, 409);
      assert.match(response.body, /Quelqu&#39;un a réservé ce créneau juste avant vous/);
      assert.match(response.body, /action="\/book\/details"/, 'the slot list again');
      assert.doesNotMatch(response.body, new RegExp(`value="${slots[3]}"`), 'without the slot taken');
    });

    it('answers GET on the steps reached by POST: back to the identity form of the slot', async () => {
      const { client } = await toCodeStep(slots[5]!, typed(), 'en');
      assert.ok(
        client.html.includes(`action="/book/confirm?slot=${slots[5]}"`),
        'the slot, and only it, in the address of the step',
      );
      const language = await client.get(`/book/confirm?slot=${slots[5]}&lang=fr`);
      assert.deepEqual(
        [language.statusCode, language.headers.location],
        [303, `/book/details?slot=${slots[5]}&lang=fr`],
      );
      const form = await client.get(language.headers.location as string);
      assert.equal(headingOf(form.body), 'Votre identité');
      const response = await new PageClient(app).get('/book/confirm?lang=en');
      assert.deepEqual([response.statusCode, response.headers.location], [303, '/']);
      const done = await new PageClient(app).get('/book/done');
      assert.deepEqual([done.statusCode, done.headers.location], [303, '/manage']);
    });
  });

  describe('text messages', () => {
    it('takes an optional mobile number, refuses a malformed one next to its field, and carries it and "no text messages" to the booking', async () => {
      const form = await new PageClient(app, 'fr').get(`/book/details?slot=${slots[5]}`);
      assert.match(form.body, /type="tel" id="phone" name="phone"/);
      assert.match(form.body, /<input type="checkbox" id="noTextMessages" name="noTextMessages" value="1">/);

      const client = new PageClient(app, 'en');
      await client.get(`/book/details?slot=${slots[5]}`);
      const refused = await client.post('/book/details', { slot: slots[5]!, ...typed(), phone: '06 12' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /aria-invalid="true" aria-describedby="phone-error"/);
      assert.match(refused.body, /This phone number is not valid/);

      const person = typed();
      const { client: coding, code } = await toCodeStep(
        slots[5]!,
        { ...person, phone: '06 11 22 33 48', noTextMessages: '1' },
        'en',
      );
      assert.equal(hiddenFields(coding.html).phone, '06 11 22 33 48');
      assert.equal(hiddenFields(coding.html).noTextMessages, '1');
      const confirmed = await coding.post('/book/confirm', await confirmForm(coding, code()));
      assert.equal(confirmed.statusCode, 303, confirmed.body);
      const [row] = await database()
        .db.selectFrom('appointment')
        .select(['id', 'phone'])
        .where('email', '=', person.email)
        .execute();
      assert.equal(row!.phone, '0611223348');
      const texts = await database()
        .db.selectFrom('outbox')
        .select('id')
        .where('channel', '=', 'sms')
        .where('recipient', '=', '0611223348')
        .execute();
      assert.equal(texts.length, 0, '"no text messages": none written');
      assert.equal((await database().db.selectFrom('sms_opt_out').select('phone_key').execute()).length >= 1, true);
    });
  });

  describe('registry check', () => {
    it('shows a registry refusal on the identity form, linked to the foreigner number', async () => {
      const db = database().db;
      const renewal = await createScenario(db, { procedure: { identityProof: 'agdref' }, counters: 1 });
      await db
        .updateTable('procedure')
        .set({ registry_check: true, renewal_window_start_months: 4, renewal_window_end_months: 2 })
        .where('id', '=', renewal.procedureId)
        .execute();
      const [slot] = await renewal.addSlots(1, FIRST_SLOT);
      await insertRegistryResidents(db, [
        {
          agdrefNumber: '7700000042',
          surname: 'SOW',
          givenNames: 'Awa',
          birthDate: '1985-02-01',
          nationality: 'SEN',
          permitType: 'carte de séjour temporaire',
          permitExpiresOn: '2026-09-01',
        },
      ]);
      const person = applicant({
        surname: 'Ba',
        givenNames: 'Awa',
        birthDate: '1985-02-01',
        agdrefNumber: '7700000042',
      });
      const form = {
        surname: person.surname,
        givenNames: person.givenNames,
        birthDate: person.birthDate,
        nationality: 'SEN',
        email: person.email,
        agdrefNumber: '770 000 0042',
      };
      // The window is said before anything is typed: on the procedure page and the identity form.
      const window = /Un renouvellement se demande entre 4 et 2 mois avant la date d'expiration/;
      const details = await new PageClient(app, 'fr').get(`/book/details?slot=${slot}`);
      assert.match(unescapeHtml(details.body), window);
      const procedurePage = (id: string) =>
        new PageClient(app, 'en').get(`/procedure?procedure=${id}&prefecture=${renewal.prefectureId}`);
      assert.match(
        (await procedurePage(renewal.procedureId)).body,
        /between 4 and 2 months before your residence permit/,
      );
      assert.doesNotMatch((await procedurePage(s.procedureId)).body, /between \d+ and \d+ months/, 'not a renewal');
      const { client, code } = await toCodeStep(slot!, form);
      assert.equal(hiddenFields(client.html).agdrefNumber, '770 000 0042');
      const refused = await client.post('/book/confirm', await confirmForm(client, code()));
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /href="#agdrefNumber">Le numéro étranger, le nom et la date de naissance/);
      assert.match(refused.body, /id="surname" name="surname" value="Ba"/);
      assert.ok(csrfOf(refused.body));
    });
  });
});
