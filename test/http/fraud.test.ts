// The fraud signals at the HTTP edge, on both engines:
//   * the device cookie: set by the request form (HttpOnly, SameSite=Lax, path /, 13 months),
//     kept as it is on the next visit;
//   * /my-request tells the person their request is being checked, with the latest date it is
//     back in the draws (fr, en) — and no longer once the hold lapsed;
//   * /agent/fraud: a counter agent is refused (403), a supervisor of another prefecture finds
//     no case (404), a decision without a reason is shown on the case (400);
//   * "identity refused" from the check-in page cancels the appointment, once.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { PageClient } from '../support/page-client.ts';
import { type AllocationScenario, allocationScenario } from '../support/requests.ts';
import { reviewAppointment, reviewRequest } from '../support/review.ts';
import { createScenario, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const HOUR = 3_600_000;
const TOKEN = 'held-request-token-0123456789abcdefghij';

describeEachEngine('fraud signals over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let s: AllocationScenario;
  let heldId = '';
  const who: Record<'supervisor' | 'supervisor973' | 'counter', TestAgent> = {} as never;

  before(async () => {
    const db = database().db;
    app = await testServer(database(), clock);
    s = await allocationScenario(db);
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    const held = await reviewRequest(db, s, { urgencyDate: null });
    heldId = held.id;
    await db
      .updateTable('allocation_request')
      .set({
        management_token_hash: testContext(db, clock).hasher.tokenDigest(TOKEN),
        filed_at: new Date(NOW.getTime() - 48 * HOUR),
        review_state: 'held',
        held_at: NOW,
        lapses_at: new Date(NOW.getTime() + 72 * HOUR),
        fraud_score: 60,
        fraud_reasons: JSON.stringify([{ kind: 'identity_refused', count: 1, points: 60 }]),
      })
      .where('id', '=', held.id)
      .execute();
    const agents = testAgentContext(db, clock);
    who.supervisor = await givenAgent(agents, 'supervisor', '93');
    who.supervisor973 = await givenAgent(agents, 'supervisor', '973');
    who.counter = await givenAgent(agents, 'counter', '93', [s.siteId]);
  });
  after(async () => {
    await app?.close();
  });

  it('sets the device cookie on the request form, once', async () => {
    const client = new PageClient(app, 'fr');
    const first = await client.get(`/request?procedure=${s.procedureId}&prefecture=${s.prefectureId}`);
    assert.equal(first.statusCode, 200);
    const cookie = first.cookies.find((c) => c.name === 'creneau_device');
    assert.ok(cookie, 'set');
    assert.deepEqual(
      [cookie.httpOnly, cookie.sameSite, cookie.path, cookie.maxAge],
      [true, 'Lax', '/', 13 * 30 * 24 * 3600],
    );
    assert.match(cookie.value, /^[A-Za-z0-9_-]{16,64}$/);
    const second = await client.get(`/request?procedure=${s.procedureId}&prefecture=${s.prefectureId}`);
    assert.equal(
      second.cookies.find((c) => c.name === 'creneau_device'),
      undefined,
      'kept, not replaced',
    );
  });

  it('tells the person on /my-request that the request is being checked, until the hold lapses', async () => {
    for (const [lang, title, date] of [
      ['fr', 'Votre demande est en cours de vérification', 'jeudi 4 juin 2026 à 10h00'],
      ['en', 'Your request is being checked', 'Thursday 4 June 2026 at 10:00'],
    ] as const) {
      clock.set(NOW);
      const client = new PageClient(app, lang);
      client.cookies.set('creneau_manage', TOKEN);
      const page = await client.get('/my-request');
      assert.equal(page.statusCode, 200);
      const notice =
        /<div class="fr-alert fr-alert--info fr-mb-3w" id="request-check"[\s\S]*?<\/div>/.exec(page.body)?.[0] ?? '';
      assert.ok(notice.includes(title), notice);
      assert.ok(notice.includes(date), notice);
      clock.set(new Date(NOW.getTime() + 72 * HOUR));
      assert.doesNotMatch((await client.get('/my-request')).body, /id="request-check"/, 'lapsed: no notice');
    }
  });

  it('keeps the review page to supervisors of the prefecture; a decision needs a reason', async () => {
    clock.set(new Date(NOW.getTime() + HOUR));
    const counter = await logInAgentPages(app, who.counter);
    assert.equal((await counter.get('/agent/fraud')).statusCode, 403);
    clock.set(new Date(NOW.getTime() + HOUR + 60_000));
    const other = await logInAgentPages(app, who.supervisor973);
    assert.equal((await other.get(`/agent/fraud/requests/${heldId}`)).statusCode, 404);
    clock.set(new Date(NOW.getTime() + HOUR + 120_000));
    const supervisor = await logInAgentPages(app, who.supervisor);
    const list = await supervisor.get('/agent/fraud');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, new RegExp(`id="case-${heldId}"`));
    const casePage = await supervisor.get(`/agent/fraud/requests/${heldId}`);
    assert.match(casePage.body, /refusé\(s\) au guichet/);
    // The case links to its evidence pack, the form filled with the case, its day and its network.
    const link = /id="case-evidence-pack" href="([^"]+)"/.exec(casePage.body)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(link, 'the evidence pack link');
    const query = new URL(link, 'http://x').searchParams;
    assert.deepEqual(
      [query.get('prefecture'), query.get('from'), query.get('to'), query.get('request')],
      ['93', '2026-05-30', '2026-06-02', heldId],
    );
    const packForm = await supervisor.get(link);
    assert.equal(packForm.statusCode, 200);
    assert.match(packForm.body, new RegExp(heldId));
    const noReason = await supervisor.post(`/agent/fraud/requests/${heldId}/decision`, {
      decision: 'refused',
      reason: '',
    });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /data-error-code="VALIDATION_FAILED"/);
    assert.match(noReason.body, /le motif \(obligatoire\)/);
  });

  it('records an identity refused from the check-in page: the appointment is cancelled, the agent told', async () => {
    clock.set(new Date('2026-06-01T09:10:00Z')); // 11:10 in Paris, a TOTP step of its own
    const appointment = await reviewAppointment(database().db, s, new Date('2026-06-01T08:30:00Z'));
    const counter = await logInAgentPages(app, who.counter);
    const page = await counter.get(`/agent/check-in/${appointment.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="identity-refused-form"/);
    const refused = await counter.post(`/agent/check-in/${appointment.id}`, { action: 'identity_refused' });
    assert.deepEqual(
      [refused.statusCode, refused.headers.location],
      [303, `/agent/check-in/${appointment.id}?done=identity_refused`],
    );
    const after = await counter.get(String(refused.headers.location));
    assert.match(after.body, /Identité refusée : le rendez-vous est annulé/);
    assert.doesNotMatch(after.body, /id="identity-refused-form"/, 'once only');
    const again = await counter.post(`/agent/check-in/${appointment.id}`, { action: 'identity_refused' });
    assert.equal(again.statusCode, 409);
  });
});
