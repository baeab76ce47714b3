// The agents' search pages over HTTP (app.inject), on both engines (issue 15, Agents 2): each
// role finds the people of its own prefecture only (never another's, by any key), results
// have one shape, an appointment opens with its phone number, is moved and cancelled for the
// caller from its page (CSRF, audited), its convocation prints; another prefecture's is 404;
// the search draws on the strict per-IP budget.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createRateLimitCounter } from '../../src/adapters/limits/rate-limit-counter.ts';
import { givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, type PageClient, unescapeHtml } from '../support/page-client.ts';
import { applicant, createScenario, TestClock, testContext } from '../support/scenario.ts';
import { testServices } from '../support/services.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday 1 June 2026, 10:00 in Paris
const FIRST = new Date('2026-06-03T07:00:00Z');

describeEachEngine('agents search for people (HTTP)', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let agents: Record<'counter' | 'supervisor' | 'admin' | 'supervisor973', TestAgent>;
  let s93: Awaited<ReturnType<typeof createScenario>> & { slotIds: string[] };
  let a93: { id: string; reference: string };
  let a973: { id: string; reference: string };
  const surname = `Kouyaté${Date.now().toString(36)}`;

  async function site(prefectureId: string) {
    const db = database().db;
    const s = await createScenario(db, {
      prefectureId,
      counters: 2,
      ...(prefectureId === '973' ? { timeZone: 'America/Cayenne' } : {}),
    });
    const slotIds = await s.addSlots(6, FIRST);
    await db.updateTable('slot').set({ reserved_for_agents: true }).where('id', 'in', slotIds).execute();
    return { ...s, slotIds };
  }
  async function book(agent: TestAgent, slotId: string, phone: string) {
    const channel = testServices(database().db, clock).features.agentChannel.useCases;
    const booked = await channel.bookForCaller(
      agent.agent,
      { slotId, applicant: { ...applicant({ surname, givenNames: 'Fanta' }), email: null, phone }, channel: 'phone' },
      { ip: null, route: 'test' },
    );
    const { reference } = booked.confirmation.appointment;
    const row = await database()
      .db.selectFrom('appointment')
      .select('id')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    return { id: row.id, reference };
  }

  before(async () => {
    clock.set(NOW);
    s93 = await site('93');
    const s973 = await site('973');
    app = await testServer(database(), clock);
    const ctx = testAgentContext(database().db, clock);
    agents = {
      counter: await givenAgent(ctx, 'counter', '93', [s93.siteId]),
      supervisor: await givenAgent(ctx, 'supervisor', '93'),
      admin: await givenAgent(ctx, 'admin', null),
      supervisor973: await givenAgent(ctx, 'supervisor', '973'),
    };
    a93 = await book(agents.counter, s93.slotIds[0]!, '06 11 22 33 44');
    a973 = await book(agents.supervisor973, s973.slotIds[0]!, '0594 11 22 33');
  });
  after(async () => app?.close());

  let step = 0;
  /** Each log-in a TOTP step later: one code opens one session. */
  async function pagesOf(agent: TestAgent): Promise<PageClient> {
    clock.set(new Date(NOW.getTime() + ++step * 31_000));
    return logInAgentPages(app, agent);
  }

  it('each role finds its own prefecture’s people only, by name and by phone, with the menu entry', async () => {
    const expected: [keyof typeof agents, string[]][] = [
      ['counter', [a93.reference]],
      ['supervisor', [a93.reference]],
      ['admin', [a93.reference, a973.reference]],
      ['supervisor973', [a973.reference]],
    ];
    for (const [role, references] of expected) {
      const page = await pagesOf(agents[role]);
      await page.get('/agent');
      assert.match(page.html, /href="\/agent\/search"/, `${role}: the menu offers the search`);
      for (const typed of [surname.toLowerCase().replace('é', 'e'), '+33 6 11 22 33 44', '0594112233']) {
        const found = await page.get(`/agent/search?q=${encodeURIComponent(typed)}`);
        assert.equal(found.statusCode, 200);
        const listed = references.filter((r) => found.body.includes(r));
        const wanted = references.filter((r) =>
          typed.startsWith('+33') ? r === a93.reference : typed.startsWith('0594') ? r === a973.reference : true,
        );
        assert.deepEqual(listed, wanted, `${role} searching "${typed}"`);
        for (const other of [a93.reference, a973.reference].filter((r) => !references.includes(r)))
          assert.ok(!found.body.includes(other), `${role} never sees ${other}`);
      }
    }
  });

  it('opens an appointment with the number to call, moves and cancels it for the caller, prints its convocation', async () => {
    const page = await pagesOf(agents.counter);
    const found = await page.get(`/agent/search?q=${encodeURIComponent(a93.reference)}`);
    assert.match(unescapeHtml(found.body), /1 résultat \(page 1\)/);
    assert.match(found.body, new RegExp(`href="/agent/search/appointments/${a93.id}"`));

    const opened = await page.get(`/agent/search/appointments/${a93.id}`);
    assert.equal(opened.statusCode, 200);
    assert.match(opened.body, /06 11 22 33 44/);
    assert.match(unescapeHtml(opened.body), /mercredi 3 juin 2026/, 'the free slots grouped by day, in words');
    const target = s93.slotIds.find((id) => id !== s93.slotIds[0] && opened.body.includes(`value="${id}"`))!;
    assert.ok(target);

    const noSlot = await page.post(`/agent/search/appointments/${a93.id}/move`, {});
    assert.equal(noSlot.statusCode, 400);
    assert.match(noSlot.body, /id="slot-error"/);
    const moved = await page.post(`/agent/search/appointments/${a93.id}/move`, { slot: target });
    assert.equal(moved.statusCode, 303);
    const done = await page.get(moved.headers.location as string);
    assert.match(done.body, /Rendez-vous [^ ]+ déplacé/);
    assert.match(unescapeHtml(done.body), /prévenez-la au 06 11 22 33 44/, 'no email: the agent is told to call');

    const printed = await page.get(`/agent/search/appointments/${a93.id}/convocation`);
    assert.equal(printed.statusCode, 200);
    assert.equal(headingOf(printed.body), 'Convocation au service des étrangers');
    assert.match(printed.body, /<img class="creneau-qr" src="data:image\/png;base64,/);
    // The same list as the applicant's own convocation (partials/what-to-bring.eta).
    assert.match(
      unescapeHtml(printed.body),
      /Ce qu'il faut apporter<\/h2>\s*<ul[^>]*>\s*<li>Votre passeport en cours de validité[^<]*<\/li>\s*<li>Votre convocation/,
    );

    await page.get(`/agent/search/appointments/${a93.id}`);
    const cancelled = await page.post(`/agent/search/appointments/${a93.id}/cancel`, {});
    assert.equal(cancelled.statusCode, 303);
    const after = await page.get(cancelled.headers.location as string);
    assert.match(after.body, /annulé/);
    assert.ok(!after.body.includes(`/agent/search/appointments/${a93.id}/cancel`), 'nothing more to cancel');

    const audit = await database()
      .db.selectFrom('audit_event')
      .select(['action', 'agent_id'])
      .where('target_id', '=', a93.id)
      .where('action', 'in', ['appointment.move_for_caller', 'appointment.cancel_for_caller'])
      .orderBy('action')
      .execute();
    assert.deepEqual(
      audit.map((e) => [e.action, e.agent_id]),
      [
        ['appointment.cancel_for_caller', agents.counter.agent.id],
        ['appointment.move_for_caller', agents.counter.agent.id],
      ],
    );
  });

  it('answers 404 for another prefecture’s appointment, and refuses a form without its CSRF token', async () => {
    const page = await pagesOf(agents.supervisor);
    for (const url of [`/agent/search/appointments/${a973.id}`, `/agent/search/appointments/${a973.id}/convocation`]) {
      const response = await page.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.ok(!response.body.includes(a973.reference));
    }
    await page.get('/agent/search');
    const cancel = await page.post(`/agent/search/appointments/${a973.id}/cancel`, {});
    assert.equal(cancel.statusCode, 404);
    const forged = await page.post(`/agent/search/appointments/${a973.id}/cancel`, {}, { csrf: false });
    assert.equal(forged.statusCode, 403);
    const status = await database()
      .db.selectFrom('appointment')
      .select('status')
      .where('id', '=', a973.id)
      .executeTakeFirstOrThrow();
    assert.equal(status.status, 'booked');
  });

  it('draws on the strict per-IP budget: past it, 429 RATE_LIMITED', async () => {
    const limited = await testServer(database(), clock, {
      rateLimits: {
        counter: createRateLimitCounter(null),
        perMinute: 1000,
        sensitivePerMinute: 3,
        events: testContext(database().db, clock).securityEvents,
      },
    });
    try {
      clock.set(new Date(NOW.getTime() + ++step * 31_000));
      const page = await logInAgentPages(limited, agents.supervisor);
      for (let i = 0; i < 3; i++) assert.equal((await page.get(`/agent/search?q=${surname}`)).statusCode, 200);
      const refused = await page.get(`/agent/search?q=${surname}`);
      assert.equal(refused.statusCode, 429);
      assert.ok(!refused.body.includes(a93.reference), 'nothing found past the budget');
    } finally {
      await limited.close();
    }
  });
});
