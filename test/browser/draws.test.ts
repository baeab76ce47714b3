// The public page of a prefecture's draws in Chromium, French and English, 0 axe-core
// violation: the draw listed with its revealed secret, the download, and an applicant who
// follows the link from "My request" to the check of their place.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, it } from 'node:test';
import { type DrawRunReport, runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { parsePublishedDraw, verifyPublishedDraw } from '../../src/domain/draw-commitment.ts';
import {
  createAllocationScenario,
  type FiledRequest,
  fileRequest,
  testAllocationContext,
} from '../support/allocation.ts';
import { describeInBrowser, expectNoAxeViolations, openPage, screenshot } from '../support/browser.ts';
import { testContext } from '../support/scenario.ts';

describeInBrowser('public draws page', (server) => {
  let drawn: Extract<DrawRunReport, { status: 'drawn' }>;
  let requests: FiledRequest[];

  before(async () => {
    const db = server.database.db;
    const s = await createAllocationScenario(db, { prefectureId: '2A' });
    const now = server.clock.now();
    await s.addSlots(2, new Date(now.getTime() + 7 * 86_400_000), { drawFirst: true });
    requests = [];
    for (let i = 0; i < 3; i++)
      requests.push(
        await fileRequest(db, testContext(db, server.clock).hasher, s, {
          filedAt: new Date(now.getTime() - (i + 1) * 86_400_000),
        }),
      );
    drawn = (await runDrawForTick(testAllocationContext(db, server.clock), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: now,
      trigger: 'manual',
    })) as Extract<DrawRunReport, { status: 'drawn' }>;
    assert.equal(drawn.status, 'drawn');
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`lists the draw with its commitment and secret, and offers its file, accessible (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/tirages/2A', { lang, mobile: true });
      try {
        assert.match(await page.locator('h1').innerText(), lang === 'fr' ? /Tirages au sort/ : /Draws/);
        const section = page.locator(`#tirage-${drawn.drawId}`);
        assert.match(await section.innerText(), new RegExp(drawn.commitment));
        assert.match(await section.innerText(), new RegExp(drawn.seed));
        await expectNoAxeViolations(page, `draws page (${lang})`);
        await screenshot(page, `draws-${lang}`);
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          section.locator(`a[href$="${drawn.drawId}.json"]`).click(),
        ]);
        const published = parsePublishedDraw(readFileSync((await download.path())!, 'utf8'));
        assert.equal(verifyPublishedDraw(published).matches, true);
      } finally {
        await page.context().close();
      }
    });
  }

  for (const lang of ['fr', 'en'] as const) {
    it(`takes an applicant from their pseudonym on "My request" to their place in the draw, accessible (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/', { lang });
      try {
        await page.context().addCookies([{ name: 'creneau_manage', value: requests[0]!.token, url: server.baseUrl }]);
        await page.goto('/my-request');
        const list = page.locator('#pseudonyms');
        const pseudonym = await list.locator('code').first().innerText();
        assert.match(pseudonym, /^[0-9a-f]{20}$/);
        await expectNoAxeViolations(page, `my request with pseudonyms (${lang})`);
        await list.locator('a[href*="/place?"]').first().click();
        await page.waitForURL(/\/tirages\/2A\/place\?/);
        const place = page.locator('#place');
        assert.match((await place.getAttribute('data-place')) ?? '', /^(offered|waiting)$/);
        assert.match(await place.innerText(), new RegExp(pseudonym));
        assert.equal(await page.locator('#pseudonyme').inputValue(), pseudonym);
        await expectNoAxeViolations(page, `check my place (${lang})`);

        // The form: a wrong pseudonym is refused next to its field, still accessible.
        await page.locator('#pseudonyme').fill('pas un pseudonyme');
        await page.locator('form[action$="/place"] button[type="submit"]').click();
        await page.waitForURL(/pseudonyme=pas/);
        assert.equal(await page.locator('#pseudonyme').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#place').count(), 0);
        await expectNoAxeViolations(page, `check my place refused (${lang})`);
        await screenshot(page, `draws-place-refused-${lang}`);
      } finally {
        await page.context().close();
      }
    });
  }
});
