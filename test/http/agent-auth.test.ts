// The agents' doors over HTTP, on both engines.
// 1. Authentication before anything else: every back-office API route of the OpenAPI document
//    (every method) answers a caller without a session, or with a forged or expired bearer
//    token, 401 AGENT_SESSION_INVALID — never 400 with the route's field list, nor 404 or 5xx;
//    every back-office page redirects a browser to the log-in, and refuses a form 401 before
//    looking at its CSRF token or fields.
// 2. Log-in throttling on both paths (API one call, pages two steps): failures from many
//    addresses never lock the agent out; 5 failures from one address block that address only.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { agentApiToken, givenAgent, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { PageClient } from '../support/page-client.ts';
import { pageRoutes } from '../support/page-routes.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const LOG_IN = '/api/agent/sessions';
const INVALID_BODY = { unexpected: [1, 2, 3] };

interface Operation {
  requestBody?: unknown;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}
interface ApiRoute {
  method: string;
  url: string;
  hasBody: boolean;
}

const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

/** Every agent-session route of the API, from the server's own OpenAPI document, its parameters filled with nonsense. */
async function agentApiRoutes(app: FastifyInstance): Promise<ApiRoute[]> {
  const spec = (await app.inject('/openapi.json')).json() as OpenApi;
  return Object.entries(spec.paths)
    .filter(([path]) => path.startsWith('/api/agent') || path === '/api/convocations/verify')
    .flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        method: method.toUpperCase(),
        url: path.replace(/\{\w+\}/g, 'not-an-id'),
        hasBody: operation.requestBody !== undefined,
      })),
    )
    .filter((route) => !(route.method === 'POST' && route.url === LOG_IN));
}

