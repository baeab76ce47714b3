// Direct booking in Chromium, on the demo catalogue: every step accessible (axe-core, 0
// violations) in French and in English, the proof of work solved by the real widget, the code
// read from the outbox, a screenshot of each step; without JavaScript, the slot list still
// works and the identity page points to the phone and the counter; and a keyboard-only run.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeInBrowser, expectNoAxeViolations, openPage, screenshot } from '../support/browser.ts';
import {
  chooseRadio,
  deliverOutbox,
  focused,
  managementLinkIn,
  tabTo,
  waitForProofOfWork,
} from '../support/browser-forms.ts';

const START = '/book?procedure=passeport-talent&prefecture=93'; // a calm queue: its draws opened its slots

const TEXT = {
  fr: {
    seeSlots: 'Voir les créneaux libres de ce site',
    choose: 'Choisir ce créneau',
    sendCode: 'Recevoir un code par courriel',
    confirm: 'Confirmer mon rendez-vous',
    print: 'Imprimer ma convocation',
    headings: [
      'Choisir un créneau',
      'Votre identité',
      'Saisissez le code reçu par courriel',
      'Votre rendez-vous est confirmé',
    ],
    errors: 'Le formulaire contient 6 erreurs',
    noscript: 'JavaScript est désactivé',
  },
  en: {
    seeSlots: 'See the free slots of this site',
    choose: 'Choose this slot',
    sendCode: 'Receive a code by email',
    confirm: 'Confirm my appointment',
    print: 'Print my appointment letter',
    headings: ['Choose a slot', 'Your identity', 'Enter the code received by email', 'Your appointment is confirmed'],
    errors: 'The form has 6 errors',
    noscript: 'JavaScript is turned off',
  },
} as const;

