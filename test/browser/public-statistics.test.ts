// The public numbers in Chromium, in French and English: the list of prefectures, a
// prefecture's year (charts as SVG images with a name, tables beside them, the procedure
// chosen by a form without script), the data dictionary, and the administrators' national
// view sorted by a column heading — each with 0 axe-core violation and no console error.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, openPage, screenshot } from '../support/browser.ts';
import { testServices } from '../support/services.ts';

describeInBrowser('public statistics', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
    const report = await testServices(
      server.database.db,
      server.clock,
    ).features.statistics.useCases.computeWeeklyFigures();
    assert.equal(report.status, 'computed');
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`shows the prefectures, a prefecture's charts and tables, and the dictionary, accessible (${lang})`, {
      timeout: 300_000,
    }, async () => {
      const page = await openPage(server.baseUrl, `/statistiques?lang=${lang}`, { lang });
      try {
        assert.match(
          await page.locator('h1').innerText(),
          lang === 'fr' ? /chiffres publics/i : /public appointment figures/i,
        );
        await expectNoAxeViolations(page, `/statistiques (${lang})`);
        await page.locator('main a[href^="/statistiques/93"]').click();
        await page.waitForURL(/\/statistiques\/93/);
        assert.equal(await page.locator('main svg[role="img"]').count(), 9);
        assert.equal(await page.locator('main svg[role="img"] > title').count(), 9);
        assert.equal(await page.locator('main section table').count(), 9);
        await expectNoAxeViolations(page, `/statistiques/93 (${lang})`);
        await screenshot(page, `public-statistics-93-${lang}`);
        // One procedure, chosen with the form (a GET: no script needed).
        const option = page.locator('#procedure option').nth(1);
        const value = await option.getAttribute('value');
        assert.ok(value && value !== '*', 'a procedure to choose');
        await page.selectOption('#procedure', value);
        await page.locator('main form button[type=submit]').click();
        await page.waitForURL((url) => url.searchParams.get('procedure') === value);
        assert.equal(await page.locator('#procedure option:checked').getAttribute('value'), value);
        await expectNoAxeViolations(page, `/statistiques/93?procedure=${value} (${lang})`);
        await page.goto(`/donnees/dictionnaire?lang=${lang}`);
        assert.match(await page.locator('main').innerText(), /wait_median_days/);
        await expectNoAxeViolations(page, `/donnees/dictionnaire (${lang})`);
      } finally {
        await page.context().close();
      }
    });
  }

  for (const [lang, minutes] of [
    ['fr', 3],
    ['en', 4],
  ] as const) {
    it(`shows an administrator every prefecture, sorted by a column heading, accessible (${lang})`, {
      timeout: 300_000,
    }, async () => {
      server.clock.set(new Date(Date.now() + minutes * 60_000)); // a TOTP step of its own
      const page = await logInAgent(server, DEMO_AGENTS.find((a) => a.role === 'admin')!, { lang });
      try {
        await page.locator('a[href="/agent/national-statistics"]').first().click();
        await page.waitForURL(/\/agent\/national-statistics/);
        assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1, 'worst median wait first');
        await expectNoAxeViolations(page, `/agent/national-statistics (${lang})`);
        await page.locator('thead th a').first().click();
        await page.waitForURL(/sort=name/);
        assert.equal(await page.locator('thead th').first().getAttribute('aria-sort'), 'ascending');
        await expectNoAxeViolations(page, `/agent/national-statistics?sort=name (${lang})`);
        await screenshot(page, `national-statistics-${lang}`);
      } finally {
        await page.context().close();
      }
    });
  }
});
