// The public numbers over HTTP, on both engines: the pages (fr and en, SVG with a title and a
// description, tables beside), the open data's content and headers (CSV in the French
// dialect, JSON with its licence, a stable URL per prefecture and for all of them), the data
// dictionary, the administrators' national view — and bad input as a 4xx with a stable code.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { INDICATORS } from '../../src/domain/public-statistics.ts';
import { givenAgent, logInAgentPages, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { createScenario, TestClock } from '../support/scenario.ts';
import { testServices } from '../support/services.ts';
import { appointment, draw } from '../support/statistics.ts';

const NOW = new Date('2026-06-17T10:00:00Z');
const W = '2026-06-08';
const errorCodeOf = (body: string) => /data-error-code="([A-Z_]+)"/.exec(body)?.[1];

describeEachEngine('public statistics over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let procedureId: string;

  before(async () => {
    const db = database().db;
    const s = await createScenario(db, { prefectureId: '93' });
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    procedureId = s.procedureId;
    // W: two draws, and 3 appointments due, one missed (fewer than 10 people: suppressed).
    await draw(db, '93', s.procedureId, new Date('2026-06-09T05:00:00Z'));
    await draw(db, '93', s.procedureId, new Date('2026-06-10T05:00:00Z'));
    const slots = await s.addSlots(3, new Date('2026-06-09T07:00:00Z'));
    for (const [i, slotId] of slots.entries())
      await appointment(db, s, slotId, {
        createdAt: new Date('2026-05-20T10:00:00Z'),
        status: i ? 'served' : 'no_show',
      });
    app = await testServer(database(), clock);
    const report = await testServices(db, clock).features.statistics.useCases.computeWeeklyFigures();
    assert.equal(report.status, 'computed');
  });

  it('lists the prefectures and links the open data', async () => {
    const page = await app.inject({ method: 'GET', url: '/statistiques' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Les chiffres publics des rendez-vous<\/h1>/);
    assert.match(page.body, /href="\/statistiques\/93\?lang=fr"/);
    assert.match(page.body, /href="\/donnees\/statistiques\.csv"/);
  });

  it("shows a prefecture's year: an accessible SVG and a table per chart, in French and in English", async () => {
    const fr = await app.inject({ method: 'GET', url: '/statistiques/93' });
    assert.equal(fr.statusCode, 200);
    assert.match(fr.body, /<h1>Chiffres publics : Préfecture 93<\/h1>/);
    const charts =
      fr.body.match(/<svg [^>]*role="img" aria-labelledby="chart-[a-zA-Z]+-title chart-[a-zA-Z]+-desc"/g) ?? [];
    assert.equal(charts.length, 9, 'eight sections of indicators and the national automation counts');
    assert.match(fr.body, /<title id="chart-draws-title">Tirages au sort<\/title>/);
    assert.match(fr.body, /<desc id="chart-draws-desc">[^<]*Tirages au sort 2[^<]*<\/desc>/);
    // The table of the no-shows: W's row says "secret" (3 people), the draws' says 2.
    assert.match(fr.body, new RegExp(`<th scope="row">${W}</th><td>secret</td><td>secret</td><td>secret</td>`));
    assert.match(fr.body, new RegExp(`<th scope="row">${W}</th><td>2</td></tr>`));
    assert.match(fr.body, /Licence Ouverte/);
    const en = await app.inject({ method: 'GET', url: `/statistiques/93?lang=en&procedure=${procedureId}` });
    assert.equal(en.statusCode, 200);
    assert.match(en.body, /<h1>Public figures: Préfecture 93<\/h1>/);
    assert.match(en.body, new RegExp(`<option value="${procedureId}" selected>`));
    assert.match(en.body, new RegExp(`<th scope="row">${W}</th><td>suppressed</td>`));
  });

  it('refuses an unknown prefecture (404), a malformed one or a bad procedure (400), an unknown procedure (404)', async () => {
    const cases: [string, number, string][] = [
      ['/statistiques/01', 404, 'PREFECTURE_NOT_FOUND'],
      ['/statistiques/xx', 400, 'VALIDATION_FAILED'],
      ['/statistiques/93?procedure=BAD!!', 400, 'VALIDATION_FAILED'],
      ['/statistiques/93?procedure=no-such-procedure', 404, 'PROCEDURE_NOT_FOUND'],
      ['/statistiques/93?procedure=a&procedure=b', 400, 'VALIDATION_FAILED'],
    ];
    for (const [url, status, code] of cases) {
      const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      assert.equal(response.statusCode, status, url);
      assert.equal(errorCodeOf(response.body), code, url);
    }
  });

  it("serves a prefecture's data as CSV (French dialect) under the open licence, at a stable URL", async () => {
    const csv = await app.inject({ method: 'GET', url: '/donnees/statistiques/93.csv' });
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(
      String(csv.headers.link),
      /<https:\/\/www\.etalab\.gouv\.fr\/licence-ouverte-open-licence\/>; rel="license"/,
    );
    assert.ok(
      csv.body.startsWith('\uFEFFprefecture_id;prefecture;procedure_id;procedure;week_start;wait_median_days;'),
    );
    const lines = csv.body.trim().split('\r\n');
    const header = lines[0]!.replace('\uFEFF', '').split(';');
    assert.deepEqual(
      header.slice(5, -1),
      INDICATORS.map((i) => i.id),
    );
    assert.equal(header.at(-1), 'suppressed');
    const row = lines.find((l) => l.startsWith(`93;Préfecture 93;${procedureId};Renouvellement;${W};`))!.split(';');
    const cell = (id: string) => row[header.indexOf(id)];
    assert.equal(cell('draws'), '2');
    assert.equal(cell('slots_offered'), '3');
    assert.equal(cell('appointments_due'), '', 'suppressed: an empty cell');
    assert.equal(cell('suppressed'), 'appointments_due no_shows no_show_rate');
    // All procedures: a row every week; the procedure: the weeks it had activity (W, and the
    // week of 18 May when its appointments were booked). A week without a row counts 0.
    assert.equal(lines.length - 1, 53 + 2);
    assert.equal(lines.filter((l) => l.startsWith('93;Préfecture 93;*;')).length, 53);
  });

  it('serves the same as JSON with its licence, and every prefecture in one file', async () => {
    const json = await app.inject({ method: 'GET', url: '/donnees/statistiques/93.json' });
    assert.equal(json.statusCode, 200);
    assert.match(String(json.headers['content-type']), /^application\/json/);
    const body = json.json();
    assert.equal(body.licence, 'Licence Ouverte / Open Licence version 2.0');
    assert.equal(body.dictionary, '/donnees/dictionnaire.json');
    const row = body.rows.find(
      (r: { procedure_id: string; week_start: string }) => r.procedure_id === '*' && r.week_start === W,
    );
    assert.equal(row.figures.draws, 2);
    assert.equal(row.figures.no_show_rate, null);
    assert.deepEqual(row.suppressed, ['appointments_due', 'no_shows', 'no_show_rate']);
    const all = await app.inject({ method: 'GET', url: '/donnees/statistiques.csv' });
    assert.equal(all.statusCode, 200);
    assert.ok(all.body.includes('\r\n973;Préfecture 973;*;'));
    assert.ok(all.body.includes('\r\n93;Préfecture 93;*;'));
    const allJson = (await app.inject({ method: 'GET', url: '/donnees/statistiques.json' })).json();
    assert.deepEqual([...new Set(allJson.rows.map((r: { prefecture_id: string }) => r.prefecture_id))].sort(), [
      '93',
      '973',
    ]);
  });

  it('answers bad data URLs with problem+json: 404 for an unknown prefecture, 400 for a bad name', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/donnees/statistiques/01.csv' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'PREFECTURE_NOT_FOUND');
    for (const url of ['/donnees/statistiques/93.xml', '/donnees/statistiques/93', '/donnees/statistiques/xx.json']) {
      const bad = await app.inject({ method: 'GET', url });
      assert.equal(bad.statusCode, 400, url);
      assert.equal(bad.json().code, 'VALIDATION_FAILED', url);
    }
  });

  it('publishes the data dictionary as a page and as JSON (French and English)', async () => {
    const json = (await app.inject({ method: 'GET', url: '/donnees/dictionnaire.json' })).json();
    assert.equal(json.indicators.length, INDICATORS.length + 2);
    const wait = json.indicators.find((i: { id: string }) => i.id === 'wait_median_days');
    assert.equal(wait.suppressed_under, 10);
    assert.equal(wait.label.fr, 'Délai médian (jours)');
    assert.equal(wait.label.en, 'Median wait (days)');
    assert.equal(json.indicators.find((i: { id: string }) => i.id === 'draws').suppressed_under, null);
    const page = await app.inject({ method: 'GET', url: '/donnees/dictionnaire?lang=en' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<code>no_show_rate<\/code><br>No-show rate/);
  });

  it('shows administrators every prefecture side by side, sorted on the server; others are refused', async () => {
    const ctx = testAgentContext(database().db, clock);
    const admin = await logInAgentPages(app, await givenAgent(ctx, 'admin', null));
    const byWorst = await admin.get('/agent/national-statistics');
    assert.equal(byWorst.statusCode, 200);
    assert.match(byWorst.body, /aria-sort="descending"/);
    const byName = await admin.get('/agent/national-statistics?sort=name&order=desc');
    assert.equal(byName.statusCode, 200);
    const order = [...byName.body.matchAll(/<a href="\/statistiques\/(\d+)\?lang=fr">/g)].map((m) => m[1]);
    assert.deepEqual(order, ['973', '93']);
    assert.equal((await admin.get('/agent/national-statistics?sort=bogus')).statusCode, 400);
    const supervisor = await logInAgentPages(app, await givenAgent(ctx, 'supervisor', '93'));
    assert.equal((await supervisor.get('/agent/national-statistics')).statusCode, 403);
  });
});
