// The scoping matrix over EVERY agent route — the pages found in the sources (src/http/pages/agent/**),
// the API in its OpenAPI document: agents of Seine-Saint-Denis (93) — a counter agent and a
// supervisor — ask each route about the objects of Guyane (973): its site, counters,
// procedure, appointment, call-back, supervisor account… in the path, the query and the body.
// Every route refuses (403 or 404; 400 when the id is not even of the right shape) — only the
// agent's own home and identity answer 200 — never shows a byte of 973's data, never answers
// 5xx, and changes nothing in 973.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../../src/adapters/db/database.ts';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import type { PageClient } from '../support/page-client.ts';
import { pageRoutes } from '../support/page-routes.ts';
import { applicant, createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
/** Printed in every text field of 973's objects: it must never reach an agent of 93. */
const MARKER = 'GUYANEMARK';

/** The routes that name no object (the agent's own home and identity): they may answer 200. */
const ABOUT_ONESELF = new Set(['/agent', '/api/agent/me']);

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  api: boolean;
}

const OPEN_OR_SESSION_ENDING = (path: string) =>
  // Open routes (tested apart), and log-out, which would end the session the matrix runs on (pages-agent.test.ts).
  path.startsWith('/agent/login') ||
  path === '/api/agent/sessions' ||
  path === '/agent/logout' ||
  path === '/api/agent/sessions/current';

/** The back-office pages, from the sources (test/support/page-routes.ts). */
function agentPageRoutes(): Route[] {
  return pageRoutes('agent')
    .filter((r) => r.path.startsWith('/agent') && !OPEN_OR_SESSION_ENDING(r.path))
    .map((r) => ({ ...r, api: false }));
}

/** The back-office API, read from the server's own OpenAPI document (routes made in loops included). */
function agentApiRoutes(spec: OpenApi): Route[] {
  return Object.entries(spec.paths)
    .filter(([path]) => path.startsWith('/api/agent') || path === '/api/convocations/verify')
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({
        method: method.toUpperCase() as Route['method'],
        path: path.replace(/\{(\w+)\}/g, ':$1'),
        api: true,
      })),
    )
    .filter((route) => !OPEN_OR_SESSION_ENDING(route.path));
}

interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

interface Guyane {
  prefectureId: string;
  siteId: string;
  counterIds: string[];
  procedureId: string;
  appointmentId: string;
  reference: string;
  callbackId: string;
  agentId: string;
  slotId: string;
  requestId: string;
}

