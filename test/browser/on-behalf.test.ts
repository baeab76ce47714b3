// The phone and counter channel in Chromium: the demo counter agent of Bobigny books a slot
// of the agents' reserve for a caller who has no email, and gets the printable convocation
// (the agent header and the screen-only notes are not printed), its reserve paged by week; the same procedure's request
// form is one click away; then the caller is found by phone number, the appointment moved and
// its convocation printed from the search — no axe-core violation, in French and English.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, pageProblems, screenshot } from '../support/browser.ts';

const counterAgent = DEMO_AGENTS.find((a) => a.role === 'counter')!;

describeInBrowser('booking for a caller in a real browser', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  it('books a reserved slot for a caller without email and shows the printable convocation (fr)', async () => {
    server.clock.set(new Date(Date.now() + 120_000)); // a TOTP step of its own
    const page = await logInAgent(server, counterAgent, { lang: 'fr' });
    try {
      await page.goto('/agent/on-behalf');
      await page.selectOption('#procedure', 'premiere-demande');
      await page.selectOption('#site', 'bobigny');
      await page.locator('main form[method=get] button[type=submit]').click();
      await page.waitForURL(/procedure=premiere-demande/);
      await expectNoAxeViolations(page, 'on-behalf slots and caller form');
      await screenshot(page, 'on-behalf-fr-1-form');
      // The reserve by week: the first week named by its dates, the next one a link away.
      assert.match(await page.locator('#reserve-week').innerText(), /^Du \p{L}+ \d+ \p{L}+ au \p{L}+ \d+ \p{L}+$/u);
      const firstWeek = await page.locator('#reserve-week').innerText();
      await page.locator('main .fr-pagination__link--next').click();
      await page.waitForURL(/page=2$/);
      assert.notEqual(await page.locator('#reserve-week').innerText(), firstWeek);
      assert.equal(await page.locator('main .fr-pagination a[aria-current="page"]').innerText(), '2');
      await expectNoAxeViolations(page, 'on-behalf second week');
      // The other way for the same procedure: a request, drawn with the others.
      await page.locator('main nav a[href$="way=request"]').click();
      await page.waitForURL(/way=request$/);
      assert.equal(await page.locator('main form[action="/agent/on-behalf/requests"]').count(), 1);
      await expectNoAxeViolations(page, 'on-behalf request form');
      await page.locator('main nav a[href$="way=book"]').click();
      await page.waitForURL(/way=book$/);

      await page.locator('label[for="slot"]').click();
      await page.fill('#surname', 'Traoré');
      await page.fill('#givenNames', 'Fatoumata');
      await page.fill('#birthDate', '03/07/1988');
      await page.selectOption('#nationality', 'MLI');
      await page.fill('#passportNumber', 'ML1234567');
      await page.fill('#phone', '07 11 22 33 44'); // no email: a number to call is required
      await page.locator('label[for="channel-counter"]').click();
      await page.locator('main form[action="/agent/on-behalf/appointments"] button[type=submit]').click();

      await page.waitForSelector('img.creneau-qr');
      assert.equal(await page.locator('h1').innerText(), 'Convocation au service des étrangers');
      const main = await page.locator('main').innerText();
      assert.match(main, /TRAORÉ/);
      assert.match(main, /pas d'adresse électronique/);
      await expectNoAxeViolations(page, 'on-behalf convocation');
      await screenshot(page, 'on-behalf-fr-2-convocation');

      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('header.fr-header').isVisible(), false, 'the agent header is not printed');
      assert.equal(await page.locator('img.creneau-qr').isVisible(), true, 'the QR code is printed');
      assert.deepEqual(pageProblems.get(page), []);
    } finally {
      await page.context().close();
    }
  });

  it('finds the caller by phone number, opens the appointment, moves it and prints the convocation (fr, en)', async () => {
    server.clock.set(new Date(Date.now() + 240_000)); // a TOTP step of its own
    for (const lang of ['fr', 'en'] as const) {
      server.clock.set(new Date(server.clock.now().getTime() + 60_000));
      const page = await logInAgent(server, counterAgent, { lang });
      try {
        await page.goto('/agent/search');
        await expectNoAxeViolations(page, `search form (${lang})`);
        await page.fill('#q', '+33 7 11 22 33 44');
        await page.locator('main form[role=search] button[type=submit]').click();
        await page.waitForURL(/q=/);
        const results = await page.locator('main').innerText();
        assert.match(results, /TRAORÉ Fatoumata/);
        assert.match(results, /07 11 22 33 44/);
        await expectNoAxeViolations(page, `search results (${lang})`);
        await screenshot(page, `agent-search-${lang}-1-results`);

        await page.locator('main .fr-card__title a').first().click();
        await page.waitForURL(/\/agent\/search\/appointments\//);
        await expectNoAxeViolations(page, `found appointment (${lang})`);
        await screenshot(page, `agent-search-${lang}-2-appointment`);
        if (lang === 'fr') {
          await page.locator('label[for="slot"]').click();
          await page.locator('main form[action$="/move"] button[type=submit]').click();
          await page.waitForURL(/done=moved/);
          assert.match(await page.locator('main .fr-alert--success').innerText(), /déplacé[\s\S]*07 11 22 33 44/);
          await expectNoAxeViolations(page, 'moved appointment');
        }
        await page.locator('main a[href$="/convocation"]').click();
        await page.waitForSelector('img.creneau-qr');
        await expectNoAxeViolations(page, `convocation from the search (${lang})`);
        assert.deepEqual(pageProblems.get(page), []);
      } finally {
        await page.context().close();
      }
    }
  });
});
