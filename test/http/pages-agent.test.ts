// The agent back-office over HTTP (app.inject), on both engines: the two-step log-in with
// CSRF, the session checked on every request (a disabled agent is out at once), and the
// scoping matrix — every agent route, asked by agents of 93 about 973 or beyond their role:
// 403 or 404, never a byte of the other prefecture's data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { disableAgent } from '../../src/app/agents/disable-agent.ts';
import { csvCell } from '../../src/app/audit/export-audit-csv.ts';
import { recordAudit } from '../../src/app/audit/record-audit.ts';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, PageClient } from '../support/page-client.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const MARKER_973 = 'GUYANE-ONLY-7f3a';
const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

describe('CSV cells', () => {
  it('quotes separators, quotes and line breaks, and defuses formulas', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('+33 6'), "'+33 6");
    assert.equal(csvCell('-2'), "'-2");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell(null), '');
    assert.equal(csvCell({ a: 1 }), '"{""a"":1}"');
  });
});

describeEachEngine('agent pages', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let site93: string;
  const ctx = () => testAgentContext(database().db, clock);
  const agents: Record<'counter93' | 'supervisor93' | 'supervisor973' | 'admin', TestAgent> = {} as never;
  const clients: Partial<Record<keyof typeof agents, PageClient>> = {};

  const logIn = (agent: TestAgent) => logInAgentPages(app, agent);

  before(async () => {
    const db = database().db;
    site93 = (await createScenario(db, { prefectureId: '93' })).siteId;
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    app = await testServer(database(), clock);
    agents.counter93 = await givenAgent(ctx(), 'counter', '93', [site93]);
    agents.supervisor93 = await givenAgent(ctx(), 'supervisor', '93');
    agents.supervisor973 = await givenAgent(ctx(), 'supervisor', '973');
    agents.admin = await givenAgent(ctx(), 'admin', null);
    await ctx().agents.transaction((tx) =>
      recordAudit(tx.audit, {
        agent: agents.supervisor973.agent,
        action: 'opening_rule.update',
        at: NOW,
        target: { type: 'site', id: 'cayenne' },
        after: { note: MARKER_973 },
      }),
    );
    await ctx().agents.transaction((tx) =>
      recordAudit(tx.audit, {
        agent: agents.supervisor93.agent,
        action: '=cmd|calc',
        at: NOW,
        target: { type: 'note', id: 'a,b\n"c"' },
        after: { text: '@evil' },
      }),
    );
    for (const name of Object.keys(agents) as (keyof typeof agents)[]) clients[name] = await logIn(agents[name]);
  });
  after(async () => app?.close());

  it('shows the agent who they are, in French and in English', async () => {
    const home = await clients.counter93!.get('/agent');
    assert.equal(home.statusCode, 200);
    assert.match(headingOf(home.body), /^Bonjour Agent/);
    assert.match(home.body, /Agent de guichet/);
    assert.ok(!home.body.includes('href="/agent/audit"'), 'a counter agent gets no audit link');
    const en = await clients.supervisor93!.get('/agent?lang=en');
    assert.match(en.body, /Prefecture supervisor/);
    assert.match(en.body, /href="\/agent\/audit"/);
  });

  it('opens a JSON API session with password and code, answers /me, closes it', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/agent/sessions',
      payload: { email: agent.email, password: agent.password, code: '000000' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'AGENT_LOGIN_FAILED');
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/agent/sessions', payload: { email: agent.email } })).statusCode,
      400,
    );
    const token = await agentApiToken(app, agent);
    const auth = { authorization: `Bearer ${token}` };
    const me = await app.inject({ method: 'GET', url: '/api/agent/me', headers: auth });
    assert.equal(me.statusCode, 200);
    assert.deepEqual({ role: me.json().role, siteIds: me.json().siteIds }, { role: 'counter', siteIds: [site93] });
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/agent/me', headers: { authorization: 'Bearer forged' } })).json()
        .code,
      'AGENT_SESSION_INVALID',
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/agent/me', cookies: { creneau_agent: token } })).statusCode,
      401,
      'the API reads no cookie',
    );
    assert.equal(
      (await app.inject({ method: 'DELETE', url: '/api/agent/sessions/current', headers: auth })).statusCode,
      204,
    );
    assert.equal((await app.inject({ method: 'GET', url: '/api/agent/me', headers: auth })).statusCode, 401);
  });

  it('sets the session cookie httpOnly, SameSite=Strict, on /agent; never carries the password', async () => {
    const agent = await givenAgent(ctx(), 'supervisor', '93');
    const client = new PageClient(app);
    await client.get('/agent/login');
    const step = await client.post('/agent/login', { email: agent.email, password: agent.password });
    const stepCookie = String(step.headers['set-cookie']);
    assert.match(stepCookie, /creneau_agent_step=.*HttpOnly.*SameSite=Strict/i);
    assert.ok(!stepCookie.includes(encodeURIComponent(agent.password)) && !stepCookie.includes(agent.password));
    await client.get('/agent/login/code');
    const done = await client.post('/agent/login/code', { code: agent.code() });
    assert.match(String(done.headers['set-cookie']), /creneau_agent=[^;]+;.*Path=\/agent;.*HttpOnly.*SameSite=Strict/i);
  });

  it('refuses a wrong password or code with one message, and forms without their CSRF token', async () => {
    const client = new PageClient(app);
    await client.get('/agent/login');
    const unknown = await client.post('/agent/login', {
      email: 'nobody@interieur.gouv.fr',
      password: 'whatever it is',
    });
    const wrong = await client.post('/agent/login', { email: agents.admin.email, password: 'whatever it is' });
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    const message = (body: string) => /<div class="fr-alert fr-alert--error[\s\S]*?<\/div>/.exec(body)?.[0];
    assert.equal(message(unknown.body), message(wrong.body));
    const noCsrf = await new PageClient(app).post(
      '/agent/login',
      { email: agents.admin.email, password: agents.admin.password },
      { csrf: false },
    );
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(errorCodeOf(noCsrf), 'CSRF_TOKEN_INVALID');
    const codeWithoutTicket = new PageClient(app);
    await codeWithoutTicket.get('/agent/login');
    const refused = await codeWithoutTicket.post('/agent/login/code', { code: '123456' });
    assert.equal(refused.statusCode, 401);
    assert.equal((await new PageClient(app).get('/agent/login/code')).headers.location, '/agent/login');
  });

  it('sends every agent route to the log-in without a session', async () => {
    for (const url of ['/agent', '/agent/audit', '/agent/audit.csv', '/agent/audit?prefecture=973']) {
      const response = await new PageClient(app).get(url);
      assert.equal(response.statusCode, 303, url);
      assert.equal(response.headers.location, '/agent/login');
    }
    const anonymous = new PageClient(app);
    await anonymous.get('/agent/login');
    const logout = await anonymous.post('/agent/logout', {});
    assert.equal(logout.statusCode, 401);
    assert.equal(errorCodeOf(logout), 'AGENT_SESSION_INVALID');
  });

  describe('scoping matrix: every agent route against another prefecture or role', () => {
    const cases: { who: keyof typeof agents; url: string; status: number[] }[] = [
      { who: 'supervisor93', url: '/agent/audit?prefecture=973', status: [403, 404] },
      { who: 'supervisor93', url: '/agent/audit.csv?prefecture=973', status: [403, 404] },
      { who: 'counter93', url: '/agent/audit', status: [403] },
      { who: 'counter93', url: '/agent/audit.csv', status: [403] },
      { who: 'counter93', url: '/agent/audit?prefecture=973', status: [403, 404] },
      { who: 'counter93', url: '/agent/audit.csv?prefecture=973', status: [403, 404] },
      { who: 'supervisor973', url: '/agent/audit?prefecture=93', status: [403, 404] },
      { who: 'supervisor93', url: '/agent/no-such-page?prefecture=973', status: [404] },
    ];
    for (const c of cases) {
      it(`${c.who} GET ${c.url} → ${c.status.join(' or ')}, no data of another prefecture`, async () => {
        const response = await clients[c.who]!.get(c.url);
        assert.ok(c.status.includes(response.statusCode), `${response.statusCode}`);
        assert.ok(!response.body.includes(MARKER_973) && !response.body.includes('opening_rule.update'));
        if (response.statusCode === 403) assert.equal(errorCodeOf(response), 'FORBIDDEN_SCOPE');
      });
    }

    it('shows each supervisor their own prefecture only; the administrator any', async () => {
      const own = await clients.supervisor93!.get('/agent/audit');
      assert.equal(own.statusCode, 200);
      assert.ok(!own.body.includes(MARKER_973));
      assert.match(own.body, /agent\.login/);
      const guyane = await clients.supervisor973!.get('/agent/audit');
      assert.ok(guyane.body.includes(MARKER_973));
      // 08:00 UTC is 05h00 in Cayenne (10h00 in Paris): each prefecture reads its own time.
      assert.match(guyane.body, /America\/Cayenne/);
      assert.match(guyane.body, /lundi 1 juin 2026 à 05h00/);
      assert.match(own.body, /Europe\/Paris/);
      const csv93 = await clients.supervisor93!.get('/agent/audit.csv');
      assert.equal(csv93.statusCode, 200);
      assert.ok(!csv93.body.includes(MARKER_973));
      const admin = await clients.admin!.get('/agent/audit?prefecture=973');
      assert.ok(admin.body.includes(MARKER_973));
      // Names, not UUIDs: the agent's name; filters by agent and action.
      assert.ok(own.body.includes(agents.supervisor93.agent.displayName));
      assert.match(own.body, new RegExp(`<option value="${agents.supervisor93.agent.id}">`));
      const byAction = await clients.supervisor93!.get('/agent/audit?action=agent.login');
      assert.match(byAction.body, /agent\.login/);
      assert.ok(!byAction.body.includes('<code>=cmd|calc</code>'), 'another action is filtered out');
      const byAgent = await clients.admin!.get(`/agent/audit?agent=${agents.supervisor973.agent.id}`);
      assert.ok(byAgent.body.includes(MARKER_973));
      assert.ok(!byAgent.body.includes('<code>=cmd|calc</code>'), "another agent's event is filtered out");
    });
  });

  it('exports the audit as CSV: BOM, CRLF, escaped cells, defused formulas', async () => {
    const response = await clients.supervisor93!.get('/agent/audit.csv?from=2026-06-01&to=2026-06-01&lang=fr');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(response.headers['content-disposition']), /attachment; filename="audit-93\.csv"/);
    const bytes = response.rawPayload;
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = response.body.replace(/^\uFEFF/, '');
    // In French: semicolons; times in the prefecture's zone, as on screen; the agent by name.
    assert.ok(text.startsWith('id;at;time_zone;agent;agent_email;agent_id;prefecture_id;action;'), text.slice(0, 200));
    assert.ok(text.includes(`;'=cmd|calc;note;;"a,b\n""c""";`), text);
    const line = text.split('\r\n').find((l) => l.includes('=cmd|calc'))!;
    const local = NOW.toLocaleString('sv-SE', { timeZone: 'Europe/Paris' });
    assert.ok(line.includes(`;${local};Europe/Paris;${agents.supervisor93.agent.displayName};`), line);
    assert.ok(text.includes('"{""text"":""@evil""}"'));
    assert.ok(text.endsWith('\r\n'));
    const empty = await clients.supervisor93!.get('/agent/audit.csv?from=2026-07-01');
    assert.equal(
      empty.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n').length,
      1,
      'only the header after the date filter',
    );
    assert.equal((await clients.supervisor93!.get('/agent/audit?from=not-a-date')).statusCode, 400);
  });

  it('logs out with CSRF, and a disabled agent is out on the next request', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    const client = await logIn(agent);
    assert.equal((await client.get('/agent')).statusCode, 200);
    await disableAgent(ctx(), agents.supervisor93.agent, agent.email);
    const next = await client.get('/agent');
    assert.equal(next.statusCode, 303);
    assert.equal(next.headers.location, '/agent/login');

    clock.set(new Date(NOW.getTime() + 30_000)); // a fresh TOTP step for the other log-in
    try {
      const other = await givenAgent(ctx(), 'supervisor', '93');
      const session = await logIn(other);
      await session.get('/agent');
      const token = session.cookies.get('creneau_agent')!;
      assert.equal(
        (await session.post('/agent/logout', {}, { csrf: false })).statusCode,
        403,
        'log-out needs the CSRF token',
      );
      assert.equal((await session.get('/agent')).statusCode, 200);
      const out = await session.post('/agent/logout', {});
      assert.equal(out.statusCode, 303);
      // The copied token no longer opens anything.
      const replay = await app.inject({
        method: 'GET',
        url: '/agent',
        headers: { cookie: `creneau_agent=${token}`, accept: 'text/html' },
      });
      assert.equal(replay.statusCode, 303);
    } finally {
      clock.set(NOW);
    }
  });
});
