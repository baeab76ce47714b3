import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { createAllocationScenario, fileRequest, testAllocationContext } from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z');

describeEachEngine('HTTP offers', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  before(async () => {
    // Through the whole pipeline (validation, errors, limits).
    app = await testServer(database(), clock);
  });
  after(async () => app?.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function offered() {
    clock.set(NOW);
    const db = database().db;
    const s = await createAllocationScenario(db);
    await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const request = await fileRequest(db, testContext(db, clock).hasher, s);
    await runDrawForTick(testAllocationContext(db, clock), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: clock.now(),
      trigger: 'manual',
    });
    return request;
  }

  it('shows the offer with its deadline in local time, extends it once, then confirms it', async () => {
    const request = await offered();
    const view = await app.inject({ url: '/api/request/offer', headers: bearer(request.token) });
    assert.equal(view.statusCode, 200);
    assert.equal(view.headers['cache-control'], 'no-store');
    assert.deepEqual(
      [view.json().status, view.json().expiresAtLocal, view.json().timeZone],
      ['pending', '2026-06-03 10:00', 'Europe/Paris'],
    );

    const extended = await app.inject({
      method: 'POST',
      url: '/api/request/offer/extend',
      headers: bearer(request.token),
    });
    assert.equal(extended.statusCode, 200);
    assert.equal(extended.json().expiresAtLocal, '2026-06-05 10:00');
    const again = await app.inject({
      method: 'POST',
      url: '/api/request/offer/extend',
      headers: bearer(request.token),
    });
    assert.deepEqual([again.statusCode, again.json().code], [409, 'OFFER_ALREADY_EXTENDED']);

    const confirmed = await app.inject({
      method: 'POST',
      url: '/api/request/offer/confirm',
      headers: bearer(request.token),
    });
    assert.equal(confirmed.statusCode, 200);
    assert.equal(confirmed.json().appointment.status, 'booked');
    // The same token now manages the appointment.
    const appointment = await app.inject({ url: '/api/appointment', headers: bearer(request.token) });
    assert.deepEqual(
      [appointment.statusCode, appointment.json().reference],
      [200, confirmed.json().appointment.reference],
    );
  });

  it('refuses an expired offer with 410, and unknown or missing tokens uniformly', async () => {
    const request = await offered();
    clock.set(new Date(NOW.getTime() + 49 * 3_600_000));
    const late = await app.inject({
      method: 'POST',
      url: '/api/request/offer/confirm',
      headers: bearer(request.token),
    });
    assert.deepEqual([late.statusCode, late.json().code], [410, 'OFFER_EXPIRED']);
    const declined = await app.inject({
      method: 'POST',
      url: '/api/request/offer/decline',
      headers: bearer(request.token),
    });
    assert.equal(declined.statusCode, 410);

    const missing = await app.inject({ method: 'POST', url: '/api/request/offer/confirm' });
    assert.deepEqual([missing.statusCode, missing.json().code], [401, 'MANAGEMENT_TOKEN_MISSING']);
    for (const token of ['unknown-token-0123456789abcdef', 'bad!']) {
      const res = await app.inject({ url: '/api/request/offer', headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual([res.statusCode, res.json().code], [404, 'REQUEST_NOT_FOUND']);
    }
  });
});
