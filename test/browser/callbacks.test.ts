// The call-back queue and agent accounts in Chromium: the demo counter agent of Bobigny opens
// the queue (compact cards), takes a call-back left on the contact form, marks it called with a
// note and opens the booking form for that caller, its number filled in; the
// demo supervisor creates a counter agent and sees the enrolment QR code. No axe-core
// violation (fr) on any of these pages.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createCallbackStore } from '../../src/adapters/db/callback-store.ts';
import { requestCallback } from '../../src/app/callbacks/request-callback.ts';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, screenshot } from '../support/browser.ts';

const counter = DEMO_AGENTS.find((a) => a.role === 'counter')!;
const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;

describeInBrowser('call-backs and agent accounts in a real browser', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
    await requestCallback(
      {
        store: server.ctx.store,
        callbacks: createCallbackStore(server.database.db),
        clock: server.clock,
        secrets: server.ctx.secrets,
      },
      {
        prefectureId: '93',
        phone: '06 12 34 56 78',
        language: 'ar',
        situation: 'Mon récépissé expire dans deux semaines.',
      },
    );
  });

  it('a counter agent takes a call-back and marks it called with a note', async () => {
    const page = await logInAgent(server, counter);
    try {
      await page.locator('header a[href="/agent/callbacks"], main a[href="/agent/callbacks"]').first().click();
      await page.waitForURL(/\/agent\/callbacks$/);
      const item = page.locator('section', { has: page.locator('h2', { hasText: '06 12 34 56 78' }) });
      assert.match(await item.innerText(), /Mon récépissé expire dans deux semaines/);
      await expectNoAxeViolations(page, 'call-back queue (fr)');
      await screenshot(page, 'agent-fr-callbacks-1-queue');
      // Compact cards: at 1280 px, three to a row; the status form folded away until asked for.
      await page.setViewportSize({ width: 1280, height: 800 });
      const box = await item.boundingBox();
      assert.ok(box && box.width < 1280 / 2, `a card takes a third of the width (${box?.width} px)`);
      assert.equal(await item.getByLabel('Statut', { exact: true }).isVisible(), false);

      await item.getByRole('button', { name: 'Prendre ce rappel' }).click();
      await page.waitForURL(/done=assigned/);
      assert.match(await item.innerText(), /vous \(Camille Guichet\)/);
      await item.getByText('Statut et note').click();
      await item.getByLabel('Statut', { exact: true }).selectOption('called');
      await item.getByLabel(/^Note/).fill('Rendez-vous à prendre au guichet jeudi.');
      await item.getByRole('button', { name: 'Enregistrer' }).click();
      await page.waitForURL(/done=status/);
      assert.match(await page.locator('main').innerText(), /Le rappel a été mis à jour/);

      await page.goto('/agent/callbacks?status=called&mine=1');
      const called = page.locator('section', { has: page.locator('h2', { hasText: '06 12 34 56 78' }) });
      await called.getByText('Historique (1 entrée)').click();
      assert.match(
        await called.innerText(),
        /« À rappeler » → « Appelé »[\s\S]*Rendez-vous à prendre au guichet jeudi/,
      );
      await expectNoAxeViolations(page, 'call-back history (fr)');
      await screenshot(page, 'agent-fr-callbacks-2-called');

      // Book for this caller: the booking form with the call-back's id, its number in the phone field.
      await called.getByRole('link', { name: 'Prendre rendez-vous pour cet usager' }).click();
      await page.waitForURL(/\/agent\/on-behalf\?callback=[0-9a-f-]{36}$/);
      assert.match(await page.locator('#callback-caller').innerText(), /06 12 34 56 78/);
      await page.selectOption('#procedure', 'premiere-demande');
      await page.selectOption('#site', 'bobigny');
      await page.locator('main form[method=get] button[type=submit]').click();
      await page.waitForURL(/callback=/);
      assert.equal(await page.inputValue('#phone'), '06 12 34 56 78');
      assert.doesNotMatch(page.url(), /0612345678|06%2012/);
      await expectNoAxeViolations(page, 'booking for the caller of a call-back (fr)');
    } finally {
      await page.context().close();
    }
  });

  it('a supervisor creates a counter agent and sees the enrolment QR code', async () => {
    const page = await logInAgent(server, supervisor);
    try {
      await page.goto('/agent/agents');
      assert.match(await page.locator('main table').innerText(), /guichet\.bobigny@demo\.creneau\.fr/);
      await expectNoAxeViolations(page, 'agent accounts (fr)');
      await page.getByRole('link', { name: 'Créer un compte' }).click();
      await page.waitForURL(/\/agent\/agents\/new$/);
      await expectNoAxeViolations(page, 'new agent form (fr)');
      await page.fill('#email', 'nouvel.agent@demo.creneau.fr');
      await page.fill('#displayName', 'Sacha Nouvel');
      await page.locator('label[for="site-bobigny"]').click(); // the DSFR draws the box over the input: click its label
      await page.getByRole('button', { name: 'Créer le compte' }).click();
      await page.waitForSelector('#enrolment-qr');
      assert.match(await page.locator('h1').innerText(), /Compte créé pour Sacha Nouvel/);
      const qr = page.locator('#enrolment-qr');
      assert.match(String(await qr.getAttribute('src')), /^data:image\/svg\+xml;base64,/);
      assert.ok(
        await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
        'the QR code is displayed (CSP allows data: images)',
      );
      assert.match(await page.locator('#enrolment-secret').innerText(), /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
      await expectNoAxeViolations(page, 'enrolment (fr)');
      await screenshot(page, 'agent-fr-agents-enrolment');
    } finally {
      await page.context().close();
    }
  });
});