describeEachEngine('agent authentication and log-in throttling', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let site93: string;
  const ctx = () => testAgentContext(database().db, clock);

  before(async () => {
    site93 = (await createScenario(database().db, { prefectureId: '93' })).siteId;
    app = await testServer(database(), clock);
  });

  const send = (route: ApiRoute, headers: Record<string, string> = {}) =>
    app.inject({
      method: route.method as 'GET',
      url: route.url,
      headers,
      ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: INVALID_BODY }),
    });

  it('authenticates every API route before it reads the body: 401 without a session, with a forged or an expired token', async () => {
    const routes = await agentApiRoutes(app);
    assert.ok(routes.length >= 20, `only ${routes.length} agent routes found in the OpenAPI document`);
    assert.ok(routes.filter((r) => r.hasBody).length >= 10, 'routes with a body are among them');
    const admin = await givenAgent(ctx(), 'admin', null);
    const expired = await agentApiToken(app, admin);
    const anyone = [
      { who: 'no session', headers: {} as Record<string, string> },
      { who: 'a forged token', headers: { authorization: 'Bearer forged-token-0123456789abcdefghijklmnop' } },
      { who: 'a malformed header', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } },
    ];
    for (const route of routes) {
      for (const { who, headers } of anyone) {
        const response = await send(route, headers);
        assert.equal(
          response.statusCode,
          401,
          `${route.method} ${route.url} with ${who}: ${response.statusCode} ${response.body.slice(0, 200)}`,
        );
        assert.equal(response.json().code, 'AGENT_SESSION_INVALID', `${route.method} ${route.url}`);
        assert.ok(!response.body.includes('unexpected'), `${route.method} ${route.url} says nothing of the body`);
      }
    }
    // The same invalid bodies with a live session are refused by validation: the 401s above were not about the body.
    const live = await (async () => {
      clock.set(new Date(NOW.getTime() + 60_000));
      try {
        return await agentApiToken(app, admin);
      } finally {
        clock.set(NOW);
      }
    })();
    for (const route of routes.filter((r) => r.hasBody)) {
      const response = await send(route, { authorization: `Bearer ${live}` });
      assert.equal(response.statusCode, 400, `${route.method} ${route.url} with a session: ${response.statusCode}`);
    }
    // 12 hours on, the first token has expired.
    clock.set(new Date(NOW.getTime() + 12 * 3600_000 + 1000));
    try {
      for (const route of routes) {
        const response = await send(route, { authorization: `Bearer ${expired}` });
        assert.equal(
          response.statusCode,
          401,
          `${route.method} ${route.url} with an expired token: ${response.statusCode}`,
        );
      }
    } finally {
      clock.set(NOW);
    }
  });

  it('sends every back-office page to the log-in, and refuses every form 401 before its CSRF token and fields', async () => {
    const routes = pageRoutes('agent').filter((r) => r.path.startsWith('/agent') && !r.path.startsWith('/agent/login'));
    assert.ok(routes.filter((r) => r.method === 'POST').length >= 10, 'the forms are found');
    for (const route of routes) {
      const url = route.path.replace(/:\w+/g, 'not-an-id');
      const response =
        route.method === 'GET'
          ? await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
          : await app.inject({
              method: 'POST',
              url,
              payload: 'garbage=1',
              headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
            });
      if (route.method === 'GET') {
        assert.equal(response.statusCode, 303, url);
        assert.equal(response.headers.location, '/agent/login', url);
      } else {
        assert.equal(response.statusCode, 401, `POST ${url}: ${response.statusCode}`);
        assert.equal(errorCodeOf(response), 'AGENT_SESSION_INVALID', `POST ${url}`);
      }
    }
  });

  async function apiLogIn(agent: TestAgent, ip: string, password = agent.password) {
    return app.inject({
      method: 'POST',
      url: LOG_IN,
      remoteAddress: ip,
      payload: { email: agent.email, password, code: agent.code() },
    });
  }

  it('API: failures from 5 addresses never lock the agent out; 6 from one address block that one only, with a lock-out event', async () => {
    const agent = await givenAgent(ctx(), 'counter', '93', [site93]);
    for (let i = 1; i <= 5; i++) {
      const refused = await apiLogIn(agent, `198.51.100.${i}`, 'wrong password');
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().code, 'AGENT_LOGIN_FAILED');
    }
    assert.equal(
      (await apiLogIn(agent, '198.51.100.6')).statusCode,
      201,
      'the right password and code from a 6th address',
    );

    const other = await givenAgent(ctx(), 'counter', '93', [site93]);
    const attacker = '203.0.113.80';
    for (let i = 0; i < 6; i++)
      assert.equal((await apiLogIn(other, attacker, 'wrong password')).json().code, 'AGENT_LOGIN_FAILED');
    const locked = await apiLogIn(other, attacker);
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, 'AGENT_LOCKED');
    assert.ok(Number(locked.headers['retry-after']) > 0 && Number(locked.headers['retry-after']) <= 15 * 60);
    assert.equal((await apiLogIn(other, '198.51.100.90')).statusCode, 201, 'another address gets in');
    await ctx().securityEvents.flush();
    const events = await database()
      .db.selectFrom('security_event')
      .select(['reason', 'route'])
      .where('ip', '=', attacker)
      .execute();
    assert.deepEqual(events, [{ reason: 'agent_lockout', route: LOG_IN }]);
  });

  async function pagesLogIn(agent: TestAgent, ip: string, password = agent.password): Promise<LightMyRequestResponse> {
    const client = new PageClient(app, 'en', ip);
    await client.get('/agent/login');
    const step = await client.post('/agent/login', { email: agent.email, password });
    if (step.statusCode !== 303) return step;
    await client.get('/agent/login/code');
    return client.post('/agent/login/code', { code: agent.code() });
  }

  it('pages: failures from 5 addresses never lock the agent out; 6 from one address block that one only', async () => {
    const agent = await givenAgent(ctx(), 'supervisor', '93');
    for (let i = 1; i <= 5; i++) {
      const refused = await pagesLogIn(agent, `198.51.100.${10 + i}`, 'wrong password');
      assert.equal(refused.statusCode, 401, 'AGENT_LOGIN_FAILED');
    }
    const inside = await pagesLogIn(agent, '198.51.100.16');
    assert.equal(inside.statusCode, 303);
    assert.equal(inside.headers.location, '/agent');

    const other = await givenAgent(ctx(), 'supervisor', '93');
    const attacker = '203.0.113.81';
    const failed = [];
    for (let i = 0; i < 6; i++) failed.push((await pagesLogIn(other, attacker, 'wrong password')).statusCode);
    assert.deepEqual(failed, [401, 401, 401, 401, 401, 401]);
    const locked = await pagesLogIn(other, attacker);
    assert.equal(locked.statusCode, 429, 'AGENT_LOCKED');
    assert.match(locked.body, /Too many failed attempts from this address/);
    const elsewhere = await pagesLogIn(other, '198.51.100.91');
    assert.equal(elsewhere.headers.location, '/agent', 'another address gets in');
  });
});
