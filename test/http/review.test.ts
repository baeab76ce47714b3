// The review lists over HTTP (app.inject), on both engines: the urgency page without
// JavaScript (confirm, refuse with a reason, a refusal without one shown on the list with
// 400, a decision already taken shown with 409, CSRF), the duplicates page and the flags on
// the agenda and at check-in, the menu by role, the JSON API (400s with stable codes, a race
// of two decisions: 200 and 409), and agents of 93 on 973's: 403 or 404, never its data.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, hiddenFields, type PageClient } from '../support/page-client.ts';
import { reviewAppointment, reviewRequest } from '../support/review.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const MARKER = 'GUYANEREVIEW';
const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];

describeEachEngine('review lists over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  const who: Record<'counter93' | 'supervisor93' | 'admin', TestAgent> = {} as never;
  const pages: Partial<Record<keyof typeof who, PageClient>> = {};
  const tokens: Partial<Record<keyof typeof who, string>> = {};
  type Scenario = Awaited<ReturnType<typeof createScenario>>;
  let s93: Scenario, s973: Scenario;
  let guyaneRequest: string;
  let guyaneAppointment: string;

  const api = (agent: keyof typeof who, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[agent]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const sectionOf = (html: string, id: string): string => {
    const start = html.indexOf(`id="urgency-${id}"`);
    return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
  };

  before(async () => {
    const db = database().db;
    s93 = await createScenario(db, { prefectureId: '93' });
    s973 = await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    app = await testServer(database(), clock);
    const ctx = testAgentContext(db, clock);
    who.counter93 = await givenAgent(ctx, 'counter', '93', [s93.siteId]);
    who.supervisor93 = await givenAgent(ctx, 'supervisor', '93');
    who.admin = await givenAgent(ctx, 'admin', null);
    for (const name of Object.keys(who) as (keyof typeof who)[]) pages[name] = await logInAgentPages(app, who[name]);
    clock.set(new Date(NOW.getTime() + 30_000)); // a fresh TOTP step for the API sessions
    for (const name of Object.keys(who) as (keyof typeof who)[]) tokens[name] = await agentApiToken(app, who[name]);
    clock.set(NOW);
    guyaneRequest = (
      await reviewRequest(db, s973, { surname: MARKER, givenNames: MARKER, email: 'guyane.review@example.org' })
    ).id;
    guyaneAppointment = (
      await reviewAppointment(db, s973, new Date(NOW.getTime() + 26 * 3_600_000), {
        surname: MARKER,
        givenNames: MARKER,
      })
    ).id;
  });
  after(async () => app?.close());

  it('shows the menu entries to the roles that may use them', async () => {
    const counter = await pages.counter93!.get('/agent');
    assert.ok(counter.body.includes('href="/agent/urgency"') && !counter.body.includes('href="/agent/duplicates"'));
    const supervisor = await pages.supervisor93!.get('/agent');
    assert.ok(
      supervisor.body.includes('href="/agent/urgency"') && supervisor.body.includes('href="/agent/duplicates"'),
    );
    assert.match(supervisor.body, /Urgences déclarées/);
    assert.match(supervisor.body, /Doublons probables/);
  });

  it('confirms and refuses declared urgencies without JavaScript, with CSRF and a reason to refuse', async () => {
    const db = database().db;
    const confirmMe = await reviewRequest(db, s93, {
      surname: 'Confirmer',
      filedAt: new Date(NOW.getTime() - 7_200_000),
      urgencyDate: '2026-06-15',
      email: 'confirm.me@example.org',
    });
    const refuseMe = await reviewRequest(db, s93, {
      surname: 'Refuser <b>',
      filedAt: new Date(NOW.getTime() - 3_600_000),
    });
    const client = pages.counter93!;
    const list = await client.get('/agent/urgency');
    assert.equal(list.statusCode, 200);
    assert.equal(headingOf(list.body), 'Urgences déclarées à vérifier — préfecture 93');
    const section = sectionOf(list.body, confirmMe.id);
    assert.match(section, /lundi 15 juin 2026/);
    assert.match(section, /confirm\.me@example\.org/);
    assert.ok(
      list.body.indexOf(`urgency-${confirmMe.id}`) < list.body.indexOf(`urgency-${refuseMe.id}`),
      'oldest first',
    );
    assert.ok(list.body.includes('Refuser &lt;b&gt;') && !list.body.includes('Refuser <b>'), 'escaped');
    assert.ok(!list.body.includes(MARKER));
    assert.equal(
      headingOf((await client.get('/agent/urgency?lang=en')).body),
      'Declared urgencies to check — prefecture 93',
    );
    await client.get('/agent/urgency?lang=fr');

    const forged = await client.post(
      `/agent/urgency/${confirmMe.id}/decision`,
      { decision: 'confirmed', reason: '' },
      { csrf: false },
    );
    assert.equal(forged.statusCode, 403);
    assert.equal(errorCodeOf(forged), 'CSRF_TOKEN_INVALID');

    await client.get('/agent/urgency');
    const confirmed = await client.post(`/agent/urgency/${confirmMe.id}/decision`, {
      decision: 'confirmed',
      reason: 'Récépissé vu',
      return: hiddenFields(sectionOf(client.html, confirmMe.id)).return ?? '',
    });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, '/agent/urgency?done=confirmed#urgency-list');
    const after = await client.get(confirmed.headers.location as string);
    assert.match(after.body, /L(&#39;|')urgence est confirmée/);
    assert.equal(sectionOf(after.body, confirmMe.id), '', 'no longer pending');

    const noReason = await client.post(`/agent/urgency/${refuseMe.id}/decision`, { decision: 'refused', reason: '  ' });
    assert.equal(noReason.statusCode, 400);
    assert.equal(errorCodeOf(noReason), 'VALIDATION_FAILED');
    assert.match(noReason.body, /Vérifiez : le motif/);
    assert.ok(sectionOf(noReason.body, refuseMe.id), 'the list is shown again');
    const refused = await client.post(`/agent/urgency/${refuseMe.id}/decision`, {
      decision: 'refused',
      reason: 'Titre valable',
      return: 'view=pending',
    });
    assert.equal(refused.statusCode, 303);
    const again = await client.post(`/agent/urgency/${refuseMe.id}/decision`, { decision: 'confirmed', reason: '' });
    assert.equal(again.statusCode, 409);
    assert.equal(errorCodeOf(again), 'URGENCY_ALREADY_REVIEWED');

    const decided = await pages.supervisor93!.get('/agent/urgency?view=decided');
    assert.match(sectionOf(decided.body, refuseMe.id), /Refusée[\s\S]*Titre valable/);
    assert.match(sectionOf(decided.body, confirmMe.id), /Confirmée[\s\S]*Récépissé vu/);

    for (const [url, status] of [
      ['/agent/urgency?view=bogus', 400],
      ['/agent/urgency?after=garbage', 400],
      ['/agent/urgency?prefecture=973', 403],
    ] as const) {
      assert.equal((await client.get(url)).statusCode, status, url);
    }
    await client.get('/agent/urgency');
    assert.equal((await client.post('/agent/urgency/not-an-id/decision', { decision: 'confirmed' })).statusCode, 404);
    await client.get('/agent/urgency');
    const theirs = await client.post(`/agent/urgency/${guyaneRequest}/decision`, { decision: 'confirmed' });
    assert.equal(theirs.statusCode, 404);
    assert.equal(errorCodeOf(theirs), 'URGENCY_NOT_FOUND');
    assert.ok(!theirs.body.includes(MARKER));
  });

  it('serves the urgency list and decisions as JSON: 400s with stable codes, one winner of two', async () => {
    const request = await reviewRequest(database().db, s93, { filedAt: new Date(NOW.getTime() - 600_000) });
    const list = await api('counter93', 'GET', '/api/agent/urgency?limit=50');
    assert.equal(list.statusCode, 200);
    const item = list.json().items.find((d: { requestId: string }) => d.requestId === request.id);
    assert.deepEqual(
      { status: item.urgencyStatus, date: item.urgencyDate, reviewedBy: item.reviewedBy },
      { status: 'pending', date: '2026-06-20', reviewedBy: null },
    );
    assert.ok(!list.body.includes(MARKER));

    const [a, b] = await Promise.all([
      api('counter93', 'POST', `/api/agent/urgency/${request.id}/decision`, { decision: 'confirmed' }),
      api('supervisor93', 'POST', `/api/agent/urgency/${request.id}/decision`, { decision: 'refused', reason: 'Faux' }),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
    assert.equal((a.statusCode === 409 ? a : b).json().code, 'URGENCY_ALREADY_REVIEWED');
    const decided = await api('supervisor93', 'GET', '/api/agent/urgency?view=decided');
    assert.ok(decided.json().items.some((d: { requestId: string }) => d.requestId === request.id));

    const other = await reviewRequest(database().db, s93);
    for (const [url, body, code] of [
      [`/api/agent/urgency/${other.id}/decision`, { decision: 'pending' }, 'VALIDATION_FAILED'],
      [`/api/agent/urgency/${other.id}/decision`, { decision: 'refused' }, 'VALIDATION_FAILED'],
      [`/api/agent/urgency/${other.id}/decision`, { decision: 'confirmed', extra: 1 }, 'VALIDATION_FAILED'],
      [
        `/api/agent/urgency/${other.id}/decision`,
        { decision: 'refused', reason: 'x'.repeat(501) },
        'VALIDATION_FAILED',
      ],
      ['/api/agent/urgency/not-a-uuid/decision', { decision: 'confirmed' }, 'VALIDATION_FAILED'],
    ] as const) {
      const response = await api('supervisor93', 'POST', url, body);
      assert.equal(response.statusCode, 400, `${url} ${JSON.stringify(body)}`);
      assert.equal(response.json().code, code);
    }
    for (const url of [
      '/api/agent/urgency?view=nope',
      '/api/agent/urgency?after=nope',
      '/api/agent/urgency?limit=0',
      '/api/agent/duplicates?prefecture=xx',
    ]) {
      assert.equal((await api('supervisor93', 'GET', url)).statusCode, 400, url);
    }
    const theirs = await api('supervisor93', 'POST', `/api/agent/urgency/${guyaneRequest}/decision`, {
      decision: 'confirmed',
    });
    assert.equal(theirs.statusCode, 404);
    assert.equal(theirs.json().code, 'URGENCY_NOT_FOUND');
    assert.equal(
      (await api('supervisor93', 'GET', '/api/agent/urgency?prefecture=973')).json().code,
      'FORBIDDEN_SCOPE',
    );
    assert.equal((await api('counter93', 'GET', '/api/agent/duplicates')).json().code, 'FORBIDDEN_SCOPE');
    assert.equal((await app.inject({ method: 'GET', url: '/api/agent/urgency' })).statusCode, 401);
    const state = await database()
      .db.selectFrom('allocation_request')
      .select('urgency_status')
      .where('id', '=', guyaneRequest)
      .executeTakeFirstOrThrow();
    assert.equal(state.urgency_status, 'pending', '973 untouched');
  });

  it('lists likely duplicates with why, and flags them on the agenda and at check-in', async () => {
    const db = database().db;
    const day = new Date(NOW.getTime() + 50 * 3_600_000);
    const request = await reviewRequest(db, s93, {
      surname: 'Cissé',
      givenNames: 'Oumar',
      birthDate: '1988-08-08',
      urgencyDate: null,
    });
    const appointment = await reviewAppointment(db, s93, day, {
      surname: 'CISSE',
      givenNames: 'Oumar',
      birthDate: '1988-08-08',
    });
    const alone = await reviewAppointment(db, s93, day, {
      surname: 'Unique',
      givenNames: 'Personne',
      birthDate: '1999-09-09',
    });

    const page = await pages.supervisor93!.get('/agent/duplicates');
    assert.equal(page.statusCode, 200);
    assert.equal(headingOf(page.body), 'Doublons probables — préfecture 93');
    const at = page.body.indexOf(`id="request-${request.id}"`);
    const group = page.body.slice(page.body.lastIndexOf('<section', at), page.body.indexOf('</section>', at));
    assert.ok(group.includes(`id="appointment-${appointment.id}"`), 'the request and the appointment in one group');
    assert.match(group, /Mêmes noms et date de naissance \(CISSE OUMAR, (lundi )?8 août 1988\) : 2 dossiers/);
    assert.ok(group.includes(`href="/agent/check-in/${appointment.id}"`));
    assert.ok(group.includes(`href="/agent/agenda?site=${s93.siteId}&amp;date=${day.toISOString().slice(0, 10)}"`));
    assert.ok(!page.body.includes(`appointment-${alone.id}`) && !page.body.includes(MARKER));
    assert.equal((await pages.counter93!.get('/agent/duplicates')).statusCode, 403);
    assert.equal((await pages.supervisor93!.get('/agent/duplicates?prefecture=973')).statusCode, 403);
    const admin = await pages.admin!.get('/agent/duplicates');
    assert.match(admin.body, /id="duplicates-choose"/);
    assert.ok((await pages.admin!.get('/agent/duplicates?prefecture=973')).body.includes('id="duplicates-empty"'));
    const json = await api('supervisor93', 'GET', '/api/agent/duplicates');
    const found = json
      .json()
      .groups.find((g: { records: { id: string }[] }) => g.records.some((r) => r.id === request.id));
    assert.deepEqual(
      found.records.map((r: { kind: string; documentNumber: number }) => [r.kind, r.documentNumber]),
      [
        ['request', 1],
        ['appointment', 2],
      ],
    );
    assert.deepEqual(found.reasons, [
      {
        kind: 'name_birth_date',
        value: 'CISSE OUMAR|1988-08-08',
        references: [request.reference, appointment.reference],
      },
    ]);

    const agenda = await pages.counter93!.get(
      `/agent/agenda?site=${s93.siteId}&date=${day.toISOString().slice(0, 10)}`,
    );
    const rowOf = (reference: string) =>
      agenda.body.slice(
        agenda.body.lastIndexOf('<tr>', agenda.body.indexOf(reference)),
        agenda.body.indexOf('</tr>', agenda.body.indexOf(reference)),
      );
    assert.match(rowOf(appointment.reference), /Doublon possible/);
    assert.doesNotMatch(rowOf(alone.reference), /Doublon possible/);
    const checkIn = await pages.counter93!.get(`/agent/check-in/${appointment.id}`);
    assert.match(checkIn.body, /id="possible-duplicate"/);
    assert.doesNotMatch((await pages.counter93!.get(`/agent/check-in/${alone.id}`)).body, /id="possible-duplicate"/);
    const agendaJson = await api(
      'counter93',
      'GET',
      `/api/agent/agenda?site=${s93.siteId}&date=${day.toISOString().slice(0, 10)}`,
    );
    assert.deepEqual(
      agendaJson
        .json()
        .entries.map((e: { appointmentId: string; possibleDuplicate: boolean }) => [
          e.appointmentId,
          e.possibleDuplicate,
        ])
        .sort(),
      [
        [appointment.id, true],
        [alone.id, false],
      ].sort(),
    );
    assert.equal(
      (await api('supervisor93', 'GET', `/api/agent/appointments/${appointment.id}`)).json().possibleDuplicate,
      true,
    );
    assert.equal((await pages.supervisor93!.get(`/agent/check-in/${guyaneAppointment}`)).statusCode, 404);
  });

  it('pages the likely duplicates 20 groups at a time, numbered on, with links between pages', async () => {
    const db = database().db;
    for (let i = 0; i < 21; i++) {
      const person = { surname: `Paged${String.fromCharCode(65 + i)}`, givenNames: 'Fatou', birthDate: '1980-01-01' };
      await reviewRequest(db, s93, { ...person, urgencyDate: null });
      await reviewRequest(db, s93, { ...person, urgencyDate: null });
    }
    const groupCount = (body: string) =>
      body.match(/<section class="fr-mb-5w fr-p-3w creneau-duplicate-group"/g)?.length ?? 0;
    const first = await pages.supervisor93!.get('/agent/duplicates');
    assert.equal(first.statusCode, 200);
    assert.equal(groupCount(first.body), 20);
    const total = Number(/Groupes de doublons probables : (\d+)/.exec(first.body)?.[1]);
    assert.ok(total > 21, `${total} groups`);
    const pageCount = Math.ceil(total / 20);
    assert.match(first.body, new RegExp(`Groupes 1 à 20 \\(page 1 sur ${pageCount}\\)`));
    assert.ok(first.body.includes('id="group-20"') && !first.body.includes('id="group-21"'));
    assert.ok(first.body.includes('href="/agent/duplicates?page=2"') && !first.body.includes('Page précédente'));
    const last = await pages.supervisor93!.get(`/agent/duplicates?page=${pageCount}`);
    assert.equal(groupCount(last.body), total - (pageCount - 1) * 20);
    assert.ok(
      last.body.includes(`id="group-${total}"`) && last.body.includes(`id="group-${(pageCount - 1) * 20 + 1}"`),
    );
    assert.ok(
      last.body.includes(`href="/agent/duplicates?page=${pageCount - 1}"`) && !last.body.includes('Page suivante'),
    );
    const groupIds = (body: string) => [...body.matchAll(/id="(group-\d+)"/g)].map((m) => m[1]);
    const past = await pages.supervisor93!.get(`/agent/duplicates?page=${pageCount + 7}`);
    assert.deepEqual(groupIds(past.body), groupIds(last.body));
    for (const odd of ['0', '-1', 'abc', '1.5', '100001'])
      assert.equal((await pages.supervisor93!.get(`/agent/duplicates?page=${odd}`)).statusCode, 400, odd);
  });

  it('lists the first 50 records of a very large group, and says how many there are', async () => {
    const db = database().db;
    const ids: string[] = [];
    for (let i = 0; i < 52; i++)
      ids.push(
        (
          await reviewRequest(db, s93, {
            surname: 'Fleet',
            givenNames: 'Same',
            birthDate: '1970-07-07',
            urgencyDate: null,
          })
        ).id,
      );
    let body = '';
    for (let page = 1; page < 10 && !body.includes(`id="request-${ids[0]}"`); page++)
      body = (await pages.supervisor93!.get(`/agent/duplicates?page=${page}`)).body;
    const at = body.indexOf(`id="request-${ids[0]}"`);
    assert.ok(at > 0, 'the group is listed');
    const group = body.slice(body.lastIndexOf('<section', at), body.indexOf('</section>', at));
    assert.equal(ids.filter((id) => group.includes(`id="request-${id}"`)).length, 50);
    assert.match(group, /Seuls les 50 premiers dossiers du groupe sont listés ici, sur 52/);
    assert.match(group, /Mêmes noms et date de naissance \(FLEET SAME, (mardi )?7 juillet 1970\) : 52 dossiers/);
  });

  it('never answers 5xx to odd queries and forms', async () => {
    const request = await reviewRequest(database().db, s93);
    const NASTY = [
      '',
      'x'.repeat(5000),
      '\u0000',
      '%',
      '../..',
      '<script>',
      '-1',
      '99999999999999',
      'confirmed',
      'refused',
      '973',
      '00000000-0000-4000-8000-000000000000',
      '2026-06-01T08:00:00.000Z~00000000-0000-4000-8000-000000000000',
    ];
    const client = pages.supervisor93!;
    for (const value of NASTY) {
      for (const url of [
        '/agent/urgency?view=',
        '/agent/urgency?prefecture=',
        '/agent/urgency?after=',
        '/agent/urgency?done=',
        '/agent/duplicates?prefecture=',
      ]) {
        const response = await client.get(`${url}${encodeURIComponent(value)}`);
        assert.ok(response.statusCode < 500, `${url}${value.slice(0, 20)} → ${response.statusCode}`);
      }
      for (const field of ['decision', 'reason', 'return']) {
        await client.get('/agent/urgency');
        const response = await client.post(`/agent/urgency/${request.id}/decision`, {
          decision: 'refused',
          reason: '',
          [field]: value,
        });
        assert.ok(response.statusCode < 500, `${field}=${value.slice(0, 20)} → ${response.statusCode}`);
      }
    }
  });
});
