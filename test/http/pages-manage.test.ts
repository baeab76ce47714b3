// "Manage my appointment" over HTTP (app.inject), on both engines: the emailed link moved
// into a cookie, the appointment, the printable convocation, cancelling, rescheduling with an
// email code, forgetting the device, and a request's token sent to its own page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { viewAppointment } from '../../src/app/booking/view-appointment.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { capturingMailer, headingOf, hiddenFields, linksOf, PageClient } from '../support/page-client.ts';
import { filedRequest } from '../support/requests.ts';
import { applicant, bookedOnline, createScenario, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
/** Wednesday 3 June 2026, 09:00 in Paris. */
const FIRST_SLOT = new Date('2026-06-03T07:00:00Z');

describeEachEngine('manage pages', (database) => {
  const clock = new TestClock(NOW);
  const mailer = capturingMailer();
  let app: FastifyInstance;
  let s: Awaited<ReturnType<typeof createScenario>>;
  let slots: string[];
  let nextSlot = 0;
  before(async () => {
    app = await testServer(database(), clock, { ctx: { mailer } });
    s = await createScenario(database().db, { counters: 1 });
    slots = await s.addSlots(20, FIRST_SLOT);
  });
  after(async () => {
    await app?.close();
  });

  const ctx = () => testContext(database().db, clock);

  /** A booked appointment and its management token. */
  const booked = () => bookedOnline(ctx(), slots[nextSlot++]!);

  /** A client holding the appointment's cookie, as after the emailed link. */
  async function opened(token: string, lang: 'fr' | 'en' = 'fr') {
    const client = new PageClient(app, lang);
    const response = await client.get(`/manage/open?token=${token}`);
    assert.equal(response.statusCode, 303);
    return client;
  }

  describe('opening', () => {
    it('moves the emailed token into an httpOnly cookie and strips it from the address at once', async () => {
      const { token } = await booked();
      const client = new PageClient(app);
      const response = await client.get(`/manage/open?token=${token}`);
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/manage');
      const cookie = response.cookies.find((c) => c.name === 'creneau_manage');
      assert.deepEqual([cookie?.value, cookie?.httpOnly, cookie?.sameSite, cookie?.path], [token, true, 'Lax', '/']);
      const withLanguage = await new PageClient(app).get(`/manage/open?token=${token}&lang=en`);
      assert.equal(withLanguage.headers.location, '/manage?lang=en');
    });

    for (const [lang, heading] of [
      ['fr', 'Gérer mon rendez-vous'],
      ['en', 'Manage my appointment'],
    ] as const) {
      it(`asks for the management code without a cookie, and opens the appointment typed in (${lang})`, async () => {
        const { token, appointment } = await booked();
        const client = new PageClient(app, lang);
        const form = await client.get('/manage');
        assert.equal(form.statusCode, 200);
        assert.equal(headingOf(form.body), heading);
        assert.match(form.body, /action="\/manage\/open"/);
        const wrong = await client.post('/manage/open', { token: 'not a token' });
        assert.equal(wrong.statusCode, 400);
        assert.match(wrong.body, /href="#token"/);
        assert.match(wrong.body, /aria-describedby="token-error"/);
        const opened = await client.post('/manage/open', { token: ` ${token} ` });
        assert.deepEqual([opened.statusCode, opened.headers.location], [303, '/manage']);
        const page = await client.get('/manage');
        assert.equal(page.statusCode, 200);
        assert.ok(page.body.includes(appointment.reference));
      });
    }

    it('refuses the typed token without its CSRF token', async () => {
      const client = new PageClient(app);
      await client.get('/manage');
      const response = await client.post('/manage/open', { token: 'x'.repeat(43) }, { csrf: false });
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /data-error-code="CSRF_TOKEN_INVALID"/);
    });

    it('says when a token opens nothing, and forgets it', async () => {
      const client = await opened('A'.repeat(43));
      const page = await client.get('/manage');
      assert.equal(page.statusCode, 404);
      assert.match(page.body, /href="#token">Aucun rendez-vous ne correspond à ce code de gestion/);
      assert.equal(client.cookies.has('creneau_manage'), false);
    });

    it('sends the token of an appointment request to its own page', async () => {
      const confirmation = await filedRequest(database().db, clock, applicant());
      const client = await opened(confirmation.managementToken);
      const response = await client.get('/manage');
      assert.deepEqual([response.statusCode, response.headers.location], [303, '/my-request']);
    });
  });

  describe('the appointment', () => {
    for (const [lang, heading, at, format, status] of [
      ['fr', 'Mon rendez-vous', 'à', "HH'h'mm", 'Réservé'],
      ['en', 'My appointment', 'at', 'HH:mm', 'Booked'],
    ] as const) {
      it(`shows the appointment with its actions, times in the site's zone (${lang})`, async () => {
        const { token, appointment, person } = await booked();
        const client = await opened(token, lang);
        const page = await client.get('/manage');
        assert.equal(page.statusCode, 200);
        assert.equal(headingOf(page.body), heading);
        assert.ok(page.body.includes(appointment.reference));
        const when = `${at} ${DateTime.fromISO(appointment.startsAt, { zone: 'Europe/Paris' }).toFormat(format)}`;
        assert.ok(page.body.includes(when), when);
        assert.ok(page.body.includes(status));
        for (const href of ['/manage/convocation', '/manage/reschedule', '/manage/cancel'])
          assert.ok(linksOf(page.body).includes(href), href);
        assert.match(page.body, /action="\/manage\/forget"/);
        for (const link of linksOf(page.body))
          assert.ok(!link.includes(token) && !link.includes(person.email), `nothing personal in ${link}`);
      });
    }

    it('mentions no move once none is left: cancel and print only', async () => {
      const { token, appointment } = await booked();
      await database()
        .db.updateTable('appointment')
        .set({ reschedule_count: 99 })
        .where('reference', '=', appointment.reference)
        .execute();
      const page = await (await opened(token, 'en')).get('/manage');
      assert.equal(page.statusCode, 200);
      assert.ok(linksOf(page.body).includes('/manage/cancel'));
      assert.ok(!linksOf(page.body).includes('/manage/reschedule'));
      assert.doesNotMatch(page.body, /move this appointment/i);
    });

    it('lists what to bring the same way on the procedure page, the appointment page and the convocation', async () => {
      await database()
        .db.updateTable('procedure')
        .set({ instructions_en: 'Bring the completed form and two photos.' })
        .where('id', '=', s.procedureId)
        .execute();
      const { token } = await booked();
      const client = await opened(token, 'en');
      const listOf = (html: string) => /<ul aria-labelledby="what-to-bring">([\s\S]*?)<\/ul>/.exec(html)?.[1];
      const lists = [
        listOf((await client.get(`/procedure?procedure=${s.procedureId}&prefecture=${s.prefectureId}`)).body),
        listOf((await client.get('/manage')).body),
        listOf((await client.get('/manage/convocation')).body),
      ];
      assert.ok(lists[0], 'the procedure page lists it');
      assert.match(lists[0]!, /Bring the completed form and two photos\./);
      assert.match(lists[0]!, /Your valid passport/);
      assert.match(lists[0]!, /Your convocation/);
      assert.deepEqual(lists, [lists[0], lists[0], lists[0]]);
    });

    it('prints a nominative convocation with its QR code as an image', async () => {
      const { token, appointment, person } = await booked();
      const client = await opened(token, 'en');
      const page = await client.get('/manage/convocation');
      assert.equal(page.statusCode, 200);
      assert.equal(headingOf(page.body), 'Your appointment letter');
      assert.match(
        page.body,
        /<img class="creneau-qr" src="data:image\/png;base64,[A-Za-z0-9+/=]{200,}" width="240" height="240" alt="QR code of your appointment letter/,
      );
      assert.match(page.body, new RegExp(`creneau-short-code">${appointment.reference}<`));
      assert.ok(page.body.includes(person.surname.toUpperCase()));
      assert.match(page.body, /12\/04\/1990/);
      assert.match(page.body, /Your valid passport/);
      assert.match(page.body, /class="creneau-letterhead[\s\S]*République<br>Française[\s\S]*Préfecture/);
      assert.match(page.body, /<button type="button" class="fr-btn creneau-needs-js" data-print>Print<\/button>/);
      assert.match(page.body, /<script src="\/assets\/print\.js" defer><\/script>/);
      assert.ok(linksOf(page.body).includes('/manage/convocation.pdf'));
    });

    it('gives the convocation as a PDF in Marianne, Latin Extended names kept, with the prefecture as its author', async () => {
      const { token, appointment } = await bookedOnline(
        ctx(),
        slots[nextSlot++]!,
        applicant({ surname: 'Yılmaz-Łukasiewicz', givenNames: 'Şükrü Ősz' }),
      );
      const client = await opened(token, 'fr');
      const pdf = await client.get('/manage/convocation.pdf');
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(pdf.headers['cache-control'], 'no-store');
      assert.match(
        pdf.headers['content-disposition'] as string,
        new RegExp(`convocation-${appointment.reference}\\.pdf`),
      );
      const document = await PDFDocument.load(pdf.rawPayload);
      assert.equal(document.getPageCount(), 1);
      assert.equal(document.getTitle(), `Convocation au service des étrangers ${appointment.reference}`);
      assert.match(document.getAuthor() ?? '', /^Préfecture/);
      // The State's typeface embedded (subsets), not a standard font limited to Windows-1252.
      const fonts = document.context
        .enumerateIndirectObjects()
        .map(([, object]) => (object instanceof PDFDict ? object.get(PDFName.of('BaseFont'))?.toString() : undefined))
        .filter((name): name is string => name !== undefined);
      assert.ok(fonts.filter((name) => /Marianne/.test(name)).length >= 2, fonts.join(', '));
      assert.ok(!fonts.some((name) => /Helvetica/.test(name)), fonts.join(', '));
      const english = await (await opened(token, 'en')).get('/manage/convocation.pdf');
      assert.match((await PDFDocument.load(english.rawPayload)).getTitle() ?? '', /^Your appointment letter/);
      const anonymous = await new PageClient(app).get('/manage/convocation.pdf');
      assert.equal(anonymous.statusCode, 303, 'no token, no letter');
    });

    it('cancels after a question, then says so in a status message', async () => {
      const { token } = await booked();
      const client = await opened(token);
      const question = await client.get('/manage/cancel');
      assert.equal(question.statusCode, 200);
      assert.equal(headingOf(question.body), 'Voulez-vous annuler ce rendez-vous ?');
      const forged = await client.post('/manage/cancel', {}, { csrf: false });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /data-error-code="CSRF_TOKEN_INVALID"/);
      await client.get('/manage/cancel');
      const cancelled = await client.post('/manage/cancel', {});
      assert.deepEqual([cancelled.statusCode, cancelled.headers.location], [303, '/manage?done=cancelled']);
      const page = await client.get('/manage?done=cancelled');
      assert.match(page.body, /role="status"><p>Votre rendez-vous est annulé/);
      assert.match(page.body, /Annulé/);
      assert.ok(!linksOf(page.body).includes('/manage/cancel'), 'nothing left to cancel');
      const convocation = await client.get('/manage/convocation');
      assert.equal(convocation.statusCode, 409);
      assert.match(convocation.body, /data-error-code="APPOINTMENT_NOT_ACTIVE"/);
      assert.deepEqual([(await client.get('/manage/cancel')).statusCode], [303]);
    });

    it('adds, changes and removes the mobile number, with the error on its field', async () => {
      const { token } = await booked();
      const client = await opened(token);
      const page = await client.get('/manage');
      assert.match(page.body, /Vous n(?:'|&#39;)avez pas donné de numéro de mobile/);
      assert.ok(linksOf(page.body).includes('/manage/phone'));
      const form = await client.get('/manage/phone');
      assert.equal(headingOf(form.body), 'Mon numéro de téléphone');
      const wrong = await client.post('/manage/phone', { phone: '06 12' });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.body, /id="phone-error"/);
      assert.match(wrong.body, /value="06 12"/, 'what was typed is kept');
      const saved = await client.post('/manage/phone', { phone: '06 12 34 56 78' });
      assert.deepEqual([saved.statusCode, saved.headers.location], [303, '/manage?done=phone']);
      const after = await client.get('/manage?done=phone');
      assert.match(after.body, /role="status"><p>Votre numéro de téléphone est enregistré/);
      assert.match(after.body, /Numéro de mobile : 06 12 34 56 78/);
      await client.get('/manage/phone');
      await client.post('/manage/phone', { phone: '' });
      assert.match((await client.get('/manage')).body, /Vous n(?:'|&#39;)avez pas donné de numéro de mobile/);
      // Only while the appointment can still change.
      await client.get('/manage/cancel');
      await client.post('/manage/cancel', {});
      assert.equal((await client.get('/manage/phone')).headers.location, '/manage');
      await client.get('/manage');
      const late = await client.post('/manage/phone', { phone: '06 12 34 56 78' });
      assert.equal(late.statusCode, 409);
    });

    it('forgets the device on request', async () => {
      const { token } = await booked();
      const client = await opened(token);
      await client.get('/manage');
      const forgotten = await client.post('/manage/forget', {});
      assert.deepEqual([forgotten.statusCode, forgotten.headers.location], [303, '/manage?done=forgotten']);
      assert.equal(client.cookies.has('creneau_manage'), false);
      const page = await client.get('/manage?done=forgotten');
      assert.match(page.body, /action="\/manage\/open"/);
      assert.match(page.body, /role="status"/);
      for (const path of ['/manage/convocation', '/manage/cancel', '/manage/reschedule', '/manage/forget?lang=en']) {
        assert.deepEqual([(await client.get(path)).headers.location], ['/manage'], path);
      }
    });
  });

  describe('rescheduling', () => {
    it("lists other free slots, sends a code to the appointment's address, and moves the appointment", async () => {
      const { token, appointment, person } = await booked();
      const client = await opened(token, 'en');
      const list = await client.get('/manage/reschedule');
      assert.equal(list.statusCode, 200);
      assert.equal(headingOf(list.body), 'Move my appointment');
      assert.ok(!list.body.includes(`value="${appointment.slotId}"`), 'not its own slot');
      assert.match(list.body, /<altcha-widget/);
      const target = [...list.body.matchAll(/name="slot" value="([0-9a-f-]{36})"/g)].map((m) => m[1]!).at(-1)!;

      const none = await client.post('/manage/reschedule/code', {
        ...hiddenFields(list.body),
        altcha: await solvedPow(app),
      });
      assert.equal(none.statusCode, 400);
      assert.match(none.body, /href="#slot"/);

      const codeStep = await client.post('/manage/reschedule/code', {
        ...hiddenFields(client.html),
        slot: target,
        altcha: await solvedPow(app),
      });
      assert.equal(codeStep.statusCode, 200, codeStep.body);
      assert.ok(codeStep.body.includes(person.email));
      const mail = mailer.sent.at(-1)!;
      assert.equal(mail.to, person.email);
      assert.match(mail.text, /move your appointment/);

      const code = mailer.codeFor(person.email);
      const wrong = await client.post('/manage/reschedule', {
        ...hiddenFields(codeStep.body),
        code: code === '00000000' ? '11111111' : '00000000',
        altcha: await solvedPow(app),
      });
      assert.equal(wrong.statusCode, 422);
      assert.match(wrong.body, /href="#code"/);
      const moved = await client.post('/manage/reschedule', {
        ...hiddenFields(client.html),
        code,
        altcha: await solvedPow(app),
      });
      assert.deepEqual([moved.statusCode, moved.headers.location], [303, '/manage?done=rescheduled'], moved.body);
      assert.equal((await viewAppointment(ctx(), token)).slotId, target);
      const page = await client.get('/manage?done=rescheduled');
      assert.match(page.body, /role="status"><p>Your appointment has been moved/);
      assert.match(page.body, /You can move this appointment 1 more time/);
    });

    it('keeps the code step when the proof of work is missing, and answers GET on POST-only steps', async () => {
      const { token } = await booked();
      const client = await opened(token);
      const list = await client.get('/manage/reschedule');
      const target = /name="slot" value="([0-9a-f-]{36})"/.exec(list.body)![1]!;
      const codeStep = await client.post('/manage/reschedule/code', {
        ...hiddenFields(list.body),
        slot: target,
        altcha: await solvedPow(app),
      });
      const noPow = await client.post('/manage/reschedule', { ...hiddenFields(codeStep.body), code: '12345678' });
      assert.equal(noPow.statusCode, 400);
      assert.match(noPow.body, /href="#pow-hint"/);
      assert.match(noPow.body, /action="\/manage\/reschedule"/);
      assert.deepEqual(
        [(await client.get('/manage/reschedule/code?lang=en')).headers.location],
        ['/manage/reschedule'],
      );
    });

    it('offers no move once the limit is reached', async () => {
      const { token } = await booked();
      await database()
        .db.updateTable('appointment')
        .set({ reschedule_count: 2 })
        .where('reference', '=', (await viewAppointment(ctx(), token)).reference)
        .execute();
      const client = await opened(token);
      assert.ok(!linksOf((await client.get('/manage')).body).includes('/manage/reschedule'));
      const response = await client.get('/manage/reschedule');
      assert.deepEqual([response.statusCode, response.headers.location], [303, '/manage']);
    });
  });
});
