// The appointment request pages over HTTP (app.inject), on both engines: the request form,
// the email code step, "my request" with its place in the queue, the change of availability,
// the attestation, withdrawal, and an offer from a real draw — extended, declined or
// confirmed — with CSRF tokens, the proof of work solved, the code read from the mail, in
// French and in English, and nothing personal in any address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { PDFDocument } from 'pdf-lib';
import { runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { testAllocationContext } from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { capturingMailer, headingOf, linksOf, PageClient, unescapeHtml } from '../support/page-client.ts';
import { type AllocationScenario, allocationScenario } from '../support/requests.ts';
import { applicant, createScenario, TestClock } from '../support/scenario.ts';

/** Monday 1 June 2026, 10:00 in Paris. */
const NOW = new Date('2026-06-01T08:00:00Z');
/** Monday 8 June 2026, 09:00 in Paris. */
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z');

type Form = Record<string, string | string[]>;

/** A form with repeated fields (checkboxes), in the shape PageClient.post takes (URLSearchParams keeps the repeats). */
function formOf(fields: Form): Record<string, string> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(name, v);
  return params as unknown as Record<string, string>;
}

/** Every hidden field of the page, repeated ones as arrays. */
function hiddenForm(html: string): Form {
  const fields: Record<string, string[]> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    (fields[match[1]!] ??= []).push(unescapeHtml(match[2]!));
  return Object.fromEntries(
    Object.entries(fields).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]),
  );
}

const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

