// Text messages through the transactional outbox, on both engines: an SMS twin of each
// confirmation and reminder for a person who gave a number, delivered exactly once, retried
// after a transient failure, given up after a refusal, never sent to a number that answered
// STOP, and never more than the daily limit to one number (the CHECK of migration 0019).
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { createSmsGuard } from '../../src/adapters/db/sms-guard.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { changeAppointmentPhone } from '../../src/app/booking/change-appointment-phone.ts';
import { type DeliveryContext, deliverDueMessages } from '../../src/app/notifications/deliver-outbox.ts';
import { recordInboundSms } from '../../src/app/sms/record-inbound-sms.ts';
import { fitsInTwoSegments } from '../../src/domain/sms-rules.ts';
import type { SmsMessage, SmsOutcome, SmsSender } from '../../src/ports/sms.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TEST_PUBLIC_URL, testDelivery } from '../support/outbox.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';
import { createCryptoHasherForTests } from '../support/sms.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday, 10:00 in Paris
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z');
const HOUR = 3_600_000;
const GATEWAY_KEY = 'gateway-key-0123456789abcdef';

/** A sender that records what it is handed and answers as told (a thrown error: a 5xx). */
function capturingSender(answer: (m: SmsMessage) => SmsOutcome | Error = () => ({ status: 'sent' })) {
  const sent: SmsMessage[] = [];
  const sender: SmsSender & { sent: SmsMessage[]; answer: typeof answer } = {
    sent,
    answer,
    async send(message) {
      const outcome = sender.answer(message);
      if (outcome instanceof Error) throw outcome;
      sent.push(message);
      return outcome;
    },
  };
  return sender;
}

