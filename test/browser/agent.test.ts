// The agent back-office in Chromium: a demo supervisor logs in with the password and the code
// an authenticator app would show (computed by otpauth from the demo secret), sees the home,
// opens the audit trail, logs out — no axe-core violation on any page, in French and English.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { currentTotpCode } from '../../src/adapters/agent-credentials.ts';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, openPage, pageProblems, screenshot } from '../support/browser.ts';

const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;

describeInBrowser('agent back-office in a real browser', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`logs in with the TOTP code, shows the home and the audit trail, with no violation (${lang})`, async () => {
      // Each language logs in at its own TOTP step (a code is accepted once).
      server.clock.set(new Date(Date.now() + (lang === 'fr' ? 0 : 60_000)));
      const page = await openPage(server.baseUrl, '/agent/login', { lang });
      try {
        await expectNoAxeViolations(page, `agent log-in (${lang})`);
        await screenshot(page, `agent-${lang}-1-login`);
        await page.fill('#email', supervisor.email);
        await page.fill('#password', supervisor.password);
        await page.locator('main button[type=submit]').click();
        await page.waitForURL(/\/agent\/login\/code$/);
        await expectNoAxeViolations(page, `agent code (${lang})`);
        await page.fill('#code', currentTotpCode(supervisor.totpSecret, server.clock.now()));
        await page.locator('main button[type=submit]').click();
        await page.waitForURL(/\/agent$/);
        assert.match(await page.locator('h1').innerText(), lang === 'fr' ? /^Bonjour Dominique/ : /^Hello Dominique/);
        // Today at the supervisor's sites, by name (the demo's Bobigny), each linked to its agenda.
        const today = await page.locator('main .creneau-day-summary').innerText();
        assert.match(today, /Bobigny/);
        assert.match(
          today,
          lang === 'fr' ? /Rendez-vous[\s\S]*Arrivés[\s\S]*Absents/ : /Appointments[\s\S]*Arrived[\s\S]*No-shows/,
        );
        assert.ok((await page.locator('main .creneau-day-summary a[href^="/agent/agenda?site="]').count()) > 0);
        await expectNoAxeViolations(page, `agent home (${lang})`);
        await screenshot(page, `agent-${lang}-2-home`);

        await page.locator('main a[href="/agent/audit"]').click();
        await page.waitForURL(/\/agent\/audit$/);
        assert.ok((await page.locator('main').innerText()).includes('agent.login'));
        await expectNoAxeViolations(page, `agent audit (${lang})`);
        await screenshot(page, `agent-${lang}-3-audit`);

        await page.locator('header form[action="/agent/logout"] button').first().click();
        await page.waitForURL(/\/agent\/login$/);
        const problems = pageProblems.get(page)!;
        assert.deepEqual(problems, []);
        await page.goto('/agent');
        assert.match(page.url(), /\/agent\/login$/, 'logged out: the home sends back to the log-in');
      } finally {
        await page.context().close();
      }
    });
  }
});
