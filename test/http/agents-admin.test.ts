// Agent accounts over HTTP (app.inject), on both engines: a supervisor lists the accounts of
// their prefecture, creates a counter agent and gets the enrolment ONCE (generated password,
// TOTP secret, otpauth URI, QR code) — with which the new agent really logs in —, resets a
// second factor, disables an account (its sessions end at once); validation 400s; the JSON
// API; and the scoping matrix: accounts of 973, peers and oneself are out of reach.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { currentTotpCode } from '../../src/adapters/agent-credentials.ts';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, type PageClient, unescapeHtml } from '../support/page-client.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

/** What the enrolment page hands over: password, secret (groups joined), URI, QR. */
function enrolmentOf(html: string) {
  const text = (id: string) => unescapeHtml(new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1] ?? '');
  return {
    password: text('enrolment-password'),
    secret: text('enrolment-secret').replace(/ /g, ''),
    uri: text('enrolment-uri'),
    qr: /<img src="(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+)"/.exec(html)?.[1] ?? '',
  };
}

describeEachEngine('agent accounts over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let site93: string;
  let site973: string;
  const ctx = () => testAgentContext(database().db, clock);
  const who: Record<
    'counter93' | 'supervisor93' | 'supervisor93b' | 'supervisor973' | 'counter973' | 'admin',
    TestAgent
  > = {} as never;
  const pages: Partial<Record<keyof typeof who, PageClient>> = {};
  let step = 0;
  /** Each log-in at its own TOTP step (a code opens one session). */
  const nextStep = () => clock.set(new Date(NOW.getTime() + ++step * 30_000));

  before(async () => {
    const db = database().db;
    site93 = (await createScenario(db, { prefectureId: '93' })).siteId;
    site973 = (await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' })).siteId;
    app = await testServer(database(), clock);
    who.counter93 = await givenAgent(ctx(), 'counter', '93', [site93]);
    who.supervisor93 = await givenAgent(ctx(), 'supervisor', '93');
    who.supervisor93b = await givenAgent(ctx(), 'supervisor', '93');
    who.supervisor973 = await givenAgent(ctx(), 'supervisor', '973');
    who.counter973 = await givenAgent(ctx(), 'counter', '973', [site973]);
    who.admin = await givenAgent(ctx(), 'admin', null);
    for (const name of ['counter93', 'supervisor93', 'admin'] as const)
      pages[name] = await logInAgentPages(app, who[name]);
  });
  after(async () => app?.close());

  it("lists the accounts of the supervisor's prefecture only, with links to the counter agents", async () => {
    const list = await pages.supervisor93!.get('/agent/agents');
    assert.equal(list.statusCode, 200);
    assert.equal(headingOf(list.body), 'Comptes agents — préfecture 93');
    for (const own of [who.counter93, who.supervisor93, who.supervisor93b])
      assert.ok(list.body.includes(own.email), own.email);
    for (const other of [who.supervisor973, who.counter973, who.admin])
      assert.ok(!list.body.includes(other.email), other.email);
    assert.ok(list.body.includes(`href="/agent/agents/${who.counter93.agent.id}"`));
    assert.ok(
      !list.body.includes(`href="/agent/agents/${who.supervisor93b.agent.id}"`),
      'a peer supervisor is not managed',
    );
    const national = await pages.admin!.get('/agent/agents');
    assert.ok(national.body.includes(who.counter973.email) && national.body.includes(who.supervisor93.email));
    const filtered = await pages.admin!.get('/agent/agents?prefecture=973');
    assert.ok(filtered.body.includes(who.counter973.email) && !filtered.body.includes(who.counter93.email));
  });

  it('creates a counter agent and shows the enrolment once; the new agent logs in with it', async () => {
    const client = pages.supervisor93!;
    const form = await client.get('/agent/agents/new');
    assert.equal(form.statusCode, 200);
    assert.ok(form.body.includes(`value="${site93}"`) && !form.body.includes(`value="${site973}"`));
    assert.ok(!form.body.includes('value="supervisor"'), 'a supervisor creates counter agents only');
    const email = `nouvel.agent.${Date.now()}@interieur.gouv.fr`;
    const created = await client.post('/agent/agents', {
      email,
      displayName: 'Nouvel Agent',
      role: 'counter',
      siteIds: site93,
      prefectureId: '973',
    });
    assert.equal(created.statusCode, 201);
    assert.equal(String(created.headers['cache-control']), 'no-store');
    const enrolment = enrolmentOf(created.body);
    assert.match(enrolment.password, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    assert.match(enrolment.secret, /^[A-Z2-7]{32}$/);
    assert.match(enrolment.uri, new RegExp(`^otpauth://totp/.*secret=${enrolment.secret}`));
    assert.match(
      Buffer.from(enrolment.qr.slice('data:image/svg+xml;base64,'.length), 'base64').toString(),
      /^<svg[\s\S]*<\/svg>\s*$/,
    );

    const row = await database()
      .db.selectFrom('agent')
      .select(['prefecture_id', 'role'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      row,
      { prefecture_id: '93', role: 'counter' },
      "the supervisor's prefecture, whatever the form said",
    );
    nextStep();
    const newcomer: TestAgent = {
      agent: {} as never,
      email,
      password: enrolment.password,
      totpSecret: enrolment.secret,
      code: () => currentTotpCode(enrolment.secret, clock.now()),
    };
    const session = await logInAgentPages(app, newcomer);
    assert.equal((await session.get('/agent')).statusCode, 200);
    const audit = await database()
      .db.selectFrom('audit_event')
      .select(['after'])
      .where('action', '=', 'agent.create')
      .where('agent_id', '=', who.supervisor93.agent.id)
      .execute();
    assert.ok(
      audit.length === 1 &&
        !JSON.stringify(audit).includes(enrolment.password) &&
        !JSON.stringify(audit).includes(enrolment.secret),
    );
  });

  it('refuses invalid forms with field errors (400, 409), and other roles from a supervisor (403)', async () => {
    const client = pages.supervisor93!;
    await client.get('/agent/agents/new');
    const noSite = await client.post('/agent/agents', {
      email: 'sans.site@interieur.gouv.fr',
      displayName: 'Sans Site',
      role: 'counter',
    });
    assert.equal(noSite.statusCode, 400);
    assert.match(noSite.body, /<a href="#sites">Cochez au moins un site/);
    const badEmail = await client.post('/agent/agents', {
      email: 'not an email',
      displayName: 'X',
      role: 'counter',
      siteIds: site93,
    });
    assert.equal(badEmail.statusCode, 400);
    assert.match(badEmail.body, /id="email-error"/);
    assert.match(badEmail.body, /value="not an email"/, 'what was typed is kept');
    const taken = await client.post('/agent/agents', {
      email: who.counter973.email,
      displayName: 'X',
      role: 'counter',
      siteIds: site93,
    });
    assert.equal(taken.statusCode, 409);
    const otherSite = await client.post('/agent/agents', {
      email: 'autre.site@interieur.gouv.fr',
      displayName: 'X',
      role: 'counter',
      siteIds: site973,
    });
    assert.equal(otherSite.statusCode, 404);
    assert.match(otherSite.body, /seulement des sites de la préfecture/);
    const role = await client.post('/agent/agents', {
      email: 'chef@interieur.gouv.fr',
      displayName: 'X',
      role: 'supervisor',
    });
    assert.equal(role.statusCode, 403);
    assert.equal(errorCodeOf(role), 'FORBIDDEN_SCOPE');
    await client.get('/agent/agents/new');
    const bogus = await client.post('/agent/agents', { email: 'x@interieur.gouv.fr', displayName: 'X', role: 'king' });
    assert.equal(bogus.statusCode, 400);
    assert.equal((await client.get('/agent/agents/new?prefecture=973')).statusCode, 403);
  });

  it('resets a second factor and disables an account; their sessions end at once', async () => {
    const target = await givenAgent(ctx(), 'counter', '93', [site93]);
    nextStep();
    const targetSession = await logInAgentPages(app, target);
    const client = pages.supervisor93!;
    const account = await client.get(`/agent/agents/${target.agent.id}`);
    assert.equal(account.statusCode, 200);
    assert.equal(headingOf(account.body), target.agent.displayName);

    const reset = await client.post(`/agent/agents/${target.agent.id}/totp`, {});
    assert.equal(reset.statusCode, 200);
    const enrolment = enrolmentOf(reset.body);
    assert.equal(enrolment.password, '', 'a reset shows no password');
    assert.notEqual(enrolment.secret, target.totpSecret);
    assert.equal((await targetSession.get('/agent')).statusCode, 303, 'out at once');
    nextStep();
    await assert.rejects(logInAgentPages(app, target), 'the old factor no longer works');
    nextStep();
    const again = await logInAgentPages(app, {
      ...target,
      totpSecret: enrolment.secret,
      code: () => currentTotpCode(enrolment.secret, clock.now()),
    });

    await client.get(`/agent/agents/${target.agent.id}`);
    const disabled = await client.post(`/agent/agents/${target.agent.id}/disable`, {});
    assert.equal(disabled.statusCode, 303);
    assert.equal(disabled.headers.location, `/agent/agents/${target.agent.id}?done=disabled`);
    assert.equal((await again.get('/agent')).statusCode, 303, 'out at once');
    const after = await client.get(disabled.headers.location as string);
    assert.match(after.body, /Le compte est désactivé/);
    assert.ok(!after.body.includes(`/agent/agents/${target.agent.id}/disable"`), 'no more actions');
    const actions = await database()
      .db.selectFrom('audit_event')
      .select('action')
      .where('target_id', '=', target.agent.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      actions.map((a) => a.action).filter((a) => a.startsWith('agent.') && !a.startsWith('agent.login')),
      ['agent.create', 'agent.reset_totp', 'agent.disable'],
    );
  });

  it('serves the same accounts and actions as JSON, with 400s', async () => {
    nextStep();
    const token = await agentApiToken(app, who.supervisor93b);
    const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
    const list = await call('GET', '/api/agent/agents');
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().prefectureId, '93');
    assert.ok(list.json().agents.every((a: { prefectureId: string }) => a.prefectureId === '93'));
    assert.equal(list.json().agents.find((a: { id: string }) => a.id === who.counter93.agent.id).manageable, true);
    assert.equal(list.json().agents.find((a: { id: string }) => a.id === who.supervisor93.agent.id).manageable, false);

    const email = `api.agent.${Date.now()}@interieur.gouv.fr`;
    const created = await call('POST', '/api/agent/agents', {
      email,
      displayName: 'Agent API',
      role: 'counter',
      prefectureId: '93',
      siteIds: [site93],
    });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json();
    assert.match(body.password, /^[a-z2-9-]{23}$/);
    assert.match(body.totpUri, /^otpauth:\/\/totp\//);
    assert.deepEqual(body.agent.siteIds, [site93]);
    const reset = await call('POST', `/api/agent/agents/${body.agent.id}/totp-reset`);
    assert.equal(reset.statusCode, 200);
    assert.notEqual(reset.json().totpSecret, body.totpSecret);
    const disabled = await call('POST', `/api/agent/agents/${body.agent.id}/disable`);
    assert.deepEqual([disabled.statusCode, disabled.json()], [200, { revokedSessions: 0 }]);

    for (const payload of [
      { email, displayName: 'X', role: 'counter', prefectureId: '93' },
      { email: 'x@y.fr', displayName: 'X', role: 'king', prefectureId: '93', siteIds: [] },
      { email: 'x@y.fr', displayName: 'X', role: 'counter', prefectureId: '93', siteIds: [site93], password: 'chosen' },
      { email: 'x@y.fr', displayName: 'X', role: 'counter', prefectureId: '93', siteIds: [] },
      { email: 'nul\u0000@y.fr', displayName: 'X', role: 'counter', prefectureId: '93', siteIds: [site93] },
      { email: 'x@y.fr', displayName: 'X\u0000', role: 'counter', prefectureId: '93', siteIds: [site93] },
    ]) {
      const response = await call('POST', '/api/agent/agents', payload);
      assert.ok([400, 409].includes(response.statusCode), `${JSON.stringify(payload)} → ${response.statusCode}`);
      assert.ok(['VALIDATION_FAILED', 'AGENT_EMAIL_TAKEN'].includes(response.json().code));
    }
    assert.equal((await call('POST', '/api/agent/agents/not-a-uuid/disable')).statusCode, 400);
  });

  it('never answers 5xx to odd queries and forms', async () => {
    const NASTY = ['', 'x'.repeat(5000), '\u0000', '%', '../..', '<script>', '-1', 'admin', 'counter', '973', site93];
    const client = pages.admin!;
    for (const value of NASTY) {
      for (const url of [
        `/agent/agents?prefecture=${encodeURIComponent(value)}`,
        `/agent/agents/new?prefecture=${encodeURIComponent(value)}`,
        `/agent/agents/${encodeURIComponent(value)}`,
        `/agent/agents/${who.counter93.agent.id}?done=${encodeURIComponent(value)}`,
      ]) {
        const response = await client.get(url);
        assert.ok(response.statusCode < 500, `${url.slice(0, 60)} → ${response.statusCode}`);
      }
      for (const field of ['email', 'displayName', 'role', 'prefectureId', 'siteIds']) {
        await client.get('/agent/agents/new');
        const response = await client.post('/agent/agents', {
          email: 'fuzz@interieur.gouv.fr',
          displayName: 'Fuzz',
          role: 'counter',
          prefectureId: '93',
          [field]: value,
        });
        assert.ok(response.statusCode < 500, `${field}=${value.slice(0, 20)} → ${response.statusCode}`);
        if (response.statusCode === 201)
          await database()
            .db.deleteFrom('agent_site')
            .where(
              'agent_id',
              'in',
              database().db.selectFrom('agent').select('id').where('email', '=', 'fuzz@interieur.gouv.fr'),
            )
            .execute();
      }
    }
  });

  it("scoping matrix: other prefectures' accounts, peers and oneself are out of reach", async () => {
    nextStep();
    const counterToken = await agentApiToken(app, who.counter93);
    nextStep();
    const supervisorToken = await agentApiToken(app, who.supervisor93);
    const api = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
    const pageOf = pages.supervisor93!;
    // Posts with the CSRF token of a fresh page (an error page has no form to take it from).
    const sup = {
      get: (url: string) => pageOf.get(url),
      post: async (url: string, form: Record<string, string>) => {
        await pageOf.get('/agent/agents');
        return pageOf.post(url, form);
      },
    };
    const attempts: { label: string; run: () => Promise<LightMyRequestResponse>; status: number[] }[] = [
      { label: 'counter lists', run: () => pages.counter93!.get('/agent/agents'), status: [403] },
      { label: 'counter form', run: () => pages.counter93!.get('/agent/agents/new'), status: [403] },
      { label: 'supervisor lists 973', run: () => sup.get('/agent/agents?prefecture=973'), status: [403] },
      {
        label: 'supervisor views a 973 agent',
        run: () => sup.get(`/agent/agents/${who.counter973.agent.id}`),
        status: [404],
      },
      {
        label: 'supervisor views a peer',
        run: () => sup.get(`/agent/agents/${who.supervisor93b.agent.id}`),
        status: [404],
      },
      {
        label: 'supervisor disables a 973 agent',
        run: () => sup.post(`/agent/agents/${who.counter973.agent.id}/disable`, {}),
        status: [404],
      },
      {
        label: 'supervisor resets a 973 agent',
        run: () => sup.post(`/agent/agents/${who.counter973.agent.id}/totp`, {}),
        status: [404],
      },
      {
        label: 'supervisor disables a peer',
        run: () => sup.post(`/agent/agents/${who.supervisor93b.agent.id}/disable`, {}),
        status: [404],
      },
      {
        label: 'supervisor disables themselves',
        run: () => sup.post(`/agent/agents/${who.supervisor93.agent.id}/disable`, {}),
        status: [403],
      },
      {
        label: 'an unknown id',
        run: () => sup.get('/agent/agents/00000000-0000-4000-8000-000000000000'),
        status: [404],
      },
      { label: 'a malformed id', run: () => sup.get('/agent/agents/nonsense'), status: [404] },
      { label: 'API: counter lists', run: () => api(counterToken, 'GET', '/api/agent/agents'), status: [403] },
      {
        label: 'API: supervisor lists 973',
        run: () => api(supervisorToken, 'GET', '/api/agent/agents?prefecture=973'),
        status: [403],
      },
      {
        label: 'API: supervisor disables a 973 agent',
        run: () => api(supervisorToken, 'POST', `/api/agent/agents/${who.counter973.agent.id}/disable`),
        status: [404],
      },
      {
        label: 'API: supervisor creates in 973',
        run: () =>
          api(supervisorToken, 'POST', '/api/agent/agents', {
            email: 'x973@interieur.gouv.fr',
            displayName: 'X',
            role: 'counter',
            prefectureId: '973',
            siteIds: [site973],
          }),
        status: [403],
      },
      {
        label: 'API: supervisor resets themselves',
        run: () => api(supervisorToken, 'POST', `/api/agent/agents/${who.supervisor93.agent.id}/totp-reset`),
        status: [403],
      },
    ];
    for (const attempt of attempts) {
      const response = await attempt.run();
      assert.ok(attempt.status.includes(response.statusCode), `${attempt.label}: ${response.statusCode}`);
      assert.ok(
        !response.body.includes(who.counter973.email) && !response.body.includes(who.supervisor973.email),
        `${attempt.label} leaks nothing`,
      );
    }
    assert.equal(
      errorCodeOf(await sup.post(`/agent/agents/${who.supervisor93.agent.id}/disable`, {})),
      'AGENT_SELF_ACTION',
    );
    const still = await database()
      .db.selectFrom('agent')
      .select(['disabled_at'])
      .where('id', 'in', [who.counter973.agent.id, who.supervisor93b.agent.id, who.supervisor93.agent.id])
      .execute();
    assert.ok(
      still.every((r) => r.disabled_at === null),
      'nobody was disabled',
    );
    // The administrator reaches every account.
    const admin = await pages.admin!.get(`/agent/agents/${who.supervisor973.agent.id}`);
    assert.equal(admin.statusCode, 200);
  });
});
