// Crawls every page reachable by links from the home page, as a visitor would, in French
// and in English: each answers without error, has a title and one h1, and axe-core finds no
// violation (WCAG 2.x A/AA). Pages behind a form (booking steps, my request) are covered by
// the journey tests.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeInBrowser, expectNoAxeViolations, openPage } from '../support/browser.ts';

// Not pages: the API and its docs, static files, downloads, the development outbox.
const OUTSIDE_THE_CRAWL = /^\/(api|docs|openapi\.json|health|dsfr|assets|dev)(\/|$)|\.(pdf|ics|png)$/;
const MAX_PAGES = 40;

describeInBrowser('crawl of the public pages', (server) => {

  for (const lang of ['fr', 'en'] as const) {
    it(`finds no broken link and no accessibility violation (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/', { lang });
      const origin = new URL(server.baseUrl).origin;
      const seen = new Set<string>(['/']);
      const queue = ['/'];
      try {
        while (queue.length > 0 && seen.size <= MAX_PAGES) {
          const path = queue.shift()!;
          const response = await page.goto(path);
          assert.ok(response && response.status() < 400, `${path} answered ${response?.status()}`);
          assert.equal(await page.locator('h1').count(), 1, `${path}: one h1`);
          assert.notEqual((await page.title()).trim(), '', `${path}: a title`);
          await expectNoAxeViolations(page, `${path} (${lang})`);
          const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
          for (const href of links) {
            const url = new URL(href);
            if (url.origin !== origin) continue;
            url.searchParams.delete('lang');
            const target = `${url.pathname}${url.search}`;
            if (OUTSIDE_THE_CRAWL.test(url.pathname) || seen.has(target)) continue;
            seen.add(target);
            queue.push(target);
          }
        }
        assert.ok(seen.size >= 5, `crawled only ${[...seen].join(', ')}`);
      } finally {
        await page.context().close();
      }
    });
  }
});
