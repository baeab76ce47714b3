// What a visitor's browser really transfers for the home page (Chromium, DevTools protocol:
// the bytes of every response as received, headers included, cache hits counting nothing):
// a first visit ≤ 250 KB, a second one with a warm cache ≤ 30 KB. Both figures are printed.
// The page must still look like the DSFR: its fonts, its header, the icons of the header.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { describeInBrowser, expectNoAxeViolations, openPage, screenshot, sharedBrowser } from '../support/browser.ts';

const FIRST_VISIT_LIMIT = 250 * 1024;
const WARM_VISIT_LIMIT = 30 * 1024;

interface Transfer {
  url: string;
  bytes: number;
  cached: boolean;
}

/** Opens `path` in `page` and sums what came over the network until the page went idle. */
async function measure(page: Page, path: string): Promise<Transfer[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const cachedIds = new Set<string>();
  const transfers: Transfer[] = [];
  cdp.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url));
  cdp.on('Network.requestServedFromCache', (event) => cachedIds.add(event.requestId));
  cdp.on('Network.responseReceived', (event) => {
    if (event.response.fromDiskCache) cachedIds.add(event.requestId);
  });
  cdp.on('Network.loadingFinished', (event) => {
    // data: URLs inside the stylesheet travel with it.
    if (urls.get(event.requestId)?.startsWith('data:')) return;
    transfers.push({
      url: urls.get(event.requestId) ?? '?',
      bytes: event.encodedDataLength,
      cached: cachedIds.has(event.requestId),
    });
  });
  await page.goto(path, { waitUntil: 'networkidle' });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await cdp.detach();
  return transfers;
}

function total(transfers: Transfer[]): number {
  return transfers.reduce((sum, t) => sum + (t.cached ? 0 : t.bytes), 0);
}

function report(label: string, transfers: Transfer[]): string {
  const lines = transfers
    .slice()
    .sort((a, b) => b.bytes - a.bytes)
    .map(
      (t) =>
        `    ${(t.bytes / 1024).toFixed(1).padStart(7)} KB${t.cached ? ' (cache)' : ''}  ${new URL(t.url).pathname}`,
    );
  return `${label}: ${(total(transfers) / 1024).toFixed(1)} KB transferred in ${transfers.length} responses\n${lines.join('\n')}`;
}

describeInBrowser('page weight', (server) => {
  it('home: ≤ 250 KB on a first visit, ≤ 30 KB with a warm cache, printed', async () => {
    // A fresh context (an empty cache) on a blank page: nothing of the site loaded before.
    const context = await (await sharedBrowser()).newContext({
      baseURL: server.baseUrl,
      locale: 'fr-FR',
      viewport: { width: 375, height: 740 },
      isMobile: true,
    });
    const page = await context.newPage();
    try {
      const first = await measure(page, '/');
      const warm = await measure(page, '/');
      console.log(report('home, first visit', first));
      console.log(report('home, second visit (warm cache)', warm));
      assert.ok(total(first) <= FIRST_VISIT_LIMIT, `first visit ${total(first)} B > ${FIRST_VISIT_LIMIT} B`);
      assert.ok(total(warm) <= WARM_VISIT_LIMIT, `warm visit ${total(warm)} B > ${WARM_VISIT_LIMIT} B`);
      const stylesheet = first.find((t) => /\/assets\/h\/creneau\.\w+\.css$/.test(t.url));
      assert.ok(stylesheet && stylesheet.bytes < 80 * 1024, `the stylesheet came compressed: ${stylesheet?.bytes} B`);
      assert.ok(
        warm.every((t) => t.cached || new URL(t.url).pathname === '/'),
        'only the page itself travels again',
      );
    } finally {
      await context.close();
    }
  });

  it('still looks like the DSFR: Marianne, the header, the icons shown (screenshot kept)', async () => {
    const page = await openPage(server.baseUrl, '/', { lang: 'fr' });
    try {
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const look = await page.evaluate(() => {
        const icon = document.querySelector('.fr-icon-calendar-line');
        const before = icon ? getComputedStyle(icon, '::before') : null;
        return {
          font: getComputedStyle(document.body).fontFamily,
          marianne: document.fonts.check('1rem Marianne'),
          logo: getComputedStyle(document.querySelector('.fr-logo')!, '::after').content,
          iconMask: before?.maskImage ?? before?.getPropertyValue('-webkit-mask-image') ?? 'none',
          iconWidth: before ? Number.parseFloat(before.width) : 0,
          button: getComputedStyle(document.querySelector('main .fr-btn, main button')!).backgroundColor,
        };
      });
      assert.match(look.font, /Marianne/);
      assert.ok(look.marianne, 'the Marianne font is loaded');
      assert.match(look.iconMask, /url\(.*\/assets\/h\/calendar-line\.\w+\.svg/);
      assert.ok(look.iconWidth > 0, 'the icon has a size');
      assert.equal(look.button, 'rgb(0, 0, 145)', 'a primary button is blue France');
      assert.notEqual(look.logo, 'none');
      await expectNoAxeViolations(page, 'home (fr)');
      await screenshot(page, 'home-light-desktop-fr');
    } finally {
      await page.context().close();
    }
  });
});
