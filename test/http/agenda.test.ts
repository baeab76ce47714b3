// Agenda, check-in and statistics over HTTP (pages and JSON API), on both engines: the
// typed short code shows the identity (no JavaScript needed), transitions with their 409s,
// and the scoping — another prefecture's or site's code is answered like an unknown one;
// the home page's summary of the day.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createCallbackStore } from '../../src/adapters/db/callback-store.ts';
import { createConvocationStore } from '../../src/adapters/db/convocation-store.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, type PageClient, unescapeHtml } from '../support/page-client.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const BOOKED_AT = new Date('2026-06-01T08:00:00Z');
const SLOT_9H = new Date('2026-06-02T07:00:00Z'); // 09:00 in Paris
const CHECK_IN_TIME = new Date('2026-06-02T06:40:00Z'); // 08:40 in Paris, the same day
const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];
const alertOf = (body: string) => /<div class="fr-alert fr-alert--error[\s\S]*?<\/div>/.exec(body)?.[0];

describeEachEngine('agenda and check-in over HTTP', (database) => {
  const clock = new TestClock(BOOKED_AT);
  let app: FastifyInstance;
  let site: Awaited<ReturnType<typeof createScenario>>;
  let otherSite: Awaited<ReturnType<typeof createScenario>>;
  const booked: { id: string; reference: string; passportNumber: string }[] = [];
  const agents: Record<
    'counter' | 'counterElsewhere' | 'supervisor' | 'supervisor973' | 'apiCounter' | 'apiElsewhere',
    TestAgent
  > = {} as never;
  const pages: Partial<Record<keyof typeof agents, PageClient>> = {};
  let token = '';

  before(async () => {
    const db = database().db;
    site = await createScenario(db, { prefectureId: '93' });
    otherSite = await createScenario(db, { prefectureId: '93' });
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    app = await testServer(database(), clock);
    const ctx = testContext(db, clock);
    for (const slotId of await site.addSlots(4, SLOT_9H)) {
      const person = applicant({ surname: 'Mbappé', givenNames: 'Aïssatou' });
      const { confirmation } = await bookSlot(ctx, {
        slotId,
        applicant: person,
        emailProof: await knownEmailProof(ctx, person.email),
      });
      const stored = await createConvocationStore(db).findAppointmentByReference(confirmation.appointment.reference);
      booked.push({
        id: stored!.id,
        reference: confirmation.appointment.reference,
        passportNumber: person.passportNumber!,
      });
    }
    clock.set(CHECK_IN_TIME);
    const actx = testAgentContext(db, clock);
    agents.counter = await givenAgent(actx, 'counter', '93', [site.siteId]);
    agents.counterElsewhere = await givenAgent(actx, 'counter', '93', [otherSite.siteId]);
    agents.supervisor = await givenAgent(actx, 'supervisor', '93');
    agents.supervisor973 = await givenAgent(actx, 'supervisor', '973');
    agents.apiCounter = await givenAgent(actx, 'counter', '93', [site.siteId]);
    agents.apiElsewhere = await givenAgent(actx, 'counter', '93', [otherSite.siteId]);
    for (const name of ['counter', 'counterElsewhere', 'supervisor', 'supervisor973'] as const)
      pages[name] = await logInAgentPages(app, agents[name]);
    token = await agentApiToken(app, agents.apiCounter);
  });
  after(async () => app?.close());

  const api = (method: 'GET' | 'POST', url: string, payload?: object, bearer = token) =>
    app.inject({ method, url, ...(payload ? { payload } : {}), headers: { authorization: `Bearer ${bearer}` } });

  it('checks a person in by typed short code (no JavaScript), shows the identity, then records arrived and served', async () => {
    const client = pages.counter!;
    const form = await client.get('/agent/check-in');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<script src="\/assets\/check-in\.js" defer><\/script>/);
    assert.match(form.body, /<label class="fr-label" for="code">/);
    const a = booked[0]!;
    const found = await client.post('/agent/check-in', { code: a.reference.toLowerCase().replace(/-/g, ' ') });
    assert.equal(found.statusCode, 303);
    assert.equal(found.headers.location, `/agent/check-in/${a.id}`);
    const screen = await client.get(found.headers.location!);
    assert.equal(screen.statusCode, 200);
    assert.equal(headingOf(screen.body), "Vérifier l'identité");
    for (const text of [
      'Mbappé',
      'Aïssatou',
      a.passportNumber,
      '12 avril 1990',
      'Sénégal', // the nationality in words (SEN)
      'Guichet 1',
      'Renouvellement',
      'Attendu',
    ])
      assert.ok(screen.body.includes(text), text);
    assert.match(screen.body, /name="action" value="arrived"/);
    assert.doesNotMatch(screen.body, /value="served"|value="no_show"/);

    const arrived = await client.post(`/agent/check-in/${a.id}`, { action: 'arrived' });
    assert.equal(arrived.statusCode, 303);
    const afterArrival = await client.get(arrived.headers.location!);
    assert.match(afterArrival.body, /Arrivée enregistrée/);
    assert.match(afterArrival.body, /id="appointment-status">Arrivé</);
    // A second click on the same (stale) button: a clear 409, nothing changed.
    const twice = await client.post(`/agent/check-in/${a.id}`, { action: 'arrived' });
    assert.equal(twice.statusCode, 409);
    assert.match(alertOf(twice.body) ?? '', /état attendu/);
    const served = await client.post(`/agent/check-in/${a.id}`, { action: 'served' });
    assert.equal(served.statusCode, 303);
    assert.match((await client.get(served.headers.location!)).body, /id="appointment-status">Reçu</);
  });

  it("answers another prefecture's or another site's code exactly like an unknown one", async () => {
    const a = booked[1]!;
    const bodies: (string | undefined)[] = [];
    for (const [who, code] of [
      ['supervisor973', a.reference],
      ['counterElsewhere', a.reference],
      ['counterElsewhere', '2222-2222-22'],
    ] as const) {
      const client = pages[who]!;
      await client.get('/agent/check-in');
      const response = await client.post('/agent/check-in', { code });
      assert.equal(response.statusCode, 404, `${who} ${code}`);
      assert.ok(!response.body.includes('Mbappé') && !response.body.includes(a.id));
      bodies.push(alertOf(response.body));
    }
    assert.equal(new Set(bodies).size, 1);
    assert.match(bodies[0]!, /pas valide/);
    for (const who of ['supervisor973', 'counterElsewhere'] as const) {
      const direct = await pages[who]!.get(`/agent/check-in/${a.id}`);
      assert.equal(direct.statusCode, 404);
      assert.equal(errorCodeOf(direct), 'CONVOCATION_INVALID');
      assert.ok(!direct.body.includes('Mbappé'));
    }
    const apiForeign = await api(
      'GET',
      `/api/agent/appointments/${a.id}`,
      undefined,
      await agentApiToken(app, agents.apiElsewhere),
    );
    assert.deepEqual([apiForeign.statusCode, apiForeign.json().code], [404, 'CONVOCATION_INVALID']);
  });

  it('on another day, says why nothing can be recorded and shows the appointment’s date (page and API)', async () => {
    const a = booked[3]!;
    clock.set(new Date('2026-06-01T10:00:00Z')); // the day before, 12:00 in Paris
    try {
      const page = pages.counter!;
      const shown = await page.get(`/agent/check-in/${a.id}`);
      assert.equal(shown.statusCode, 200);
      const why =
        /<div class="fr-alert fr-alert--info fr-mb-2w" id="no-arrival">([\s\S]*?)<\/div>/.exec(shown.body)?.[1] ?? '';
      assert.match(unescapeHtml(why), /Ce rendez-vous est le mardi 2 juin 2026 à \d\dh\d\d, pas aujourd’hui/);
      assert.ok(!shown.body.includes('value="arrived"'), 'no arrival button');
      const api = await app.inject({
        method: 'GET',
        url: `/api/agent/appointments/${a.id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(api.json().noArrival, 'future_day');
    } finally {
      clock.set(CHECK_IN_TIME);
    }
  });

  it('refuses a no-show before the slot started plus 15 minutes with 409 NO_SHOW_TOO_EARLY, then records it', async () => {
    const a = booked[2]!; // 09:30 in Paris
    const early = await api('POST', `/api/agent/appointments/${a.id}/no-show`);
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().code, 'NO_SHOW_TOO_EARLY');
    assert.equal(early.json().details?.from ?? early.json().from, '2026-06-02T07:45:00.000Z');
    const page = pages.counter!;
    await page.get(`/agent/check-in/${a.id}`);
    const refused = await page.post(`/agent/check-in/${a.id}`, { action: 'no_show' });
    assert.equal(refused.statusCode, 409);
    assert.match(alertOf(refused.body) ?? '', /15 minutes/);
    clock.set(new Date('2026-06-02T07:45:00Z'));
    try {
      const late = await api('POST', `/api/agent/appointments/${a.id}/no-show`);
      assert.equal(late.statusCode, 200, late.body);
      assert.equal(late.json().status, 'no_show');
      assert.deepEqual(late.json().actions, []);
    } finally {
      clock.set(CHECK_IN_TIME);
    }
  });

  it('verifies a convocation with an agent session and moves it along over the JSON API', async () => {
    const a = booked[3]!;
    const verified = await api('POST', '/api/convocations/verify', { shortCode: a.reference });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().id, a.id);
    const view = await api('GET', `/api/agent/appointments/${a.id}`);
    assert.deepEqual([view.json().passportNumber, view.json().actions], [a.passportNumber, ['arrived']]);
    const arrived = await api('POST', `/api/agent/appointments/${a.id}/arrived`);
    assert.equal(arrived.json().status, 'arrived');
    assert.equal(arrived.json().checkedInAt, CHECK_IN_TIME.toISOString());
    const again = await api('POST', `/api/agent/appointments/${a.id}/arrived`);
    assert.deepEqual([again.statusCode, again.json().code], [409, 'APPOINTMENT_STATUS_CONFLICT']);
    const served = await api('POST', `/api/agent/appointments/${a.id}/served`);
    assert.deepEqual([served.json().status, served.json().canUndo], ['served', true]);
    const undone = await api('POST', `/api/agent/appointments/${a.id}/undo`);
    assert.deepEqual(
      [undone.json().status, undone.json().servedAt, undone.json().actions],
      ['arrived', null, ['served']],
    );
    assert.equal((await api('POST', `/api/agent/appointments/${a.id}/served`)).json().status, 'served');
    assert.equal((await api('POST', '/api/agent/appointments/not-a-uuid/served')).statusCode, 400);
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/convocations/verify', payload: { shortCode: a.reference } }))
        .statusCode,
      401,
    );
  });

  it("shows the day's agenda of the agent's site, and refuses another site", async () => {
    const own = await pages.counter!.get('/agent/agenda');
    assert.equal(own.statusCode, 200);
    assert.match(headingOf(own.body), /mardi 2 juin 2026/);
    for (const a of booked) assert.ok(own.body.includes(a.reference), a.reference);
    assert.match(own.body, /<th scope="col">Heure<\/th>/);
    assert.match(own.body, /class="fr-breadcrumb creneau-no-print"/);
    const other = await pages.counter!.get(`/agent/agenda?site=${otherSite.siteId}`);
    assert.equal(other.statusCode, 403);
    assert.equal(errorCodeOf(other), 'FORBIDDEN_SCOPE');
    assert.equal((await pages.supervisor973!.get(`/agent/agenda?site=${site.siteId}`)).statusCode, 403);
    assert.equal((await pages.counter!.get('/agent/agenda?date=tomorrow')).statusCode, 400);
    const counterOnly = await pages.supervisor!.get(
      `/agent/agenda?site=${site.siteId}&date=2026-06-02&counter=${site.counterIds[1]}`,
    );
    assert.equal(counterOnly.statusCode, 200);
    assert.equal([...counterOnly.body.matchAll(/<code>[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}<\/code>/g)].length, 2);
    const json = await api('GET', `/api/agent/agenda?date=2026-06-02`);
    assert.equal(json.statusCode, 200);
    assert.deepEqual(
      json
        .json()
        .entries.map((e: { reference: string }) => e.reference)
        .sort(),
      booked.map((a) => a.reference).sort(),
    );
    assert.equal((await api('GET', `/api/agent/agenda?site=${otherSite.siteId}`)).statusCode, 403);
  });

  it('shows no-show statistics to supervisors only, with a CSV export', async () => {
    clock.set(new Date('2026-06-02T08:30:00Z')); // every slot has started; the sessions are still live
    try {
      const stats = await pages.supervisor!.get('/agent/statistics?from=2026-06-01&to=2026-06-02');
      assert.equal(stats.statusCode, 200);
      assert.match(stats.body, /Taux d&#39;absence|Taux d'absence/);
      assert.match(stats.body, /<th scope="row">Total<\/th>/);
      assert.equal((await pages.counter!.get('/agent/statistics')).statusCode, 403);
      assert.equal((await pages.supervisor!.get('/agent/statistics?prefecture=973')).statusCode, 403);
      assert.equal((await pages.supervisor!.get('/agent/statistics?from=2026-06-03&to=2026-06-01')).statusCode, 400);
      const csv = await pages.supervisor!.get('/agent/statistics.csv?from=2026-06-01&to=2026-06-02');
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      // In French: semicolons and a decimal comma (French spreadsheets).
      assert.equal(
        lines[0],
        'prefecture;site_id;site;procedure_id;procedure;due;came;served;no_shows;unmarked;no_show_rate',
      );
      const line = lines.find((l) => l.includes(site.siteId));
      // 4 due: 2 served, 1 no-show, 1 left booked.
      assert.match(line ?? '', /;4;2;2;1;1;0,25$/);
      const cookie = [...pages.supervisor!.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const english = await app.inject({
        method: 'GET',
        url: '/agent/statistics.csv?from=2026-06-01&to=2026-06-02',
        headers: { cookie: cookie.replace(/(^|; )lang=[^;]*/, ''), 'accept-language': 'en' },
      });
      const englishLine = english.body.split('\r\n').find((l) => l.includes(site.siteId));
      assert.match(englishLine ?? '', /,4,2,2,1,1,0\.25$/, 'in English: commas and a decimal point');
    } finally {
      clock.set(CHECK_IN_TIME);
    }
  });

  it('sums up the day on the home page: appointments, arrived, no-shows, still expected, by site name; call-backs waiting', async () => {
    // After the tests above, today (2 June) at the site: 4 appointments, 2 served, 1 no-show, 1 still booked.
    clock.set(CHECK_IN_TIME);
    const names = await database()
      .db.selectFrom('site')
      .select(['id', 'name'])
      .where('id', 'in', [site.siteId, otherSite.siteId])
      .execute();
    const nameOf = (id: string) => names.find((n) => n.id === id)!.name;
    const rowOf = (html: string, id: string) => {
      const start = html.indexOf(`href="/agent/agenda?site=${id}"`);
      return start < 0 ? '' : html.slice(start, html.indexOf('</tr>', start));
    };
    const cells = (row: string) => [...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);

    const home = await pages.counter!.get('/agent');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Aujourd&#39;hui sur vos sites|Aujourd'hui sur vos sites/);
    const row = rowOf(home.body, site.siteId);
    assert.ok(unescapeHtml(row).includes(`>${nameOf(site.siteId)}</a>`), 'the site by its name');
    assert.deepEqual(cells(row), ['mardi 2 juin', '4', '2', '1', '1']);
    assert.equal(rowOf(home.body, otherSite.siteId), '', "a counter agent sees their own site's day only");
    assert.match(home.body, /Aucun rappel en attente/);

    await createCallbackStore(database().db).insertCallbackRequest({
      prefectureId: '93',
      phone: '0611223344',
      language: 'fr',
      situation: 'Home summary',
      createdAt: CHECK_IN_TIME,
    });
    const supervisorHome = await pages.supervisor!.get('/agent?lang=en');
    assert.deepEqual(cells(rowOf(supervisorHome.body, site.siteId)), ['Tuesday 2 June', '4', '2', '1', '1']);
    assert.deepEqual(cells(rowOf(supervisorHome.body, otherSite.siteId)), ['Tuesday 2 June', '0', '0', '0', '0']);
    assert.match(supervisorHome.body, /<a class="fr-link" href="\/agent\/callbacks">1 call-back waiting<\/a>/);
    const other = await pages.supervisor973!.get('/agent');
    assert.equal(rowOf(other.body, site.siteId), '', "no day of another prefecture's site");
    assert.match(other.body, /Aucun rappel en attente/);

    // The national administrator: every prefecture's sites on the home (with their prefecture);
    // the agenda opens on the first site (the first prefecture's first), never on an empty choice.
    const admin = await logInAgentPages(app, await givenAgent(testAgentContext(database().db, clock), 'admin', null));
    const adminHome = await admin.get('/agent');
    assert.deepEqual(cells(rowOf(adminHome.body, site.siteId)), ['mardi 2 juin', '4', '2', '1', '1']);
    assert.ok(unescapeHtml(rowOf(adminHome.body, site.siteId)).includes(`${nameOf(site.siteId)}</a> (93)`));
    const agenda = await admin.get('/agent/agenda');
    assert.equal(agenda.statusCode, 200);
    const options = [...agenda.body.matchAll(/<option value="([^"]+)"( selected)?>[^<]*\((\d+)\)<\/option>/g)];
    assert.ok(options.length >= 3, 'every site to choose from');
    assert.equal(options[0]![2], ' selected', 'the first site is the one shown');
    assert.equal(options[0]![3], '93');
    assert.match(headingOf(agenda.body), / – \S/);
  });
});
