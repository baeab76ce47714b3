// The capacity planning page over HTTP, on both engines (scenario: test/support/capacity.ts,
// one counter open: 15 counter-hours a week against 40 requests a week): the figures in words
// in French and in English, the chart with its table, the "what if", bad input re-shown with
// its field errors (400), and the scope — another prefecture 403, counter agents 403, an
// unknown prefecture 404.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { counterHoursNeeded, projectWaitingList } from '../../src/domain/capacity-plan.ts';
import { givenAgent, logInAgentPages, testAgentContext } from '../support/agents.ts';
import { capacityScenario } from '../support/capacity.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import type { PageClient } from '../support/page-client.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-17T10:00:00Z');
const INPUTS = { waiting: 120, arrivalsPerWeek: 40, noShowRate: 0.1, slotMinutes: 30 };
const fr = (v: number, digits = 1) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(v);
const en = (v: number, digits = 1) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits }).format(v);

describeEachEngine('capacity planning over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let s: Awaited<ReturnType<typeof capacityScenario>>;
  let supervisor: PageClient;

  before(async () => {
    s = await capacityScenario(database().db, NOW, 1);
    await createScenario(database().db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    app = await testServer(database(), clock);
    supervisor = await logInAgentPages(
      app,
      await givenAgent(testAgentContext(database().db, clock), 'supervisor', '93'),
    );
  });

  it('says the current wait and the hours needed, in French and in English, with a chart and its table', async () => {
    const current = projectWaitingList(INPUTS, 15, 52)[26]!;
    const needed = counterHoursNeeded(INPUTS, 30, 26);
    const page = await supervisor.get(`/agent/capacity?procedure=${s.procedureId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Planification des capacités<\/h1>/);
    assert.match(page.body, /href="\/agent\/capacity"/, 'the menu entry');
    assert.ok(
      page.body.includes(
        `Avec les 15 heures de guichet actuelles par semaine, l’attente médiane sera de ${fr(current.medianWaitDays!, 0)} jours dans 26 semaines`,
      ),
    );
    assert.ok(
      page.body.includes(
        `Pour la ramener à 30 jours, il faut ouvrir ${fr(needed.counterHours)} heures de guichet par semaine (${fr(needed.counterHours - 15)} de plus`,
      ),
    );
    assert.match(page.body, /<svg [^>]*role="img" aria-labelledby="capacity-chart-title capacity-chart-desc"/);
    assert.match(page.body, /<title id="capacity-chart-title">File d’attente projetée<\/title>/);
    assert.match(page.body, /10 % de rendez-vous manqués sur les 8 dernières semaines \(2 sur 20\)/);
    // The table: 53 weeks (0 to 52), two series of two columns each.
    const table = page.body.slice(page.body.indexOf('<caption>Tableau de la file'));
    assert.equal((table.match(/<tr><th scope="row">\d+<\/th>/g) ?? []).length, 53);
    assert.match(table, new RegExp(`<tr><th scope="row">26</th><td>${fr(current.waiting, 0)}</td>`));
    assert.match(page.body, /Le modèle, en mots/);

    const english = await supervisor.get(`/agent/capacity?procedure=${s.procedureId}&lang=en`);
    assert.equal(english.statusCode, 200);
    assert.ok(
      english.body.includes(
        `With the current 15 counter-hours a week, the median wait will be ${en(current.medianWaitDays!, 0)} days in 26 weeks`,
      ),
    );
    assert.ok(english.body.includes(`To bring it to 30 days, open ${en(needed.counterHours)} counter-hours a week`));
  });

  it('projects a "what if" with extra hours at one site, for a target and horizon given', async () => {
    const page = await supervisor.get(
      `/agent/capacity?procedure=${s.procedureId}&target=20&horizon=12&site=${s.antenna}&hours=7,5&lang=fr`,
    );
    assert.equal(page.statusCode, 200);
    const whatIf = projectWaitingList(INPUTS, 22.5, 52)[12]!;
    assert.ok(
      page.body.includes(
        `Avec 7,5 heures de guichet de plus par semaine à Antenne du samedi (22,5 au total), l’attente médiane sera de ${fr(whatIf.medianWaitDays!, 0)} jours dans 12 semaines`,
      ),
    );
    const needed = counterHoursNeeded(INPUTS, 20, 12);
    assert.ok(page.body.includes(`Pour la ramener à 20 jours, il faut ouvrir ${fr(needed.counterHours)} heures`));
    assert.match(page.body, /Et si \(22,5 h par semaine, Antenne du samedi\)/);
  });

  it('re-shows bad input with its field errors (400)', async () => {
    const bad = await supervisor.get(
      `/agent/capacity?procedure=${s.procedureId}&target=abc&horizon=99&hours=-1&lang=fr`,
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /<a href="#target">Saisissez un nombre entier de 1 à 365\.<\/a>/);
    assert.match(bad.body, /<a href="#horizon">Saisissez un nombre entier de 1 à 52\.<\/a>/);
    assert.match(bad.body, /<a href="#hours">Saisissez un nombre de 0 à 1000\.<\/a>/);
    assert.match(bad.body, /id="target-error"/);
    assert.doesNotMatch(bad.body, /capacity-chart-title/);
    const site = await supervisor.get(`/agent/capacity?procedure=${s.procedureId}&site=elsewhere&hours=3`);
    assert.equal(site.statusCode, 400);
    assert.match(site.body, /<a href="#site">Choisissez l’un des sites de la préfecture\.<\/a>/);
    const noSite = await supervisor.get(`/agent/capacity?procedure=${s.procedureId}&hours=3`);
    assert.equal(noSite.statusCode, 400);
    assert.match(noSite.body, /<a href="#site">Choisissez le site où les heures sont ajoutées\.<\/a>/);
    const unknown = await supervisor.get('/agent/capacity?procedure=nope');
    assert.equal(unknown.statusCode, 404);
  });

  it('refuses another prefecture and counter agents; administrators choose the prefecture', async () => {
    const ctx = testAgentContext(database().db, clock);
    assert.equal((await supervisor.get(`/agent/capacity?prefecture=973&procedure=${s.procedureId}`)).statusCode, 403);
    const counter = await logInAgentPages(app, await givenAgent(ctx, 'counter', '93', [s.siteId]));
    assert.equal((await counter.get('/agent/capacity')).statusCode, 403);
    assert.doesNotMatch((await counter.get('/agent')).body, /href="\/agent\/capacity"/);
    const admin = await logInAgentPages(app, await givenAgent(ctx, 'admin', null));
    const page = await admin.get(`/agent/capacity?prefecture=93&procedure=${s.procedureId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Avec les 15 heures de guichet actuelles/);
    assert.equal((await admin.get(`/agent/capacity?prefecture=75&procedure=${s.procedureId}`)).statusCode, 404);
  });
});
