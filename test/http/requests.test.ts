// Appointment requests over HTTP with real parts: proof of work solved, the email code read
// from a real SMTP server, the attestation fetched as HTML and PDF, and checked by anyone.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { PDFDocument } from 'pdf-lib';
import { createSmtpMailer } from '../../src/adapters/mail/smtp-mailer.ts';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { type AllocationScenario, allocationScenario, openCounters } from '../support/requests.ts';
import { applicant, createScenario, TestClock } from '../support/scenario.ts';
import { codeFromMail, startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z');

describeEachEngine('appointment requests over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
    app = await testServer(database(), clock, {
      ctx: { mailer: createSmtpMailer({ smtpUrl: smtp.url, from: 'Créneau <test@creneau.localhost>' }) },
    });
  });
  after(async () => {
    await app?.close();
    await smtp?.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: payload as object, headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** Asks for a code like the page does, and reads it from the mail like the applicant does. */
  async function emailProof(email: string, purpose = 'request') {
    const sent = await post('/api/email-verifications', { email, purpose, altcha: await solvedPow(app) });
    assert.equal(sent.statusCode, 202, sent.body);
    const mail = await smtp.waitForMessage(
      (m) => m.recipients.includes(email.toLowerCase()) && !m.parsed.text?.includes('__used__'),
    );
    (mail.parsed as { text?: string }).text += '__used__';
    return { verificationId: sent.json().verificationId, code: codeFromMail(mail) };
  }

  const body = (s: AllocationScenario, person: ReturnType<typeof applicant>, extra: Record<string, unknown> = {}) => ({
    prefectureId: s.prefectureId,
    procedureId: s.procedureId,
    preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
    applicant: person,
    ...extra,
  });

  it('files a request with proof of work and email code, replays it, views, changes, attests and withdraws it', async () => {
    const s = await allocationScenario(database().db);
    const person = applicant({ surname: 'Traoré', givenNames: 'Fatoumata', nationality: 'MLI' });

    const noPow = await post('/api/requests', {
      ...body(s, person),
      emailVerification: { verificationId: '00000000-0000-4000-8000-000000000000', code: '12345678' },
    });
    assert.deepEqual([noPow.statusCode, noPow.json().code], [400, 'PROOF_OF_WORK_REQUIRED']);

    const filing = {
      ...body(s, person, { urgencyDate: '2026-06-20' }),
      emailVerification: await emailProof(person.email),
      altcha: await solvedPow(app),
    };
    const key = { 'idempotency-key': `request-${Math.random().toString(36).slice(2)}` };
    const filed = await post('/api/requests', filing, key);
    assert.equal(filed.statusCode, 201, filed.body);
    assert.equal(filed.headers['cache-control'], 'no-store');
    const { request, managementToken } = filed.json();
    assert.equal(request.status, 'waiting');
    // The declared expiry gives no priority until an agent confirms it.
    assert.deepEqual(
      [request.priorityClass, request.urgency, request.queuedOn],
      [2, { source: 'declared', status: 'pending' }, '2026-06-01'],
    );
    assert.deepEqual(
      [request.standing.earlierInClass, request.standing.sameBatch, request.standing.estimatedWaitDays],
      [0, 0, 'unknown'],
    );
    // A retry after a lost response gets the same answer, token included.
    const replay = await post('/api/requests', filing, key);
    assert.deepEqual(
      [replay.statusCode, replay.headers['idempotent-replayed'], replay.json().managementToken],
      [201, 'true', managementToken],
    );
    // The same person again, with a fresh code and key: one live request per person and procedure.
    const twice = await post('/api/requests', {
      ...filing,
      emailVerification: await emailProof(person.email),
      altcha: await solvedPow(app),
    });
    assert.deepEqual([twice.statusCode, twice.json().code], [409, 'ALREADY_REQUESTED_FOR_PROCEDURE']);

    const viewed = await app.inject({ url: '/api/request', headers: bearer(managementToken) });
    assert.deepEqual([viewed.statusCode, viewed.json().reference], [200, request.reference]);
    assert.deepEqual([(await app.inject({ url: '/api/request' })).json().code], ['MANAGEMENT_TOKEN_MISSING']);
    assert.deepEqual([(await app.inject({ url: '/api/request', headers: bearer('short') })).statusCode], [404]);
    const unknown = await app.inject({ url: '/api/request', headers: bearer('A'.repeat(43)) });
    assert.deepEqual([unknown.statusCode, unknown.json().code], [404, 'REQUEST_NOT_FOUND']);

    const changed = await post(
      '/api/request/preferences',
      { preferences: { siteIds: [s.siteId], weekdays: [2, 4], halfDays: ['am'] } },
      bearer(managementToken),
    );
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(
      [changed.json().preferences.weekdays, changed.json().filedAt, changed.json().urgencyDate],
      [[2, 4], request.filedAt, '2026-06-20'],
    );
    const badPrefs = await post(
      '/api/request/preferences',
      { preferences: { siteIds: [s.siteId], weekdays: [9], halfDays: ['am'] } },
      bearer(managementToken),
    );
    assert.deepEqual([badPrefs.statusCode, badPrefs.json().code], [400, 'VALIDATION_FAILED']);

    // The attestation: printable HTML by default, PDF on request.
    const html = await app.inject({ url: '/api/request/attestation', headers: bearer(managementToken) });
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(String(html.headers['content-security-policy']), /default-src 'none'/);
    assert.match(html.body, /<html lang="fr">/);
    assert.ok(html.body.includes('Fatoumata TRAORÉ') && html.body.includes(request.reference));
    for (const headers of [{ accept: 'application/pdf' }, {}]) {
      const pdf = await app.inject({
        url: `/api/request/attestation${'accept' in headers ? '' : '?format=pdf'}`,
        headers: { ...bearer(managementToken), ...headers },
      });
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(pdf.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok((await PDFDocument.load(pdf.rawPayload)).getPageCount() >= 1);
    }

    // Anyone can check it, with the token as printed (line breaks included); no authentication.
    const printed = /<p class="token">([^<]+)<\/p>/.exec(html.body)![1]!;
    assert.ok(printed.includes('\n'));
    const verified = await post('/api/attestations/verify', { token: printed });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.deepEqual(
      [verified.json().attested.reference, verified.json().attested.surname, verified.json().stillCurrent],
      [request.reference, 'Traoré', true],
    );
    const token = printed.replace(/\s+/g, '');
    const dot = token.indexOf('.');
    const tampered = `${token.slice(0, dot - 5)}${token[dot - 5] === 'A' ? 'B' : 'A'}${token.slice(dot - 4)}`;
    const refusals = await Promise.all(
      [tampered, 'junk', token.slice(0, -2)].map((t) => post('/api/attestations/verify', { token: t })),
    );
    assert.deepEqual(
      refusals.map((r) => r.statusCode),
      [404, 404, 404],
    );
    assert.equal(new Set(refusals.map((r) => r.body)).size, 1);
    assert.equal(refusals[0]!.json().code, 'ATTESTATION_INVALID');
    assert.equal((await post('/api/attestations/verify', {})).json().code, 'VALIDATION_FAILED');

    // Paused after an ignored offer (as the expiry sweep leaves it), it is reconfirmed with one call, into today's batch.
    const notPaused = await post('/api/request/reconfirm', {}, bearer(managementToken));
    assert.deepEqual([notPaused.statusCode, notPaused.json().code], [409, 'REQUEST_NOT_PAUSED']);
    await database()
      .db.updateTable('allocation_request')
      .set({ status: 'paused', paused_at: NOW, queued_on: '2026-05-20' })
      .where('reference', '=', request.reference)
      .execute();
    clock.set(new Date(NOW.getTime() + 2 * 86_400_000));
    const paused = await app.inject({ url: '/api/request', headers: bearer(managementToken) });
    assert.deepEqual([paused.json().status, paused.json().standing], ['paused', null]);
    assert.equal((await post('/api/request/reconfirm', {})).json().code, 'MANAGEMENT_TOKEN_MISSING');
    const reconfirmed = await post('/api/request/reconfirm', {}, bearer(managementToken));
    assert.equal(reconfirmed.statusCode, 200, reconfirmed.body);
    assert.deepEqual([reconfirmed.json().status, reconfirmed.json().queuedOn], ['waiting', '2026-06-03']);
    assert.equal((await post('/api/request/reconfirm', {}, bearer(managementToken))).statusCode, 409);
    clock.set(NOW);

    const withdrawn = await post('/api/request/withdraw', {}, bearer(managementToken));
    assert.deepEqual(
      [withdrawn.statusCode, withdrawn.json().request.status, withdrawn.json().offerWithdrawn],
      [200, 'withdrawn', false],
    );
    assert.equal((await post('/api/request/withdraw', {}, bearer(managementToken))).json().code, 'REQUEST_NOT_ACTIVE');
    const after = await post('/api/attestations/verify', { token });
    assert.deepEqual([after.json().current.status, after.json().stillCurrent], ['withdrawn', false]);
  });

  it('refuses a postal procedure with a clear code, after the same checks', async () => {
    const db = database().db;
    const postal = await createScenario(db, { procedure: { channel: 'postal' } });
    await openCounters(db, postal.counterIds, postal.procedureId);
    const person = applicant();
    const res = await post('/api/requests', {
      ...body(postal as AllocationScenario, person),
      emailVerification: await emailProof(person.email),
      altcha: await solvedPow(app),
    });
    assert.deepEqual(
      [res.statusCode, res.json().code, res.json().details.channel],
      [409, 'PROCEDURE_NOT_REQUESTABLE', 'postal'],
    );
    const wrongCode = await post('/api/requests', {
      ...body(postal as AllocationScenario, person),
      emailVerification: { verificationId: '00000000-0000-4000-8000-000000000000', code: '1234 5678' },
      altcha: await solvedPow(app),
    });
    assert.deepEqual([wrongCode.statusCode, wrongCode.json().code], [422, 'EMAIL_CODE_INVALID']);
  });

  it('publishes the request routes in the OpenAPI document', async () => {
    const paths = Object.keys((await app.inject('/openapi.json')).json().paths);
    for (const path of [
      '/api/requests',
      '/api/request',
      '/api/request/preferences',
      '/api/request/withdraw',
      '/api/request/reconfirm',
      '/api/request/attestation',
      '/api/attestations/verify',
    ]) {
      assert.ok(paths.includes(path), path);
    }
  });
});
