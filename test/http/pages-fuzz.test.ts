// Property-based fuzzing of the pages: whatever a browser (or a robot pretending to be one)
// sends — odd query strings, forged cookies, forms with missing, repeated, overlong or
// binary fields, the wrong content type — a page answers 2xx, 3xx or a 4xx page with a
// stable code, never a 5xx and never a stack trace. Routes and field names are read from
// the page sources and templates, so a page added later is fuzzed without touching this file.
//   FUZZ_SEED=123 FUZZ_RUNS=500 node --import tsx test/all.ts test/http/pages-fuzz
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { seedDemo } from '../../src/demo/demo-seed.ts';
import { givenAgent, logInAgentPages, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { csrfOf } from '../support/page-client.ts';
import { pageRoutes } from '../support/page-routes.ts';
import { TestClock, testContext } from '../support/scenario.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SRC = new URL('../../src/http/', import.meta.url).pathname;

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

/** Every form field name in the templates, so generated forms reach the validation code. */
function fieldNames(): string[] {
  const names = new Set<string>();
  for (const file of filesUnder(join(SRC, 'web/templates'), '.eta')) {
    for (const match of readFileSync(file, 'utf8').matchAll(/name="([\w.[\]-]+)"/g)) names.add(match[1]!);
  }
  // Fields whose name the templates compute (the identity form, the request preferences).
  for (const name of [
    'surname',
    'givenNames',
    'birthDate',
    'nationality',
    'email',
    'agdrefNumber',
    'passportNumber',
    'code',
    'verificationId',
    'idempotencyKey',
    'token',
    'phone',
    'language',
    'urgencyDate',
    'sites',
    'weekdays',
    'halfDays',
    'slotId',
  ])
    names.add(name);
  return [...names];
}

const NASTY = [
  '',
  ' ',
  '..',
  '../..',
  '%',
  '%zz',
  '%00',
  '\u0000',
  '\u202e',
  '\uD800',
  'null',
  'NaN',
  '-1',
  '1e999',
  '__proto__',
  'constructor',
  'é',
  '💥',
  '93',
  '973',
  '2026-02-30',
  '9999-12-31',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  'a,b',
  'on',
  'true',
  '00000000-0000-4000-8000-000000000000',
];

const nasty: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

/** Percent-encodes what a browser could send: a lone surrogate (which encodeURIComponent refuses) becomes U+FFFD, as browsers do. */
const encode = (value: string): string =>
  encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );

function assertNoServerError(response: LightMyRequestResponse, what: string): void {
  assert.ok(response.statusCode < 500, `${what} → ${response.statusCode} ${response.body.slice(0, 300)}`);
  assert.doesNotMatch(response.body.slice(0, 20_000), /at .*\.ts:\d+/, `${what}: a stack trace`);
}

