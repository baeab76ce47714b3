// The capacity planning page in Chromium, in French and English: a demo supervisor opens it
// from the menu, reads the figures in words and the chart (an SVG image with a name, its table
// beside), tries a "what if" at a site with the form (a GET: no script), then a bad field
// re-shown with its error — each with 0 axe-core violation.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, screenshot } from '../support/browser.ts';

describeInBrowser('capacity planning', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  for (const [lang, minutes] of [
    ['fr', 3],
    ['en', 4],
  ] as const) {
    it(`plans the counter-hours, with a what-if and a bad field, accessible (${lang})`, {
      timeout: 300_000,
    }, async () => {
      server.clock.set(new Date(Date.now() + minutes * 60_000)); // a TOTP step of its own
      const page = await logInAgent(server, DEMO_AGENTS.find((a) => a.role === 'supervisor')!, { lang });
      try {
        await page.locator('a[href="/agent/capacity"]').first().click();
        await page.waitForURL(/\/agent\/capacity/);
        assert.match(
          await page.locator('h1').innerText(),
          lang === 'fr' ? /Planification des capacités/ : /Capacity planning/,
        );
        assert.match(
          await page.locator('#capacity-summary').innerText(),
          lang === 'fr'
            ? /Avec les [\d,]+ heures de guichet actuelles/
            : /With the current [\d.]+ counter-hours a week/,
        );
        assert.equal(await page.locator('main svg[role="img"] > title').count(), 1);
        await expectNoAxeViolations(page, `/agent/capacity (${lang})`);
        // A what-if at the first site: a third line in the chart, a third sentence.
        const site = await page.locator('#site option').nth(1).getAttribute('value');
        assert.ok(site, 'a site to choose');
        await page.selectOption('#site', site);
        await page.fill('#hours', '6');
        await page.locator('main form button[type=submit]').click();
        await page.waitForURL((url) => url.searchParams.get('site') === site);
        assert.equal(await page.locator('#capacity-summary p').count(), 3);
        assert.equal((await page.locator('main svg[role="img"] path[fill="none"]').count()) >= 3, true);
        await expectNoAxeViolations(page, `/agent/capacity what-if (${lang})`);
        await screenshot(page, `capacity-${lang}`);
        await page.fill('#target', 'abc');
        await page.locator('main form button[type=submit]').click();
        await page.waitForURL((url) => url.searchParams.get('target') === 'abc');
        assert.equal(await page.locator('#target-error').count(), 1);
        await expectNoAxeViolations(page, `/agent/capacity bad target (${lang})`);
      } finally {
        await page.context().close();
      }
    });
  }
});
