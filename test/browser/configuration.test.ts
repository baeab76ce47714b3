// The configuration in Chromium: the demo supervisor draws a procedure every 15 minutes, adds
// a counter to a site and gives it an opening rule, through the pages alone — no axe-core
// violation on any configuration page (fr); the sites table fits 1280 px, a rule is set for
// several counters at once, dates are in words.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { currentTotpCode } from '../../src/adapters/agent-credentials.ts';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, openPage, pageProblems, screenshot } from '../support/browser.ts';

const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;

describeInBrowser('configuration in a real browser', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  it('sets a draw cadence, adds a counter and its opening rule, with no violation on the configuration pages (fr)', async () => {
    // Another TOTP step than the other browser suites' log-ins of the same demo agent.
    server.clock.set(new Date(Date.now() + 120_000));
    const page = await openPage(server.baseUrl, '/agent/login', { lang: 'fr' });
    try {
      await page.fill('#email', supervisor.email);
      await page.fill('#password', supervisor.password);
      await page.locator('main button[type=submit]').click();
      await page.waitForURL(/\/agent\/login\/code$/);
      await page.fill('#code', currentTotpCode(supervisor.totpSecret, server.clock.now()));
      await page.locator('main button[type=submit]').click();
      await page.waitForURL(/\/agent$/);

      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto('/agent/configuration');
      // The sites table fits 1280 px: no horizontal scrolling (names and addresses wrap).
      const widths = await page
        .locator('#sites-table .fr-table__container')
        .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      assert.ok(widths.scroll <= widths.client, `sites table ${widths.scroll} px in ${widths.client} px`);
      await expectNoAxeViolations(page, 'configuration overview');
      await screenshot(page, 'configuration-1-overview');
      const cadence = page
        .locator('main form[action^="/agent/configuration/draw-cadences/"]:not([action$="/remove"])')
        .first();
      await cadence.locator('input[name="everyMinutes"]').fill('15');
      await cadence.locator('input[name="fromTime"]').fill('08:00');
      await cadence.locator('input[name="untilTime"]').fill('18:00');
      await cadence.locator('button[type=submit]').click();
      await page.waitForURL(/done=draw-cadence$/);
      assert.match(await page.locator('main').innerText(), /un tirage toutes les 15 minutes, de 08:00 à 18:00/);
      await expectNoAxeViolations(page, 'configuration overview (with a cadence)');
      await page.locator('main table a[href^="/agent/configuration/sites/"]').first().click();
      await page.waitForURL(/\/agent\/configuration\/sites\/[a-z0-9-]+$/);
      await expectNoAxeViolations(page, 'configuration site');
      await screenshot(page, 'configuration-2-site');
      // One rule for several counters: every active counter ticked, Saturday evening only.
      const ticked = await page.locator('#rule-counterIds input[type=checkbox]:checked').count();
      assert.ok(ticked >= 1);
      for (const d of ['1', '2', '3', '4', '5']) await page.locator(`label[for="rule-weekday-${d}"]`).click();
      await page.locator('label[for="rule-weekday-6"]').click();
      await page.fill('#rule-window1Start', '18:00');
      await page.fill('#rule-window1End', '19:00');
      await page.locator('form[action$="/rules"] button[type=submit]').click();
      await page.waitForURL(/\?done=rules-created$/);
      assert.match(await page.locator('main').innerText(), /ajoutée à chaque guichet coché/);
      await expectNoAxeViolations(page, 'configuration site (rules for several counters)');

      await page.fill('#newcounter-name', 'Guichet navigateur');
      await page.locator('form[action$="/counters"] button[type=submit]').click();
      await page.waitForURL(/\/agent\/configuration\/counters\/c-[0-9a-f]{12}\?done=counter-created$/);
      assert.match(await page.locator('h1').innerText(), /Guichet navigateur/);
      await expectNoAxeViolations(page, 'configuration counter (new)');

      await page.fill('#rule-window1Start', '13:30');
      await page.fill('#rule-window1End', '16:00');
      await page.fill('#rule-slotMinutes', '30');
      await page.locator('form[action$="/rules"] button[type=submit]').click();
      await page.waitForURL(/\?done=rule-created$/);
      const rules = await page.locator('main table').first().innerText();
      assert.match(rules, /13:30–16:00/);
      // Dates in words: "lundi 7 décembre 2026", not "2026-12-07".
      assert.match(rules, /(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} \p{L}+ \d{4}/u);
      assert.doesNotMatch(rules, /\d{4}-\d{2}-\d{2}/);
      await expectNoAxeViolations(page, 'configuration counter (with a rule)');
      await screenshot(page, 'configuration-3-counter');
      assert.deepEqual(pageProblems.get(page), []);
    } finally {
      await page.context().close();
    }
  });
});
