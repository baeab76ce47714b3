// The applicant's pages with JavaScript turned off (Chromium, javaScriptEnabled: false), on a
// 375 px phone: the header's links are on the page (the DSFR's menu button needs a script);
// where a form needs the proof of work, a notice comes first under the heading, says what to
// do instead, and the form is not offered; no "it takes a few seconds"; someone who already
// has an appointment is told how to move it, never to "get one". With JavaScript on, the
// same pages show the form and no notice (and pass axe-core: axe needs scripts to run).
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, openPage, screenshot } from '../support/browser.ts';
import { chooseRadio, deliverOutbox, latestOpenSlot, managementLinkIn } from '../support/browser-forms.ts';
import { knownEmailProof } from '../support/scenario.ts';

const PHONE = { mobile: true, javaScript: false } as const;
const START = '/book?procedure=passeport-talent&prefecture=93&site=bobigny';
const SLOW = /quelques secondes|few seconds/i;

async function resizeTo375(page: Page): Promise<void> {
  await page.setViewportSize({ width: 375, height: 740 });
}

/** The text of the first element after the page's h1 (the notice must be that one). */
function firstAfterHeading(page: Page): Promise<string> {
  return page.locator('main h1 + noscript, main h1 + *').first().innerText();
}

describeInBrowser('pages without JavaScript', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  it("shows the back office's menu on a 375 px phone without JavaScript", async () => {
    server.clock.set(new Date(Date.now() + 7 * 60_000)); // a TOTP step of its own
    const page = await logInAgent(server, DEMO_AGENTS.find((a) => a.role === 'counter')!, { ...PHONE, lang: 'fr' });
    try {
      await resizeTo375(page);
      const links = page.locator('#agent-navigation a');
      assert.ok((await links.count()) >= 2);
      for (const link of await links.all()) assert.ok(await link.isVisible(), await link.innerText());
      assert.equal(await page.locator('header .fr-btn--menu').isVisible(), false);
      await screenshot(page, 'no-js-agent-375-fr');
    } finally {
      await page.context().close();
    }
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`shows the header's links on a 375 px phone, no menu button that cannot open (${lang})`, async () => {
      const page = await openPage(server.baseUrl, '/', { ...PHONE, lang });
      try {
        await resizeTo375(page);
        const manage = page.locator('header a[href="/manage"]');
        const contact = page.locator('header a[href="/contact"]');
        assert.ok(await manage.isVisible(), 'the appointment link is visible');
        assert.ok(await contact.isVisible(), 'the phone and reception link is visible');
        assert.equal(await page.locator('header .fr-btn--menu').isVisible(), false, 'no dead menu button');
        const box = (await manage.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= 375, `inside the screen: ${JSON.stringify(box)}`);
        await screenshot(page, `no-js-home-375-${lang}`);
      } finally {
        await page.context().close();
      }
    });
  }

  it('keeps the DSFR menu button with JavaScript on (the links fold into its menu)', async () => {
    const page = await openPage(server.baseUrl, '/', { mobile: true, lang: 'fr' });
    try {
      await resizeTo375(page);
      assert.ok(await page.locator('header .fr-btn--menu').isVisible());
      await page.locator('header .fr-btn--menu').click();
      await page.locator('#modal-menu a[href="/manage"]').waitFor({ state: 'visible' });
    } finally {
      await page.context().close();
    }
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`booking: the notice first, the phone channel, no form to send, no "few seconds" (${lang})`, async () => {
      const page = await openPage(server.baseUrl, START, { ...PHONE, lang });
      try {
        await chooseRadio(page, 'slot');
        await page.locator('main form button[type=submit]').first().click();
        await page.waitForURL(/\/book\/details\?/);
        const notice = await firstAfterHeading(page);
        assert.match(notice, lang === 'fr' ? /JavaScript est désactivé/ : /JavaScript is turned off/);
        assert.match(notice, lang === 'fr' ? /prendre rendez-vous par téléphone/ : /book an appointment by phone/);
        assert.ok(await page.locator('main noscript a[href="/contact"]').isVisible());
        assert.equal(await page.locator('main form.creneau-needs-js').isVisible(), false, 'the form is not offered');
        assert.equal(await page.locator('main button[type=submit]:visible').count(), 0, 'no submit button');
        assert.doesNotMatch(await page.locator('body').innerText(), SLOW);
        await screenshot(page, `no-js-booking-details-${lang}`);
      } finally {
        await page.context().close();
      }
    });
  }

  it('booking with JavaScript on: the form, no notice, no "few seconds", accessible (fr, en)', async () => {
    for (const lang of ['fr', 'en'] as const) {
      const page = await openPage(server.baseUrl, START, { lang });
      try {
        await chooseRadio(page, 'slot');
        await page.locator('main form button[type=submit]').first().click();
        await page.waitForURL(/\/book\/details\?/);
        assert.ok(await page.locator('main form.creneau-needs-js button[type=submit]').isVisible());
        assert.doesNotMatch(await page.locator('main').innerText(), /JavaScript/);
        assert.doesNotMatch(await page.locator('body').innerText(), SLOW);
        await expectNoAxeViolations(page, `booking details (${lang})`);
      } finally {
        await page.context().close();
      }
    }
  });

  for (const lang of ['fr', 'en'] as const) {
    it(`moving an appointment: "your appointment stays", never "get one by phone" (${lang})`, async () => {
      const email = `no-js.${lang}@example.org`;
      await bookSlot(server.ctx, {
        slotId: await latestOpenSlot(server),
        applicant: {
          surname: 'Diallo',
          givenNames: 'Aminata',
          birthDate: '1990-03-02',
          nationality: 'SEN',
          email,
          passportNumber: `SN${lang.toUpperCase()}123456`,
        },
        emailProof: await knownEmailProof(server.ctx, email),
        language: lang,
      });
      await deliverOutbox(server);
      const page = await openPage(server.baseUrl, (await managementLinkIn(server, email))!, { ...PHONE, lang });
      try {
        await page.goto('/manage/reschedule');
        const notice = await firstAfterHeading(page);
        assert.match(notice, lang === 'fr' ? /Votre rendez-vous est maintenu/ : /Your appointment stays as it is/);
        assert.doesNotMatch(notice, /prendre rendez-vous|get an appointment|book an appointment/i);
        assert.doesNotMatch(await page.locator('main').innerText(), /prendre rendez-vous|get an appointment/i);
        assert.equal(await page.locator('main form.creneau-needs-js').isVisible(), false);
        assert.doesNotMatch(await page.locator('body').innerText(), SLOW);
        await screenshot(page, `no-js-reschedule-${lang}`);
      } finally {
        await page.context().close();
      }
    });
  }
});
