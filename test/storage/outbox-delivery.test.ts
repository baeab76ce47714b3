// The outbox worker, end to end: rows written by the use cases, delivered through nodemailer
// to a real SMTP server in the process, read back with mailparser and ical.js. Retries,
// give-ups, crashes (a claim left behind) and two workers on one database.
import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { createOutboxStore } from '../../src/adapters/db/outbox-store.ts';
import { startRenderThread } from '../../src/adapters/mail/render-thread.ts';
import { type BookSlotInput, bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { rescheduleAppointment } from '../../src/app/booking/reschedule-appointment.ts';
import { convocationToken } from '../../src/app/convocations/issue-convocation.ts';
import {
  type DeliveryContext,
  deliverDueMessages,
  renderClaimed,
  startOutboxWorker,
} from '../../src/app/notifications/deliver-outbox.ts';
import { requestClosedNotification } from '../../src/app/notifications/notifications.ts';
import { convocationPng } from '../../src/app/notifications/render-email.ts';
import {
  CLAIM_LEASE_MS,
  leaseRenewalIntervalMs,
  outboxMessageId,
  retryDelayMs,
} from '../../src/domain/outbox-rules.ts';
import type { EmailRenderer } from '../../src/ports/email-renderer.ts';
import type { Mailer } from '../../src/ports/mailer.ts';
import { describeEachEngine } from '../support/databases.ts';
import {
  outboxRowsTo,
  parseCalendar,
  smtpMailer,
  TEST_ORGANIZER,
  TEST_PUBLIC_URL,
  testDelivery,
  testSigner,
} from '../support/outbox.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';
import { type CapturedMail, startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday, 10:00 in Paris
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z'); // Monday 8 June, 09:00 in Paris
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describeEachEngine('outbox delivery', (database) => {
  const clock = new TestClock(NOW);
  const db = () => database().db;
  const ctx = () => testContext(db(), clock);
  let smtp: TestSmtpServer;
  let mailer: Mailer & { close(): void };
  before(async () => {
    smtp = await startTestSmtpServer();
    mailer = smtpMailer(smtp);
  });
  after(async () => {
    mailer?.close();
    await smtp?.close();
  });
  beforeEach(async () => {
    clock.set(NOW);
    // Each test delivers what it wrote, nothing left by another.
    await db().deleteFrom('outbox').execute();
  });
  const delivery = (overrides: Partial<DeliveryContext> = {}) => testDelivery(db(), clock, { mailer, ...overrides });
  const book = async (input: BookSlotInput) =>
    (
      await bookSlot(ctx(), {
        ...input,
        emailProof: input.emailProof ?? (await knownEmailProof(ctx(), input.applicant.email)),
      })
    ).confirmation;
  const mailsTo = (email: string) => smtp.messages.filter((m) => m.recipients.includes(email.toLowerCase()));
  const calendarOf = (mail: CapturedMail) => {
    const ics = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
    assert.ok(ics, 'an iCalendar attachment');
    return parseCalendar(ics.content.toString('utf8'));
  };
  /** Writes `count` messages in one transaction, as a use case would. */
  const enqueueClosures = async (count: number, tag: string) => {
    const now = clock.now();
    const messages = Array.from({ length: count }, (_, i) =>
      requestClosedNotification(
        {
          id: `${tag}-${i}`,
          email: `closed.${tag}.${i}@example.org`,
          language: 'fr',
          givenNames: 'Awa',
          surname: 'Sow',
          reference: `R${i}`,
        },
        { nameFr: 'Naturalisation', nameEn: 'Naturalisation', maxIgnoredOffers: 2 },
        now,
      ),
    );
    await ctx().store.transaction((tx) => tx.enqueueMessages(messages, now));
    return messages.map((m) => m.recipient);
  };

  const deliversAConfirmation = async (renderer?: EmailRenderer) => {
    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    const person = applicant();
    const booked = await book({ slotId: slotId!, applicant: person });
    const [row] = await outboxRowsTo(db(), person.email);

    const report = await deliverDueMessages(delivery(renderer ? { renderer } : {}));
    assert.deepEqual([report.claimed, report.sent, report.failures.length], [1, 1, 0], 'the reminder is not due yet');
    const mail = await smtp.waitForMessage((m) => m.recipients.includes(person.email.toLowerCase()));
    assert.equal(mail.parsed.messageId, outboxMessageId(row!.id));
    assert.equal(mail.parsed.subject, `Rendez-vous confirmé le 8 juin à 09h00 (${booked.appointment.reference})`);
    const text = mail.parsed.text ?? '';
    assert.match(text, /lundi 8 juin 2026 à 09h00 \(heure locale, Europe\/Paris\)/);
    assert.ok(
      text.includes(`${TEST_PUBLIC_URL}/manage/open?token=${encodeURIComponent(booked.managementToken)}`),
      'the management link',
    );
    assert.ok(text.includes(booked.appointment.reference), 'the short code');
    assert.match(text, /nominatif/);
    assert.ok(
      typeof mail.parsed.html === 'string' && mail.parsed.html.includes('/manage/open?token='),
      'an HTML part too',
    );

    const calendar = calendarOf(mail);
    const appointmentId = (row!.payload as { appointment: { appointmentId: string } }).appointment.appointmentId;
    assert.equal(calendar.method, 'REQUEST');
    assert.equal(calendar.uid, `appointment-${appointmentId}@creneau`);
    assert.equal(calendar.sequence, 0);
    assert.equal(calendar.startZone, 'Europe/Paris');
    assert.equal(calendar.startLocal, '2026-06-08T09:00:00');
    assert.equal(calendar.start.toISOString(), IN_A_WEEK_9H.toISOString());
    assert.equal(calendar.end.toISOString(), new Date(IN_A_WEEK_9H.getTime() + 30 * 60_000).toISOString());
    assert.match(calendar.summary, /Renouvellement/);
    assert.match(calendar.location, /^Site [0-9a-f]+, 1 rue de la Préfecture$/);

    const qr = mail.parsed.attachments.find((a) => a.contentType === 'image/png');
    assert.ok(qr, 'the convocation QR code');
    assert.equal(qr.cid, 'convocation-qr@creneau');
    assert.equal(qr.related, true, 'shown inline, in the HTML part');
    assert.match(mail.parsed.html, /<img [^>]*alt="Code QR de votre convocation"/);
    assert.ok(qr.content.subarray(0, 8).equals(PNG_SIGNATURE));
    const subject = {
      id: appointmentId,
      reference: booked.appointment.reference,
      endsAt: new Date(booked.appointment.endsAt),
      timeZone: 'Europe/Paris',
    };
    const expected = await convocationPng(convocationToken(testSigner, subject).token, subject.reference);
    assert.ok(qr.content.equals(expected.qrPng), "the QR code of this appointment's signed convocation");

    const sent = await db().selectFrom('outbox').selectAll().where('id', '=', row!.id).executeTakeFirstOrThrow();
    assert.deepEqual(
      [sent.status, sent.sent_at?.toISOString(), sent.attempts, sent.claim_token],
      ['sent', NOW.toISOString(), 1, null],
    );
    assert.equal(
      (sent.payload as { managementToken?: string }).managementToken,
      undefined,
      'the token is forgotten once sent',
    );
    assert.equal((await deliverDueMessages(delivery())).claimed, 0, 'sent once, never again');

    // Two days before, the reminder: no token, the same appointment.
    clock.set(new Date(IN_A_WEEK_9H.getTime() - 48 * HOUR));
    assert.equal((await deliverDueMessages(delivery())).sent, 1);
    const reminder = await smtp.waitForMessage(
      (m) => m.recipients.includes(person.email.toLowerCase()) && /Rappel/.test(m.parsed.subject ?? ''),
    );
    assert.ok(!(reminder.parsed.text ?? '').includes(booked.managementToken));
    // No token in a message written weeks before it leaves: the way back in, the reference filled in.
    assert.ok((reminder.parsed.text ?? '').includes(`/manage/find?reference=${booked.appointment.reference}`));
    assert.equal(mailsTo(person.email).length, 2);
  };

  it("delivers a confirmation by SMTP: calendar event in the site's zone, convocation QR, the management link, a stable Message-ID", () =>
    deliversAConfirmation());

  it('delivers the same confirmation when a render thread renders it (the key stays on this thread)', async () => {
    const thread = startRenderThread({ publicUrl: TEST_PUBLIC_URL, organizer: TEST_ORGANIZER });
    try {
      await deliversAConfirmation(thread);
    } finally {
      await thread.close();
    }
  });

  it('updates the same calendar event on a reschedule and cancels it on a cancellation; a cancelled reminder never goes', async () => {
    const s = await createScenario(db());
    const [first] = await s.addSlots(1, IN_A_WEEK_9H);
    const [second] = await s.addSlots(1, new Date(IN_A_WEEK_9H.getTime() + DAY));
    const person = applicant();
    const booked = await book({ slotId: first!, applicant: person, language: 'en' });
    await rescheduleAppointment(ctx(), {
      managementToken: booked.managementToken,
      slotId: second!,
      emailProof: await knownEmailProof(ctx(), person.email, 'reschedule'),
    });
    clock.set(new Date(NOW.getTime() + HOUR));
    await cancelAppointment(ctx(), booked.managementToken);

    clock.set(new Date(IN_A_WEEK_9H.getTime() + 2 * DAY)); // past every reminder's time
    const report = await deliverDueMessages(delivery());
    assert.deepEqual([report.sent, report.failures.length], [3, 0]);
    const mails = mailsTo(person.email);
    const bySubject = (pattern: RegExp) => mails.find((m) => pattern.test(m.parsed.subject ?? ''))!;
    assert.deepEqual(mails.map((m) => m.parsed.subject?.replace(/ \(.*\)$/, '')).sort(), [
      'Appointment cancelled',
      'Appointment confirmed on 8 June at 09:00',
      'Appointment moved to 9 June at 09:00',
    ]);
    const [booking, moved, cancelled] = [bySubject(/confirmed/), bySubject(/moved/), bySubject(/cancelled/)].map(
      calendarOf,
    );
    assert.equal(moved!.uid, booking!.uid);
    assert.equal(cancelled!.uid, booking!.uid);
    assert.deepEqual([booking!.sequence, moved!.sequence, cancelled!.sequence], [0, 1, 2]);
    assert.deepEqual([moved!.method, moved!.startLocal], ['REQUEST', '2026-06-09T09:00:00']);
    assert.deepEqual([cancelled!.method, cancelled!.status], ['CANCEL', 'CANCELLED']);
    assert.match(
      bySubject(/moved/).parsed.text ?? '',
      /no longer on Monday 8 June 2026 at 09:00 \(local time, Europe\/Paris\)/,
    );
    assert.ok(!mails.some((m) => /Reminder/.test(m.parsed.subject ?? '')), 'no reminder for a cancelled appointment');
  });

  it('two workers on one database deliver 50 messages, each exactly once', async () => {
    const recipients = await enqueueClosures(50, `pair${Date.now()}`);
    const worker = () => {
      const own = smtpMailer(smtp);
      return { own, context: delivery({ mailer: own, policy: { batchSize: 4, concurrency: 2 } }) };
    };
    const [a, b] = [worker(), worker()];
    try {
      const drain = async (context: DeliveryContext) => {
        let sent = 0;
        for (;;) {
          const report = await deliverDueMessages({ ...context, policy: { ...context.policy, maxBatches: 1 } });
          sent += report.sent;
          if (report.claimed === 0) return sent;
        }
      };
      const [sentByA, sentByB] = await Promise.all([drain(a.context), drain(b.context)]);
      assert.equal(sentByA + sentByB, 50);
    } finally {
      a.own.close();
      b.own.close();
    }
    const received = smtp.messages.filter((m) => recipients.includes(m.recipients[0]!));
    const ids = received.map((m) => m.parsed.messageId);
    assert.equal(received.length, 50);
    assert.equal(new Set(ids).size, 50, 'no Message-ID twice');
    const rows = await db()
      .selectFrom('outbox')
      .select(['status', 'attempts'])
      .where('kind', '=', 'request-closed')
      .execute();
    assert.deepEqual([...new Set(rows.map((r) => `${r.status}/${r.attempts}`))], ['sent/1']);
  });

  it('retries a message the SMTP server refuses, with backoff, then sends it', async () => {
    const [recipient] = await enqueueClosures(1, `refused${Date.now()}`);
    smtp.rejectRecipients.add(recipient!);
    try {
      const first = await deliverDueMessages(delivery());
      assert.equal(first.failures.length, 1);
      assert.equal(first.failures[0]!.retryAt?.toISOString(), new Date(NOW.getTime() + retryDelayMs(1)).toISOString());
      const row = await db()
        .selectFrom('outbox')
        .selectAll()
        .where('recipient', '=', recipient!)
        .executeTakeFirstOrThrow();
      assert.deepEqual([row.status, row.attempts, row.claim_token], ['pending', 1, null]);
      assert.match(row.last_error ?? '', /mailbox unavailable|550/);
      assert.equal((await deliverDueMessages(delivery())).claimed, 0, 'not before its retry time');
    } finally {
      smtp.rejectRecipients.delete(recipient!);
    }
    clock.set(new Date(NOW.getTime() + retryDelayMs(1)));
    assert.equal((await deliverDueMessages(delivery())).sent, 1);
    assert.equal(mailsTo(recipient!).length, 1);
    const row = await db()
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', recipient!)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.attempts, row.last_error], ['sent', 2, null]);
  });

  it('retries after a mailer that throws once, and gives up after the last attempt, keeping the error and forgetting the token', async () => {
    const [flakyTo] = await enqueueClosures(1, `flaky${Date.now()}`);
    let calls = 0;
    const flaky: Mailer = {
      send: async (m) => (++calls === 1 ? Promise.reject(new Error('connection reset')) : mailer.send(m)),
    };
    assert.equal((await deliverDueMessages(delivery({ mailer: flaky }))).failures.length, 1);
    clock.set(new Date(NOW.getTime() + retryDelayMs(1)));
    assert.equal((await deliverDueMessages(delivery({ mailer: flaky }))).sent, 1);
    assert.equal(mailsTo(flakyTo!).length, 1);

    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    const person = applicant();
    await book({ slotId: slotId!, applicant: person });
    const broken: Mailer = { send: async () => Promise.reject(new Error('relay down')) };
    const context = delivery({ mailer: broken, policy: { maxAttempts: 3 } });
    const retries: (Date | null)[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const report = await deliverDueMessages(context);
      assert.equal(report.failures.length, 1, `attempt ${attempt}`);
      retries.push(report.failures[0]!.retryAt);
      if (report.failures[0]!.retryAt) clock.set(report.failures[0]!.retryAt);
    }
    const start = clock.now().getTime() - retryDelayMs(2) - retryDelayMs(1); // the first attempt's time
    assert.deepEqual(
      retries.map((r) => r?.getTime() ?? null),
      [start + retryDelayMs(1), start + retryDelayMs(1) + retryDelayMs(2), null],
    );
    const [confirmation] = await outboxRowsTo(db(), person.email);
    assert.deepEqual(
      [confirmation!.status, confirmation!.attempts, confirmation!.last_error],
      ['failed', 3, 'Error: relay down'],
    );
    assert.equal((confirmation!.payload as { managementToken?: string }).managementToken, undefined);
    clock.set(new Date(clock.now().getTime() + DAY));
    assert.equal((await deliverDueMessages(context)).claimed, 0, 'a failed message is not retried any more');
  });

  it('delivers a message claimed by a crashed worker once its lease runs out, with the same Message-ID if the crash came after the send', async () => {
    const [leftBehind, halfDone] = await enqueueClosures(2, `crash${Date.now()}`);
    const store = createOutboxStore(db());
    // Worker A claims both and dies: one before sending, one after the relay accepted it.
    const claimed = await store.claimDue(clock.now(), 10, CLAIM_LEASE_MS);
    assert.equal(claimed.length, 2);
    const sentBeforeCrash = claimed.find((c) => c.recipient === halfDone)!;
    await mailer.send(await renderClaimed(delivery(), sentBeforeCrash));

    clock.set(new Date(NOW.getTime() + CLAIM_LEASE_MS - 1));
    assert.equal((await deliverDueMessages(delivery())).claimed, 0, 'held while the lease runs');
    clock.set(new Date(NOW.getTime() + CLAIM_LEASE_MS));
    const report = await deliverDueMessages(delivery());
    assert.deepEqual([report.claimed, report.sent], [2, 2]);
    assert.equal(await store.markSent(sentBeforeCrash, clock.now()), false, 'the dead claim marks nothing');

    assert.equal(mailsTo(leftBehind!).length, 1);
    const copies = mailsTo(halfDone!);
    assert.equal(copies.length, 2, 'SMTP cannot do better than at least once here');
    assert.equal(
      copies[0]!.parsed.messageId,
      copies[1]!.parsed.messageId,
      'the duplicate is recognisably the same message',
    );
    const rows = await db()
      .selectFrom('outbox')
      .select(['status', 'attempts'])
      .where('recipient', 'in', [leftBehind!, halfDone!])
      .execute();
    assert.deepEqual(
      rows.map((r) => `${r.status}/${r.attempts}`),
      ['sent/2', 'sent/2'],
    );
  });

  it('a claim its worker renews is not taken over; one not renewed is, once its lease has run out', async () => {
    const [renewedTo, abandonedTo] = await enqueueClosures(2, `lease${Date.now()}`);
    const store = createOutboxStore(db());
    const claimed = await store.claimDue(clock.now(), 10, CLAIM_LEASE_MS);
    const renewed = claimed.find((c) => c.recipient === renewedTo)!;
    const abandoned = claimed.find((c) => c.recipient === abandonedTo)!;
    assert.ok(renewed && abandoned);

    // The live worker renews what it still holds a third of the way into the lease; the other claim's worker died.
    clock.set(new Date(NOW.getTime() + leaseRenewalIntervalMs(CLAIM_LEASE_MS)));
    assert.deepEqual(await store.renewClaims([renewed], clock.now(), CLAIM_LEASE_MS), [renewed.id]);

    clock.set(new Date(NOW.getTime() + CLAIM_LEASE_MS));
    const takenOver = await store.claimDue(clock.now(), 10, CLAIM_LEASE_MS);
    assert.deepEqual(
      takenOver.map((c) => c.recipient),
      [abandonedTo],
      'only the abandoned claim is taken over',
    );
    assert.deepEqual(
      await store.renewClaims([abandoned], clock.now(), CLAIM_LEASE_MS),
      [],
      'a claim taken over cannot be renewed by its old token',
    );
    assert.equal(await store.markSent(renewed, clock.now()), true, 'the renewed claim still marks its message');
    assert.equal(await store.markSent(takenOver[0]!, clock.now()), true);
    assert.equal(CLAIM_LEASE_MS, 60_000, "a dead instance's messages wait a minute, not ten");
  });

  it('the worker renews its lease during a send slower than the lease, so no other worker takes the message over', async () => {
    const [to] = await enqueueClosures(1, `slow${Date.now()}`);
    const leaseMs = 600; // renewed every 200 ms of real time
    const leaseOf = async () =>
      (
        await db().selectFrom('outbox').select('claimed_until').where('recipient', '=', to!).executeTakeFirstOrThrow()
      ).claimed_until!.getTime();
    let otherWorkerClaimed = -1;
    const slowMailer: Mailer = {
      send: async (message) => {
        const firstLease = await leaseOf();
        // Time passes beyond the first lease while this send is still going.
        clock.set(new Date(firstLease - 100));
        const deadline = Date.now() + 5_000;
        while ((await leaseOf()) <= firstLease && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        clock.set(new Date(firstLease + 50));
        otherWorkerClaimed = (await createOutboxStore(db()).claimDue(clock.now(), 10, leaseMs)).length;
        await mailer.send(message);
      },
    };
    const report = await deliverDueMessages(delivery({ mailer: slowMailer, policy: { leaseMs } }));
    assert.equal(otherWorkerClaimed, 0, 'the renewed lease kept the message from another worker');
    assert.deepEqual([report.claimed, report.sent, report.lostClaims, report.deferred], [1, 1, 0, 0]);
    assert.equal(mailsTo(to!).length, 1);
  });

  it('records a sent message through a database blip instead of sending it again after the lease', async () => {
    const [to] = await enqueueClosures(1, `blip${Date.now()}`);
    const store = createOutboxStore(db());
    let refusals = 0;
    const blipping = {
      ...store,
      markSent: async (claim: Parameters<typeof store.markSent>[0], now: Date) => {
        if (refusals++ < 2) throw new Error('Connection terminated unexpectedly');
        return store.markSent(claim, now);
      },
    };
    const report = await deliverDueMessages(delivery({ outbox: blipping }));
    assert.deepEqual([report.sent, report.lostClaims, refusals], [1, 0, 3]);
    const [row] = await outboxRowsTo(db(), to!);
    assert.equal(row!.status, 'sent');
    clock.set(new Date(NOW.getTime() + 2 * CLAIM_LEASE_MS));
    assert.equal((await deliverDueMessages(delivery())).claimed, 0, 'nothing left to send again');
    assert.equal(mailsTo(to!).length, 1);
  });

  it('a worker told to stop finishes the batch it claimed and leaves the rest to the others', async () => {
    const recipients = await enqueueClosures(3, `stop${Date.now()}`);
    let stopping = false;
    const stopAfterFirstSend: Mailer = {
      async send(message) {
        await mailer.send(message);
        stopping = true;
      },
    };
    const report = await deliverDueMessages(
      delivery({ mailer: stopAfterFirstSend, policy: { batchSize: 1 } }),
      () => !stopping,
    );
    assert.deepEqual([report.claimed, report.sent, report.released], [1, 1, 0]);
    const rows = await db()
      .selectFrom('outbox')
      .select(['status', 'claim_token'])
      .where('recipient', 'in', recipients)
      .execute();
    assert.deepEqual(rows.map((r) => r.status).sort(), ['pending', 'pending', 'sent']);
    assert.ok(
      rows.every((r) => r.claim_token === null),
      'nothing left claimed: another instance sends the rest at once',
    );
  });

  it('a worker stopped mid-batch finishes the send in flight and releases the rest of its claims, their attempt given back', async () => {
    const recipients = await enqueueClosures(4, `release${Date.now()}`);
    let stopping = false;
    const stopAfterFirstSend: Mailer = {
      async send(message) {
        await mailer.send(message);
        stopping = true; // SIGTERM arrives while the first message is being sent
      },
    };
    const report = await deliverDueMessages(
      delivery({ mailer: stopAfterFirstSend, policy: { batchSize: 4, concurrency: 1 } }),
      () => !stopping,
    );
    assert.deepEqual([report.claimed, report.sent, report.released], [4, 1, 3]);
    const rows = await db()
      .selectFrom('outbox')
      .select(['status', 'claim_token', 'claimed_until', 'attempts'])
      .where('recipient', 'in', recipients)
      .execute();
    const pending = rows.filter((r) => r.status === 'pending');
    assert.equal(pending.length, 3);
    assert.ok(
      pending.every((r) => r.claim_token === null && r.claimed_until === null && Number(r.attempts) === 0),
      'released: unclaimed, no attempt counted',
    );
    const next = await deliverDueMessages(delivery());
    assert.deepEqual([next.claimed, next.sent], [3, 3], 'another worker sends them at once, before any lease runs out');
  });

  it('the running worker sends a message as soon as its transaction commits', async () => {
    const worker = startOutboxWorker(delivery(), { intervalMs: HOUR });
    try {
      const s = await createScenario(db());
      const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
      const person = applicant();
      await book({ slotId: slotId!, applicant: person });
      const mail = await smtp.waitForMessage((m) => m.recipients.includes(person.email.toLowerCase()), 5000);
      assert.match(mail.parsed.subject ?? '', /Rendez-vous confirmé/);
    } finally {
      await worker.stop();
    }
  });
});
