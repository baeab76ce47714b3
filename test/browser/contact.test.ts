// The other ways in, in Chromium: phone numbers and counter hours, the "be called back" form
// — sent without JavaScript, and with the keyboard alone — and the accessibility statement,
// in French and in English, with no axe-core violation. Screenshots of each page.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { describeInBrowser, expectNoAxeViolations, openPage, pageProblems, screenshot } from '../support/browser.ts';

const TEXT = {
  fr: {
    heading: 'Obtenir un rendez-vous sans Internet',
    submit: 'Demander à être rappelé',
    sent: 'Votre demande de rappel est enregistrée',
    statement: "Déclaration d'accessibilité",
  },
  en: {
    heading: 'Get an appointment without the Internet',
    submit: 'Ask to be called back',
    sent: 'Your call-back request is recorded',
    statement: 'Accessibility statement',
  },
} as const;

const h1 = (page: Page) => page.locator('h1').innerText();
const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describeInBrowser('contact pages in a real browser', (server) => {
  const callbacksTo = (phone: string) =>
    server.database.db.selectFrom('callback_request').selectAll().where('phone', '=', phone).execute();

  for (const lang of ['fr', 'en'] as const) {
    it(`shows the phone numbers, takes a call-back and states the accessibility, with no violation (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/contact', { lang, mobile: true });
      try {
        assert.equal(await h1(page), TEXT[lang].heading);
        assert.ok(
          ((await page.locator('main').textContent()) ?? '').includes('01 41 60 60 10'),
          "the demo site's phone number",
        );
        await expectNoAxeViolations(page, `contact (${lang})`);
        await screenshot(page, `contact-${lang}-1-page`);

        // Refused: every field in its error state, linked from the summary.
        await page.selectOption('#prefectureId', '93');
        await page.fill('#phone', '12');
        await page.getByRole('button', { name: TEXT[lang].submit }).click();
        await page.waitForSelector('#form-errors');
        assert.equal(await page.locator('#phone').getAttribute('aria-describedby'), 'phone-error');
        // The 400 of a refused form is by design; Chromium logs it as a console error.
        const problems = pageProblems.get(page)!;
        problems.splice(0, problems.length, ...problems.filter((p) => !/status of 400/.test(p)));
        await expectNoAxeViolations(page, `contact with errors (${lang})`);
        await screenshot(page, `contact-${lang}-2-errors`);

        const phone = lang === 'fr' ? '06 11 22 33 44' : '+44 20 7946 0958';
        await page.fill('#phone', phone);
        await page.fill('#situation', 'Mon récépissé expire bientôt.');
        await page.getByRole('button', { name: TEXT[lang].submit }).click();
        await page.waitForURL(/\/contact\/callback\/sent$/);
        assert.equal(await h1(page), TEXT[lang].sent);
        await expectNoAxeViolations(page, `call-back sent (${lang})`);
        await screenshot(page, `contact-${lang}-3-sent`);
        assert.equal((await callbacksTo(lang === 'fr' ? '0611223344' : '+442079460958')).length, 1);

        await page.goto('/accessibility');
        assert.equal(await h1(page), TEXT[lang].statement);
        await expectNoAxeViolations(page, `accessibility statement (${lang})`);
        await screenshot(page, `accessibility-${lang}`);
      } finally {
        await page.context().close();
      }
    });
  }

  it('takes a call-back without JavaScript', async () => {
    const page = await openPage(server.baseUrl, '/contact?prefecture=973', { lang: 'fr', javaScript: false });
    try {
      assert.equal(await page.locator('#prefectureId').inputValue(), '973');
      await page.fill('#phone', '0694 12 34 56');
      await page.fill('#situation', 'Première demande de titre de séjour.');
      await page.getByRole('button', { name: TEXT.fr.submit }).click();
      await page.waitForURL(/\/contact\/callback\/sent$/);
      assert.equal(await h1(page), TEXT.fr.sent);
      const stored = await callbacksTo('0694123456');
      assert.deepEqual(
        stored.map((c) => [c.prefecture_id, c.language]),
        [['973', 'fr']],
      );
    } finally {
      await page.context().close();
    }
  });

  it('sends the call-back form with the keyboard alone, focus visible', async () => {
    const page = await openPage(server.baseUrl, '/contact?prefecture=93', { lang: 'en' });
    try {
      // Tab from the top of the page to the phone field: every control on the way takes the focus.
      for (let i = 0; i < 80 && (await activeId(page)) !== 'phone'; i++) await page.keyboard.press('Tab');
      assert.equal(await activeId(page), 'phone');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      assert.notEqual(outline, 'none', 'focus is visible');
      await page.keyboard.type('07 98 76 54 32');
      await page.keyboard.press('Tab');
      assert.equal(await activeId(page), 'language');
      await page.keyboard.press('Tab');
      assert.equal(await activeId(page), 'situation');
      await page.keyboard.type('I need to renew my permit.');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), TEXT.en.submit);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/contact\/callback\/sent$/);
      assert.equal(await h1(page), TEXT.en.sent);
      await screenshot(page, 'contact-en-keyboard-sent');
      const stored = await callbacksTo('0798765432');
      assert.deepEqual(
        stored.map((c) => [c.prefecture_id, c.language, c.situation]),
        [['93', 'en', 'I need to renew my permit.']],
      );
    } finally {
      await page.context().close();
    }
  });
});