async function guyane(db: Db, ctx: ReturnType<typeof testAgentContext>): Promise<Guyane> {
  const scenario = await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
  const supervisor973 = await givenAgent(ctx, 'supervisor', '973');
  await db
    .updateTable('agent')
    .set({ display_name: `Chef ${MARKER}` })
    .where('id', '=', supervisor973.agent.id)
    .execute();
  const agentId = supervisor973.agent.id;
  await db
    .updateTable('site')
    .set({ name: `Cayenne ${MARKER}`, address: `${MARKER} avenue`, phone: '0594000000' })
    .where('id', '=', scenario.siteId)
    .execute();
  for (const [i, id] of scenario.counterIds.entries())
    await db
      .updateTable('counter')
      .set({ name: `Guichet ${i + 1} ${MARKER}` })
      .where('id', '=', id)
      .execute();
  const [slotId] = await scenario.addSlots(2, new Date('2026-06-01T13:00:00Z'));
  // Open to first come (a draw left it without a taker), so that the appointment may be written on it (migration 0012).
  await db.updateTable('slot').set({ opened_at: NOW }).where('id', '=', slotId!).execute();
  const reference = 'GUY-7K3M-Q9PX';
  const appointment = await db
    .insertInto('appointment')
    .values({
      reference,
      slot_id: slotId!,
      procedure_id: scenario.procedureId,
      site_id: scenario.siteId,
      surname: MARKER,
      given_names: `Ana ${MARKER}`,
      birth_date: '1990-01-01',
      nationality: 'BRA',
      email: 'guyane@example.org',
      email_key: `guyane-${Math.random()}`,
      passport_number: 'GY1234567',
      identity_key: `guyane-identity-${Math.random()}`,
      management_token_hash: `hash-${Math.random()}`,
      channel: 'phone',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const callback = await db
    .insertInto('callback_request')
    .values({
      prefecture_id: '973',
      phone: '0594123456',
      language: 'fr',
      situation: `Rappel ${MARKER}`,
      created_at: NOW,
      updated_at: NOW,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A request with a declared urgency awaiting an agent's check (the review list).
  const request = await db
    .insertInto('allocation_request')
    .values({
      reference: 'GUY-REQ-7K3M',
      prefecture_id: '973',
      procedure_id: scenario.procedureId,
      site_ids: [scenario.siteId],
      surname: MARKER,
      given_names: `Ana ${MARKER}`,
      birth_date: '1990-01-01',
      nationality: 'BRA',
      email: 'guyane@example.org',
      email_key: `guyane-request-${Math.random()}`,
      passport_number: 'GY7654321',
      identity_key: `guyane-request-identity-${Math.random()}`,
      management_token_hash: `hash-${Math.random()}`,
      urgency_date: '2026-06-20',
      urgency_source: 'declared',
      urgency_status: 'pending',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    prefectureId: '973',
    siteId: scenario.siteId,
    counterIds: scenario.counterIds,
    procedureId: scenario.procedureId,
    appointmentId: appointment.id,
    reference,
    callbackId: callback.id,
    agentId,
    slotId: slotId!,
    requestId: request.id,
  };
}

/** 973's state that a route of 93 must leave untouched. */
async function snapshot973(db: Db): Promise<string> {
  const parts = await Promise.all([
    db.selectFrom('site').selectAll().where('prefecture_id', '=', '973').execute(),
    db
      .selectFrom('counter as c')
      .innerJoin('site as s', 's.id', 'c.site_id')
      .select(['c.id', 'c.name', 'c.active'])
      .where('s.prefecture_id', '=', '973')
      .execute(),
    db
      .selectFrom('appointment as a')
      .innerJoin('site as s', 's.id', 'a.site_id')
      .select(['a.id', 'a.status', 'a.slot_id'])
      .where('s.prefecture_id', '=', '973')
      .execute(),
    db.selectFrom('callback_request').selectAll().where('prefecture_id', '=', '973').execute(),
    db.selectFrom('agent').select(['id', 'disabled_at', 'role']).where('prefecture_id', '=', '973').execute(),
    db.selectFrom('audit_event').select(['id']).where('prefecture_id', '=', '973').execute(),
    db
      .selectFrom('slot as sl')
      .innerJoin('site as s', 's.id', 'sl.site_id')
      .select(['sl.id', 'sl.status'])
      .where('s.prefecture_id', '=', '973')
      .orderBy('sl.id')
      .execute(),
    db
      .selectFrom('closure as c')
      .innerJoin('site as s', 's.id', 'c.site_id')
      .select(['c.id'])
      .where('s.prefecture_id', '=', '973')
      .execute(),
    db.selectFrom('allocation_request').selectAll().where('prefecture_id', '=', '973').orderBy('id').execute(),
  ]);
  return JSON.stringify(parts);
}

/** Values of 973 to put where a route expects an id, whatever the parameter's name. */
function candidates(g: Guyane): string[] {
  return [
    g.appointmentId,
    g.reference,
    g.siteId,
    g.counterIds[0]!,
    g.procedureId,
    g.callbackId,
    g.agentId,
    g.slotId,
    g.prefectureId,
    g.requestId,
  ];
}

function body973(g: Guyane): Record<string, string> {
  return {
    prefecture: g.prefectureId,
    prefectureId: g.prefectureId,
    site: g.siteId,
    siteId: g.siteId,
    counter: g.counterIds[0]!,
    counterId: g.counterIds[0]!,
    procedure: g.procedureId,
    procedureId: g.procedureId,
    appointment: g.appointmentId,
    appointmentId: g.appointmentId,
    id: g.appointmentId,
    code: g.reference,
    shortCode: g.reference,
    reference: g.reference,
    callback: g.callbackId,
    callbackId: g.callbackId,
    agent: g.agentId,
    agentId: g.agentId,
    slot: g.slotId,
    slotId: g.slotId,
    requestId: g.requestId,
    decision: 'confirmed',
    reason: 'x',
    date: '2026-06-01',
    dateFrom: '2026-06-01',
    dateTo: '2026-06-01',
    status: 'called',
    note: 'x',
    confirm: 'yes',
  };
}

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minimum?: number;
  format?: string;
  pattern?: string;
  description?: string;
}
interface Operation {
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** A value of 973 (or a plausible one) for a field, by its name first, then by its schema. */
function sample(name: string, schema: JsonSchema, g: Guyane): unknown {
  const byName: Record<string, unknown> = {
    prefecture: g.prefectureId,
    prefectureId: g.prefectureId,
    site: g.siteId,
    siteId: g.siteId,
    counter: g.counterIds[0],
    counterId: g.counterIds[0],
    procedure: g.procedureId,
    procedureId: g.procedureId,
    slotId: g.slotId,
    appointmentId: g.appointmentId,
    agentId: g.agentId,
    assignTo: 'me',
    shortCode: g.reference,
    token: g.reference,
    siteIds: [g.siteId],
    status: 'called',
    date: '2026-06-01',
    from: '2026-05-01',
    to: '2026-06-01',
    applicant: applicant(),
    weekdays: [1, 2],
    windows: [{ start: '09:00', end: '12:00' }],
    slotMinutes: 30,
  };
  if (name in byName) return byName[name];
  if (schema.anyOf) return sample(name, schema.anyOf.find((option) => option.type !== 'null') ?? {}, g);
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'object' || schema.properties) {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, sub]) => [key, sample(key, sub, g)]));
  }
  if (schema.type === 'array')
    return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample('', schema.items ?? {}, g));
  if (schema.type === 'integer' || schema.type === 'number')
    return Math.max(schema.minimum ?? 0, 1) > 1000 ? schema.minimum : 1;
  if (schema.type === 'boolean') return true;
  if (schema.format === 'uuid') return g.appointmentId;
  if (schema.description?.includes('YYYY-MM-DD')) return '2026-06-01';
  if (schema.description?.includes('HH:MM')) return '09:00';
  return 'x';
}

