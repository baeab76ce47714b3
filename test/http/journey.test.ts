// The whole online journey over HTTP with real parts: proof of work solved, the email code
// read from a real SMTP server, the registry checked, the convocation verified by an agent.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createSecurityEventLog } from '../../src/adapters/db/security-event-log.ts';
import { createSmtpMailer } from '../../src/adapters/mail/smtp-mailer.ts';
import { insertRegistryResidents } from '../../src/adapters/registry/db-registry.ts';
import { agentApiToken, givenAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { applicant, createScenario, TestClock } from '../support/scenario.ts';
import { codeFromMail, startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z');

describeEachEngine('online journey', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let smtp: TestSmtpServer;
  let securityEvents: ReturnType<typeof createSecurityEventLog>;
  before(async () => {
    smtp = await startTestSmtpServer();
    securityEvents = createSecurityEventLog(database().db, { clock });
    app = await testServer(database(), clock, {
      ctx: {
        mailer: createSmtpMailer({ smtpUrl: smtp.url, from: 'Créneau <test@creneau.localhost>' }),
        securityEvents,
      },
    });
  });
  after(async () => {
    await app?.close();
    await smtp?.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: payload as object, headers });

  /** Asks for a code like the page does, and reads it from the mail like the applicant does. */
  async function emailProof(email: string, purpose = 'booking') {
    const sent = await post('/api/email-verifications', { email, purpose, altcha: await solvedPow(app) });
    assert.equal(sent.statusCode, 202, sent.body);
    const mail = await smtp.waitForMessage(
      (m) => m.recipients.includes(email.toLowerCase()) && !m.parsed.text?.includes('__used__'),
    );
    (mail.parsed as { text?: string }).text += '__used__'; // the next proof for this address waits for a new mail
    return { verificationId: sent.json().verificationId, code: codeFromMail(mail) };
  }

  async function renewalScenario() {
    const db = database().db;
    const s = await createScenario(db, { procedure: { identityProof: 'agdref' } });
    await db
      .updateTable('procedure')
      .set({
        registry_check: true,
        renewal_window_start_months: 4,
        renewal_window_end_months: 2,
        alternative_procedure_id: null,
      })
      .where('id', '=', s.procedureId)
      .execute();
    const slots = await s.addSlots(4, new Date('2026-06-03T07:00:00Z'));
    return { s, slots };
  }

  it('books a renewal after proving the email and the registry identity, then an agent verifies the convocation', async () => {
    const { s, slots } = await renewalScenario();
    const agdrefNumber = '7700000001';
    await insertRegistryResidents(database().db, [
      {
        agdrefNumber,
        surname: 'NGUYỄN VAN',
        givenNames: 'Thi',
        birthDate: '1988-09-30',
        nationality: 'VNM',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2026-09-01', // in 3 months: inside the 4-to-2-month window
      },
    ]);
    const person = applicant({
      surname: 'Nguyen Van',
      givenNames: 'Thi',
      birthDate: '1988-09-30',
      nationality: 'VNM',
      agdrefNumber: '770 000 0001',
      passportNumber: undefined,
    });
    const booked = await post('/api/bookings', {
      slotId: slots[0],
      applicant: person,
      emailVerification: await emailProof(person.email),
      altcha: await solvedPow(app),
    });
    assert.equal(booked.statusCode, 201, booked.body);
    const { appointment, managementToken } = booked.json();

    const convocation = await app.inject({
      url: '/api/appointment/convocation',
      headers: { authorization: `Bearer ${managementToken}` },
    });
    assert.equal(convocation.statusCode, 200);
    assert.match(convocation.json().qrSvg, /^<svg[\s\S]*<path/);
    assert.equal(convocation.json().shortCode, appointment.reference);

    // A supervisor of the appointment's prefecture, with an API session.
    const agentToken = await agentApiToken(
      app,
      await givenAgent(testAgentContext(database().db, clock), 'supervisor', s.prefectureId),
    );
    const agent = { authorization: `Bearer ${agentToken}` };
    const byQr = await post('/api/convocations/verify', { token: convocation.json().token }, agent);
    assert.equal(byQr.statusCode, 200, byQr.body);
    assert.deepEqual([byQr.json().surname, byQr.json().birthDate], ['Nguyen Van', '1988-09-30']);
    const byCode = await post(
      '/api/convocations/verify',
      { shortCode: appointment.reference.toLowerCase().replace(/-/g, ' ') },
      agent,
    );
    assert.equal(byCode.json().reference, appointment.reference);
    assert.equal((await post('/api/convocations/verify', { token: convocation.json().token })).statusCode, 401);

    await post('/api/appointment/cancel', {}, { authorization: `Bearer ${managementToken}` });
    // The freed slot goes to a draw: not listed, and not bookable first come, even the same second (no hand-off).
    const listed = await app.inject({
      url: `/api/slots?procedureId=${s.procedureId}&siteIds=${s.siteId}&from=2026-06-01&to=2026-06-30`,
    });
    assert.equal(listed.statusCode, 200, listed.body);
    const listedIds = listed.json().slots.map((slot: { slotId: string }) => slot.slotId);
    assert.ok(listedIds.includes(slots[1]) && !listedIds.includes(slots[0]), listed.body);
    const rebooked = await post('/api/bookings', {
      slotId: slots[0],
      applicant: { ...person, email: `accomplice.${person.email}` },
      emailVerification: await emailProof(`accomplice.${person.email}`),
      altcha: await solvedPow(app),
    });
    assert.deepEqual([rebooked.statusCode, rebooked.json().code], [409, 'SLOT_UNAVAILABLE']);
    const afterCancel = await post('/api/convocations/verify', { token: convocation.json().token }, agent);
    assert.deepEqual([afterCancel.statusCode, afterCancel.json().code], [404, 'CONVOCATION_INVALID']);
  });

  it('refuses a wrong birth date, a wrong surname and an unknown number with one identical answer, and records them', async () => {
    const { slots } = await renewalScenario();
    await insertRegistryResidents(database().db, [
      {
        agdrefNumber: '7700000002',
        surname: 'OKAFOR',
        givenNames: 'Chidi',
        birthDate: '1979-01-15',
        nationality: 'NGA',
        permitType: 'carte de séjour pluriannuelle',
        permitExpiresOn: '2026-09-15',
      },
    ]);
    const base = {
      surname: 'Okafor',
      givenNames: 'Chidi',
      birthDate: '1979-01-15',
      nationality: 'NGA',
      agdrefNumber: '7700000002',
      passportNumber: undefined,
    };
    const bodies: string[] = [];
    for (const wrong of [{ birthDate: '1979-01-16' }, { surname: 'Okafar' }, { agdrefNumber: '7799999999' }]) {
      const person = applicant({ ...base, ...wrong });
      const res = await post('/api/bookings', {
        slotId: slots[1],
        applicant: person,
        emailVerification: await emailProof(person.email),
        altcha: await solvedPow(app),
      });
      assert.equal(res.statusCode, 422);
      bodies.push(res.body);
    }
    assert.equal(new Set(bodies).size, 1);
    assert.equal(JSON.parse(bodies[0]!).code, 'IDENTITY_NOT_VERIFIED');
    await securityEvents.flush();
    const events = await database()
      .db.selectFrom('security_event')
      .select(['reason', 'identity_key'])
      .where('reason', '=', 'registry_mismatch')
      .execute();
    assert.ok(events.length >= 3);
    assert.ok(events.every((e) => e.identity_key && !e.identity_key.includes('7700000002')));
  });

  it('explains an expired permit and a renewal asked too early, pointing to the right procedure', async () => {
    const { s, slots } = await renewalScenario();
    const db = database().db;
    const firstRequest = await createScenario(db);
    await db
      .updateTable('procedure')
      .set({ alternative_procedure_id: firstRequest.procedureId })
      .where('id', '=', s.procedureId)
      .execute();
    await insertRegistryResidents(db, [
      {
        agdrefNumber: '7700000003',
        surname: 'SILVA',
        givenNames: 'Ana',
        birthDate: '1990-05-05',
        nationality: 'BRA',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2026-05-01',
      },
      {
        agdrefNumber: '7700000004',
        surname: 'SILVA',
        givenNames: 'Rui',
        birthDate: '1991-06-06',
        nationality: 'BRA',
        permitType: 'carte de séjour temporaire',
        permitExpiresOn: '2027-03-01',
      },
    ]);
    const expired = applicant({
      surname: 'Silva',
      givenNames: 'Ana',
      birthDate: '1990-05-05',
      nationality: 'BRA',
      agdrefNumber: '7700000003',
      passportNumber: undefined,
    });
    const r1 = await post('/api/bookings', {
      slotId: slots[2],
      applicant: expired,
      emailVerification: await emailProof(expired.email),
      altcha: await solvedPow(app),
    });
    assert.deepEqual(
      [r1.statusCode, r1.json().code, r1.json().details.alternativeProcedureId],
      [422, 'PERMIT_EXPIRED', firstRequest.procedureId],
    );
    const early = applicant({
      surname: 'Silva',
      givenNames: 'Rui',
      birthDate: '1991-06-06',
      nationality: 'BRA',
      agdrefNumber: '7700000004',
      passportNumber: undefined,
    });
    const r2 = await post('/api/bookings', {
      slotId: slots[2],
      applicant: early,
      emailVerification: await emailProof(early.email),
      altcha: await solvedPow(app),
    });
    assert.deepEqual(
      [r2.statusCode, r2.json().code, r2.json().details.opensOn],
      [422, 'OUTSIDE_RENEWAL_WINDOW', '2026-11-01'],
    );
  });
});