describeInBrowser('direct booking in a real browser', (server) => {
  for (const lang of ['fr', 'en'] as const) {
    const text = TEXT[lang];
    it(`books a slot from the site choice to the convocation, every step accessible (${lang})`, async () => {
      const email = `e2e.booking.${lang}@example.org`;
      const page = await openPage(server.baseUrl, START, { lang, mobile: true });
      try {
        assert.equal(await page.locator('h1').innerText(), text.headings[0]);
        await expectNoAxeViolations(page, `sites (${lang})`);
        await screenshot(page, `booking-${lang}-1-sites`);
        await chooseRadio(page, 'site-bobigny');
        await page.getByRole('button', { name: text.seeSlots }).click();
        await page.waitForURL(/site=bobigny/);
        await expectNoAxeViolations(page, `slots (${lang})`);
        await screenshot(page, `booking-${lang}-2-slots`);

        await chooseRadio(page, 'slot');
        await page.getByRole('button', { name: text.choose }).click();
        await page.waitForURL(/\/book\/details\?/);
        assert.equal(await page.locator('h1').innerText(), text.headings[1]);
        await expectNoAxeViolations(page, `identity (${lang})`);
        await screenshot(page, `booking-${lang}-3-identity`);

        await waitForProofOfWork(page);
        await page.getByRole('button', { name: text.sendCode }).click();
        await page.waitForURL(/\/book\/details\?slot=[0-9a-f-]+$/);
        assert.equal(await page.locator('#form-errors h2').innerText(), text.errors);
        assert.equal(await page.locator('#surname').getAttribute('aria-describedby'), 'surname-error');
        await expectNoAxeViolations(page, `identity with errors (${lang})`);
        await screenshot(page, `booking-${lang}-4-identity-errors`);
        await page.locator('#form-errors a[href="#email"]').click();
        assert.equal(await focused(page), 'email', 'the summary link leads to its field');

        await page.fill('#surname', 'Traoré');
        await page.fill('#givenNames', 'Moussa');
        await page.fill('#birthDate', '03/07/1994');
        await page.selectOption('#nationality', 'MLI');
        await page.fill('#email', email);
        await page.fill('#passportNumber', lang === 'fr' ? 'BB7654321' : 'BB7654322');
        await waitForProofOfWork(page);
        await page.getByRole('button', { name: text.sendCode }).click();
        await page.locator('h1', { hasText: text.headings[2] }).waitFor();
        await expectNoAxeViolations(page, `code (${lang})`);
        await screenshot(page, `booking-${lang}-5-code`);

        await page.fill('#code', await server.mails.codeFor(email));
        await waitForProofOfWork(page);
        await page.getByRole('button', { name: text.confirm }).click();
        await page.waitForURL(/\/book\/done$/);
        assert.equal(await page.locator('h1').innerText(), text.headings[3]);
        const token = await page.locator('.creneau-token code').innerText();
        const reference = /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}/.exec(
          await page.locator('[role="status"]').innerText(),
        )![0];
        assert.match(token, /^[A-Za-z0-9_-]{43}$/);
        assert.ok(!page.url().includes(token));
        await expectNoAxeViolations(page, `done (${lang})`);
        await screenshot(page, `booking-${lang}-6-done`);
        await deliverOutbox(server);
        const confirmation = (await server.mails.to(email)).find((m) => m.text?.includes(reference));
        assert.ok(confirmation, 'a confirmation email with the reference');
        assert.equal(
          decodeURIComponent((await managementLinkIn(server, email))!.split('token=')[1]!),
          token,
          'its link opens this appointment',
        );

        await page.getByRole('link', { name: text.print }).click();
        await page.waitForURL(/\/manage\/convocation$/);
        assert.match((await page.locator('img.creneau-qr').getAttribute('src')) ?? '', /^data:image\/png;base64,/);
        assert.ok(
          ((await page.locator('img.creneau-qr').getAttribute('alt')) ?? '').length > 20,
          'the QR code has a text alternative',
        );
        assert.match(await page.locator('body').innerText(), /TRAORÉ/);
        await expectNoAxeViolations(page, `convocation (${lang})`);
        await screenshot(page, `booking-${lang}-7-convocation`);
      } finally {
        await page.context().close();
      }
    });
  }

  it('without JavaScript: the slots can be chosen, and the identity page gives the phone and counter channel', async () => {
    const page = await openPage(server.baseUrl, `${START}&site=bobigny`, { lang: 'en', javaScript: false });
    try {
      await chooseRadio(page, 'slot');
      await page.getByRole('button', { name: TEXT.en.choose }).click();
      await page.waitForURL(/\/book\/details\?/);
      const notice = page.locator('main h1 + noscript');
      assert.match(await notice.innerText(), new RegExp(TEXT.en.noscript));
      assert.equal(await page.locator('main noscript a[href="/contact"]').count(), 1);
      // (axe-core needs JavaScript: it ran on this page in the journeys above.)
      await screenshot(page, 'booking-en-identity-no-js');
    } finally {
      await page.context().close();
    }
  });

  it('goes from the site choice to the code step with the keyboard alone (Tab, Space, Enter), focus visible', async () => {
    const email = 'keyboard.booking@example.org';
    const page = await openPage(server.baseUrl, START, { lang: 'fr' });
    const press = (key: string) => page.keyboard.press(key);
    try {
      const checkedSite = (await page.locator('input[name="site"]:checked').getAttribute('id'))!;
      assert.ok(await tabTo(page, checkedSite), 'the checked site is reachable');
      assert.notEqual(
        await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle),
        'none',
        'focus is visible',
      );
      await press('Tab');
      assert.equal(await focused(page), TEXT.fr.seeSlots);
      await press('Enter');
      await page.waitForURL(new RegExp(`site=${checkedSite.replace('site-', '')}`));

      assert.ok(await tabTo(page, 'slot'), 'the first slot is reachable');
      await press('Space');
      assert.equal(await page.locator('#slot').isChecked(), true);
      await press('Tab');
      assert.equal(await focused(page), TEXT.fr.choose);
      await press('Enter');
      await page.waitForURL(/\/book\/details\?/);

      const typed: [string, string][] = [
        ['surname', 'Keita'],
        ['givenNames', 'Fatou'],
        ['birthDate', '21/11/1988'],
        ['nationality', 'Guinée'], // a select: typing a country's first letters chooses it
        ['email', email],
        ['passportNumber', 'GN1234567'],
      ];
      assert.ok(await tabTo(page, 'surname'));
      for (const [id, value] of typed) {
        assert.equal(await focused(page), id);
        assert.notEqual(
          await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle),
          'none',
          `focus visible on ${id}`,
        );
        await page.keyboard.type(value);
        await press('Tab');
      }
      await waitForProofOfWork(page);
      assert.ok(await tabTo(page, TEXT.fr.sendCode), 'the submit button is reachable past the widget');
      await press('Enter');
      await page.locator('h1', { hasText: TEXT.fr.headings[2] }).waitFor();
      assert.ok(await tabTo(page, 'code'));
      await page.keyboard.type(await server.mails.codeFor(email));
      await waitForProofOfWork(page);
      assert.ok(await tabTo(page, TEXT.fr.confirm));
      await press('Enter');
      await page.waitForURL(/\/book\/done$/);
      assert.equal(await page.locator('h1').innerText(), TEXT.fr.headings[3]);
    } finally {
      await page.context().close();
    }
  });
});
