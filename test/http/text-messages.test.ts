// Text messages over HTTP, on both engines: the optional phone number of the booking and
// request API (normalised, refused with VALIDATION_FAILED when it is no number), the
// "no text messages" choice, and the route the SMS gateway calls with STOP.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { TEST_SMS_GATEWAY_KEY } from '../support/config.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const IN_A_WEEK = new Date('2026-06-08T07:00:00Z');

describeEachEngine('text messages over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  before(async () => {
    app = await testServer(database(), clock);
  });
  after(async () => app?.close());
  const db = () => database().db;

  const book = async (extra: Record<string, unknown>) => {
    const s = await createScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK);
    const person = { ...applicant(), ...extra };
    return app.inject({
      method: 'POST',
      url: '/api/bookings',
      payload: {
        slotId,
        applicant: person,
        emailVerification: await knownEmailProof(testContext(db(), clock), person.email),
        altcha: await solvedPow(app),
      },
    });
  };
  const smsKinds = async (phone: string) =>
    (
      await db()
        .selectFrom('outbox')
        .select('kind')
        .where('channel', '=', 'sms')
        .where('recipient', '=', phone)
        .orderBy('kind')
        .execute()
    ).map((r) => r.kind);
  const optOuts = async () => (await db().selectFrom('sms_opt_out').select('phone_key').execute()).length;
  const inbound = (payload: unknown, key: string | null = TEST_SMS_GATEWAY_KEY) =>
    app.inject({
      method: 'POST',
      url: '/api/sms/inbound',
      payload: payload as Record<string, unknown>,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });

  it('takes an optional phone number at booking, stores it normalised, and writes the text messages', async () => {
    const booked = await book({ phone: '+33 6 11 22 33 44' });
    assert.equal(booked.statusCode, 201, booked.body);
    const reference = booked.json().appointment.reference;
    const [row] = await db().selectFrom('appointment').select('phone').where('reference', '=', reference).execute();
    assert.equal(row!.phone, '0611223344');
    assert.deepEqual(await smsKinds('0611223344'), ['appointment-booked', 'appointment-reminder']);
    const without = await book({});
    assert.equal(without.statusCode, 201, 'the number stays optional');
  });

  it('refuses something that is no phone number with 400 VALIDATION_FAILED on applicant.phone', async () => {
    const refused = await book({ phone: '06 12' });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().code, 'VALIDATION_FAILED');
    assert.match(JSON.stringify(refused.json()), /phone/);
  });

  it('"no text messages" opts the number out and writes none', async () => {
    const before = await optOuts();
    const booked = await book({ phone: '06 11 22 33 45', textMessages: false });
    assert.equal(booked.statusCode, 201, booked.body);
    assert.deepEqual(await smsKinds('0611223345'), []);
    assert.equal(await optOuts(), before + 1);
  });

  it('POST /api/sms/inbound: 401 without the gateway key, 204 and the number opted out with it', async () => {
    const before = await optOuts();
    for (const key of [null, 'wrong-key-0123456789']) {
      const refused = await inbound({ from: '+33611223346', text: 'STOP' }, key);
      assert.deepEqual([refused.statusCode, refused.json().code], [401, 'SMS_GATEWAY_KEY_INVALID']);
    }
    assert.equal(await optOuts(), before);
    const stopped = await inbound({ from: '+33611223346', text: 'Stop' });
    assert.equal(stopped.statusCode, 204);
    assert.equal(await optOuts(), before + 1);
    const malformed = await inbound({ text: 'STOP' });
    assert.deepEqual([malformed.statusCode, malformed.json().code], [400, 'VALIDATION_FAILED']);
  });
});
