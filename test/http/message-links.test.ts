// Every message carries its link (issue 15, Applicants 2), read from the real emails (the
// in-process SMTP server) and followed: the offer, the reminder and the confirmation of an
// accepted offer lead to the page where the person acts — straight there on the device that
// holds the appointment or request, to the way back in with the reference filled in elsewhere.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { deliverDueMessages } from '../../src/app/notifications/deliver-outbox.ts';
import { testAllocationContext } from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { smtpMailer, TEST_PUBLIC_URL, testDelivery } from '../support/outbox.ts';
import { headingOf, PageClient } from '../support/page-client.ts';
import { allocationScenario, filedRequest } from '../support/requests.ts';
import { applicant, bookedOnline, createScenario, TestClock, testContext } from '../support/scenario.ts';
import { type CapturedMail, startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z');

describeEachEngine('the link of every message', (database) => {
  const clock = new TestClock(NOW);
  let smtp: TestSmtpServer;
  let app: FastifyInstance;
  before(async () => {
    smtp = await startTestSmtpServer();
    app = await testServer(database(), clock, { ctx: { mailer: smtpMailer(smtp) } });
  });
  after(async () => {
    await app?.close();
    await smtp?.close();
  });

  const deliver = () => deliverDueMessages(testDelivery(database().db, clock, { mailer: smtpMailer(smtp) }));
  const mailTo = (email: string, subject: RegExp) =>
    smtp.waitForMessage((m) => m.recipients.includes(email.toLowerCase()) && subject.test(m.parsed.subject ?? ''));

  /** The links of a mail's text, as paths on this server. */
  function linksIn(mail: CapturedMail): string[] {
    const text = mail.parsed.text ?? '';
    return [...text.matchAll(new RegExp(`${TEST_PUBLIC_URL.replace(/\./g, '\\.')}(/[^\\s>\\]]*)`, 'g'))].map(
      (m) => m[1]!,
    );
  }

  /** A device that opened the emailed personal link once. */
  async function deviceHolding(token: string) {
    const device = new PageClient(app);
    assert.equal((await device.get(`/manage/open?token=${token}`)).statusCode, 303);
    return device;
  }

  it('the offer links to the request page, where the offer is answered, and its confirmation to the appointment', async () => {
    clock.set(NOW);
    const db = database().db;
    const s = await allocationScenario(db);
    await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const person = applicant();
    const request = await filedRequest(db, clock, person, s);
    await runDrawForTick(testAllocationContext(db, clock), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: clock.now(),
      trigger: 'manual',
    });
    await deliver();
    const offer = await mailTo(person.email, /Rendez-vous proposé|Appointment offered/);
    const link = `/manage/find?reference=${request.request.reference}`;
    assert.ok(linksIn(offer).includes(link), `${linksIn(offer).join(' ')} has ${link}`);
    assert.doesNotMatch(offer.parsed.text ?? '', /message reçu lors du dépôt/, 'no hunt for an older message');

    // Elsewhere: the way back in, the reference filled in.
    const elsewhere = await new PageClient(app).get(link);
    assert.equal(elsewhere.statusCode, 200);
    assert.match(elsewhere.body, new RegExp(`name="reference" value="${request.request.reference}"`));
    // On the device that holds the request: straight to the offer.
    const device = await deviceHolding(request.managementToken);
    const followed = await device.get(link);
    assert.deepEqual([followed.statusCode, followed.headers.location], [303, '/my-request']);
    const page = await device.get('/my-request');
    assert.match(page.body, /action="\/my-request\/offer\/confirm"/);
    const confirmed = await device.post('/my-request/offer/confirm', {});
    assert.equal(confirmed.statusCode, 303);

    await deliver();
    const confirmation = await mailTo(person.email, /Rendez-vous confirmé|Appointment confirmed/);
    const manage = linksIn(confirmation).find((l) => l.startsWith('/manage/find?reference='));
    assert.ok(manage, 'the confirmation links to the appointment');
    const there = await device.get(manage);
    assert.deepEqual([there.statusCode, there.headers.location], [303, '/manage']);
    const appointment = await device.get('/manage');
    assert.equal(appointment.statusCode, 200);
    assert.ok(appointment.body.includes(manage.split('=')[1]!), 'the appointment of the new reference');
  });

  it('the reminder links to the appointment', async () => {
    clock.set(NOW);
    const db = database().db;
    const s = await createScenario(db, { counters: 1 });
    const [slotId] = await s.addSlots(1, new Date('2026-06-05T07:00:00Z'));
    const { person, token, appointment } = await bookedOnline(testContext(db, clock), slotId!);
    clock.set(new Date('2026-06-03T08:00:00Z')); // 47 h before
    await deliver();
    const reminder = await mailTo(person.email, /Rappel|Reminder/);
    const link = `/manage/find?reference=${appointment.reference}`;
    assert.ok(linksIn(reminder).includes(link), linksIn(reminder).join(' '));
    const device = await deviceHolding(token);
    const followed = await device.get(link);
    assert.deepEqual([followed.statusCode, followed.headers.location], [303, '/manage']);
    const fresh = await new PageClient(app, 'en').get(link);
    assert.equal(headingOf(fresh.body), 'Find my appointment or request');
  });
});
