import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const TOMORROW_9H = new Date('2026-06-02T07:00:00Z');

describeEachEngine('HTTP API', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  before(async () => {
    app = await testServer(database(), clock);
  });
  after(async () => app?.close());

  /** A complete online booking body: proof of work solved, email proven. */
  const bookingBody = async (slotId: string, person = applicant()) => ({
    slotId,
    applicant: person,
    emailVerification: await knownEmailProof(testContext(database().db, clock), person.email),
    altcha: await solvedPow(app),
  });
  const book = async (slotId: string, person = applicant(), headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/bookings', payload: await bookingBody(slotId, person), headers });

  it('answers /health with the database status', async () => {
    const res = await app.inject('/health');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'ok');
    assert.equal(res.json().database, 'up');
    assert.equal(res.json().pid, process.pid, 'which process answered (serve --processes N)');
  });

  it('refuses a nationality that is no ISO 3166-1 alpha-3 code (MAL for "malienne") with 400 VALIDATION_FAILED', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, new Date(NOW.getTime() + 3 * 86_400_000));
    const refused = await book(slotId!, applicant({ nationality: 'MAL' }));
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().code, 'VALIDATION_FAILED');
    assert.match(JSON.stringify(refused.json()), /nationality/);
    assert.equal((await book(slotId!, applicant({ nationality: 'mli' }))).statusCode, 201, 'MLI, in any case');
  });

  it('publishes OpenAPI 3 and a docs page', async () => {
    const spec = (await app.inject('/openapi.json')).json();
    assert.match(spec.openapi, /^3\./);
    assert.ok(spec.paths['/api/bookings'].post);
    assert.ok(spec.paths['/api/slots'].get);
    const docs = await app.inject('/docs/');
    assert.equal(docs.statusCode, 200);
    assert.match(docs.headers['content-type'] as string, /text\/html/);
  });

  it('lists free slots over several sites in one call, one entry per site and time', async () => {
    const db = database().db;
    const a = await createScenario(db, { counters: 3 });
    const slotsA = await a.addSlots(6, TOMORROW_9H); // 3 counters × 2 times
    // A second site of the same prefecture offering the same procedure.
    await db
      .insertInto('site')
      .values({
        id: `${a.siteId}-b`,
        prefecture_id: a.prefectureId,
        kind: 'antenna',
        name: 'Antenne',
        address: 'Campus',
      })
      .execute();
    await db
      .insertInto('counter')
      .values({ id: `${a.siteId}-b-1`, site_id: `${a.siteId}-b`, name: 'G1' })
      .execute();
    await db
      .insertInto('slot')
      .values({
        site_id: `${a.siteId}-b`,
        counter_id: `${a.siteId}-b-1`,
        procedure_id: a.procedureId,
        starts_at: TOMORROW_9H,
        ends_at: new Date(TOMORROW_9H.getTime() + 1_800_000),
        local_date: '2026-06-02',
        released_at: NOW,
        opened_at: NOW,
      })
      .execute();
    assert.equal((await book(slotsA[0]!)).statusCode, 201);
    const res = await app.inject(
      `/api/slots?procedureId=${a.procedureId}&siteIds=${a.siteId},${a.siteId}-b&from=2026-06-01&to=2026-06-30`,
    );
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.timeZone, 'Europe/Paris');
    assert.deepEqual(
      body.slots.map((s: any) => [s.siteId, s.localTime, s.freeCounters]),
      [
        [a.siteId, '09:00', 2],
        [`${a.siteId}-b`, '09:00', 1],
        [a.siteId, '09:30', 3],
      ],
    );
    assert.notEqual(body.slots[0].slotId, slotsA[0]);
    assert.equal(body.truncated, false);
    const limited = (
      await app.inject(
        `/api/slots?procedureId=${a.procedureId}&siteIds=${a.siteId}&from=2026-06-01&to=2026-06-30&limit=1`,
      )
    ).json();
    assert.deepEqual([limited.slots.length, limited.truncated], [1, true]);
  });

  it('books, views, reschedules and cancels with the management token in a header', async () => {
    const s = await createScenario(database().db);
    const slots = await s.addSlots(3, TOMORROW_9H);
    const res = await book(slots[0]!);
    assert.equal(res.statusCode, 201);
    const { appointment, managementToken } = res.json();
    assert.equal(appointment.status, 'booked');
    assert.equal(res.headers['cache-control'], 'no-store');
    const auth = { authorization: `Bearer ${managementToken}` };
    assert.equal(
      (await app.inject({ url: '/api/appointment', headers: auth })).json().reference,
      appointment.reference,
    );
    const rescheduleBody = async () => ({
      slotId: slots[1],
      emailVerification: await knownEmailProof(
        testContext(database().db, clock),
        appointment.applicant.email,
        'reschedule',
      ),
      altcha: await solvedPow(app),
    });
    const withoutWork = await app.inject({
      method: 'POST',
      url: '/api/appointment/reschedule',
      headers: auth,
      payload: { ...(await rescheduleBody()), altcha: undefined },
    });
    assert.equal(withoutWork.json().code, 'PROOF_OF_WORK_REQUIRED');
    const bookingCode = await app.inject({
      method: 'POST',
      url: '/api/appointment/reschedule',
      headers: auth,
      payload: {
        ...(await rescheduleBody()),
        emailVerification: await knownEmailProof(
          testContext(database().db, clock),
          appointment.applicant.email,
          'booking',
        ),
      },
    });
    assert.equal(bookingCode.json().code, 'EMAIL_CODE_INVALID'); // a code for another action does not do
    const moved = await app.inject({
      method: 'POST',
      url: '/api/appointment/reschedule',
      headers: auth,
      payload: await rescheduleBody(),
    });
    assert.equal(moved.statusCode, 200);
    assert.equal(moved.json().slotId, slots[1]);
    const cancelled = await app.inject({ method: 'POST', url: '/api/appointment/cancel', headers: auth });
    assert.equal(cancelled.json().status, 'cancelled');
    const missing = await app.inject({ method: 'POST', url: '/api/appointment/cancel' });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().code, 'MANAGEMENT_TOKEN_MISSING');
    const wrong = await app.inject({
      url: '/api/appointment',
      headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    assert.equal(wrong.statusCode, 404);
    assert.equal(wrong.json().code, 'APPOINTMENT_NOT_FOUND');
  });

  it('gives a slot to one of 30 concurrent HTTP requests; the others get 409 SLOT_TAKEN', async () => {
    const s = await createScenario(database().db);
    const [slotId] = await s.addSlots(1, TOMORROW_9H);
    const responses = await Promise.all(Array.from({ length: 30 }, () => book(slotId!)));
    const statuses = responses.map((r) => r.statusCode).sort();
    assert.equal(statuses.filter((c) => c === 201).length, 1);
    assert.equal(statuses.filter((c) => c === 409).length, 29);
    for (const r of responses.filter((x) => x.statusCode === 409)) {
      assert.match(r.headers['content-type'] as string, /^application\/problem\+json/);
      assert.equal(r.json().code, 'SLOT_TAKEN');
    }
  });

  it('honours Idempotency-Key: same response on replay, 422 for another body, 400 for a malformed key', async () => {
    const s = await createScenario(database().db);
    const [slotId, other] = await s.addSlots(2, TOMORROW_9H);
    const person = applicant();
    const headers = { 'idempotency-key': 'c0ffee00-0000-4000-8000-000000000001' };
    // The very same request 50 times — one proof of work, one email code — as a client retrying.
    const payload = await bookingBody(slotId!, person);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => app.inject({ method: 'POST', url: '/api/bookings', payload, headers })),
    );
    assert.deepEqual([...new Set(responses.map((r) => r.statusCode))], [201]);
    assert.equal(new Set(responses.map((r) => r.body)).size, 1);
    assert.equal(responses.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 49);
    const count = await database().db.selectFrom('appointment').select('id').where('slot_id', '=', slotId!).execute();
    assert.equal(count.length, 1);
    const reused = await book(other!, person, headers);
    assert.equal(reused.statusCode, 422);
    assert.equal(reused.json().code, 'IDEMPOTENCY_KEY_REUSED');
    const bad = await book(other!, person, { 'idempotency-key': 'short' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'IDEMPOTENCY_KEY_INVALID');
  });

  it('answers bad input with problem+json and a stable code, never a 5xx', async () => {
    const cases: [InjectOptions, number, string][] = [
      [
        {
          method: 'POST',
          url: '/api/bookings',
          payload: '{"slotId":',
          headers: { 'content-type': 'application/json' },
        },
        400,
        'MALFORMED_BODY',
      ],
      [{ method: 'POST', url: '/api/bookings', payload: { slotId: 'nope' } }, 400, 'VALIDATION_FAILED'],
      [
        {
          method: 'POST',
          url: '/api/bookings',
          payload: 'slotId=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        {
          method: 'POST',
          url: '/api/bookings',
          payload: JSON.stringify({ x: 'a'.repeat(70_000) }),
          headers: { 'content-type': 'application/json' },
        },
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [{ method: 'GET', url: '/api/slots?procedureId=x' }, 400, 'VALIDATION_FAILED'],
      [
        { method: 'GET', url: '/api/slots?procedureId=nope&siteIds=a1&from=2026-06-01&to=2026-05-01' },
        400,
        'DATE_RANGE_INVALID',
      ],
      [
        { method: 'GET', url: '/api/slots?procedureId=nope&siteIds=a1&from=2026-06-01&to=2026-06-02' },
        404,
        'PROCEDURE_NOT_FOUND',
      ],
      [{ method: 'GET', url: '/api/prefectures/00' }, 400, 'VALIDATION_FAILED'],
      // No département 20 since 1976 (2A, 2B); 975 is not a département.
      [{ method: 'GET', url: '/api/prefectures/20' }, 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', url: '/api/prefectures/975' }, 400, 'VALIDATION_FAILED'],
      [{ method: 'GET', url: '/api/prefectures/2A' }, 404, 'PREFECTURE_NOT_FOUND'],
      [{ method: 'GET', url: '/api/prefectures/94' }, 404, 'PREFECTURE_NOT_FOUND'],
      [{ method: 'GET', url: '/nowhere' }, 404, 'ROUTE_NOT_FOUND'],
      [{ method: 'DELETE', url: '/api/bookings' }, 404, 'ROUTE_NOT_FOUND'],
      [
        { method: 'POST', url: '/api/bookings', payload: await bookingBody('00000000-0000-4000-8000-000000000000') },
        404,
        'SLOT_NOT_FOUND',
      ],
      [
        {
          method: 'POST',
          url: '/api/bookings',
          payload: { ...(await bookingBody('00000000-0000-4000-8000-000000000000')), altcha: undefined },
        },
        400,
        'PROOF_OF_WORK_REQUIRED',
      ],
      [
        {
          method: 'POST',
          url: '/api/bookings',
          payload: { ...(await bookingBody('00000000-0000-4000-8000-000000000000')), altcha: 'bm90IGEgc29sdXRpb24=' },
        },
        403,
        'PROOF_OF_WORK_REJECTED',
      ],
      [
        {
          method: 'POST',
          url: '/api/bookings',
          payload: {
            ...(await bookingBody('00000000-0000-4000-8000-000000000000')),
            emailVerification: { verificationId: 'x', code: '1' },
          },
        },
        422,
        'EMAIL_CODE_INVALID',
      ],
    ];
    for (const [request, status, code] of cases) {
      const res = await app.inject(request);
      assert.equal(res.statusCode, status, `${JSON.stringify(request).slice(0, 120)} → ${res.body.slice(0, 200)}`);
      assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
      const body = res.json();
      assert.equal(body.code, code);
      assert.equal(body.status, status);
      assert.equal(typeof body.title, 'string');
      assert.equal(typeof body.type, 'string');
      assert.doesNotMatch(res.body, /at .*\.ts:\d+/); // no stack trace
    }
  });

  it('publishes every error code with its status', async () => {
    const { errors } = (await app.inject('/api/errors')).json();
    const slotTaken = errors.find((e: any) => e.code === 'SLOT_TAKEN');
    assert.deepEqual(slotTaken && [slotTaken.status], [409]);
    assert.ok(errors.length >= 20);
  });
});