describeEachEngine('request pages', (database) => {
  const clock = new TestClock(NOW);
  const mailer = capturingMailer();
  let app: FastifyInstance;
  let s: AllocationScenario;
  before(async () => {
    app = await testServer(database(), clock, { ctx: { mailer } });
    s = await allocationScenario(database().db);
  });
  after(async () => {
    await app?.close();
  });

  const formUrl = (scenario = s) => `/request?procedure=${scenario.procedureId}&prefecture=${scenario.prefectureId}`;

  /** What a person types in the request form. */
  const typed = (person = applicant(), scenario = s): Form => ({
    surname: person.surname,
    givenNames: person.givenNames,
    birthDate: person.birthDate,
    nationality: person.nationality,
    email: person.email,
    passportNumber: person.passportNumber!,
    siteIds: [scenario.siteId],
    weekdays: ['1', '2', '3', '4', '5'],
    halfDays: ['am', 'pm'],
    urgencyDate: '2026-06-20',
  });

  /** From the form to the code step. */
  async function toCodeStep(lang: 'fr' | 'en' = 'fr', form = typed(), scenario = s) {
    const client = new PageClient(app, lang);
    assert.equal((await client.get(formUrl(scenario))).statusCode, 200);
    const sent = await client.post(formUrl(scenario), formOf({ ...form, altcha: await solvedPow(app) }));
    assert.equal(sent.statusCode, 200, sent.body);
    return { client, form, code: () => mailer.codeFor(form.email as string) };
  }

  async function confirm(client: PageClient, code: string, scenario = s) {
    return client.post(
      `/request/confirm?procedure=${scenario.procedureId}&prefecture=${scenario.prefectureId}`,
      formOf({ ...hiddenForm(client.html), code, altcha: await solvedPow(app) }),
    );
  }

  /** A request filed through the pages; the client holds its management cookie. */
  async function filed(lang: 'fr' | 'en' = 'fr', scenario = s) {
    const { client, form, code } = await toCodeStep(lang, typed(applicant(), scenario), scenario);
    const response = await confirm(client, code(), scenario);
    assert.equal(response.statusCode, 303, response.body);
    return { client, form, token: client.cookies.get('creneau_manage')! };
  }

  describe('the request form', () => {
    for (const [lang, heading, explains] of [
      ['fr', 'Déposer une demande de rendez-vous', 'Il ne sert à rien d&#39;être rapide'],
      ['en', 'File an appointment request', 'There is no use being fast'],
    ] as const) {
      it(`explains the draws and asks for identity, availability and urgency (${lang})`, async () => {
        const page = await new PageClient(app, lang).get(formUrl());
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), heading);
        assert.ok(page.body.includes(explains));
        assert.match(page.body, new RegExp(`<html lang="${lang}">`));
        assert.match(page.body, /id="surname" name="surname" value="" autocomplete="family-name"/);
        assert.match(page.body, /id="passportNumber"/);
        assert.doesNotMatch(page.body, /id="agdrefNumber"/, 'only the proof the procedure asks for');
        assert.match(page.body, new RegExp(`type="checkbox" id="siteIds" name="siteIds" value="${s.siteId}"`));
        // The sites open Monday to Friday for this procedure: only those days are offered.
        assert.deepEqual(
          [...page.body.matchAll(/name="weekdays" value="(\d)"/g)].map((m) => m[1]),
          ['1', '2', '3', '4', '5'],
        );
        assert.match(page.body, /name="halfDays" value="am" checked/);
        assert.match(page.body, /id="urgencyDate" name="urgencyDate"/);
        assert.match(page.body, /<altcha-widget/);
        assert.match(page.body, /<script type="module" src="\/assets\/pow.js"><\/script>/);
        assert.match(page.body, new RegExp(`action="/request\\?procedure=${s.procedureId}&amp;prefecture=93"`));
      });
    }

    it('sends procedures without appointments to their page, and a broken address home', async () => {
      const direct = await createScenario(database().db, { procedure: { channel: 'online' } });
      const response = await new PageClient(app).get(`/request?procedure=${direct.procedureId}&prefecture=93`);
      assert.deepEqual(
        [response.statusCode, response.headers.location],
        [303, `/procedure?procedure=${direct.procedureId}&prefecture=93`],
      );
      for (const url of [
        '/request',
        '/request?procedure=nope&prefecture=93',
        `/request?procedure=${s.procedureId}&prefecture=99`,
        '/request?procedure=%00&prefecture=93',
      ]) {
        const home = await new PageClient(app).get(url);
        assert.equal(home.statusCode, 303, url);
        assert.ok(home.headers.location === '/' || String(home.headers.location).startsWith('/procedure?'), url);
      }
      const reload = await new PageClient(app).get(`/request/confirm?procedure=${s.procedureId}&prefecture=93&lang=en`);
      assert.deepEqual([reload.statusCode, reload.headers.location], [303, formUrl()]);
    });

    it('refuses a form without its CSRF token', async () => {
      const client = new PageClient(app);
      await client.get(formUrl());
      const response = await client.post(formUrl(), formOf(typed()), { csrf: false });
      assert.equal(response.statusCode, 403);
      assert.equal(errorCodeOf(response), 'CSRF_TOKEN_INVALID');
    });

    it('says no to a renewal outside its window from the expiry date typed, before any code is sent', async () => {
      const renewal = await allocationScenario(database().db, { identityProof: 'agdref', registryCheck: true });
      await database()
        .db.updateTable('procedure')
        .set({ renewal_window_start_months: 4, renewal_window_end_months: 2 })
        .where('id', '=', renewal.procedureId)
        .execute();
      const { passportNumber: _none, ...identity } = typed(applicant(), renewal);
      for (const [lang, expiry, says] of [
        ['en', '2027-01-15', /Come back from Tuesday 15 September 2026; no code has been sent/],
        ['fr', '2026-05-20', /Votre titre a expiré le mercredi 20 mai 2026/],
      ] as const) {
        const client = new PageClient(app, lang);
        await client.get(formUrl(renewal));
        const before = mailer.sent.length;
        const response = await client.post(
          formUrl(renewal),
          formOf({ ...identity, agdrefNumber: '7700000001', urgencyDate: expiry, altcha: await solvedPow(app) }),
        );
        assert.equal(response.statusCode, 422, response.body);
        assert.equal(mailer.sent.length, before, 'no code sent');
        assert.match(response.body, /<a href="#urgencyDate">/);
        assert.match(response.body, says);
      }
      // Inside the window: on to the code step.
      const client = new PageClient(app, 'en');
      await client.get(formUrl(renewal));
      const inside = await client.post(
        formUrl(renewal),
        formOf({ ...identity, agdrefNumber: '7700000001', urgencyDate: '2026-09-01', altcha: await solvedPow(app) }),
      );
      assert.equal(inside.statusCode, 200, inside.body);
    });

    it('shows each wrong field next to its input, keeping what was typed, before any code is sent', async () => {
      const client = new PageClient(app, 'en');
      await client.get(formUrl());
      const before = mailer.sent.length;
      const form = {
        ...typed(),
        surname: 'Diallo',
        email: 'not-an-email',
        siteIds: [],
        weekdays: ['6'],
        halfDays: ['am'],
        urgencyDate: '2050-01-01',
        altcha: await solvedPow(app),
      };
      const response = await client.post(formUrl(), formOf(form));
      assert.equal(response.statusCode, 400);
      assert.equal(mailer.sent.length, before, 'no code sent');
      for (const field of ['email', 'siteIds', 'urgencyDate']) {
        assert.match(response.body, new RegExp(`<a href="#${field}">`), `${field} in the summary`);
        assert.match(
          response.body,
          new RegExp(`<p class="fr-error-text" id="${field}-error">`),
          `${field} has its message`,
        );
      }
      assert.match(response.body, /aria-invalid="true" aria-describedby="urgencyDate-error"/);
      assert.match(response.body, /id="siteIds-group" aria-describedby="siteIds-error"/);
      assert.match(response.body, /Tick at least one place of this prefecture/);
      assert.doesNotMatch(response.body, /href="#surname"/);
      assert.match(response.body, /id="surname" name="surname" value="Diallo"/, 'what was typed stays');
      assert.match(response.body, /name="weekdays" value="1">/, 'the boxes are shown again, unticked');
      assert.match(response.body, /name="halfDays" value="am" checked/);
      assert.doesNotMatch(response.body, /name="halfDays" value="pm" checked/);
      assert.match(response.body, /value="2050-01-01"/);
    });

    it('refuses weekdays on which none of the chosen sites opens, on the weekdays field', async () => {
      const client = new PageClient(app, 'fr');
      await client.get(formUrl());
      // Saturday is not offered on the page, but a crafted form can still send it.
      const response = await client.post(
        formUrl(),
        formOf({ ...typed(), weekdays: ['6'], altcha: await solvedPow(app) }),
      );
      assert.equal(response.statusCode, 400);
      assert.match(
        response.body,
        /<a href="#weekdays">Cochez au moins un jour où l&#39;un des lieux choisis est ouvert/,
      );
    });

    it('keeps the form when the proof of work is missing', async () => {
      const client = new PageClient(app);
      await client.get(formUrl());
      const form = typed();
      const response = await client.post(formUrl(), formOf(form));
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /href="#pow-hint">La vérification anti-robot/);
      assert.match(response.body, new RegExp(`value="${form.email}"`));
    });

    it('sends a new code from the code step, and goes back to the filled form to change it', async () => {
      const { client, form } = await toCodeStep('en');
      const first = hiddenForm(client.html).verificationId;
      const resent = await client.post(
        formUrl(),
        formOf({ ...hiddenForm(client.html), resend: '1', altcha: await solvedPow(app) }),
      );
      assert.equal(resent.statusCode, 200);
      assert.notEqual(hiddenForm(resent.body).verificationId, first);
      assert.equal(mailer.sent.filter((m) => m.to === form.email).length, 2);
      const edit = await client.post(formUrl(), formOf({ ...hiddenForm(client.html), edit: '1' }));
      assert.equal(edit.statusCode, 200);
      assert.equal(headingOf(edit.body), 'File an appointment request');
      assert.match(edit.body, new RegExp(`id="email" name="email" value="${form.email}"`));
      assert.match(edit.body, /name="weekdays" value="5" checked/);
      assert.match(edit.body, /value="2026-06-20"/);
    });
  });

  describe('filing and my request', () => {
    it('files with an optional mobile number, normalised, for the offers by text message', async () => {
      const person = applicant();
      const { client, code } = await toCodeStep('en', { ...typed(person), phone: '+33 6 11 22 33 49' });
      assert.equal(hiddenForm(client.html).phone, '+33 6 11 22 33 49');
      const response = await confirm(client, code());
      assert.equal(response.statusCode, 303, response.body);
      const [row] = await database()
        .db.selectFrom('allocation_request')
        .select('phone')
        .where('email', '=', person.email)
        .execute();
      assert.equal(row!.phone, '0611223349');
    });

    for (const [lang, heading, waiting, position, filedAt] of [
      [
        'fr',
        'Ma demande de rendez-vous',
        'En attente d&#39;un tirage',
        'Déposer une minute plus tôt ou plus tard ne change rien',
        'lundi 1 juin 2026 à 10h00',
      ],
      [
        'en',
        'My appointment request',
        'Waiting for a draw',
        'Filing a minute earlier or later changes nothing',
        'Monday 1 June 2026 at 10:00',
      ],
    ] as const) {
      it(`files with the code from the mail, sets the management cookie and shows the token once (${lang})`, async () => {
        const scenario = await allocationScenario(database().db);
        const { client, form, code } = await toCodeStep(lang, typed(applicant(), scenario), scenario);
        const codeStep = client.html;
        assert.match(codeStep, /autocomplete="one-time-code"/);
        assert.match(codeStep, /inputmode="numeric"/);
        const hidden = hiddenForm(codeStep);
        assert.equal(hidden.email, form.email, 'the identity rides in hidden fields');
        assert.deepEqual(hidden.weekdays, ['1', '2', '3', '4', '5'], 'so does the availability');
        assert.match(String(hidden.idempotencyKey), /^[0-9a-f-]{36}$/);
        assert.match(codeStep, /formaction="\/request\?procedure=[^"]+" name="resend"/);

        const noCode = await confirm(client, '', scenario);
        assert.equal(noCode.statusCode, 400);
        assert.match(noCode.body, /href="#code"/);
        const wrong = await confirm(client, code() === '00000000' ? '11111111' : '00000000', scenario);
        assert.equal(wrong.statusCode, 422);
        assert.match(wrong.body, /aria-describedby="code-error"/);
        assert.notEqual(hiddenForm(wrong.body).idempotencyKey, hidden.idempotencyKey, 'a new key after a refusal');

        const filedResponse = await confirm(client, code(), scenario);
        assert.equal(filedResponse.statusCode, 303, filedResponse.body);
        assert.equal(filedResponse.headers.location, '/my-request');
        const cookie = filedResponse.cookies.find((c) => c.name === 'creneau_manage');
        assert.ok(cookie, 'the management cookie is set');
        assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.path], [true, 'Lax', '/']);
        const token = cookie.value;

        const page = await client.get('/my-request');
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), heading);
        assert.ok(
          page.body.includes(`data-management-token><code>${token}</code>`),
          'the token is shown to write down',
        );
        assert.ok(page.body.includes(waiting));
        assert.ok(page.body.includes(position));
        assert.ok(page.body.includes(filedAt), "the filing time in the prefecture's zone, in the page's language");
        assert.match(page.body, /data-estimated-wait>[^<]*(pas encore connue|not known yet)/);
        const again = await client.get('/my-request');
        assert.ok(!again.body.includes(token), 'the token is shown once');
        for (const link of [...linksOf(page.body), ...linksOf(codeStep), String(filedResponse.headers.location)]) {
          assert.ok(
            !link.includes(token) && !link.includes(form.email as string) && !link.includes(form.surname as string),
            `nothing personal in ${link}`,
          );
        }
      });
    }

    it('files once on a double click, and refuses a second request of the same person with a link to the first', async () => {
      const person = applicant();
      const { client, code } = await toCodeStep('fr', typed(person));
      const body = formOf({ ...hiddenForm(client.html), code: code(), altcha: await solvedPow(app) });
      const url = `/request/confirm?procedure=${s.procedureId}&prefecture=93`;
      const [first, second] = [await client.post(url, body), await client.post(url, body)];
      assert.deepEqual([first.statusCode, second.statusCode], [303, 303], second.body);
      const tokenOf = (r: LightMyRequestResponse) => r.cookies.find((c) => c.name === 'creneau_manage')?.value;
      assert.equal(tokenOf(second), tokenOf(first));

      const twice = await toCodeStep('fr', typed(person));
      const refused = await confirm(twice.client, twice.code());
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /Cette personne a déjà une demande en cours pour cette démarche/);
      assert.match(refused.body, /href="\/my-request"/);
      assert.match(refused.body, /id="surname" name="surname"/, 'the form again');
    });

    it('changes the availability, keeping the place, and shows refusals on the change form', async () => {
      const { client } = await filed('en');
      const page = await client.get('/my-request');
      assert.match(page.body, /action="\/my-request\/preferences"/);
      const refused = await client.post(
        '/my-request/preferences',
        formOf({ siteIds: [s.siteId], weekdays: [], halfDays: ['am'], urgencyDate: '' }),
      );
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /<a href="#weekdays">/);
      assert.match(refused.body, /name="halfDays" value="am" checked/);
      assert.doesNotMatch(refused.body, /name="halfDays" value="pm" checked/, 'what was typed, not what is stored');

      const changed = await client.post(
        '/my-request/preferences',
        formOf({ siteIds: [s.siteId], weekdays: ['2', '4'], halfDays: ['am'], urgencyDate: '' }),
      );
      assert.deepEqual([changed.statusCode, changed.headers.location], [303, '/my-request?done=preferences']);
      const after = await client.get(changed.headers.location as string);
      assert.match(after.body, /Your availability is saved/);
      assert.match(after.body, /Tuesday, Thursday/);
      assert.match(after.body, /Expiry of the permit or récépissé: Not given/);
      assert.match(after.body, /No urgency declared/);
      assert.equal((await client.get('/my-request/preferences')).headers.location, '/my-request');
    });

    for (const [lang, valid, invalid, current] of [
      ['fr', 'Attestation valide', 'Attestation non valide', 'toujours dans cette situation'],
      ['en', 'Valid certificate', 'Invalid certificate', 'still in this situation'],
    ] as const) {
      it(`checks an attestation on a public page, the token pasted as printed (${lang})`, async () => {
        const { client, form } = await filed(lang);
        const attestation = await client.get('/my-request/attestation');
        // The attestation says how to check it, in words, with the page's address.
        assert.match(attestation.body, /\/attestation\/verify/);
        assert.doesNotMatch(attestation.body, /POST \/api/);
        const printed = /<p class="token">([^<]+)<\/p>/.exec(attestation.body)![1]!;
        const judge = new PageClient(app, lang);
        const page = await judge.get('/attestation/verify');
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /<textarea class="fr-input" id="token" name="token"/);
        const checked = await judge.post('/attestation/verify', { token: printed });
        assert.equal(checked.statusCode, 200, checked.body);
        assert.match(checked.body, new RegExp(`data-verdict="valid">\\s*<h2 class="fr-alert__title">${valid}`));
        assert.ok(checked.body.includes(String(form.surname).toUpperCase()), 'the attested applicant');
        assert.ok(checked.body.includes(current));
        const token = printed.replace(/\s+/g, '');
        const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
        const refused = await judge.post('/attestation/verify', { token: tampered });
        assert.equal(refused.statusCode, 404);
        assert.match(refused.body, new RegExp(`data-verdict="invalid">\\s*<h2 class="fr-alert__title">${invalid}`));
        const empty = await judge.post('/attestation/verify', { token: '  ' });
        assert.equal(empty.statusCode, 400);
        assert.match(empty.body, /href="#token"/);
      });
    }

    it('gives the signed attestation as a printable page and as a PDF file', async () => {
      const { client, form } = await filed('fr');
      const html = await client.get('/my-request/attestation');
      assert.equal(html.statusCode, 200);
      assert.match(String(html.headers['content-type']), /^text\/html/);
      assert.match(String(html.headers['content-security-policy']), /default-src 'none'/);
      assert.ok(html.body.includes(String(form.surname).toUpperCase()));
      const pdf = await client.get('/my-request/attestation.pdf');
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.match(String(pdf.headers['content-disposition']), /^attachment; filename="attestation-[A-Z0-9-]+\.pdf"$/);
      assert.ok((await PDFDocument.load(pdf.rawPayload)).getPageCount() >= 1);
      const anonymous = await new PageClient(app).get('/my-request/attestation');
      assert.deepEqual([anonymous.statusCode, errorCodeOf(anonymous)], [404, 'REQUEST_NOT_FOUND']);
    });

    it('withdraws after a question that says what it means', async () => {
      const { client } = await filed('fr');
      const question = await client.get('/my-request/withdraw');
      assert.equal(question.statusCode, 200);
      assert.equal(headingOf(question.body), 'Retirer votre demande ?');
      assert.match(question.body, /repartira en fin de file/);
      const withdrawn = await client.post('/my-request/withdraw', {});
      assert.deepEqual([withdrawn.statusCode, withdrawn.headers.location], [303, '/my-request?done=withdrawn']);
      const page = await client.get('/my-request?done=withdrawn');
      assert.match(page.body, /Demande retirée/);
      assert.match(page.body, /Votre demande est retirée\./);
      assert.match(
        page.body,
        new RegExp(`href="/request\\?procedure=${s.procedureId}&amp;prefecture=93">Déposer une nouvelle demande`),
      );
      assert.doesNotMatch(page.body, /action="\/my-request\/preferences"/, 'nothing left to change');
      assert.equal((await client.get('/my-request/withdraw')).headers.location, '/my-request');
      const again = await client.post('/my-request/withdraw', {});
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /href="\/my-request\/attestation"/, 'the request page again, with the refusal');
      assert.match(again.body, /Cette demande est retirée, close ou déjà devenue un rendez-vous/);
    });

    it('without a management cookie, says how to open the request; an unknown one is forgotten', async () => {
      for (const [lang, heading] of [
        ['fr', 'Retrouver ma demande de rendez-vous'],
        ['en', 'Find my appointment request'],
      ] as const) {
        const page = await new PageClient(app, lang).get('/my-request');
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), heading);
        assert.match(page.body, /href="\/manage"/);
      }
      const client = new PageClient(app);
      client.cookies.set('creneau_manage', 'A'.repeat(43));
      const unknown = await client.get('/my-request');
      assert.equal(unknown.statusCode, 404);
      assert.match(unknown.body, /Aucune demande ne correspond à ce code de gestion/);
      assert.equal(client.cookies.has('creneau_manage'), false, 'the cookie is cleared');
      const refused = await new PageClient(app).post('/my-request/withdraw', {}, { csrf: false });
      assert.deepEqual([refused.statusCode, errorCodeOf(refused)], [403, 'CSRF_TOKEN_INVALID']);
    });

    it('forgets the request on this device', async () => {
      const { client } = await filed('en');
      await client.get('/my-request');
      const forgotten = await client.post('/my-request/forget', {});
      assert.deepEqual([forgotten.statusCode, forgotten.headers.location], [303, '/my-request']);
      assert.equal(client.cookies.has('creneau_manage'), false);
    });
  });

  describe('offers', () => {
    /** A request filed through the pages, then offered a slot by a real draw. */
    async function offered(lang: 'fr' | 'en') {
      clock.set(NOW);
      const scenario = await allocationScenario(database().db);
      await scenario.addSlots(1, IN_A_WEEK_9H);
      const request = await filed(lang, scenario);
      const report = await runDrawForTick(testAllocationContext(database().db, clock), {
        prefectureId: '93',
        procedureId: scenario.procedureId,
        tick: clock.now(),
        trigger: 'manual',
      });
      assert.equal(report.status, 'drawn');
      return { ...request, scenario };
    }

    for (const [lang, when, deadline, extended] of [
      ['fr', 'lundi 8 juin 2026 à 09h00', 'mercredi 3 juin 2026 à 10h00', 'vendredi 5 juin 2026 à 10h00'],
      ['en', 'Monday 8 June 2026 at 09:00', 'Wednesday 3 June 2026 at 10:00', 'Friday 5 June 2026 at 10:00'],
    ] as const) {
      it(`shows the offer in the site's time zone, extends its deadline once, then confirms it (${lang})`, async () => {
        const { client } = await offered(lang);
        const page = await client.get('/my-request');
        assert.equal(page.statusCode, 200);
        assert.ok(page.body.includes(when), 'the slot');
        assert.ok(page.body.includes(deadline), 'the deadline');
        assert.match(page.body, /action="\/my-request\/offer\/confirm"/);
        assert.match(page.body, /href="\/my-request\/offer\/decline"/);
        assert.ok(page.body.includes(extended), 'what an extension would give');

        const extendedResponse = await client.post('/my-request/offer/extend', {});
        assert.deepEqual(
          [extendedResponse.statusCode, extendedResponse.headers.location],
          [303, '/my-request?done=extended'],
        );
        const after = await client.get('/my-request?done=extended');
        assert.ok(after.body.includes(extended), 'the new deadline');
        assert.doesNotMatch(after.body, /action="\/my-request\/offer\/extend"/, 'once only');
        assert.match(
          after.body,
          lang === 'fr' ? /Le délai a déjà été prolongé/ : /The deadline has already been extended/,
        );

        const confirmed = await client.post('/my-request/offer/confirm', {});
        assert.deepEqual([confirmed.statusCode, confirmed.headers.location], [303, '/manage?done=accepted']);
        // A success message that explains the appointment's own reference, and no move the page does not offer.
        const accepted = await client.get('/manage?done=accepted');
        assert.equal(accepted.statusCode, 200);
        const reference = /creneau-facts">\s*<dt>[^<]+<\/dt><dd><strong>([^<]+)</.exec(accepted.body)?.[1];
        assert.ok(reference, 'the appointment reference');
        assert.match(
          accepted.body,
          lang === 'fr'
            ? new RegExp(
                `Proposition acceptée.*propre numéro de référence, ${reference}, qui remplace celui de votre demande`,
                's',
              )
            : new RegExp(`Offer accepted.*its own reference number, ${reference}, which replaces your request`, 's'),
        );
        const movable = /href="\/manage\/reschedule"/.test(accepted.body);
        assert.equal(
          /move this appointment|déplacer ce rendez-vous/i.test(accepted.body),
          movable,
          'a move is mentioned only where offered',
        );
        const now = await client.get('/my-request');
        assert.deepEqual(
          [now.statusCode, now.headers.location],
          [303, '/manage'],
          'the same token now opens the appointment',
        );
      });
    }

    it("declines after a question that says the request goes back to the queue with today's batch", async () => {
      const { client } = await offered('en');
      await client.get('/my-request');
      const question = await client.get('/my-request/offer/decline');
      assert.equal(question.statusCode, 200);
      assert.equal(headingOf(question.body), 'Decline this appointment?');
      assert.match(question.body, /data-consequence="requeued"/);
      assert.match(question.body, /returns to the queue with today&#39;s batch/);
      assert.match(question.body, /Monday 8 June 2026 at 09:00/);
      const declined = await client.post('/my-request/offer/decline', {});
      assert.deepEqual([declined.statusCode, declined.headers.location], [303, '/my-request?done=declined']);
      const page = await client.get('/my-request?done=declined');
      assert.match(page.body, /You declined the offer/);
      assert.match(page.body, /Waiting for a draw/);
      assert.doesNotMatch(page.body, /offer\/confirm/);
      assert.equal(
        (await client.get('/my-request/offer/decline')).headers.location,
        '/my-request',
        'no offer left to decline',
      );
    });

    it('refuses an answer after the deadline on the request page', async () => {
      const { client } = await offered('fr');
      await client.get('/my-request');
      clock.set(new Date(NOW.getTime() + 49 * 3_600_000));
      const page = await client.get('/my-request');
      assert.match(page.body, /Le délai de cette proposition est dépassé/);
      assert.doesNotMatch(page.body, /action="\/my-request\/offer\/confirm"/);
      const late = await client.post('/my-request/offer/confirm', {});
      assert.equal(late.statusCode, 410);
      assert.match(late.body, /<h1>Ma demande de rendez-vous<\/h1>/);
      clock.set(NOW);
    });
  });
});
