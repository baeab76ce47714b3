// The home and procedure pages in Chromium: accessible (axe-core, 0 violations), in both
// languages, on a phone, without JavaScript, and reachable with the keyboard alone.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeInBrowser, expectNoAxeViolations, openPage, screenshot } from '../support/browser.ts';

describeInBrowser('home page in a real browser', (server) => {
  for (const lang of ['fr', 'en'] as const) {
    it(`shows the home page and a procedure page with no accessibility violation (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/', { lang, mobile: true });
      try {
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.match(
          await page.locator('h1').innerText(),
          lang === 'fr' ? /Prendre rendez-vous/ : /Book an appointment/,
        );
        await expectNoAxeViolations(page, `home (${lang})`);
        await screenshot(page, `home-${lang}`);
        await page.selectOption('#procedure', 'premiere-demande');
        await page.selectOption('#prefecture', '93');
        await page.getByRole('button', { name: lang === 'fr' ? 'Voir la démarche' : 'See the procedure' }).click();
        await page.waitForURL(/\/procedure\?/);
        assert.match(await page.locator('h1').innerText(), lang === 'fr' ? /Première demande/ : /First/);
        await expectNoAxeViolations(page, `procedure (${lang})`);
        await screenshot(page, `procedure-${lang}`);
      } finally {
        await page.context().close();
      }
    });
  }

  it('switches language with a plain link, remembered by a cookie', async () => {
    const page = await openPage(server.baseUrl, '/', { lang: 'fr', javaScript: false });
    try {
      await page.getByRole('link', { name: 'English' }).click();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.goto('/');
      assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice outlives the ?lang= link');
    } finally {
      await page.context().close();
    }
  });

  it('reaches the procedure page with the keyboard alone, focus visible', async () => {
    const page = await openPage(server.baseUrl, '/', { lang: 'fr' });
    try {
      await page.keyboard.press('Tab');
      assert.equal(
        await page.evaluate(() => document.activeElement?.textContent?.trim()),
        'Contenu',
        'the first Tab reaches the skip link',
      );
      await page.keyboard.press('Enter');
      // Tab until the procedure select has focus, then the submit button.
      for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.id)) !== 'procedure'; i++)
        await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'procedure');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      assert.notEqual(outline, 'none', 'focus is visible');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/procedure\?/);
      assert.ok(await page.locator('h1').count());
    } finally {
      await page.context().close();
    }
  });
});