/** The requests of one route: each 973 id in each path parameter, 973 ids in the query and body. */
function requestsOf(
  route: Route,
  g: Guyane,
  operation: Operation | undefined,
): { method: Route['method']; url: string; body: unknown }[] {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const paths =
    params.length === 0
      ? [route.path]
      : candidates(g).map((value) => route.path.replace(/:\w+/g, encodeURIComponent(value)));
  // The API declares its query and body (strict): send what it declares, with 973's values.
  // Pages read forms and queries leniently: send every name a page might use.
  const names = operation
    ? (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
    : ['prefecture', 'site', 'counter', 'procedure', 'date'];
  const query = new URLSearchParams(names.map((n) => [n, String(sample(n, {}, g))])).toString();
  const schema = operation?.requestBody?.content?.['application/json']?.schema;
  const body = operation ? (schema ? sample('', schema, g) : undefined) : body973(g);
  return paths.map((path) => ({
    method: route.method,
    url: route.method === 'GET' && query ? `${path}?${query}` : path,
    body,
  }));
}

describeEachEngine('scoping matrix over every agent route', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let g: Guyane;
  const agents: Record<'counter93' | 'supervisor93', TestAgent> = {} as never;
  const pages: Partial<Record<keyof typeof agents, PageClient>> = {};
  const tokens: Partial<Record<keyof typeof agents, string>> = {};

  before(async () => {
    const db = database().db;
    const ctx = testAgentContext(db, clock);
    const site93 = (await createScenario(db, { prefectureId: '93' })).siteId;
    g = await guyane(db, ctx);
    app = await testServer(database(), clock);
    agents.counter93 = await givenAgent(ctx, 'counter', '93', [site93]);
    agents.supervisor93 = await givenAgent(ctx, 'supervisor', '93');
    for (const who of Object.keys(agents) as (keyof typeof agents)[]) {
      pages[who] = await logInAgentPages(app, agents[who]);
      clock.set(new Date(clock.now().getTime() + 31_000)); // a TOTP code opens one session
      tokens[who] = await agentApiToken(app, agents[who]);
    }
  });
  after(async () => app?.close());

  const spec = async () => (await app.inject('/openapi.json')).json() as OpenApi;
  const allRoutes = async () => [...agentPageRoutes(), ...agentApiRoutes(await spec())];

  it('finds the agent routes in the sources and the OpenAPI document', async () => {
    const routes = (await allRoutes()).map((r) => `${r.method} ${r.path}`);
    const expected = [
      'GET /agent',
      'GET /agent/audit',
      'GET /agent/audit.csv',
      'GET /api/agent/me',
      'GET /agent/agenda',
      'GET /agent/configuration',
      'GET /agent/callbacks',
      'GET /agent/on-behalf',
      'GET /agent/agents',
      'GET /agent/statistics',
      'POST /api/convocations/verify',
      'GET /agent/urgency',
      'POST /agent/urgency/:id/decision',
      'GET /agent/duplicates',
      'GET /api/agent/urgency',
      'POST /api/agent/urgency/:id/decision',
      'GET /api/agent/duplicates',
    ];
    expected.push('GET /agent/check-in/:id', 'POST /agent/check-in/:id', 'POST /api/agent/appointments/:id/no-show');
    for (const known of expected) assert.ok(routes.includes(known), known);
    assert.ok(routes.length > 40, `${routes.length} routes`);
  });

  it('never shows 973 data to agents of 93, never fails with 5xx, never changes 973', async () => {
    const db = database().db;
    const before973 = await snapshot973(db);
    const seen: string[] = [];
    const document = await spec();
    const operationOf = (route: Route) =>
      document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
    const refusedWithId = new Map<string, boolean>();
    for (const route of await allRoutes()) {
      for (const who of Object.keys(agents) as (keyof typeof agents)[]) {
        for (const request of requestsOf(route, g, route.api ? operationOf(route) : undefined)) {
          let response: LightMyRequestResponse;
          if (route.api) {
            response = await app.inject({
              method: request.method,
              url: request.url,
              headers: { authorization: `Bearer ${tokens[who]}` },
              ...(request.body === undefined ? {} : { payload: request.body as object }),
            });
          } else if (request.method === 'GET') {
            response = await pages[who]!.get(request.url);
          } else {
            await pages[who]!.get('/agent'); // a page with a CSRF token
            response = await pages[who]!.post(request.url, request.body as Record<string, string>);
          }
          const label = `${who} ${request.method} ${request.url} → ${response.statusCode}`;
          seen.push(label);
          assert.ok(response.statusCode < 500, label);
          // Only the routes about the agent themself answer with success: every other one was asked about 973.
          if (response.statusCode < 300)
            assert.ok(ABOUT_ONESELF.has(route.path), `${label}: answered as if 973's objects were fine`);
          assert.ok(!response.body.includes(MARKER), `${label}: shows 973 data`);
          if (route.path.includes(':')) {
            const refused = [403, 404].includes(response.statusCode);
            refusedWithId.set(
              `${who} ${route.method} ${route.path}`,
              (refusedWithId.get(`${who} ${route.method} ${route.path}`) ?? false) || refused,
            );
          }
        }
      }
    }
    assert.equal(await snapshot973(db), before973, '973 changed');
    // Each route taking an id refused at least one of 973's ids by scope (403/404), not only by shape (400).
    const neverRefused = [...refusedWithId].filter(([, refused]) => !refused).map(([route]) => route);
    assert.deepEqual(neverRefused, []);
    assert.ok(seen.length > 10, `${seen.length} requests`);
  });
});
