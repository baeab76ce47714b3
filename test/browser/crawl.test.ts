// Crawls every page reachable by links, as a visitor would, in French and in English: each
// answers without error, has a title and one h1, and axe-core finds no violation (WCAG 2.x
// A/AA). The public pages from the home page; the back-office from an agent's home, logged
// in as the demo supervisor (fr) and the national administrator (en). Pages behind a form
// (booking steps, my request, check-in results) are covered by the journey tests.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, openPage } from '../support/browser.ts';

// Not pages: the API and its docs, static files, downloads, the development outbox.
const OUTSIDE_THE_CRAWL = /^\/(api|docs|openapi\.json|health|dsfr|assets|dev)(\/|$)|\.(pdf|ics|png|csv|json|gz)$/;

/** Visits `start` and every same-origin page linked from it (breadth first, `maxPages` at most). */
async function crawl(
  page: Page,
  baseUrl: string,
  start: string,
  label: string,
  options: { maxPages: number; within?: RegExp },
): Promise<Set<string>> {
  const origin = new URL(baseUrl).origin;
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0 && seen.size <= options.maxPages) {
    const path = queue.shift()!;
    const response = await page.goto(path);
    assert.ok(response && response.status() < 400, `${path} answered ${response?.status()}`);
    assert.equal(await page.locator('h1').count(), 1, `${path}: one h1`);
    assert.notEqual((await page.title()).trim(), '', `${path}: a title`);
    await expectNoAxeViolations(page, `${path} (${label})`);
    const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    for (const href of links) {
      const url = new URL(href);
      if (url.origin !== origin) continue;
      url.searchParams.delete('lang');
      const target = `${url.pathname}${url.search}`;
      if (
        OUTSIDE_THE_CRAWL.test(url.pathname) ||
        (options.within && !options.within.test(url.pathname)) ||
        seen.has(target)
      )
        continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return seen;
}

describeInBrowser('crawl of the public pages and the back-office', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`finds no broken link and no accessibility violation on the public pages (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/', { lang });
      try {
        const seen = await crawl(page, server.baseUrl, '/', lang, { maxPages: 40 });
        assert.ok(seen.size >= 5, `crawled only ${[...seen].join(', ')}`);
      } finally {
        await page.context().close();
      }
    });
  }

  const crawlers = [
    { lang: 'fr', who: DEMO_AGENTS.find((a) => a.role === 'supervisor')!, minutes: 3 },
    { lang: 'en', who: DEMO_AGENTS.find((a) => a.role === 'admin')!, minutes: 4 },
  ] as const;
  for (const { lang, who, minutes } of crawlers) {
    it(`finds no broken link and no accessibility violation in the back-office, as ${who.role} (${lang})`, async () => {
      server.clock.set(new Date(Date.now() + minutes * 60_000)); // a TOTP step of its own
      const page = await logInAgent(server, who, { lang });
      try {
        const seen = await crawl(page, server.baseUrl, '/agent', `${who.role}, ${lang}`, {
          maxPages: 30,
          within: /^\/agent(\/|$)/,
        });
        for (const section of [
          '/agent/agenda',
          '/agent/configuration',
          '/agent/callbacks',
          '/agent/statistics',
          '/agent/agents',
          '/agent/audit',
          '/agent/urgency',
          '/agent/duplicates',
        ]) {
          assert.ok(seen.has(section), `the crawl reached ${section}: ${[...seen].join(', ')}`);
        }
      } finally {
        await page.context().close();
      }
    });
  }
});
