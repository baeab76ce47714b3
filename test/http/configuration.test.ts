// The configuration pages and API over HTTP (app.inject), on both engines: the supervisor's
// tasks (a counter, its opening rule, a closure confirmed after seeing its appointments), the
// administrator's national settings (no booking mode, no allocation order), the draws of the
// prefecture (daily time, a cadence per procedure), field errors (400), and scoping — another
// prefecture's site, counter, rule or cadence → 403 without its data; counter agents → 403 everywhere.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { insertAppointment } from '../../src/adapters/db/booking-store.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import { emailKey } from '../../src/domain/identity.ts';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { csrfOf, headingOf, type PageClient, unescapeHtml } from '../support/page-client.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

// Monday 2026-06-01, 08:00 in Paris.
const NOW = new Date('2026-06-01T06:00:00Z');
const MARKER_973 = 'Antenne-Guyane-7c1e';
const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

/** A form POST with repeated fields (weekdays), as a browser sends it. */
function postForm(client: PageClient, url: string, fields: [string, string][]): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams([...fields, ['_csrf', csrfOf(client.html)]]);
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return client.app.inject({
    method: 'POST',
    url,
    payload: body.toString(),
    headers: {
      accept: 'text/html',
      'accept-language': 'fr',
      cookie,
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
}

/** A first-come booking: on a slot a draw left without a taker (opened). */
/** An appointment on the slot; `phone`: booked by phone for someone without email, with this number. */
async function book(db: Db, slotId: string, procedureId: string, phone: string | null = null) {
  await db.updateTable('slot').set({ opened_at: NOW }).where('id', '=', slotId).execute();
  const suffix = randomBytes(5).toString('hex').toUpperCase();
  const email = phone ? null : `p.${suffix.toLowerCase()}@example.org`;
  return (await insertAppointment(
    db,
    {
      reference: `A${suffix}`,
      slotId,
      procedureId,
      surname: 'Diallo',
      givenNames: 'Moussa',
      birthDate: '1988-02-03',
      nationality: 'MLI',
      email,
      emailKey: email ? emailKey(email) : null,
      agdrefNumber: null,
      passportNumber: `P${suffix}`,
      identityKey: `key-${suffix}`,
      managementTokenHash: `hash-${suffix}`,
      channel: phone ? 'phone' : 'online',
      phone,
      language: 'fr',
    },
    NOW,
  ))!;
}

describeEachEngine('configuration over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let db: Db;
  let s93: Awaited<ReturnType<typeof createScenario>>;
  let s973: Awaited<ReturnType<typeof createScenario>>;
  const agents = {} as Record<'counter93' | 'supervisor93' | 'apiSupervisor93' | 'supervisor973' | 'admin', TestAgent>;
  let page: PageClient;
  const tokens = {} as Record<'counter93' | 'supervisor93' | 'supervisor973' | 'admin', string>;
  const api = (
    who: keyof typeof tokens,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  before(async () => {
    db = database().db;
    s93 = await createScenario(db, { prefectureId: '93', counters: 1 });
    s973 = await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne', counters: 1 });
    await db.updateTable('site').set({ name: MARKER_973 }).where('id', '=', s973.siteId).execute();
    app = await testServer(database(), clock);
    const ctx = testAgentContext(db, clock);
    agents.counter93 = await givenAgent(ctx, 'counter', '93', [s93.siteId]);
    agents.supervisor93 = await givenAgent(ctx, 'supervisor', '93');
    agents.apiSupervisor93 = await givenAgent(ctx, 'supervisor', '93');
    agents.supervisor973 = await givenAgent(ctx, 'supervisor', '973');
    agents.admin = await givenAgent(ctx, 'admin', null);
    page = await logInAgentPages(app, agents.supervisor93);
    tokens.counter93 = await agentApiToken(app, agents.counter93);
    tokens.supervisor93 = await agentApiToken(app, agents.apiSupervisor93);
    tokens.supervisor973 = await agentApiToken(app, agents.supervisor973);
    tokens.admin = await agentApiToken(app, agents.admin);
  });
  after(async () => app?.close());

  it('pages: a supervisor adds a counter and its opening rule, with a confirmation after each POST', async () => {
    const overview = await page.get('/agent/configuration');
    assert.equal(overview.statusCode, 200);
    assert.match(headingOf(overview.body), /Configuration – Préfecture 93/);
    assert.ok(overview.body.includes(`/agent/configuration/sites/${s93.siteId}`));
    assert.ok(!overview.body.includes(MARKER_973));
    assert.ok(
      !overview.body.includes('/agent/configuration/email-cap'),
      'national settings are read-only for a supervisor',
    );

    await page.get(`/agent/configuration/sites/${s93.siteId}`);
    const created = await page.post(`/agent/configuration/sites/${s93.siteId}/counters`, { name: 'Guichet Accueil' });
    assert.equal(created.statusCode, 303);
    const location = String(created.headers.location);
    assert.match(location, /^\/agent\/configuration\/counters\/c-[0-9a-f]{12}\?done=counter-created$/);
    const counterPage = await page.get(location);
    assert.match(counterPage.body, /Le guichet est créé/);
    const counterId = /counters\/(c-[0-9a-f]{12})/.exec(location)![1]!;

    const rule = await postForm(page, `/agent/configuration/counters/${counterId}/rules`, [
      ['procedureId', s93.procedureId],
      ['weekdays', '1'],
      ['weekdays', '3'],
      ['window1Start', '09:00'],
      ['window1End', '11:00'],
      ['window2Start', ''],
      ['window2End', ''],
      ['slotMinutes', '30'],
      ['validFrom', '2026-06-01'],
      ['validUntil', ''],
    ]);
    assert.equal(rule.statusCode, 303, rule.body.slice(0, 500));
    const withRule = await page.get(String(rule.headers.location));
    assert.match(withRule.body, /La règle d&#39;ouverture est ajoutée|La règle d'ouverture est ajoutée/);
    assert.match(withRule.body, /lundi, mercredi/);
    assert.match(withRule.body, /09:00–11:00/);
    const slots = await db
      .selectFrom('slot')
      .select('id')
      .where('counter_id', '=', counterId)
      .where('status', '=', 'open')
      .execute();
    assert.ok(slots.length > 0, 'the rule made slots');
    const opening = await page.post(`/agent/configuration/counters/${counterId}/exceptional-openings`, {
      procedureId: s93.procedureId,
      date: '2026-06-06',
      window1Start: '09:00',
      window1End: '10:00',
      slotMinutes: '30',
    });
    assert.equal(opening.statusCode, 303);
    const withOpening = await page.get(String(opening.headers.location));
    assert.match(withOpening.body, /L(&#39;|')ouverture exceptionnelle est ajoutée/);
    assert.match(withOpening.body, /samedi 6 juin 2026/); // the date in words
    const audit = await db
      .selectFrom('audit_event')
      .select(['action', 'ip'])
      .where('agent_id', '=', agents.supervisor93.agent.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action).filter((a) => a !== 'agent.login'),
      ['counter.create', 'opening_rule.create', 'exceptional_opening.create'],
    );
  });

  it("pages: a rule that does not hold comes back with each field's error (400), nothing written", async () => {
    const counterId = s93.counterIds[0]!;
    await page.get(`/agent/configuration/counters/${counterId}`);
    const before = await db.selectFrom('opening_rule').select('id').where('counter_id', '=', counterId).execute();
    const refused = await postForm(page, `/agent/configuration/counters/${counterId}/rules`, [
      ['procedureId', s93.procedureId],
      ['window1Start', '12:00'],
      ['window1End', '09:00'],
      ['slotMinutes', '3'],
      ['validFrom', '2026-05-01'],
    ]);
    assert.equal(refused.statusCode, 400);
    for (const field of ['rule-weekdays', 'rule-windows', 'rule-validFrom'])
      assert.ok(refused.body.includes(`href="#${field}"`), field);
    assert.match(
      refused.body,
      /la date doit être aujourd&#39;hui ou plus tard|la date doit être aujourd'hui ou plus tard/,
    );
    assert.match(refused.body, /le début d(&#39;|')une plage doit précéder sa fin/);
    assert.match(refused.body, /cochez au moins un jour de la semaine/);
    assert.equal(
      (await db.selectFrom('opening_rule').select('id').where('counter_id', '=', counterId).execute()).length,
      before.length,
    );
    await page.get(`/agent/configuration/sites/${s93.siteId}`);
    const emptyName = await page.post(`/agent/configuration/sites/${s93.siteId}/counters`, { name: '  ' });
    assert.equal(emptyName.statusCode, 400);
    assert.ok(emptyName.body.includes('href="#newcounter-name"'));
  });

  it('pages: one opening rule for several counters at once, in one transaction; none ticked or another site refused', async () => {
    const counters = await db.selectFrom('counter').select(['id', 'name']).where('site_id', '=', s93.siteId).execute();
    assert.ok(counters.length >= 2, 'the scenario counter and the one added above');
    const rulesOf = async () =>
      db
        .selectFrom('opening_rule')
        .select(['counter_id', 'weekdays'])
        .where(
          'counter_id',
          'in',
          counters.map((c) => c.id),
        )
        .execute();
    const before = await rulesOf();
    const site = await page.get(`/agent/configuration/sites/${s93.siteId}`);
    assert.match(site.body, /Horaires d(&#39;|')ouverture de plusieurs guichets/);
    for (const c of counters) assert.ok(site.body.includes(`name="counterIds" value="${c.id}"`), c.name);
    const fields = (counterIds: string[]): [string, string][] => [
      ...counterIds.map((id): [string, string] => ['counterIds', id]),
      ['procedureId', s93.procedureId],
      ['weekdays', '6'],
      ['window1Start', '14:00'],
      ['window1End', '16:00'],
      ['slotMinutes', '30'],
      ['validFrom', '2026-06-02'],
      ['validUntil', ''],
    ];

    const none = await postForm(page, `/agent/configuration/sites/${s93.siteId}/rules`, fields([]));
    assert.equal(none.statusCode, 400);
    assert.ok(none.body.includes('href="#rule-counterIds"'));
    assert.match(none.body, /Guichets concernés : à renseigner/);
    const elsewhere = await postForm(
      page,
      `/agent/configuration/sites/${s93.siteId}/rules`,
      fields([counters[0]!.id, s973.counterIds[0]!]),
    );
    assert.equal(elsewhere.statusCode, 404);
    assert.equal((await rulesOf()).length, before.length, 'nothing written');

    const saved = await postForm(
      page,
      `/agent/configuration/sites/${s93.siteId}/rules`,
      fields(counters.map((c) => c.id)),
    );
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    assert.equal(saved.headers.location, `/agent/configuration/sites/${s93.siteId}?done=rules-created`);
    assert.match((await page.get(String(saved.headers.location))).body, /ajoutée à chaque guichet coché/);
    const added = (await rulesOf()).filter((r) => JSON.stringify(r.weekdays) === JSON.stringify([6]));
    assert.deepEqual(added.map((r) => r.counter_id).sort(), counters.map((c) => c.id).sort(), 'one rule each');
    const audited = await db
      .selectFrom('audit_event')
      .select('action')
      .where('agent_id', '=', agents.supervisor93.agent.id)
      .where('action', '=', 'opening_rule.create')
      .execute();
    assert.ok(audited.length >= counters.length + 1, 'each rule audited');
  });

  it('pages: site details and the daily draw time, audited with before and after', async () => {
    await page.get(`/agent/configuration/sites/${s93.siteId}`);
    const saved = await page.post(`/agent/configuration/sites/${s93.siteId}`, {
      name: 'Préfecture de Bobigny',
      address: '1 esplanade Jean Moulin, 93000 Bobigny',
      phone: '01 41 60 60 60',
      publicHours: 'Lundi–vendredi 9 h–16 h',
    });
    assert.equal(saved.statusCode, 303);
    assert.match((await page.get(String(saved.headers.location))).body, /Les coordonnées du site sont enregistrées/);
    const event = await db
      .selectFrom('audit_event')
      .select(['before', 'after', 'prefecture_id'])
      .where('action', '=', 'site.update')
      .where('target_id', '=', s93.siteId)
      .executeTakeFirstOrThrow();
    assert.equal((event.before as { name: string }).name, `Site ${s93.siteId.slice(5)}`);
    assert.equal((event.after as { phone: string }).phone, '01 41 60 60 60');
    assert.equal(event.prefecture_id, '93');
    const badPhone = await page.post(`/agent/configuration/sites/${s93.siteId}`, {
      name: 'x',
      address: 'y',
      phone: 'call us',
      publicHours: '',
    });
    assert.equal(badPhone.statusCode, 400);
    assert.ok(badPhone.body.includes('href="#site-phone"'));

    const overview = await page.get('/agent/configuration');
    assert.ok(!overview.body.includes('afterRelease'), 'no "draw after each release" any more');
    const draw = await page.post('/agent/configuration/draw-schedule', { prefecture: '93', dailyAt: '06:45' });
    assert.equal(draw.statusCode, 303);
    assert.equal(
      (
        await db
          .selectFrom('draw_schedule')
          .select('daily_at')
          .where('prefecture_id', '=', '93')
          .executeTakeFirstOrThrow()
      ).daily_at,
      '06:45',
    );
    assert.match(
      (await page.get(String(draw.headers.location))).body,
      /L(&#39;|')heure du tirage quotidien est enregistrée/,
    );
    const badDraw = await page.post('/agent/configuration/draw-schedule', { prefecture: '93', dailyAt: '25:00' });
    assert.equal(badDraw.statusCode, 400);
    assert.ok(badDraw.body.includes('href="#draw-dailyAt"'));
  });

  it('pages: a closure over an appointment asks for confirmation with the list, then cancels it', async () => {
    const slot = await db
      .selectFrom('slot')
      .select('id')
      .where('site_id', '=', s93.siteId)
      .where('status', '=', 'open')
      .orderBy('starts_at')
      .executeTakeFirst();
    const slotId = slot?.id ?? (await s93.addSlots(1, new Date('2026-06-03T08:00:00Z')))[0]!;
    const day = (await db.selectFrom('slot').select('local_date').where('id', '=', slotId).executeTakeFirstOrThrow())
      .local_date;
    const appointment = await book(db, slotId, s93.procedureId);
    await page.get(`/agent/configuration/sites/${s93.siteId}`);
    const asked = await page.post(`/agent/configuration/sites/${s93.siteId}/closures`, {
      counterId: '',
      dateFrom: day,
      dateTo: day,
      reason: 'Travaux',
    });
    assert.equal(asked.statusCode, 409);
    assert.ok(asked.body.includes(appointment.reference));
    assert.match(asked.body, /Fermer et annuler 1 rendez-vous/);
    assert.equal((await db.selectFrom('closure').select('id').where('site_id', '=', s93.siteId).execute()).length, 0);
    assert.equal(
      (await db.selectFrom('appointment').select('status').where('id', '=', appointment.id).executeTakeFirstOrThrow())
        .status,
      'booked',
    );

    const stale = await page.post(`/agent/configuration/sites/${s93.siteId}/closures`, {
      counterId: '',
      dateFrom: day,
      dateTo: day,
      reason: 'Travaux',
      confirmAppointments: '1',
      confirmReferences: 'A-NOT-THIS-ONE',
    });
    assert.equal(stale.statusCode, 409, 'the same count but another appointment: the list again');
    assert.match(stale.body, /La liste a changé/);
    const confirmed = await page.post(`/agent/configuration/sites/${s93.siteId}/closures`, {
      counterId: '',
      dateFrom: day,
      dateTo: day,
      reason: 'Travaux',
      confirmAppointments: '1',
      confirmReferences: appointment.reference,
    });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, `/agent/configuration/sites/${s93.siteId}?done=closure`);
    assert.equal(
      (await db.selectFrom('appointment').select('status').where('id', '=', appointment.id).executeTakeFirstOrThrow())
        .status,
      'cancelled',
    );
    const sitePage = await page.get(String(confirmed.headers.location));
    assert.match(sitePage.body, /La fermeture est enregistrée/);
    assert.match(sitePage.body, /Travaux/);
  });

  it("pages: another prefecture's site or counter → 403 without its data; a counter agent → 403", async () => {
    for (const url of [
      `/agent/configuration/sites/${s973.siteId}`,
      `/agent/configuration/counters/${s973.counterIds[0]}`,
      '/agent/configuration?prefecture=973',
    ]) {
      const response = await page.get(url);
      assert.equal(response.statusCode, 403, url);
      assert.equal(errorCodeOf(response), 'FORBIDDEN_SCOPE');
      assert.ok(!response.body.includes(MARKER_973), url);
    }
    await page.get('/agent/configuration');
    const post = await page.post(`/agent/configuration/sites/${s973.siteId}/counters`, { name: 'Intrus' });
    assert.equal(post.statusCode, 403);
    assert.equal((await db.selectFrom('counter').select('id').where('name', '=', 'Intrus').execute()).length, 0);
    assert.equal((await page.get('/agent/configuration/sites/no-such-site')).statusCode, 404);

    clock.set(new Date(NOW.getTime() + 31_000));
    const counterAgent = await logInAgentPages(app, agents.counter93);
    for (const url of [
      '/agent/configuration',
      `/agent/configuration/sites/${s93.siteId}`,
      `/agent/configuration/counters/${s93.counterIds[0]}`,
    ]) {
      assert.equal((await counterAgent.get(url)).statusCode, 403, url);
    }
  });

  it('API: the same tasks, 400 with field errors, 403 across prefectures and roles', async () => {
    const overview = await api('supervisor93', 'GET', '/api/agent/configuration');
    assert.equal(overview.statusCode, 200);
    assert.deepEqual(
      overview.json().sites.map((s: { id: string }) => s.id),
      [s93.siteId],
    );
    assert.equal((await api('supervisor93', 'GET', '/api/agent/configuration?prefecture=973')).statusCode, 403);

    const counter = await api('supervisor93', 'POST', `/api/agent/configuration/sites/${s93.siteId}/counters`, {
      name: 'Guichet API',
    });
    assert.equal(counter.statusCode, 201);
    const counterId = counter.json().id as string;
    assert.equal(
      (
        await api('supervisor93', 'POST', `/api/agent/configuration/sites/${s93.siteId}/counters`, {
          name: 'guichet api',
        })
      ).json().code,
      'COUNTER_NAME_TAKEN',
    );

    const bad = await api('supervisor93', 'POST', `/api/agent/configuration/counters/${counterId}/opening-rules`, {
      procedureId: s93.procedureId,
      weekdays: [],
      validFrom: '2026-06-01',
      windows: [{ start: '09:00', end: '09:10' }],
      slotMinutes: 20,
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    assert.deepEqual(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
      ['weekdays', 'windows'],
    );
    const rule = await api('supervisor93', 'POST', `/api/agent/configuration/counters/${counterId}/opening-rules`, {
      procedureId: s93.procedureId,
      weekdays: [2, 4],
      validFrom: '2026-06-02',
      windows: [{ start: '14:00', end: '16:00' }],
      slotMinutes: 30,
    });
    assert.equal(rule.statusCode, 201, rule.body);
    assert.ok(rule.json().slots.inserted > 0);
    const ended = await api(
      'supervisor93',
      'POST',
      `/api/agent/configuration/opening-rules/${rule.json().rule.id}/end`,
      { endsFrom: '2026-06-09' },
    );
    assert.equal(ended.json().status, 'ended');
    assert.equal(ended.json().rule.validUntil, '2026-06-08');

    const opening = await api(
      'supervisor93',
      'POST',
      `/api/agent/configuration/counters/${counterId}/exceptional-openings`,
      {
        procedureId: s93.procedureId,
        date: '2026-06-13',
        windows: [{ start: '09:00', end: '12:00' }],
        slotMinutes: 60,
      },
    );
    assert.equal(opening.statusCode, 201, opening.body);
    assert.equal(opening.json().slots.inserted, 3);
    const badOpening = await api(
      'supervisor93',
      'POST',
      `/api/agent/configuration/counters/${counterId}/exceptional-openings`,
      {
        procedureId: s93.procedureId,
        date: '2026-13-01',
        windows: [{ start: '09:00', end: '12:00' }],
        slotMinutes: 60,
      },
    );
    assert.deepEqual(
      badOpening.json().errors.map((e: { path: string }) => e.path),
      ['date'],
    );
    assert.equal(
      (
        await api(
          'supervisor973',
          'DELETE',
          `/api/agent/configuration/exceptional-openings/${opening.json().opening.id}`,
        )
      ).statusCode,
      403,
    );
    assert.equal(
      (
        await api(
          'supervisor93',
          'DELETE',
          `/api/agent/configuration/exceptional-openings/${opening.json().opening.id}`,
        )
      ).statusCode,
      200,
    );
    assert.equal(
      (
        await api(
          'supervisor93',
          'DELETE',
          `/api/agent/configuration/exceptional-openings/${opening.json().opening.id}`,
        )
      ).json().code,
      'EXCEPTIONAL_OPENING_NOT_FOUND',
    );

    const offer = await api(
      'supervisor93',
      'PUT',
      `/api/agent/configuration/sites/${s93.siteId}/procedures/${s93.procedureId}`,
      { offered: true, reservedPercent: 150 },
    );
    assert.equal(offer.statusCode, 400);
    assert.equal(offer.json().errors[0].path, 'reservedPercent');
    assert.equal(
      (
        await api('supervisor93', 'PUT', `/api/agent/configuration/sites/${s93.siteId}/procedures/${s93.procedureId}`, {
          offered: true,
          reservedPercent: 20,
        })
      ).statusCode,
      200,
    );
    const draw = await api('supervisor93', 'PUT', '/api/agent/configuration/prefectures/93/draw-schedule', {
      dailyAt: '06:30',
    });
    assert.deepEqual(draw.json(), { prefectureId: '93', dailyAt: '06:30' });
    assert.equal(
      (
        await api('supervisor93', 'PUT', '/api/agent/configuration/prefectures/93/draw-schedule', {
          dailyAt: '06:30',
          afterRelease: false,
        })
      ).statusCode,
      400,
      'afterRelease is gone from the API',
    );

    // National settings: administrators only; no booking mode, no allocation order.
    const policy = { releaseDaysAhead: 20, releaseTime: '09:00', offerHours: 24, maxIgnoredOffers: 2, maxDeclines: 1 };
    assert.equal(
      (await api('supervisor93', 'PATCH', `/api/agent/configuration/procedures/${s93.procedureId}`, policy)).statusCode,
      403,
    );
    const changed = await api('admin', 'PATCH', `/api/agent/configuration/procedures/${s93.procedureId}`, policy);
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().procedure.releaseDaysAhead, 20);
    assert.equal(changed.json().procedure.maxDeclines, 1);
    assert.ok(!('bookingMode' in changed.json().procedure) && !('allocationOrder' in changed.json().procedure));
    assert.equal(
      (
        await api('admin', 'PATCH', `/api/agent/configuration/procedures/${s93.procedureId}`, {
          ...policy,
          bookingMode: 'direct',
        })
      ).statusCode,
      400,
    );
    const badPolicy = await api('admin', 'PATCH', `/api/agent/configuration/procedures/${s93.procedureId}`, {
      ...policy,
      maxDeclines: 11,
      maxIgnoredOffers: 0,
    });
    assert.deepEqual(
      badPolicy
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
      ['maxDeclines', 'maxIgnoredOffers'],
    );
    assert.equal(
      (await api('supervisor93', 'PUT', '/api/agent/configuration/settings/max-active-per-email', { value: 3 }))
        .statusCode,
      403,
    );
    assert.equal(
      (await api('admin', 'PUT', '/api/agent/configuration/settings/max-active-per-email', { value: 0 })).statusCode,
      400,
    );
    assert.deepEqual(
      (await api('admin', 'PUT', '/api/agent/configuration/settings/max-active-per-email', { value: 3 })).json(),
      { value: 3 },
    );
    assert.equal((await api('admin', 'GET', '/api/agent/configuration?prefecture=973')).json().prefecture.id, '973');

    // Another prefecture: 403, and not a byte of it.
    const foreign: [string, string, unknown?][] = [
      ['GET', `/api/agent/configuration/sites/${s973.siteId}`],
      [
        'PATCH',
        `/api/agent/configuration/sites/${s973.siteId}`,
        { name: 'x', address: 'y', phone: null, publicHours: null },
      ],
      ['POST', `/api/agent/configuration/sites/${s973.siteId}/counters`, { name: 'Intrus' }],
      ['GET', `/api/agent/configuration/counters/${s973.counterIds[0]}`],
      ['PATCH', `/api/agent/configuration/counters/${s973.counterIds[0]}`, { active: false }],
      ['PUT', '/api/agent/configuration/prefectures/973/draw-schedule', { dailyAt: '06:30' }],
      [
        'PUT',
        `/api/agent/configuration/prefectures/973/draw-cadences/${s973.procedureId}`,
        { everyMinutes: 15, fromTime: '08:00', untilTime: '18:00' },
      ],
      ['DELETE', `/api/agent/configuration/prefectures/973/draw-cadences/${s973.procedureId}`],
      [
        'POST',
        `/api/agent/configuration/sites/${s973.siteId}/closures`,
        { dateFrom: '2026-06-10', dateTo: '2026-06-10', reason: 'x' },
      ],
    ];
    for (const [method, url, payload] of foreign) {
      const response = await api('supervisor93', method as 'GET', url, payload);
      assert.equal(response.statusCode, 403, `${method} ${url}`);
      assert.ok(!response.body.includes(MARKER_973));
    }
    const rule973 = await api(
      'supervisor973',
      'POST',
      `/api/agent/configuration/counters/${s973.counterIds[0]}/opening-rules`,
      {
        procedureId: s973.procedureId,
        weekdays: [1],
        validFrom: '2026-06-01',
        windows: [{ start: '09:00', end: '10:00' }],
        slotMinutes: 30,
      },
    );
    assert.equal(rule973.statusCode, 201, rule973.body);
    assert.equal(
      (
        await api('supervisor93', 'POST', `/api/agent/configuration/opening-rules/${rule973.json().rule.id}/end`, {
          endsFrom: '2026-06-09',
        })
      ).statusCode,
      403,
    );
    // Counter agents: no configuration at all.
    for (const url of [
      '/api/agent/configuration',
      `/api/agent/configuration/sites/${s93.siteId}`,
      `/api/agent/configuration/counters/${s93.counterIds[0]}`,
    ]) {
      assert.equal((await api('counter93', 'GET', url)).statusCode, 403, url);
    }
    assert.equal(
      (await api('counter93', 'POST', `/api/agent/configuration/sites/${s93.siteId}/counters`, { name: 'Guichet X' }))
        .statusCode,
      403,
    );
  });

  it('pages: the draws explained, a procedure drawn every 15 minutes then back to daily, errors on the form, audited', async () => {
    const overview = await page.get('/agent/configuration');
    assert.match(overview.body, /Un tirage par jour \(par défaut\) convient aux démarches très demandées/);
    assert.match(overview.body, /fenêtre de collecte complète/);
    assert.match(overview.body, /Actuellement : un tirage par jour/);
    assert.ok(
      !/Mode de prise de rendez-vous|Ordre d(&#39;|')attribution|Réservation directe/.test(overview.body),
      'no booking mode, no allocation order',
    );
    const url = `/agent/configuration/draw-cadences/${s93.procedureId}`;
    const refused = await page.post(url, {
      prefecture: '93',
      everyMinutes: '3',
      fromTime: '18:00',
      untilTime: '08:00',
    });
    assert.equal(refused.statusCode, 400);
    assert.ok(refused.body.includes(`href="#cadence-${s93.procedureId}-everyMinutes"`));
    assert.ok(refused.body.includes(`href="#cadence-${s93.procedureId}-untilTime"`));
    assert.match(refused.body, /le dernier tirage doit venir après le premier/);
    assert.match(refused.body, /value="18:00"/, 'what was typed is kept');
    assert.equal(
      (await db.selectFrom('draw_cadence').select('procedure_id').where('prefecture_id', '=', '93').execute()).length,
      0,
    );

    const saved = await page.post(url, { prefecture: '93', everyMinutes: '15', fromTime: '08:00', untilTime: '18:00' });
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/agent/configuration?prefecture=93&done=draw-cadence');
    const after = await page.get(String(saved.headers.location));
    assert.match(after.body, /Le rythme des tirages de la démarche est enregistré/);
    assert.match(after.body, /Actuellement : un tirage toutes les 15 minutes, de 08:00 à 18:00/);
    assert.deepEqual(
      await db
        .selectFrom('draw_cadence')
        .select(['every_minutes', 'from_time', 'until_time'])
        .where('prefecture_id', '=', '93')
        .where('procedure_id', '=', s93.procedureId)
        .execute(),
      [{ every_minutes: 15, from_time: '08:00', until_time: '18:00' }],
    );
    const removed = await page.post(`${url}/remove`, { prefecture: '93' });
    assert.equal(removed.statusCode, 303);
    assert.match((await page.get(String(removed.headers.location))).body, /La démarche revient à un tirage par jour/);
    assert.equal(
      (await db.selectFrom('draw_cadence').select('procedure_id').where('prefecture_id', '=', '93').execute()).length,
      0,
    );
    const audit = await db
      .selectFrom('audit_event')
      .select(['action', 'prefecture_id'])
      .where('target_id', '=', `93/${s93.procedureId}`)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((e) => [e.action, e.prefecture_id]),
      [
        ['draw_cadence.update', '93'],
        ['draw_cadence.delete', '93'],
      ],
    );

    // Another prefecture's queue: 403, nothing written.
    await page.get('/agent/configuration');
    const foreign = await page.post(`/agent/configuration/draw-cadences/${s973.procedureId}`, {
      prefecture: '973',
      everyMinutes: '15',
      fromTime: '08:00',
      untilTime: '18:00',
    });
    assert.equal(foreign.statusCode, 403);
    assert.equal(
      (await db.selectFrom('draw_cadence').select('procedure_id').where('prefecture_id', '=', '973').execute()).length,
      0,
    );
  });

  it("pages: an administrator sets a procedure's declines and ignored offers; no mode, no order", async () => {
    clock.set(new Date(NOW.getTime() + 62_000));
    const admin = await logInAgentPages(app, agents.admin);
    const overview = await admin.get('/agent/configuration?prefecture=93');
    assert.ok(overview.body.includes(`id="procedure-${s93.procedureId}-maxDeclines"`));
    assert.ok(!overview.body.includes('name="bookingMode"') && !overview.body.includes('name="allocationOrder"'));
    const form = {
      prefecture: '93',
      releaseDaysAhead: '20',
      releaseTime: '09:00',
      offerHours: '48',
      maxIgnoredOffers: '2',
      maxDeclines: '0',
    };
    const saved = await admin.post(`/agent/configuration/procedures/${s93.procedureId}`, form);
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
    assert.equal(
      (
        await db
          .selectFrom('procedure')
          .select('max_declines')
          .where('id', '=', s93.procedureId)
          .executeTakeFirstOrThrow()
      ).max_declines,
      0,
    );
    const refused = await admin.post(`/agent/configuration/procedures/${s93.procedureId}`, {
      ...form,
      maxDeclines: '12',
    });
    assert.equal(refused.statusCode, 400);
    assert.ok(refused.body.includes(`href="#procedure-${s93.procedureId}-maxDeclines"`));
    const events = await db
      .selectFrom('audit_event')
      .select('action')
      .where('target_id', '=', s93.procedureId)
      .where('action', '=', 'procedure.update')
      .execute();
    assert.ok(events.length >= 1);
  });

  it('API: a cadence per procedure, in the overview; validation, scope and roles', async () => {
    const url = `/api/agent/configuration/prefectures/93/draw-cadences/${s93.procedureId}`;
    const set = await api('supervisor93', 'PUT', url, { everyMinutes: 30, fromTime: '09:00', untilTime: '17:00' });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), {
      prefectureId: '93',
      procedureId: s93.procedureId,
      everyMinutes: 30,
      fromTime: '09:00',
      untilTime: '17:00',
    });
    const overview = (await api('supervisor93', 'GET', '/api/agent/configuration')).json();
    assert.deepEqual(
      overview.draws.find((d: { procedureId: string }) => d.procedureId === s93.procedureId).cadence,
      set.json(),
    );
    assert.ok(!('afterRelease' in overview.drawSchedule));

    const bad = await api('supervisor93', 'PUT', url, { everyMinutes: 721, fromTime: '9h', untilTime: '17:00' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
      ['everyMinutes', 'fromTime'],
    );
    assert.equal(
      (
        await api('supervisor93', 'PUT', '/api/agent/configuration/prefectures/93/draw-cadences/no-such-procedure', {
          everyMinutes: 30,
          fromTime: '09:00',
          untilTime: '17:00',
        })
      ).statusCode,
      404,
    );
    assert.equal(
      (await api('supervisor973', 'PUT', url, { everyMinutes: 30, fromTime: '09:00', untilTime: '17:00' })).statusCode,
      403,
    );
    assert.equal((await api('supervisor973', 'DELETE', url)).statusCode, 403);
    assert.equal(
      (await api('counter93', 'PUT', url, { everyMinutes: 30, fromTime: '09:00', untilTime: '17:00' })).statusCode,
      403,
    );
    assert.equal((await api('counter93', 'DELETE', url)).statusCode, 403);
    assert.equal(
      (
        await db
          .selectFrom('draw_cadence')
          .select('every_minutes')
          .where('prefecture_id', '=', '93')
          .where('procedure_id', '=', s93.procedureId)
          .executeTakeFirstOrThrow()
      ).every_minutes,
      30,
    );
    // An administrator may set any prefecture's.
    const admin973 = await api(
      'admin',
      'PUT',
      `/api/agent/configuration/prefectures/973/draw-cadences/${s973.procedureId}`,
      { everyMinutes: 60, fromTime: '07:00', untilTime: '15:00' },
    );
    assert.equal(admin973.statusCode, 200, admin973.body);

    assert.deepEqual((await api('supervisor93', 'DELETE', url)).json(), {
      prefectureId: '93',
      procedureId: s93.procedureId,
      removed: true,
    });
    assert.deepEqual((await api('supervisor93', 'DELETE', url)).json(), {
      prefectureId: '93',
      procedureId: s93.procedureId,
      removed: false,
    });
    assert.equal(
      (await api('supervisor93', 'GET', '/api/agent/configuration'))
        .json()
        .draws.find((d: { procedureId: string }) => d.procedureId === s93.procedureId).cadence,
      null,
    );
  });

  it('API: a closure over appointments answers 409 with the list, then closes when confirmed', async () => {
    const [slotId] = await s93.addSlots(1, new Date('2026-06-12T07:00:00Z'));
    const appointment = await book(db, slotId!, s93.procedureId);
    const body = { dateFrom: '2026-06-12', dateTo: '2026-06-12', reason: 'Inventaire' };
    const asked = await api('supervisor93', 'POST', `/api/agent/configuration/sites/${s93.siteId}/closures`, body);
    assert.equal(asked.statusCode, 409);
    assert.equal(asked.json().code, 'CLOSURE_CONFIRMATION_REQUIRED');
    assert.equal(asked.json().details.count, 1);
    assert.equal(asked.json().details.appointments[0].reference, appointment.reference);
    const done = await api('supervisor93', 'POST', `/api/agent/configuration/sites/${s93.siteId}/closures`, {
      ...body,
      confirmAppointments: 1,
    });
    assert.equal(done.statusCode, 201, done.body);
    // Booked first come (not from a request): a request is filed for them, at the head of the queue.
    assert.deepEqual(
      done.json().cancelled.map((a: { reference: string; wayBack: string }) => [a.reference, a.wayBack]),
      [[appointment.reference, 'filed']],
    );
    const filed = await db
      .selectFrom('allocation_request')
      .select(['status', 'urgency_source'])
      .where('email', '=', appointment.email!)
      .execute();
    assert.deepEqual(filed, [{ status: 'waiting', urgency_source: 'closure' }]);
    const past = await api('supervisor93', 'POST', `/api/agent/configuration/sites/${s93.siteId}/closures`, {
      dateFrom: '2026-05-01',
      dateTo: '2026-05-02',
      reason: '',
    });
    assert.deepEqual(
      past
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
      ['dateFrom', 'reason'],
    );
  });

  // Last: it adds a site to 93, which the listings above count.
  it('pages: closing one counter moves what another counter can take at the same time, lists the rest with the number to call', async () => {
    const site = await createScenario(db, { prefectureId: '93', counters: 2 });
    // Wednesday 10 June: 09:00 and 09:30 on each counter.
    const [c0at9, c1at9, c0at930, c1at930] = await site.addSlots(4, new Date('2026-06-10T07:00:00Z'));
    const moved = await book(db, c0at9!, site.procedureId);
    const left = await book(db, c0at930!, site.procedureId, '0611223344');
    await book(db, c1at930!, site.procedureId);
    const closure = { counterId: site.counterIds[0]!, dateFrom: '2026-06-10', dateTo: '2026-06-10', reason: 'Panne' };
    await page.get(`/agent/configuration/sites/${site.siteId}`);
    const asked = await page.post(`/agent/configuration/sites/${site.siteId}/closures`, closure);
    assert.equal(asked.statusCode, 409);
    const text = unescapeHtml(asked.body);
    assert.match(text, /1 rendez-vous déplacé vers un autre guichet à la même heure/);
    assert.match(text, new RegExp(`${moved.reference} — [^<]+ → Guichet 2`));
    assert.match(text, /06 11 22 33 44/, 'the number to call the person without email');
    assert.match(text, /appelez la personne/);
    assert.ok(!text.includes('Lien pour déposer une demande'), 'no link offered to someone without email');
    const confirmed = await page.post(`/agent/configuration/sites/${site.siteId}/closures`, {
      ...closure,
      confirmAppointments: '1',
      confirmReferences: left.reference,
    });
    assert.equal(confirmed.headers.location, `/agent/configuration/sites/${site.siteId}?done=closure-some`);
    const where = await db
      .selectFrom('appointment')
      .select(['slot_id', 'status'])
      .where('id', '=', moved.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(where, { slot_id: c1at9, status: 'booked' });
  });
});
