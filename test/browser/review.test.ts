// The review lists in Chromium: the demo supervisor of 93 confirms a declared urgency with a
// note, then opens the likely duplicates, follows a row to the agenda of its day and sees the
// "possible duplicate" flag there and at check-in. No axe-core violation on any of these
// pages, in French and in English.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, screenshot } from '../support/browser.ts';
import { reviewAppointment, reviewRequest } from '../support/review.ts';

const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;
const BOBIGNY = { prefectureId: '93', siteId: 'bobigny', procedureId: 'naturalisation' };

describeInBrowser('review lists in a real browser', (server) => {
  let appointmentReference = '';

  before(async () => {
    const db = server.database.db;
    await seedDemoAgents(testAgentContext(db, server.clock));
    await reviewRequest(db, BOBIGNY, { surname: 'Urgence', givenNames: 'Déclarée', urgencyDate: '2026-12-24' });
    await reviewRequest(db, BOBIGNY, {
      surname: 'Fofana',
      givenNames: 'Mariam',
      birthDate: '1992-03-03',
      urgencyDate: null,
    });
    const startsAt = new Date(server.clock.now().getTime() + 2 * 86_400_000);
    startsAt.setUTCHours(9, 0, 0, 0);
    appointmentReference = (
      await reviewAppointment(db, BOBIGNY, startsAt, {
        surname: 'FOFANA',
        givenNames: 'Mariam',
        birthDate: '1992-03-03',
      })
    ).reference;
  });

  // Two tests, each in its own browser context: one page through every screen grew Chromium's
  // renderer to 1.3 GB (a navigation does not give back what the previous page and axe-core took).
  it('confirms a declared urgency with a note, and lists it among the decided ones', async () => {
    server.clock.set(new Date(server.clock.now().getTime() + 5 * 60_000)); // a TOTP step of its own
    const page = await logInAgent(server, supervisor);
    try {
      await page.locator('main a[href="/agent/urgency"]').click();
      await page.waitForURL(/\/agent\/urgency$/);
      const item = page.locator('section', { has: page.locator('h2', { hasText: 'Urgence Déclarée' }) });
      assert.match(await item.innerText(), /24 décembre 2026/);
      await expectNoAxeViolations(page, 'declared urgencies (fr)');
      await screenshot(page, 'agent-fr-urgency-1-list');
      await item.getByLabel(/^Motif du refus, ou note/).fill('Récépissé vu au guichet.');
      await item.getByRole('button', { name: "Confirmer l'urgence" }).click();
      await page.waitForURL(/done=confirmed/);
      assert.match(await page.locator('main').innerText(), /L'urgence est confirmée/);
      await page.goto('/agent/urgency?view=decided');
      assert.match(await page.locator('main').innerText(), /Confirmée[\s\S]*Récépissé vu au guichet/i); // the badge is upper-cased by the DSFR
      await expectNoAxeViolations(page, 'decided urgencies (fr)');
      await page.goto('/agent/urgency?view=decided&lang=en');
      await expectNoAxeViolations(page, 'decided urgencies (en)');
    } finally {
      await page.context().close();
    }
  });

  it('lists likely duplicates and flags them on the agenda and at check-in', async () => {
    server.clock.set(new Date(server.clock.now().getTime() + 5 * 60_000));
    const page = await logInAgent(server, supervisor);
    try {
      await page.goto('/agent/duplicates?lang=fr');
      const group = page.locator('section', { has: page.locator('td', { hasText: 'FOFANA Mariam' }) });
      assert.match(await group.innerText(), /Mêmes noms et date de naissance \(FOFANA MARIAM/);
      await expectNoAxeViolations(page, 'likely duplicates (fr)');
      await screenshot(page, 'agent-fr-duplicates');
      await page.goto('/agent/duplicates?lang=en');
      await expectNoAxeViolations(page, 'likely duplicates (en)');

      await page.goto('/agent/duplicates?lang=fr');
      await page
        .locator('section', { has: page.locator('td', { hasText: 'FOFANA Mariam' }) })
        .getByRole('link', { name: /^Agenda/ })
        .click();
      await page.waitForURL(/\/agent\/agenda\?site=bobigny/);
      const row = page.locator('tr', { hasText: appointmentReference });
      assert.match(await row.innerText(), /Doublon possible/i);
      await expectNoAxeViolations(page, 'agenda with a flag (fr)');
      await row.getByRole('link').click();
      await page.waitForURL(/\/agent\/check-in\//);
      assert.match(await page.locator('#possible-duplicate').innerText(), /Doublon possible/i);
      await expectNoAxeViolations(page, 'check-in with a flag (fr)');
    } finally {
      await page.context().close();
    }
  });
});
