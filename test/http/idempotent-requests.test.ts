// One proof of work pays for one action (issue 12 §1), over HTTP on both engines with real
// parts: the proof of work solved, codes delivered to a real SMTP server. An Idempotency-Key
// replays only the very same request (route, body, client) from its stored answer; the same
// key and solution with another body, route or client is refused with IDEMPOTENCY_KEY_REUSED.
import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createSmtpMailer } from '../../src/adapters/mail/smtp-mailer.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import type { MailMessage } from '../../src/ports/mailer.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const FIRST_SLOT = new Date('2026-06-03T07:00:00Z');
const ROUTE = '/api/email-verifications';
let counter = 0;
const uniqueEmail = () => `probe.${process.pid}.${++counter}.${Math.random().toString(36).slice(2, 8)}@example.org`;
const uniqueKey = () => `idem-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;

describeEachEngine('Idempotency-Key on proof-of-work routes', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let smtp: TestSmtpServer;
  /** While set, every code waits for it before going out (a request still running). */
  let gate: Promise<void> | null = null;
  before(async () => {
    smtp = await startTestSmtpServer();
    const smtpMailer = createSmtpMailer({ smtpUrl: smtp.url, from: 'Créneau <test@creneau.localhost>' });
    const mailer = {
      async send(message: MailMessage) {
        if (gate) await gate;
        return smtpMailer.send(message);
      },
    };
    app = await testServer(database(), clock, { ctx: { mailer } });
  });
  beforeEach(() => clock.set(NOW));
  after(async () => {
    await app?.close();
    await smtp?.close();
  });

  const sendCode = (email: string, altcha: string, key: string | null, extra: Partial<InjectOptions> = {}) =>
    app.inject({
      method: 'POST',
      url: ROUTE,
      payload: { email, purpose: 'booking', altcha },
      headers: key ? { 'idempotency-key': key } : {},
      ...extra,
    });
  const mailsTo = (emails: string[]) =>
    smtp.messages.filter((m) => m.recipients.some((r) => emails.includes(r))).length;
  const verificationsOf = async (emails: string[]) =>
    (await database().db.selectFrom('email_verification').select('id').where('email', 'in', emails).execute()).length;

  it('one solution and one key send one code, not six: the five other addresses are refused IDEMPOTENCY_KEY_REUSED', async () => {
    const altcha = await solvedPow(app);
    const key = uniqueKey();
    const emails = Array.from({ length: 6 }, uniqueEmail);
    const responses = [];
    for (const email of emails) responses.push(await sendCode(email, altcha, key));
    assert.equal(responses[0]!.statusCode, 202, responses[0]!.body);
    for (const refused of responses.slice(1)) {
      assert.deepEqual([refused.statusCode, refused.json().code], [422, 'IDEMPOTENCY_KEY_REUSED']);
    }
    await smtp.waitForMessage((m) => m.recipients.includes(emails[0]!));
    assert.equal(mailsTo(emails), 1);
    assert.equal(await verificationsOf(emails), 1);
    // Without the key, the spent solution buys nothing either.
    const bare = await sendCode(uniqueEmail(), altcha, null);
    assert.deepEqual([bare.statusCode, bare.json().code], [403, 'PROOF_OF_WORK_REJECTED']);
  });

  it('replays the very same request from its stored answer: no second code, no second verification', async () => {
    const altcha = await solvedPow(app);
    const key = uniqueKey();
    const email = uniqueEmail();
    const first = await sendCode(email, altcha, key);
    assert.equal(first.statusCode, 202, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const again = await sendCode(email, altcha, key);
    assert.equal(again.statusCode, 202);
    assert.equal(again.body, first.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    // A retry that solved a fresh challenge is the same request too (the solution is not part of it).
    const fresh = await sendCode(email, await solvedPow(app), key);
    assert.deepEqual([fresh.statusCode, fresh.body], [202, first.body]);
    await smtp.waitForMessage((m) => m.recipients.includes(email));
    assert.equal(mailsTo([email]), 1);
    assert.equal(await verificationsOf([email]), 1);
  });

  it('refuses the same key and body from another address', async () => {
    const altcha = await solvedPow(app);
    const key = uniqueKey();
    const email = uniqueEmail();
    assert.equal((await sendCode(email, altcha, key, { remoteAddress: '198.51.100.20' })).statusCode, 202);
    const elsewhere = await sendCode(email, altcha, key, { remoteAddress: '203.0.113.77' });
    assert.deepEqual([elsewhere.statusCode, elsewhere.json().code], [422, 'IDEMPOTENCY_KEY_REUSED']);
    assert.equal(
      (await sendCode(email, altcha, key, { remoteAddress: '198.51.100.20' })).headers['idempotent-replayed'],
      'true',
    );
    assert.equal(await verificationsOf([email]), 1);
  });

  it('refuses the same key on another route', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, FIRST_SLOT);
    const key = uniqueKey();
    const email = uniqueEmail();
    assert.equal((await sendCode(email, await solvedPow(app), key)).statusCode, 202);
    const person = applicant({ email });
    const booking = await app.inject({
      method: 'POST',
      url: '/api/bookings',
      headers: { 'idempotency-key': key },
      payload: {
        slotId,
        applicant: person,
        emailVerification: await knownEmailProof(testContext(database().db, clock), email),
        altcha: await solvedPow(app),
      },
    });
    assert.deepEqual([booking.statusCode, booking.json().code], [422, 'IDEMPOTENCY_KEY_REUSED']);
    assert.equal(
      (await database().db.selectFrom('appointment').select('id').where('slot_id', '=', slotId!).execute()).length,
      0,
    );
  });

  it('one solution and one key move an appointment once, not four times', async () => {
    const s = await createScenario(database().db);
    const slots = await s.addSlots(5, FIRST_SLOT);
    const ctx = testContext(database().db, clock);
    const person = applicant();
    const { confirmation } = await bookSlot(ctx, {
      slotId: slots[0]!,
      applicant: person,
      emailProof: await knownEmailProof(ctx, person.email),
    });
    const altcha = await solvedPow(app);
    const key = uniqueKey();
    const statuses: (string | number)[] = [];
    for (const slotId of slots.slice(1)) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/appointment/reschedule',
        headers: { authorization: `Bearer ${confirmation.managementToken}`, 'idempotency-key': key },
        payload: { slotId, emailVerification: await knownEmailProof(ctx, person.email, 'reschedule'), altcha },
      });
      statuses.push(response.statusCode === 200 ? 200 : response.json().code);
    }
    assert.deepEqual(statuses, [200, 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_REUSED']);
    const row = await database()
      .db.selectFrom('appointment')
      .select(['slot_id', 'reschedule_count'])
      .where('reference', '=', confirmation.appointment.reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.slot_id, Number(row.reschedule_count)], [slots[1], 1]);
  });

  it('runs one of two simultaneous identical requests; the other gets its answer (or IDEMPOTENCY_IN_PROGRESS)', async () => {
    const altcha = await solvedPow(app);
    const key = uniqueKey();
    const email = uniqueEmail();
    const pair = await Promise.all([sendCode(email, altcha, key), sendCode(email, altcha, key)]);
    assert.deepEqual(pair.map((r) => r.statusCode).filter((c) => c === 202).length >= 1, true);
    for (const r of pair)
      assert.ok(r.statusCode === 202 || (r.statusCode === 409 && r.json().code === 'IDEMPOTENCY_IN_PROGRESS'), r.body);
    assert.equal(
      pair.filter((r) => r.headers['idempotent-replayed'] === 'true').length,
      pair.filter((r) => r.statusCode === 202).length - 1,
    );
    await smtp.waitForMessage((m) => m.recipients.includes(email));
    assert.equal(mailsTo([email]), 1);
    assert.equal(await verificationsOf([email]), 1);
  });

  it('says 409 IDEMPOTENCY_IN_PROGRESS with Retry-After while the first request still runs, then replays its answer', async () => {
    let open!: () => void;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    try {
      const altcha = await solvedPow(app);
      const key = uniqueKey();
      const email = uniqueEmail();
      const first = Promise.resolve(sendCode(email, altcha, key)); // inject starts when awaited
      // The first has claimed the key and is held in the mailer; its twin waits for its answer, then gives up.
      for (
        let i = 0;
        i < 500 &&
        !(await database()
          .db.selectFrom('http_idempotency')
          .select('key_digest')
          .where('status', 'is', null)
          .executeTakeFirst());
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const twin = await sendCode(email, altcha, key);
      assert.deepEqual([twin.statusCode, twin.json().code], [409, 'IDEMPOTENCY_IN_PROGRESS']);
      assert.equal(twin.headers['retry-after'], '1');
      open();
      const answered = await first;
      assert.equal(answered.statusCode, 202, answered.body);
      const replay = await sendCode(email, altcha, key);
      assert.deepEqual(
        [replay.statusCode, replay.body, replay.headers['idempotent-replayed']],
        [202, answered.body, 'true'],
      );
      assert.equal(await verificationsOf([email]), 1);
    } finally {
      gate = null;
    }
  });

  it('lets a retry run again after a passing failure (mail server down: 503), with the same solution', async () => {
    const altcha = await solvedPow(app);
    const key = uniqueKey();
    const email = uniqueEmail();
    smtp.rejectRecipients.add(email);
    const failed = await sendCode(email, altcha, key);
    assert.deepEqual([failed.statusCode, failed.json().code], [503, 'SERVICE_UNAVAILABLE']);
    smtp.rejectRecipients.delete(email);
    const retried = await sendCode(email, altcha, key);
    assert.equal(retried.statusCode, 202, retried.body);
    assert.equal(retried.headers['idempotent-replayed'], undefined, 'the work ran again');
    await smtp.waitForMessage((m) => m.recipients.includes(email));
    assert.equal(mailsTo([email]), 1);
  });
});