describeEachEngine('text messages', (database) => {
  const clock = new TestClock(NOW);
  const db = () => database().db;
  const ctx = () => testContext(db(), clock);
  const hasher = createCryptoHasherForTests();
  beforeEach(async () => {
    clock.set(NOW);
    await db().deleteFrom('outbox').execute();
    await db().deleteFrom('sms_opt_out').execute();
    await db().deleteFrom('sms_daily_count').execute();
  });
  const delivery = (sender: SmsSender, dailyLimit = 5, overrides: Partial<DeliveryContext> = {}) =>
    testDelivery(db(), clock, {
      sms: { sender, guard: createSmsGuard(db()), hasher, dailyLimit },
      ...overrides,
    });
  const bookWithPhone = async (phone: string, language: 'fr' | 'en' = 'fr') => {
    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    const person = applicant({ phone });
    const { confirmation } = await bookSlot(ctx(), {
      slotId: slotId!,
      applicant: person,
      language,
      emailProof: await knownEmailProof(ctx(), person.email),
    });
    return { person, confirmation };
  };
  const smsRows = (phone: string) =>
    db()
      .selectFrom('outbox')
      .selectAll()
      .where('channel', '=', 'sms')
      .where('recipient', '=', phone)
      .orderBy('deliver_after')
      .execute();
  const stop = (from: string, text = 'STOP') =>
    recordInboundSms(
      { guard: createSmsGuard(db()), hasher, clock, gatewayKey: GATEWAY_KEY },
      { key: GATEWAY_KEY, from, text },
    );

  it('follows a change of number: the pending reminder goes to the new one, none after "no text messages", back when a number is given again', async () => {
    const { person, confirmation } = await bookWithPhone('06 12 34 56 78');
    const token = confirmation.managementToken;
    const remindersTo = async (phone: string) =>
      (await smsRows(phone)).filter((r) => r.kind === 'appointment-reminder' && r.status === 'pending');
    const due = new Date(IN_A_WEEK_9H.getTime() - 48 * HOUR).toISOString();
    assert.equal((await remindersTo('0612345678')).length, 1);

    const view = await changeAppointmentPhone(ctx(), token, { phone: '0699887766', textMessages: true });
    assert.equal(view.applicant.phone, '0699887766');
    assert.deepEqual(await remindersTo('0612345678'), [], 'not to the old number any more');
    assert.deepEqual(
      (await remindersTo('0699887766')).map((r) => r.deliver_after.toISOString()),
      [due],
    );

    await changeAppointmentPhone(ctx(), token, { phone: '0699887766', textMessages: false });
    assert.deepEqual(await remindersTo('0699887766'), [], '"no text messages": none pending');
    assert.equal(
      (await db().selectFrom('sms_opt_out').select('phone_key').execute()).length,
      1,
      'the number is opted out',
    );

    await changeAppointmentPhone(ctx(), token, { phone: null, textMessages: true });
    const stored = await db()
      .selectFrom('appointment')
      .select('phone')
      .where('email', '=', person.email)
      .executeTakeFirstOrThrow();
    assert.equal(stored.phone, null);

    await changeAppointmentPhone(ctx(), token, { phone: '0655443322', textMessages: true });
    assert.deepEqual(
      (await remindersTo('0655443322')).map((r) => r.deliver_after.toISOString()),
      [due],
      'written again under its key, so a cancellation still finds it',
    );
    const emailReminders = await db()
      .selectFrom('outbox')
      .select('status')
      .where('channel', '=', 'email')
      .where('kind', '=', 'appointment-reminder')
      .execute();
    assert.deepEqual(
      emailReminders.map((r) => r.status),
      ['pending'],
      'the email reminder is untouched',
    );

    await cancelAppointment(ctx(), token);
    assert.deepEqual(await remindersTo('0655443322'), [], 'the cancellation cancels the reminder at its new number');
  });

  it('a booking with a number writes the SMS twins of the confirmation and the reminder, without the token', async () => {
    const { confirmation } = await bookWithPhone('06 12 34 56 78');
    const rows = await smsRows('0612345678');
    assert.deepEqual(
      rows.map((r) => [r.kind, r.deliver_after.toISOString()]),
      [
        ['appointment-booked', NOW.toISOString()],
        ['appointment-reminder', new Date(IN_A_WEEK_9H.getTime() - 48 * HOUR).toISOString()],
      ],
    );
    for (const row of rows) assert.ok(!JSON.stringify(row.payload).includes(confirmation.managementToken));
    const emails = await db().selectFrom('outbox').select('kind').where('channel', '=', 'email').execute();
    assert.equal(emails.length, 2, 'the emails are still written');
  });

  it('delivers once: the text in the language, the way back in by reference, at most two segments', async () => {
    const { confirmation } = await bookWithPhone('+33 6 12 34 56 79', 'en');
    const sender = capturingSender();
    const first = await deliverDueMessages(delivery(sender));
    assert.equal(sender.sent.length, 1, 'the confirmation; the reminder is not due');
    assert.equal(first.sent, 2, 'with its email');
    const [sms] = sender.sent;
    assert.equal(sms!.to, '+33612345679');
    const reference = confirmation.appointment.reference;
    assert.ok(sms!.text.startsWith('Créneau: appointment confirmed on 8 June at 09:00'), sms!.text);
    assert.ok(sms!.text.includes(`${TEST_PUBLIC_URL}/manage/find?reference=${reference}`), sms!.text);
    assert.ok(!sms!.text.includes(confirmation.managementToken));
    assert.ok(fitsInTwoSegments(sms!.text), `${sms!.text.length} characters`);
    const again = await deliverDueMessages(delivery(sender));
    assert.equal(again.claimed, 0);
    assert.equal(sender.sent.length, 1, 'not sent twice');
    clock.set(new Date(IN_A_WEEK_9H.getTime() - 48 * HOUR));
    await deliverDueMessages(delivery(sender));
    assert.equal(sender.sent.length, 2);
    assert.match(sender.sent[1]!.text, /^Créneau: reminder of your appointment on 8 June at 09:00/);
  });

  it('a cancellation cancels the SMS reminder too', async () => {
    const { confirmation } = await bookWithPhone('0612345670');
    await cancelAppointment(ctx(), confirmation.managementToken);
    const reminder = (await smsRows('0612345670')).find((r) => r.kind === 'appointment-reminder');
    assert.equal(reminder?.status, 'cancelled');
  });

  it('retries after a transient failure (5xx, timeout) and gives up at once on a refusal (4xx)', async () => {
    await bookWithPhone('0612345671');
    const sender = capturingSender(() => new Error('SMS gateway answered HTTP 503'));
    const failed = await deliverDueMessages(delivery(sender));
    assert.equal(failed.failures.length, 1);
    assert.ok(failed.failures[0]!.retryAt, 'retried later');
    const [row] = await smsRows('0612345671');
    assert.equal(row!.status, 'pending');
    sender.answer = () => ({ status: 'sent' });
    clock.set(new Date(failed.failures[0]!.retryAt!.getTime()));
    const retried = await deliverDueMessages(delivery(sender));
    assert.equal(retried.sent, 1);
    assert.equal(sender.sent.length, 1);
    assert.equal((await smsRows('0612345671'))[0]!.status, 'sent');

    await bookWithPhone('0612345672');
    const refusing = capturingSender(() => ({ status: 'rejected', reason: 'HTTP 400: invalid number' }));
    const refused = await deliverDueMessages(delivery(refusing));
    assert.equal(refused.failures.length, 1);
    assert.equal(refused.failures[0]!.retryAt, null, 'given up');
    const [given] = await smsRows('0612345672');
    assert.equal(given!.status, 'failed');
    assert.match(given!.last_error ?? '', /^SMS_REJECTED: HTTP 400/);
  });

  it('sends nothing to a number that answered STOP, again after START; keeps only a digest of it', async () => {
    assert.equal(await stop('+33612345673', '  stop '), 'opted-out');
    const keys = await db().selectFrom('sms_opt_out').select('phone_key').execute();
    assert.equal(keys.length, 1);
    assert.ok(!keys[0]!.phone_key.includes('612345673'));
    await bookWithPhone('0612345673');
    const sender = capturingSender();
    const report = await deliverDueMessages(delivery(sender));
    assert.equal(sender.sent.length, 0);
    assert.equal(report.failures[0]?.retryAt, null);
    assert.match((await smsRows('0612345673'))[0]!.last_error ?? '', /^SMS_OPTED_OUT/);

    assert.equal(await stop('0612345673', 'START'), 'opted-in');
    await bookWithPhone('0612345673');
    await deliverDueMessages(delivery(sender));
    assert.equal(sender.sent.length, 1, 'the next confirmation goes');
  });

  it('refuses an inbound call without the gateway key, and ignores other texts', async () => {
    await assert.rejects(
      recordInboundSms(
        { guard: createSmsGuard(db()), hasher, clock, gatewayKey: GATEWAY_KEY },
        { key: 'not-the-key', from: '0612345674', text: 'STOP' },
      ),
      { code: 'SMS_GATEWAY_KEY_INVALID' },
    );
    assert.equal(await stop('0612345674', 'Bonjour, je serai en retard'), 'ignored');
    assert.equal((await db().selectFrom('sms_opt_out').select('phone_key').execute()).length, 0);
  });

  it('sends at most the daily limit to one number; the next day it counts again', async () => {
    for (let i = 0; i < 3; i++) await bookWithPhone('0612345675');
    const sender = capturingSender();
    const report = await deliverDueMessages(delivery(sender, 2));
    assert.equal(sender.sent.length, 2);
    assert.equal(report.failures.length, 1);
    assert.match(report.failures[0]!.error, /^SMS_DAILY_LIMIT/);
    assert.equal(report.failures[0]!.retryAt, null);
    const [count] = await db().selectFrom('sms_daily_count').selectAll().execute();
    assert.deepEqual([count!.day, count!.sent, count!.cap], ['2026-06-01', 2, 2]);
    // The database holds the limit, whatever the code does.
    await assert.rejects(db().updateTable('sms_daily_count').set({ sent: 3 }).execute(), /sms_daily_count_within_cap/);
    const guard = createSmsGuard(db());
    assert.equal(await guard.countSend(count!.phone_key, '2026-06-01', 2), false);
    assert.equal(await guard.countSend(count!.phone_key, '2026-06-02', 2), true, 'a new day');
  });

  it('two workers at once never pass the limit (the CHECK decides)', async () => {
    const guard = createSmsGuard(db());
    const key = hasher.identityKey('sms-phone:0612345676');
    const results = await Promise.all(Array.from({ length: 8 }, () => guard.countSend(key, '2026-06-01', 5)));
    assert.equal(results.filter(Boolean).length, 5);
    const [row] = await db().selectFrom('sms_daily_count').select('sent').where('phone_key', '=', key).execute();
    assert.equal(row!.sent, 5);
  });

  it('an SMS row holds a number, never an address (CHECK)', async () => {
    const writer = ctx();
    await assert.rejects(
      writer.store.transaction((tx) =>
        tx.enqueueMessages(
          [
            {
              channel: 'sms',
              kind: 'request-paused',
              payload: {
                requestReference: 'R1',
                givenNames: 'A',
                surname: 'B',
                procedureName: { fr: 'x', en: 'x' },
              },
              recipient: 'someone@example.org',
              language: 'fr',
              dedupeKey: 'sms:test',
              deliverAfter: NOW,
            },
          ],
          NOW,
        ),
      ),
      /outbox_sms_recipient_shape/,
    );
  });
});