describeEachEngine('page fuzzing', (database) => {
  const clock = new TestClock(new Date());
  let app: FastifyInstance;
  let cookie = '';
  let csrf = '';
  const routes = pageRoutes();
  const fields = fieldNames();

  before(async () => {
    const db = database().db;
    await seedDemo(db, testContext(db, clock), { horizonDays: 14 });
    app = await testServer(database(), clock);
    const home = await app.inject({ url: '/contact', headers: { accept: 'text/html' } });
    cookie = (home.cookies as { name: string; value: string }[]).map((c) => `${c.name}=${c.value}`).join('; ');
    csrf = csrfOf(home.body);
  });
  after(async () => {
    await app?.close();
  });

  it('finds the page routes and form fields to fuzz', () => {
    assert.ok(
      routes.some((r) => r.method === 'POST' && r.path === '/book/confirm'),
      'the booking form',
    );
    assert.ok(routes.length >= 20, `only ${routes.length} routes`);
    assert.ok(fields.includes('_csrf') && fields.includes('altcha'), 'the CSRF and proof-of-work fields');
  });

  it('answers any query string and forged cookie on every GET page without a 5xx', async () => {
    const gets = routes.filter((r) => r.method === 'GET');
    const queryKeys = [...fields, 'procedure', 'prefecture', 'site', 'week', 'slot', 'lang', 'token', 'done', 'page'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...gets),
        fc.array(fc.tuple(fc.constantFrom(...queryKeys), nasty), { maxLength: 6 }),
        fc.option(nasty, { nil: undefined }),
        nasty,
        async (route, query, manageCookie, param) => {
          const path = route.path.replace(/:\w+/g, () => encode(param));
          const search = new URLSearchParams(query).toString();
          const url = `${path}${search ? `?${search}` : ''}`;
          const cookies =
            manageCookie === undefined
              ? cookie
              : `${cookie}; creneau_manage=${encode(manageCookie)}; creneau_agent=${encode(manageCookie)}`;
          const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html', cookie: cookies } });
          assertNoServerError(response, `GET ${url}`);
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('answers any form on every POST page without a 5xx', async () => {
    const posts = routes.filter((r) => r.method === 'POST');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...posts),
        fc.array(fc.tuple(fc.constantFrom(...fields), nasty), { maxLength: 14 }),
        fc.boolean(),
        async (route, form, withCsrf) => {
          const body = new URLSearchParams(form.filter(([name]) => name !== '_csrf'));
          if (withCsrf) body.append('_csrf', csrf);
          const response = await app.inject({
            method: 'POST',
            url: route.path.replace(/:\w+/g, 'x'),
            payload: body.toString(),
            headers: { accept: 'text/html', cookie, 'content-type': 'application/x-www-form-urlencoded' },
          });
          assertNoServerError(response, `POST ${route.path} ${body.toString().slice(0, 200)}`);
          // Without the token: refused (403), unless the body is over the size limit first (413);
          // a back-office form refuses the missing session before anything else (401).
          const backOffice = route.path.startsWith('/agent') && !route.path.startsWith('/agent/login');
          if (!withCsrf)
            assert.ok(
              [403, 413, ...(backOffice ? [401] : [])].includes(response.statusCode),
              `POST ${route.path} without the CSRF token → ${response.statusCode}`,
            );
        },
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it('answers any query and any form on every back-office page, logged in as a supervisor, without a 5xx', async () => {
    const db = database().db;
    const supervisor = await logInAgentPages(app, await givenAgent(testAgentContext(db, clock), 'supervisor', '93'));
    await supervisor.get('/agent');
    const agentCsrf = csrfOf(supervisor.html);
    const headers = () => ({
      accept: 'text/html',
      cookie: [...supervisor.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    });
    const agentRoutes = routes.filter(
      (r) => r.path.startsWith('/agent') && !r.path.startsWith('/agent/login') && r.path !== '/agent/logout',
    );
    const ids = ['bobigny', 'bobigny-guichet-1', 'premiere-demande', '93', crypto.randomUUID()];
    const param = fc.oneof(fc.constantFrom(...ids), nasty);
    const queryKeys = [
      ...fields,
      'procedure',
      'prefecture',
      'site',
      'counter',
      'date',
      'from',
      'to',
      'status',
      'mine',
      'after',
      'before',
      'done',
      'lang',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...agentRoutes),
        fc.array(fc.tuple(fc.constantFrom(...queryKeys), fc.oneof(fc.constantFrom(...ids), nasty)), { maxLength: 6 }),
        fc.array(
          fc.tuple(fc.constantFrom(...fields), fc.oneof(fc.constantFrom(...ids, 'on', '2026-12-01', '09:00'), nasty)),
          { maxLength: 14 },
        ),
        param,
        async (route, query, form, id) => {
          const path = route.path.replace(/:\w+/g, () => encode(id));
          if (route.method === 'GET') {
            const search = new URLSearchParams(query).toString();
            const url = `${path}${search ? `?${search}` : ''}`;
            assertNoServerError(
              await app.inject({ method: 'GET', url, headers: headers() }),
              `GET ${url} (supervisor)`,
            );
            return;
          }
          const body = new URLSearchParams(form.filter(([name]) => name !== '_csrf'));
          body.append('_csrf', agentCsrf);
          const response = await app.inject({
            method: 'POST',
            url: path,
            payload: body.toString(),
            headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' },
          });
          assertNoServerError(response, `POST ${path} ${body.toString().slice(0, 200)} (supervisor)`);
        },
      ),
      { seed: SEED, numRuns: RUNS * 3 },
    );
    assert.equal(
      (await app.inject({ method: 'GET', url: '/agent', headers: headers() })).statusCode,
      200,
      'still logged in: the forms were fuzzed past the session check',
    );
  });

  it('refuses other content types on the forms with a 4xx page', async () => {
    for (const route of routes.filter((r) => r.method === 'POST')) {
      for (const [type, payload] of [
        ['application/json', '{"_csrf":"x"}'],
        ['text/plain', 'hello'],
        ['multipart/form-data; boundary=x', '--x--'],
        ['application/x-www-form-urlencoded', '%%%&&=='],
      ] as const) {
        const response = await app.inject({
          method: 'POST',
          url: route.path,
          payload,
          headers: { accept: 'text/html', cookie, 'content-type': type },
        });
        assertNoServerError(response, `POST ${route.path} as ${type}`);
        assert.ok(response.statusCode >= 400, `POST ${route.path} as ${type} → ${response.statusCode}`);
      }
    }
  });
});
