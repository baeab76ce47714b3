// The footer's pages in Chromium, in French and English: legal notice, personal data (who,
// what, why, how long, cookies, rights), site map, the accessibility statement with its date
// and the pages tested — each with 0 axe-core violation. The public footer links them and not
// the API reference; the back office's footer has the back office's links, not the public ones.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, openPage, screenshot } from '../support/browser.ts';

const PAGES = {
  '/legal-notice': { fr: /Mentions légales/, en: /Legal notice/, body: { fr: /Éditeur/, en: /Publisher/ } },
  '/personal-data': {
    fr: /Données personnelles/,
    en: /Personal data/,
    // The periods the purge applies (domain/retention.ts): call-backs, records, security log.
    body: {
      fr: /Combien de temps[\s\S]*90 jours[\s\S]*24 mois[\s\S]*6 mois[\s\S]*CNIL/,
      en: /How long[\s\S]*90 days[\s\S]*24 months[\s\S]*6 months[\s\S]*CNIL/,
    },
  },
  '/site-map': { fr: /Plan du site/, en: /Site map/, body: { fr: /Mon rendez-vous/, en: /My appointment/ } },
  '/accessibility': {
    fr: /Déclaration d'accessibilité/,
    en: /Accessibility statement/,
    body: { fr: /6 décembre 2026[\s\S]*Pages testées/, en: /6 December 2026[\s\S]*Pages tested/ },
  },
} as const;

const FOOTER_LINKS = ['/accessibility', '/legal-notice', '/personal-data', '/site-map'];

describeInBrowser('footer pages', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`shows the legal notice, personal data, site map and accessibility statement, accessible (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/', { lang, mobile: true });
      try {
        const footer = page.locator('footer');
        for (const href of FOOTER_LINKS) assert.equal(await footer.locator(`a[href="${href}"]`).count(), 1, href);
        assert.equal(
          await page.locator('a[href^="/docs"]').count(),
          0,
          'the API reference is not linked from the pages',
        );
        for (const [path, expected] of Object.entries(PAGES)) {
          await footer.locator(`a[href="${path}"]`).click();
          await page.waitForURL((url) => url.pathname === path);
          assert.match(await page.locator('h1').innerText(), expected[lang]);
          assert.match(await page.locator('main').innerText(), expected.body[lang]);
          await expectNoAxeViolations(page, `${path} (${lang})`);
          await screenshot(page, `footer-${path.slice(1)}-${lang}`);
        }
        // Every procedure of the catalogue is on the site map, and its link leads somewhere.
        await page.goto('/site-map');
        const procedures = page.locator('main a[href^="/procedure?procedure="]');
        assert.ok((await procedures.count()) >= 5);
        await procedures.first().click();
        await page.waitForURL(/\/procedure\?/);
        assert.ok(await page.locator('h1').count());
      } finally {
        await page.context().close();
      }
    });
  }

  it("shows the back office's footer links to agents, not the public ones", async () => {
    server.clock.set(new Date(Date.now() + 5 * 60_000)); // a TOTP step of its own
    const page = await logInAgent(server, DEMO_AGENTS.find((a) => a.role === 'counter')!, { lang: 'en' });
    try {
      const footer = page.locator('footer');
      assert.equal((await footer.locator('a[href="/agent"]').count()) > 0, true);
      for (const publicOnly of ['/manage', '/contact', '/site-map'])
        assert.equal(await footer.locator(`a[href="${publicOnly}"]`).count(), 0, publicOnly);
      assert.match(await footer.innerText(), /back office/i);
      await expectNoAxeViolations(page, 'back office home');
    } finally {
      await page.context().close();
    }
  });
});
