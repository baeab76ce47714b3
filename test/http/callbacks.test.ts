// The call-back queue over HTTP (app.inject), on both engines: the page without JavaScript
// (filters, take it, status with a note, a conflict shown on the queue with 409), the JSON
// API (list, assign, status, 400s on bad input, 409 on a stale version), and the scoping
// matrix — agents of 93 on a call-back of 973: 403 or 404, never its phone nor situation.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createCallbackStore } from '../../src/adapters/db/callback-store.ts';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, hiddenFields, PageClient, unescapeHtml } from '../support/page-client.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const PHONE_973 = '0594394510';
const SITUATION_973 = 'GUYANE-ONLY-situation-5b1c';
const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

describeEachEngine('call-back queue over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  const ctx = () => testAgentContext(database().db, clock);
  const who: Record<'counter93' | 'counter93b' | 'supervisor93' | 'admin', TestAgent> = {} as never;
  const pages: Partial<Record<keyof typeof who, PageClient>> = {};
  const tokens: Partial<Record<keyof typeof who, string>> = {};
  let id973: string;
  let phoneCounter = 0;

  async function filed(
    prefectureId: string,
    situation: string,
    phone = `06${String(++phoneCounter).padStart(8, '0')}`,
    minutesAgo = 10,
  ): Promise<string> {
    await createCallbackStore(database().db).insertCallbackRequest({
      prefectureId,
      phone,
      language: 'ar',
      situation,
      createdAt: new Date(clock.now().getTime() - minutesAgo * 60_000),
    });
    return (
      await database()
        .db.selectFrom('callback_request')
        .select('id')
        .where('phone', '=', phone)
        .where('prefecture_id', '=', prefectureId)
        .where('status', '=', 'to_call')
        .executeTakeFirstOrThrow()
    ).id;
  }
  const api = (agent: keyof typeof who, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[agent]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const sectionOf = (html: string, id: string): string => {
    const start = html.indexOf(`<section class="creneau-card" id="callback-${id}"`);
    return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
  };

  before(async () => {
    const db = database().db;
    const site93 = (await createScenario(db, { prefectureId: '93' })).siteId;
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    app = await testServer(database(), clock);
    who.counter93 = await givenAgent(ctx(), 'counter', '93', [site93]);
    who.counter93b = await givenAgent(ctx(), 'counter', '93', [site93]);
    who.supervisor93 = await givenAgent(ctx(), 'supervisor', '93');
    who.admin = await givenAgent(ctx(), 'admin', null);
    for (const name of Object.keys(who) as (keyof typeof who)[]) pages[name] = await logInAgentPages(app, who[name]);
    clock.set(new Date(NOW.getTime() + 30_000)); // a fresh TOTP step for the API sessions
    for (const name of Object.keys(who) as (keyof typeof who)[]) tokens[name] = await agentApiToken(app, who[name]);
    clock.set(NOW);
    id973 = await filed('973', SITUATION_973, PHONE_973);
  });
  after(async () => app?.close());

  it("shows the queue from the contact form, oldest first, escaped, without another prefecture's", async () => {
    const visitor = new PageClient(app);
    await visitor.get('/contact');
    const sent = await visitor.post('/contact/callback', {
      prefectureId: '93',
      phone: '06 99 88 77 66',
      language: 'ar',
      situation: 'Renouvellement <script>alert(1)</script>',
    });
    assert.equal(sent.statusCode, 303);
    const older = await filed('93', 'Plus ancien', undefined, 120);

    const queue = await pages.counter93!.get('/agent/callbacks');
    assert.equal(queue.statusCode, 200);
    assert.equal(headingOf(queue.body), 'Rappels à passer — préfecture 93');
    assert.ok(queue.body.includes('06 99 88 77 66') && queue.body.includes('href="tel:0699887766"'));
    assert.ok(queue.body.includes('Renouvellement &lt;script&gt;') && !queue.body.includes('<script>alert'));
    assert.ok(queue.body.indexOf(`callback-${older}`) < queue.body.indexOf('06 99 88 77 66'), 'oldest first');
    assert.match(queue.body, /2 h \(lundi 1 juin 2026 à 08h00\)/, 'its age, and when it was filed (Paris time)');
    assert.ok(!queue.body.includes(PHONE_973) && !queue.body.includes(SITUATION_973));
    assert.ok(!queue.body.includes('name="assignee" id='), 'a counter agent gets no assignment list');
    const en = await pages.counter93!.get('/agent/callbacks?lang=en');
    assert.equal(headingOf(en.body), 'Call-backs to make — prefecture 93');
    await pages.counter93!.get('/agent/callbacks?lang=fr'); // the language is remembered (cookie): back to French
  });

  it('takes a call-back and records the call with a note, without JavaScript', async () => {
    const id = await filed('93', 'Titre expiré');
    const client = pages.counter93!;
    const page = await client.get('/agent/callbacks');
    const section = sectionOf(page.body, id);
    assert.ok(section, 'the call-back is listed');
    const take = await client.post(`/agent/callbacks/${id}/assign`, { version: '0', assignee: 'me', return: '' });
    assert.equal(take.statusCode, 303);
    assert.equal(take.headers.location, `/agent/callbacks?done=assigned#callback-${id}`);
    assert.match((await client.get(take.headers.location as string)).body, /Le rappel a été attribué/);
    const after = await client.get('/agent/callbacks?mine=1');
    assert.match(sectionOf(after.body, id), /vous \(Agent \d+\)/);

    const status = await client.post(`/agent/callbacks/${id}/status`, {
      version: '1',
      status: 'called',
      note: 'Rappeler jeudi',
      return: 'mine=1',
    });
    assert.equal(status.statusCode, 303);
    assert.equal(status.headers.location, `/agent/callbacks?mine=1&done=status#callback-${id}`);
    const called = await client.get('/agent/callbacks?status=called');
    assert.match(unescapeHtml(sectionOf(called.body, id)), /« À rappeler » → « Appelé »\s*<q>Rappeler jeudi<\/q>/);
    assert.equal(sectionOf((await client.get('/agent/callbacks')).body, id), '', 'no longer in the "to call" queue');
  });

  it('shows a conflict on the queue (409) when another agent was first, and a bad note as 400', async () => {
    const id = await filed('93', 'Conflit');
    await pages.counter93!.get('/agent/callbacks');
    await pages.counter93b!.get('/agent/callbacks');
    assert.equal(
      (await pages.counter93!.post(`/agent/callbacks/${id}/assign`, { version: '0', assignee: 'me' })).statusCode,
      303,
    );
    const late = await pages.counter93b!.post(`/agent/callbacks/${id}/assign`, { version: '0', assignee: 'me' });
    assert.equal(late.statusCode, 409);
    assert.match(late.body, /Un autre agent a déjà pris ce rappel/);
    assert.match(sectionOf(late.body, id), /Un autre agent s(&#39;|')occupe de ce rappel/);
    const stale = await pages.counter93!.post(`/agent/callbacks/${id}/status`, {
      version: '0',
      status: 'resolved',
      note: '',
    });
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /modifié par un autre agent/);
    const tooLong = await pages.counter93!.post(`/agent/callbacks/${id}/status`, {
      version: '1',
      status: 'called',
      note: 'x'.repeat(1001),
    });
    assert.equal(tooLong.statusCode, 400);
    assert.match(tooLong.body, /Vérifiez : la note/);
    const badStatus = await pages.counter93!.post(`/agent/callbacks/${id}/status`, {
      version: '1',
      status: 'forgotten',
      note: '',
    });
    assert.equal(badStatus.statusCode, 400);
    assert.equal((await pages.counter93!.get('/agent/callbacks?status=bogus')).statusCode, 400);
    assert.equal((await pages.counter93!.get('/agent/callbacks?after=garbage')).statusCode, 400);
    await pages.counter93!.get('/agent/callbacks');
    assert.equal(
      (await pages.counter93!.post('/agent/callbacks/not-an-id/assign', { assignee: 'me' })).statusCode,
      404,
    );
    await pages.counter93!.get('/agent/callbacks');
    const forged = await pages.counter93!.post(`/agent/callbacks/${id}/assign`, {
      version: '1',
      assignee: who.counter93b.agent.id,
    });
    assert.equal(forged.statusCode, 403, 'a counter agent hands out nothing');
  });

  it('lets a supervisor assign a call-back to an agent of the prefecture', async () => {
    const id = await filed('93', 'Pour un collègue');
    const page = await pages.supervisor93!.get('/agent/callbacks');
    const section = sectionOf(page.body, id);
    assert.match(section, new RegExp(`<option value="${who.counter93b.agent.id}">`));
    assert.deepEqual(hiddenFields(section).version, '0');
    const given = await pages.supervisor93!.post(`/agent/callbacks/${id}/assign`, {
      version: '0',
      assignee: who.counter93b.agent.id,
    });
    assert.equal(given.statusCode, 303);
    const mine = await pages.counter93b!.get('/agent/callbacks?mine=1');
    assert.ok(sectionOf(mine.body, id));
    const outsider = await pages.supervisor93!.post(`/agent/callbacks/${id}/assign`, {
      version: '1',
      assignee: who.admin.agent.id,
    });
    assert.equal(outsider.statusCode, 400, 'not an agent of the prefecture');
  });

  it('serves the same queue and actions as JSON, with 400s, 409s and the version', async () => {
    const id = await filed('93', 'API');
    const list = await api('counter93', 'GET', '/api/agent/callbacks?limit=50');
    assert.equal(list.statusCode, 200);
    const item = list.json().items.find((c: { id: string }) => c.id === id);
    assert.deepEqual(
      { status: item.status, version: item.version, language: item.language, history: item.history },
      { status: 'to_call', version: 0, language: 'ar', history: [] },
    );
    assert.ok(!list.body.includes(PHONE_973));

    const [a, b] = await Promise.all([
      api('counter93', 'POST', `/api/agent/callbacks/${id}/assign`, { assignTo: 'me', version: 0 }),
      api('counter93b', 'POST', `/api/agent/callbacks/${id}/assign`, { assignTo: 'me', version: 0 }),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    assert.equal(loser.json().code, 'CALLBACK_ALREADY_TAKEN');
    const winner = a.statusCode === 200 ? 'counter93' : 'counter93b';
    const status = await api(winner, 'POST', `/api/agent/callbacks/${id}/status`, {
      status: 'resolved',
      note: 'RDV pris',
      version: 1,
    });
    assert.equal(status.statusCode, 200);
    assert.deepEqual(
      { status: status.json().status, version: status.json().version },
      { status: 'resolved', version: 2 },
    );
    assert.equal(
      (await api(winner, 'POST', `/api/agent/callbacks/${id}/status`, { status: 'called', version: 1 })).json().code,
      'CALLBACK_CHANGED',
    );
    const resolved = await api('supervisor93', 'GET', '/api/agent/callbacks?status=resolved');
    assert.deepEqual(
      resolved
        .json()
        .items.find((c: { id: string }) => c.id === id)
        .history.map((n: { text: string }) => n.text),
      ['RDV pris'],
    );

    for (const [url, body] of [
      [`/api/agent/callbacks/${id}/status`, { status: 'forgotten' }],
      [`/api/agent/callbacks/${id}/status`, { status: 'called', extra: 1 }],
      [`/api/agent/callbacks/${id}/assign`, { assignTo: 'someone' }],
      [`/api/agent/callbacks/${id}/assign`, { assignTo: 'me', version: -1 }],
      ['/api/agent/callbacks/not-a-uuid/assign', { assignTo: 'me' }],
    ] as const) {
      const response = await api('counter93', 'POST', url, body);
      assert.equal(response.statusCode, 400, `${url} ${JSON.stringify(body)}`);
      assert.equal(response.json().code, 'VALIDATION_FAILED');
    }
    assert.equal((await api('counter93', 'GET', '/api/agent/callbacks?status=nope')).statusCode, 400);
    assert.equal((await api('counter93', 'GET', '/api/agent/callbacks?after=nope')).statusCode, 400);
    assert.equal((await app.inject({ method: 'GET', url: '/api/agent/callbacks' })).statusCode, 401);
  });

  it('books for the caller of a call-back: the queue links to the booking form with its id, the form has the number', async () => {
    const id = await filed('93', 'Book-for-this-caller', '0645454545');
    const queue = await pages.counter93!.get('/agent/callbacks');
    const card = sectionOf(queue.body, id);
    assert.ok(card.includes(`href="/agent/on-behalf?callback=${id}"`), 'the card links to the booking form');
    assert.match(card, /Prendre rendez-vous pour cet usager/);
    // Compact: the status form is folded away, many cards to a row.
    assert.match(card, /<details>\s*<summary[^>]*>Statut et note<\/summary>/);
    assert.match(queue.body, /fr-col-md-6 fr-col-xl-4/);

    const form = await pages.counter93!.get(`/agent/on-behalf?callback=${id}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /rappelée au 06 45 45 45 45/);
    assert.ok(form.body.includes(`name="callback" value="${id}"`), 'the choice of procedure keeps the call-back');
    // Once a procedure and site are chosen, the number waits in the caller's phone field; the address has only the id.
    const [procedure, site] = [
      /<option value="([^"]+)">/.exec(form.body.slice(form.body.indexOf('id="procedure"')))?.[1],
      /<option value="([^"]+)">/.exec(form.body.slice(form.body.indexOf('id="site"')))?.[1],
    ];
    assert.ok(procedure && site);
    const chosen = await pages.counter93!.get(
      `/agent/on-behalf?procedure=${procedure}&site=${site}&way=request&callback=${id}`,
    );
    assert.equal(chosen.statusCode, 200);
    assert.match(chosen.body, /id="phone"[^>]*value="06 45 45 45 45"|value="06 45 45 45 45"[^>]*id="phone"/);
    assert.ok(chosen.body.includes(`way=book&amp;callback=${id}`), 'the other way keeps the call-back');
    assert.ok(chosen.body.includes(`name="callback" value="${id}"`), 'so does the form posted');
    assert.doesNotMatch(chosen.body, /href="[^"]*0645454545/);
    // Without the call-back, the field is empty.
    const plain = await pages.counter93!.get(`/agent/on-behalf?procedure=${procedure}&site=${site}&way=request`);
    assert.doesNotMatch(plain.body, /06 45 45 45 45/);

    // Another prefecture's call-back, or no call-back at all: 404, never its number.
    const other = await pages.counter93!.get(`/agent/on-behalf?callback=${id973}`);
    assert.equal(other.statusCode, 404);
    assert.ok(!other.body.includes('05 94 39 45 10') && !other.body.includes(PHONE_973));
    assert.equal((await pages.counter93!.get('/agent/on-behalf?callback=not-a-uuid')).statusCode, 404);
    // The administrator may book for any prefecture's caller.
    assert.match((await pages.admin!.get(`/agent/on-behalf?callback=${id973}`)).body, /rappelée au 05 94 39 45 10/);
  });

  it('never answers 5xx to odd queries and forms', async () => {
    const id = await filed('93', 'Fuzz');
    const NASTY = [
      '',
      'x'.repeat(5000),
      '\u0000',
      '%',
      '../..',
      '<script>',
      '-1',
      '99999999999999',
      'none',
      'me',
      '00000000-0000-4000-8000-000000000000',
      '2026-06-01T08:00:00.000Z~00000000-0000-4000-8000-000000000000',
    ];
    const client = pages.supervisor93!;
    for (const value of NASTY) {
      for (const param of ['status', 'mine', 'prefecture', 'after', 'done']) {
        const response = await client.get(`/agent/callbacks?${param}=${encodeURIComponent(value)}`);
        assert.ok(response.statusCode < 500, `?${param}=${value.slice(0, 20)} → ${response.statusCode}`);
      }
      for (const [action, field] of [
        ['assign', 'assignee'],
        ['assign', 'version'],
        ['assign', 'return'],
        ['status', 'status'],
        ['status', 'note'],
        ['status', 'version'],
        ['status', 'return'],
      ] as const) {
        await client.get('/agent/callbacks');
        const response = await client.post(`/agent/callbacks/${id}/${action}`, {
          status: 'called',
          note: 'n',
          [field]: value,
        });
        assert.ok(response.statusCode < 500, `${action} ${field}=${value.slice(0, 20)} → ${response.statusCode}`);
      }
    }
  });

  it('scoping matrix: agents of 93 on the call-backs of 973 get 403 or 404, never their data', async () => {
    const attempts: { who: keyof typeof who; run: () => Promise<LightMyRequestResponse>; status: number[] }[] = [
      { who: 'counter93', run: () => pages.counter93!.get('/agent/callbacks?prefecture=973'), status: [403] },
      {
        who: 'supervisor93',
        run: () => pages.supervisor93!.get('/agent/callbacks?prefecture=973&status=to_call'),
        status: [403],
      },
      {
        who: 'counter93',
        run: async () => {
          await pages.counter93!.get('/agent/callbacks');
          return pages.counter93!.post(`/agent/callbacks/${id973}/assign`, { version: '0', assignee: 'me' });
        },
        status: [404],
      },
      {
        who: 'supervisor93',
        run: async () => {
          await pages.supervisor93!.get('/agent/callbacks');
          return pages.supervisor93!.post(`/agent/callbacks/${id973}/status`, {
            version: '0',
            status: 'resolved',
            note: 'x',
          });
        },
        status: [404],
      },
      { who: 'counter93', run: () => api('counter93', 'GET', '/api/agent/callbacks?prefecture=973'), status: [403] },
      {
        who: 'counter93',
        run: () => api('counter93', 'POST', `/api/agent/callbacks/${id973}/assign`, { assignTo: 'me' }),
        status: [404],
      },
      {
        who: 'supervisor93',
        run: () => api('supervisor93', 'POST', `/api/agent/callbacks/${id973}/assign`, { assignTo: null }),
        status: [404],
      },
      {
        who: 'supervisor93',
        run: () => api('supervisor93', 'POST', `/api/agent/callbacks/${id973}/status`, { status: 'called', note: 'x' }),
        status: [404],
      },
    ];
    for (const [i, attempt] of attempts.entries()) {
      const response = await attempt.run();
      assert.ok(attempt.status.includes(response.statusCode), `attempt ${i} by ${attempt.who}: ${response.statusCode}`);
      assert.ok(
        !response.body.includes(PHONE_973) && !response.body.includes(SITUATION_973),
        `attempt ${i} leaks nothing`,
      );
      if (response.statusCode === 403 && String(response.headers['content-type']).startsWith('text/html'))
        assert.equal(errorCodeOf(response), 'FORBIDDEN_SCOPE');
    }
    const untouched = (await createCallbackStore(database().db).findCallbackRequest(id973))!;
    assert.deepEqual([untouched.status, untouched.assignedAgent, untouched.version], ['to_call', null, 0]);
    const admin = await pages.admin!.get('/agent/callbacks?prefecture=973');
    assert.equal(admin.statusCode, 200);
    assert.ok(admin.body.includes(SITUATION_973));
    const national = await api('admin', 'GET', '/api/agent/callbacks');
    assert.ok(national.json().items.some((c: { id: string }) => c.id === id973));
  });
});
