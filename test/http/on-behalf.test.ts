// Booking and filing for a caller over HTTP (app.inject), on both engines: the pages (the
// reserve listed, a booking with and without email, refusals shown on the form, both ways —
// book or file a request — for every procedure done at a counter) and the JSON API (the same
// use cases), each kept within the agent's prefecture and sites.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { agentApiToken, givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { headingOf, type PageClient, unescapeHtml } from '../support/page-client.ts';
import { allocationScenario } from '../support/requests.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday 1 June 2026, 10:00 in Paris
const FIRST = new Date('2026-06-03T07:00:00Z');
type Scenario = Awaited<ReturnType<typeof createScenario>> & { reservedIds: string[]; publicIds: string[] };

describeEachEngine('booking for a caller (HTTP)', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let s93: Scenario;
  let s973: Scenario;
  let registry93: Scenario;
  let counter93: TestAgent;
  let supervisor93: TestAgent;
  let supervisor973: TestAgent;
  let page: PageClient;
  let token93: string;
  let token973: string;
  const person = (n: number) => ({
    surname: 'Diallo',
    givenNames: 'Aminata',
    birthDate: '12/04/1990',
    nationality: 'SEN',
    passportNumber: `PH${n}${Date.now()}`,
    phone: '06 12 34 56 78',
  });

  async function reserveScenario(
    prefectureId: string,
    options: Parameters<typeof createScenario>[1] = {},
  ): Promise<Scenario> {
    const db = database().db;
    const s = await createScenario(db, {
      prefectureId,
      counters: 4,
      ...(prefectureId === '973' ? { timeZone: 'America/Cayenne' } : {}),
      ...options,
    });
    const ids = await s.addSlots(12, FIRST);
    const reservedIds = ids.filter((_, i) => i % 2 === 0);
    await db.updateTable('slot').set({ reserved_for_agents: true }).where('id', 'in', reservedIds).execute();
    return { ...s, reservedIds, publicIds: ids.filter((_, i) => i % 2 === 1) };
  }

  before(async () => {
    clock.set(NOW);
    s93 = await reserveScenario('93');
    s973 = await reserveScenario('973');
    registry93 = await reserveScenario('93', { procedure: { identityProof: 'agdref' } });
    await database()
      .db.updateTable('procedure')
      .set({ registry_check: true })
      .where('id', '=', registry93.procedureId)
      .execute();
    app = await testServer(database(), clock);
    const agents = testAgentContext(database().db, clock);
    counter93 = await givenAgent(agents, 'counter', '93', [s93.siteId, registry93.siteId]);
    supervisor93 = await givenAgent(agents, 'supervisor', '93');
    supervisor973 = await givenAgent(agents, 'supervisor', '973');
    page = await logInAgentPages(app, counter93);
    token93 = await agentApiToken(app, supervisor93);
    token973 = await agentApiToken(app, supervisor973);
  });
  after(async () => app?.close());

  const formFor = (s: Scenario, slot: string, extra: Record<string, string> = {}) => ({
    procedure: s.procedureId,
    site: s.siteId,
    slot,
    channel: 'phone',
    language: 'fr',
    email: '',
    phone: '06 12 34 56 78',
    ...extra,
  });

  it('lists the reserve only, and books a caller without email: the printable convocation and the management code', async () => {
    const listed = await page.get(`/agent/on-behalf?procedure=${s93.procedureId}&site=${s93.siteId}`);
    assert.equal(listed.statusCode, 200);
    assert.ok(s93.reservedIds.some((id) => listed.body.includes(`value="${id}"`)));
    assert.ok(
      s93.publicIds.every((id) => !listed.body.includes(id)),
      "no public slot in the agents' list",
    );

    const slot = s93.reservedIds.find((id) => listed.body.includes(`value="${id}"`))!;
    const booked = await page.post(
      '/agent/on-behalf/appointments',
      formFor(s93, slot, { ...person(1), channel: 'counter' }),
    );
    assert.equal(booked.statusCode, 201, booked.body.slice(0, 500));
    assert.equal(headingOf(booked.body), 'Convocation au service des étrangers');
    assert.match(booked.body, /<img class="creneau-qr" src="data:image\/png;base64,/);
    assert.match(booked.body, /DIALLO<\/strong> Aminata/);
    assert.match(booked.body, /1 rue de la Préfecture/);
    const row = await database()
      .db.selectFrom('appointment')
      .select(['reference', 'email', 'channel', 'phone'])
      .where('slot_id', '=', slot)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.email, row.channel, row.phone], [null, 'counter', '0612345678']);
    assert.ok(unescapeHtml(booked.body).includes(row.reference));
    assert.match(booked.body, /imprimez cette convocation/);
    // The management code is on screen (and on the printout): it opens the appointment on the public side.
    const code = /<strong class="creneau-short-code">([^<]+)<\/strong>/.exec(booked.body)?.[1];
    assert.ok(code && code.length >= 20);
    const opened = await app.inject({
      method: 'GET',
      url: '/api/appointment',
      headers: { authorization: `Bearer ${unescapeHtml(code)}` },
    });
    assert.equal(opened.statusCode, 200);
    assert.equal(opened.json().reference, row.reference);
  });

  it('books a caller with email: the confirmation goes to the outbox', async () => {
    const slot = s93.reservedIds[2]!;
    const email = `caller.${Date.now()}@example.org`;
    const booked = await page.post('/agent/on-behalf/appointments', formFor(s93, slot, { ...person(2), email }));
    assert.equal(booked.statusCode, 201);
    assert.ok(unescapeHtml(booked.body).includes(`partent à ${email}`));
    // With an email, the caller's way in is the reference and their birth date: no long code to read aloud.
    assert.doesNotMatch(booked.body, /creneau-short-code">[A-Za-z0-9_-]{40,}</);
    assert.match(unescapeHtml(booked.body), /Donnez à la personne sa référence, [2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{2}/);
    const messages = await database().db.selectFrom('outbox').select('kind').where('recipient', '=', email).execute();
    assert.deepEqual(
      messages.map((m) => m.kind),
      ['appointment-booked'],
    );
  });

  it('sends text messages to the caller\'s number unless the agent ticks "no text messages"', async () => {
    const textsTo = (phone: string) =>
      database()
        .db.selectFrom('outbox')
        .select('kind')
        .where('channel', '=', 'sms')
        .where('recipient', '=', phone)
        .execute();
    // A reserve and a counter agent of their own, so the other tests keep their slots.
    const own = await reserveScenario('93');
    const agent = await givenAgent(testAgentContext(database().db, clock), 'counter', '93', [own.siteId]);
    const ownPage = await logInAgentPages(app, agent);
    const book = (slot: string, n: number, phone: string, extra: Record<string, string> = {}) =>
      ownPage.post(
        '/agent/on-behalf/appointments',
        formFor(own, slot, { ...person(n), email: `texts.${n}.${Date.now()}@example.org`, phone, ...extra }),
      );
    assert.equal((await book(own.reservedIds[0]!, 21, '06 55 44 33 21')).statusCode, 201);
    const texts = (await textsTo('0655443321')).map((m) => m.kind);
    assert.ok(texts.includes('appointment-booked'), `the confirmation by text message too: ${texts}`);
    const declined = await book(own.reservedIds[1]!, 22, '06 55 44 33 22', { noTextMessages: '1' });
    assert.equal(declined.statusCode, 201, declined.body.slice(0, 300));
    assert.deepEqual(await textsTo('0655443322'), [], 'none written for a number that wants none');
    const optOuts = await database().db.selectFrom('sms_opt_out').select('phone_key').execute();
    assert.ok(optOuts.length >= 1, 'the refusal is recorded for its number');
  });

  it('shows refusals on the form: fields, the registry check, a second booking of one person', async () => {
    const slot = s93.reservedIds[4]!;
    const blank = await page.post(
      '/agent/on-behalf/appointments',
      formFor(s93, slot, { ...person(3), surname: '', birthDate: '31/02/1990', phone: '' }),
    );
    assert.equal(blank.statusCode, 400);
    // Worded for the agent, about the caller (issue 15, Agents 6).
    assert.match(unescapeHtml(blank.body), /id="surname-error">Saisissez le nom de famille de la personne\./);
    assert.match(unescapeHtml(blank.body), /Tel qu’il figure sur le passeport ou le titre de séjour de la personne/);
    // No email and no phone number: nobody could reach the caller (issue 15, Agents 1).
    assert.match(blank.body, /id="phone-error">Saisissez le numéro de téléphone de la personne/);
    const badPhone = await page.post(
      '/agent/on-behalf/appointments',
      formFor(s93, slot, { ...person(3), phone: '06 12' }),
    );
    assert.equal(badPhone.statusCode, 400);
    assert.match(badPhone.body, /id="phone-error">Saisissez un numéro de téléphone valide/);
    assert.match(badPhone.body, /name="phone" value="06 12"/, 'what was typed is kept');
    assert.match(blank.body, /id="birthDate-error"/);
    assert.match(blank.body, /href="#surname"/);
    assert.match(blank.body, new RegExp(`value="${slot}" checked`), 'the chosen slot is kept');

    const unknown = await page.post(
      '/agent/on-behalf/appointments',
      formFor(registry93, registry93.reservedIds[0]!, {
        surname: 'Keita',
        givenNames: 'Moussa',
        birthDate: '02/03/1985',
        nationality: 'MLI',
        agdrefNumber: '7719999999',
      }),
    );
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.body, /href="#agdrefNumber"/);
    assert.match(unknown.body, /value="Keita"/, 'what was typed is kept');

    const again = person(4);
    const first = await page.post('/agent/on-behalf/appointments', formFor(s93, s93.reservedIds[4]!, again));
    assert.equal(first.statusCode, 201, /<div class="fr-alert fr-alert--error[\s\S]*?<\/div>/.exec(first.body)?.[0]);
    const twice = await page.post('/agent/on-behalf/appointments', formFor(s93, s93.reservedIds[5]!, again));
    assert.equal(twice.statusCode, 409);
    assert.match(twice.body, /fr-alert--error/);
  });

  it('keeps a counter agent to their sites and an agent of 93 out of 973', async () => {
    const other = await page.post('/agent/on-behalf/appointments', formFor(s973, s973.reservedIds[0]!, person(5)));
    assert.equal(other.statusCode, 403);
    const listed = await page.get(`/agent/on-behalf?procedure=${s973.procedureId}&site=${s973.siteId}`);
    assert.ok(
      s973.reservedIds.every((id) => !listed.body.includes(id)) &&
        !listed.body.includes(`<option value="${s973.siteId}"`),
      'neither the slots nor the site of 973',
    );

    const auth = { authorization: `Bearer ${token973}` };
    const slots = await app.inject({
      method: 'GET',
      url: `/api/agent/on-behalf/slots?procedure=${s93.procedureId}&site=${s93.siteId}`,
      headers: auth,
    });
    assert.equal(slots.statusCode, 403);
    assert.equal(slots.json().code, 'FORBIDDEN_SCOPE');
    const book = await app.inject({
      method: 'POST',
      url: '/api/agent/on-behalf/appointments',
      headers: auth,
      payload: {
        slotId: s93.reservedIds[3],
        applicant: { ...person(6), birthDate: '1990-04-12' },
        channel: 'phone',
      },
    });
    assert.equal(book.statusCode, 403);
    const left = await database()
      .db.selectFrom('appointment')
      .select('id')
      .where('slot_id', '=', s93.reservedIds[3]!)
      .execute();
    assert.equal(left.length, 0);
  });

  it('offers the same through the JSON API: the reserve, a booking with and without email', async () => {
    const auth = { authorization: `Bearer ${token93}` };
    const slots = await app.inject({
      method: 'GET',
      url: `/api/agent/on-behalf/slots?procedure=${s93.procedureId}&site=${s93.siteId}`,
      headers: auth,
    });
    assert.equal(slots.statusCode, 200);
    const listed = slots.json().slots as { slotId: string; freeCounters: number }[];
    assert.ok(listed.length > 0 && listed.every((x) => s93.reservedIds.includes(x.slotId)));
    const publicList = (
      await app.inject(`/api/slots?procedureId=${s93.procedureId}&siteIds=${s93.siteId}&from=2026-06-01&to=2026-06-30`)
    ).json().slots as { slotId: string }[];
    assert.ok(
      publicList.length > 0 && publicList.every((x) => s93.publicIds.includes(x.slotId)),
      'the public API never lists the reserve',
    );
    // The public booking pages do not even describe a reserved slot named in an address.
    const details = await app.inject({
      method: 'GET',
      url: `/book/details?slot=${s93.reservedIds[5]}`,
      headers: { accept: 'text/html' },
    });
    assert.equal(details.statusCode, 404);
    assert.match(details.body, /data-error-code="SLOT_NOT_FOUND"/);
    assert.equal(
      (
        await app.inject({
          method: 'GET',
          url: `/book/details?slot=${s93.publicIds[5]}`,
          headers: { accept: 'text/html' },
        })
      ).statusCode,
      200,
    );

    const withEmail = await app.inject({
      method: 'POST',
      url: '/api/agent/on-behalf/appointments',
      headers: auth,
      payload: {
        slotId: listed[0]!.slotId,
        applicant: { ...person(7), birthDate: '1990-04-12', email: `api.${Date.now()}@example.org` },
        channel: 'phone',
      },
    });
    assert.equal(withEmail.statusCode, 201, withEmail.body);
    assert.match(withEmail.json().appointment.applicant.email, /@example\.org$/);
    assert.ok(withEmail.json().convocation.shortCode);

    const free = (
      await app.inject({
        method: 'GET',
        url: `/api/agent/on-behalf/slots?procedure=${s93.procedureId}&site=${s93.siteId}`,
        headers: auth,
      })
    ).json().slots as { slotId: string }[];
    const without = await app.inject({
      method: 'POST',
      url: '/api/agent/on-behalf/appointments',
      headers: auth,
      payload: {
        slotId: free[0]!.slotId,
        applicant: { ...person(8), birthDate: '1990-04-12', email: null },
        channel: 'counter',
      },
    });
    assert.equal(without.statusCode, 201, without.body);
    assert.equal(without.json().appointment.applicant.email, null);

    const onPublic = await app.inject({
      method: 'POST',
      url: '/api/agent/on-behalf/appointments',
      headers: auth,
      payload: {
        slotId: s93.publicIds[0],
        applicant: { ...person(9), birthDate: '1990-04-12' },
        channel: 'phone',
      },
    });
    assert.equal(onPublic.json().code, 'SLOT_UNAVAILABLE');
  });

  it('offers both ways for every procedure: the reserve by default, the request form on the other tab', async () => {
    const book = await page.get(`/agent/on-behalf?procedure=${s93.procedureId}&site=${s93.siteId}`);
    assert.match(book.body, /action="\/agent\/on-behalf\/appointments"/);
    assert.doesNotMatch(book.body, /action="\/agent\/on-behalf\/requests"/);
    assert.ok(
      book.body.includes(`href="/agent/on-behalf?procedure=${s93.procedureId}&amp;site=${s93.siteId}&amp;way=request"`),
    );
    assert.doesNotMatch(book.body, /sur demande/);
    const request = await page.get(`/agent/on-behalf?procedure=${s93.procedureId}&site=${s93.siteId}&way=request`);
    assert.equal(request.statusCode, 200);
    assert.match(request.body, /action="\/agent\/on-behalf\/requests"/);
    assert.doesNotMatch(request.body, /action="\/agent\/on-behalf\/appointments"/);
    assert.match(request.body, /tirée au sort avec les autres/);
    assert.match(request.body, /aria-current="page">Déposer une demande/);
    // An unknown way is the default one.
    assert.match(
      (await page.get(`/agent/on-behalf?procedure=${s93.procedureId}&site=${s93.siteId}&way=fifo`)).body,
      /action="\/agent\/on-behalf\/appointments"/,
    );
  });

  it('pages the reserve by week, each named by its dates; a refused booking comes back on its week', async () => {
    const base = `/agent/on-behalf?procedure=${s93.procedureId}&site=${s93.siteId}`;
    // Two reserved slots in the third week (Tuesday 16 June), none in the second.
    const later = await s93.addSlots(2, new Date('2026-06-16T07:00:00Z'));
    await database().db.updateTable('slot').set({ reserved_for_agents: true }).where('id', 'in', later).execute();

    const first = await page.get(base);
    assert.match(first.body, /Du lundi 1 juin au dimanche 7 juin/);
    assert.ok(s93.reservedIds.some((id) => first.body.includes(`value="${id}"`)));
    assert.ok(
      later.every((id) => !first.body.includes(id)),
      'the third week is not on the first page',
    );
    assert.match(first.body, /aria-current="page">1</);
    assert.doesNotMatch(first.body, /Semaine précédente/);
    assert.ok(first.body.includes(`${base.replace(/&/g, '&amp;')}&amp;way=book&amp;page=2">Semaine suivante`));

    const second = await page.get(`${base}&page=2`);
    assert.match(second.body, /Du lundi 8 juin au dimanche 14 juin/);
    assert.match(second.body, /Aucun créneau réservé libre cette semaine/);
    assert.doesNotMatch(second.body, /name="slot"/);
    assert.match(second.body, /Semaine précédente/);

    const third = await page.get(`${base}&page=3&lang=en`);
    assert.match(third.body, /From Monday 15 June to Sunday 21 June/);
    assert.match(third.body, /Tuesday 16 June 2026/);
    assert.ok(later.some((id) => third.body.includes(`value="${id}"`)));
    assert.ok(s93.reservedIds.every((id) => !third.body.includes(`value="${id}"`)));
    assert.match(third.body, /name="page" value="3"/);

    // Out of range: the nearest week (the last one, 22–28 June, ends the four weeks).
    const beyond = await page.get(`${base}&page=99&lang=fr`);
    assert.equal(beyond.statusCode, 200);
    assert.match(beyond.body, /Du lundi 22 juin au dimanche 28 juin/);
    assert.doesNotMatch(beyond.body, /Semaine suivante/);

    // A refusal (no surname) shows the form again on the week of the chosen slot, that slot checked.
    const chosen = later.find((id) => third.body.includes(`value="${id}"`))!;
    const refused = await page.post(
      '/agent/on-behalf/appointments',
      formFor(s93, chosen, { ...person(40), surname: '', page: '3' }),
    );
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Du lundi 15 juin au dimanche 21 juin/);
    assert.ok(refused.body.includes(`value="${chosen}" checked`));
  });

  it('files a request for a caller, by page and by API; without email it is refused on the email field', async () => {
    const s = await allocationScenario(database().db);
    const agent = await givenAgent(testAgentContext(database().db, clock), 'supervisor', '93');
    clock.set(new Date(NOW.getTime() + 60_000));
    const client = await logInAgentPages(app, agent);
    const reserve = await client.get(`/agent/on-behalf?procedure=${s.procedureId}&site=${s.siteId}`);
    assert.match(reserve.body, /Aucun créneau réservé libre/, 'no reserve at this site: the request is suggested');
    assert.ok(reserve.body.includes('way=request'));
    const form = await client.get(`/agent/on-behalf?procedure=${s.procedureId}&site=${s.siteId}&way=request`);
    assert.match(form.body, /action="\/agent\/on-behalf\/requests"/);
    const fields = {
      procedure: s.procedureId,
      site: s.siteId,
      sites: s.siteId,
      weekdays: '1',
      halfDays: 'am',
      channel: 'phone',
      language: 'fr',
      ...person(10),
    };
    const noEmail = await client.post('/agent/on-behalf/requests', { ...fields, email: '' });
    assert.equal(noEmail.statusCode, 400);
    assert.match(noEmail.body, /id="email-error"/);
    const email = `request.${Date.now()}@example.org`;
    const filed = await client.post('/agent/on-behalf/requests', { ...fields, email });
    assert.equal(filed.statusCode, 201, filed.body.slice(0, 400));
    assert.match(filed.body, /Demande déposée/);
    const row = await database()
      .db.selectFrom('allocation_request')
      .select(['channel', 'reference'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.equal(row.channel, 'phone');

    const byApi = await app.inject({
      method: 'POST',
      url: '/api/agent/on-behalf/requests',
      headers: { authorization: `Bearer ${token93}` },
      payload: {
        prefectureId: '93',
        procedureId: s.procedureId,
        preferences: { siteIds: [s.siteId], weekdays: [1, 2], halfDays: ['am'] },
        applicant: { ...person(11), birthDate: '1990-04-12', email: `req.api.${Date.now()}@example.org` },
        channel: 'counter',
      },
    });
    assert.equal(byApi.statusCode, 201, byApi.body);
    assert.equal(byApi.json().request.status, 'waiting');
    const outOfScope = await app.inject({
      method: 'POST',
      url: '/api/agent/on-behalf/requests',
      headers: { authorization: `Bearer ${token973}` },
      payload: {
        prefectureId: '93',
        procedureId: s.procedureId,
        preferences: { siteIds: [s.siteId], weekdays: [1], halfDays: ['am'] },
        applicant: { ...person(12), birthDate: '1990-04-12', email: `x.${Date.now()}@example.org` },
        channel: 'phone',
      },
    });
    assert.equal(outOfScope.statusCode, 403);
  });
});
