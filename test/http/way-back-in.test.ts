// The way back in (issue 15, Applicants 1) over HTTP, on both engines, with the real SMTP
// server: the reference and the birth date ask for a code sent to the address on file; the
// code opens the appointment (or request) on this device, and the new personal link comes by
// email. The answer is the same whether or not the reference and date match; a reference asks
// for a code three times an hour at most; the old link stops working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { deliverDueMessages } from '../../src/app/notifications/deliver-outbox.ts';
import type { Mailer, MailMessage } from '../../src/ports/mailer.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { smtpMailer, TEST_PUBLIC_URL, testDelivery } from '../support/outbox.ts';
import { headingOf, hiddenFields, PageClient } from '../support/page-client.ts';
import { filedRequest } from '../support/requests.ts';
import { applicant, bookedOnline, createScenario, TestClock, testContext } from '../support/scenario.ts';
import { type CapturedMail, codeFromMail, startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const FIRST_SLOT = new Date('2026-06-03T07:00:00Z');

describeEachEngine('the way back in by reference', (database) => {
  const clock = new TestClock(NOW);
  let smtp: TestSmtpServer;
  let app: FastifyInstance;
  let slots: string[];
  let nextSlot = 0;
  let nextIp = 1;
  before(async () => {
    smtp = await startTestSmtpServer();
    app = await testServer(database(), clock, { ctx: { mailer: smtpMailer(smtp) } });
    const s = await createScenario(database().db, { counters: 1 });
    slots = await s.addSlots(20, FIRST_SLOT);
  });
  after(async () => {
    await app?.close();
    await smtp?.close();
  });

  const ctx = () => testContext(database().db, clock);
  /** A client of its own address, so per-IP limits of one test do not reach another. */
  const client = (lang: 'fr' | 'en' = 'fr') => new PageClient(app, lang, `198.51.100.${nextIp++}`);
  const mailsTo = (email: string) => smtp.messages.filter((m) => m.recipients.includes(email.toLowerCase()));

  async function booked() {
    const { person, token, appointment } = await bookedOnline(ctx(), slots[nextSlot++]!);
    return { person, token, reference: appointment.reference };
  }

  /** Reference and birth date sent as a person types them; the code step's page. */
  async function askForCode(c: PageClient, reference: string, birthDate: string) {
    await c.get(`/manage/find?reference=${encodeURIComponent(reference)}`);
    return c.post('/manage/find', { reference, birthDate, altcha: await solvedPow(app) });
  }

  const codeMail = (email: string) =>
    smtp.waitForMessage((m) => m.recipients.includes(email.toLowerCase()) && /code/i.test(m.parsed.subject ?? ''));

  /** The link of a mail, as a path on this server. */
  function linkIn(mail: CapturedMail, path: string): string {
    const found = (mail.parsed.text ?? '').match(
      new RegExp(`${TEST_PUBLIC_URL.replace(/\./g, '\\.')}(${path}[^\\s>\\]]*)`),
    );
    assert.ok(found, `a link to ${path} in “${mail.parsed.subject}”`);
    return found[1]!;
  }

  it('opens the appointment with the reference, the birth date and the emailed code, then emails the new link', async () => {
    const { person, token, reference } = await booked();
    const c = client('en');
    const form = await c.get(`/manage/find?reference=${reference}`);
    assert.equal(form.statusCode, 200);
    assert.equal(headingOf(form.body), 'Find my appointment or request');
    assert.match(form.body, new RegExp(`name="reference" value="${reference}"`), 'the reference of the link filled in');
    // Typed as people type: small letters, no dashes; the date day first.
    const sent = await askForCode(c, reference.toLowerCase().replace(/-/g, ''), '12/04/1990');
    assert.equal(sent.statusCode, 200, sent.body);
    assert.equal(headingOf(sent.body), 'Enter the code received by email');
    const mail = await codeMail(person.email);
    assert.match(mail.parsed.text ?? '', /Find my appointment or request/);
    const wrong = await c.post('/manage/find/open', { ...hiddenFields(sent.body), code: '00000000' });
    assert.equal(wrong.statusCode, 422, wrong.body);
    assert.match(wrong.body, /href="#code"/);
    const opened = await c.post('/manage/find/open', { ...hiddenFields(sent.body), code: codeFromMail(mail) });
    assert.deepEqual([opened.statusCode, opened.headers.location], [303, '/manage?done=found']);
    const page = await c.get('/manage?done=found');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(reference));
    assert.match(page.body, /role="status"><p>Your appointment is open on this device/);
    // The code is spent.
    const again = await client().post('/manage/find/open', { ...hiddenFields(sent.body), code: codeFromMail(mail) });
    assert.notEqual(again.statusCode, 303);

    // The old emailed link opens nothing any more; the new one, emailed, does.
    const old = client();
    await old.get(`/manage/open?token=${token}`);
    assert.equal((await old.get('/manage')).statusCode, 404);
    await deliverDueMessages(testDelivery(database().db, clock, { mailer: smtpMailer(smtp) }));
    const linkMail = await smtp.waitForMessage(
      (m) => m.recipients.includes(person.email.toLowerCase()) && /nouveau lien personnel/.test(m.parsed.subject ?? ''),
    );
    const fresh = client();
    const followed = await fresh.get(linkIn(linkMail, '/manage/open'));
    assert.equal(followed.statusCode, 303);
    const viaLink = await fresh.get('/manage');
    assert.equal(viaLink.statusCode, 200);
    assert.ok(viaLink.body.includes(reference));
  });

  it('answers alike for a wrong birth date and an unknown reference, and sends nothing', async () => {
    const { person, reference } = await booked();
    const answers = [];
    for (const [ref, date] of [
      [reference, '13/04/1990'],
      ['K7M4-9XQ2-HT', '12/04/1990'],
    ] as const) {
      const response = await askForCode(client(), ref, date);
      assert.equal(response.statusCode, 200, response.body);
      answers.push(headingOf(response.body));
      const fields = hiddenFields(response.body);
      assert.match(fields.verificationId ?? '', /^[0-9a-f-]{36}$/, 'an id like a real one');
    }
    assert.equal(answers[0], answers[1]);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(mailsTo(person.email).length, 0, 'no code for a wrong birth date');
  });

  it('answers before the mail relay does, so the time taken does not tell a match from a miss', async () => {
    // A relay that holds every message until the test lets it go.
    const held: { message: MailMessage; release: () => void }[] = [];
    const relay = smtpMailer(smtp);
    const slowRelay: Mailer = {
      send: (message) =>
        new Promise<void>((resolve) => held.push({ message, release: () => resolve(relay.send(message)) })),
    };
    const slowApp = await testServer(database(), clock, { ctx: { mailer: slowRelay } });
    try {
      const { person, reference } = await booked();
      const c = new PageClient(slowApp, 'fr', `198.51.100.${nextIp++}`);
      await c.get(`/manage/find?reference=${encodeURIComponent(reference)}`);
      const answer = await c.post('/manage/find', {
        reference,
        birthDate: person.birthDate.split('-').reverse().join('/'),
        altcha: await solvedPow(slowApp),
      });
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(held.length, 1, 'answered while the code is still with the relay');
      assert.equal(mailsTo(person.email).length, 0);
      held[0]!.release();
      const mail = await codeMail(person.email);
      assert.ok(codeFromMail(mail), 'the code is sent after the answer');
    } finally {
      await slowApp.close();
    }
  });

  it('asks for a code three times an hour per reference, whether or not it exists', async () => {
    const { reference } = await booked();
    for (const ref of [reference, 'ABCD-EFGH-JK']) {
      for (let i = 0; i < 3; i++) assert.equal((await askForCode(client(), ref, '01/01/1980')).statusCode, 200);
      const fourth = await askForCode(client(), ref, '01/01/1980');
      assert.equal(fourth.statusCode, 429, ref);
      assert.match(fourth.body, /data-error-code="EMAIL_CODE_SEND_LIMITED"|Too many|trop/i);
    }
  });

  it('refuses a malformed reference or date on the form, keeping what was typed', async () => {
    const c = client();
    await c.get('/manage/find');
    const response = await c.post('/manage/find', { reference: 'ABC', birthDate: '31/02/1990' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /href="#reference"/);
    assert.match(response.body, /href="#birthDate"/);
    assert.match(response.body, /name="reference" value="ABC"/);
  });

  it('takes a reference typed in the management-code field to the way back in', async () => {
    const { reference } = await booked();
    const c = client();
    await c.get('/manage');
    const response = await c.post('/manage/open', { token: reference.toLowerCase() });
    assert.deepEqual([response.statusCode, response.headers.location], [303, `/manage/find?reference=${reference}`]);
  });

  it('goes straight in from an email link on a device that already holds that appointment', async () => {
    const { token, reference } = await booked();
    const c = client();
    await c.get(`/manage/open?token=${token}`);
    const response = await c.get(`/manage/find?reference=${reference}`);
    assert.deepEqual([response.statusCode, response.headers.location], [303, '/manage']);
  });

  it('opens a request with its own reference', async () => {
    const person = applicant({ birthDate: '1985-11-30' });
    const confirmation = await filedRequest(database().db, clock, person);
    const c = client('fr');
    const sent = await askForCode(c, confirmation.request.reference, '1985-11-30');
    assert.equal(sent.statusCode, 200);
    const code = codeFromMail(await codeMail(person.email));
    const opened = await c.post('/manage/find/open', { ...hiddenFields(sent.body), code });
    assert.deepEqual([opened.statusCode, opened.headers.location], [303, '/my-request?done=found']);
    const page = await c.get('/my-request?done=found');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(confirmation.request.reference));
    assert.match(page.body, /Votre demande est ouverte sur cet appareil/);
  });

  describe('the public API', () => {
    it('gives no access code to /api/email-verifications', async () => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/email-verifications',
        payload: { email: 'x@example.org', purpose: 'access', altcha: await solvedPow(app) },
      });
      assert.equal(response.statusCode, 400);
    });
  });
});
