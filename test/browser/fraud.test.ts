// The fraud review in Chromium: the demo supervisor of 93 opens "Fraud signals" from the home,
// sees the signals over time (chart and table) and the held request first with its reasons in
// words and its deadline, opens the case (evidence: reasons, a related request sharing the
// network, the observations), clears it with a reason. No axe-core violation on the list or
// the case, in French and in English.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, screenshot } from '../support/browser.ts';
import { reviewRequest } from '../support/review.ts';

const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;
const BOBIGNY = { prefectureId: '93', siteId: 'bobigny', procedureId: 'naturalisation' };
const HOUR = 3_600_000;

describeInBrowser('fraud review in a real browser', (server) => {
  let heldId = '';

  before(async () => {
    const db = server.database.db;
    await seedDemoAgents(testAgentContext(db, server.clock));
    const now = server.clock.now();
    const reasons = [
      { kind: 'email_domain_crowd', count: 12, points: 35 },
      { kind: 'network_burst', count: 22, points: 25 },
    ] as const;
    const held = await reviewRequest(db, BOBIGNY, { surname: 'Retenue', givenNames: 'Demande', urgencyDate: null });
    const neighbour = await reviewRequest(db, BOBIGNY, { surname: 'Voisin', givenNames: 'Réseau', urgencyDate: null });
    heldId = held.id;
    await db
      .updateTable('allocation_request')
      .set({ network: '203.0.113.0/24' })
      .where('id', 'in', [held.id, neighbour.id])
      .execute();
    await db
      .updateTable('allocation_request')
      .set({
        review_state: 'held',
        held_at: now,
        lapses_at: new Date(now.getTime() + 72 * HOUR),
        fraud_score: 60,
        fraud_reasons: JSON.stringify(reasons),
      })
      .where('id', '=', held.id)
      .execute();
    await db
      .insertInto('fraud_observation')
      .values({
        prefecture_id: '93',
        request_id: held.id,
        at: now,
        event: 'filed',
        score: 60,
        reasons: JSON.stringify(reasons),
        held: true,
      })
      .execute();
  });

  it('lists the held request, shows its evidence and clears it with a reason', async () => {
    server.clock.set(new Date(server.clock.now().getTime() + 5 * 60_000)); // a TOTP step of its own
    const page = await logInAgent(server, supervisor);
    try {
      await page.locator('main a[href="/agent/fraud"]').click();
      await page.waitForURL(/\/agent\/fraud$/);
      const row = page.locator(`#case-${heldId}`);
      const text = await row.innerText();
      assert.match(text, /Retenue Demande/);
      assert.match(text, /12 personnes avec une adresse du même domaine de messagerie en 30 jours/);
      assert.match(text, /22 demandes déposées depuis le même réseau en 24 heures/);
      assert.match(await page.locator('#signals-table').innerText(), /1\s+1/);
      await expectNoAxeViolations(page, 'fraud review list (fr)');
      await screenshot(page, 'agent-fr-fraud-list');
      await page.goto('/agent/fraud?lang=en');
      assert.match(await page.locator(`#case-${heldId}`).innerText(), /22 requests filed from the same network/);
      await expectNoAxeViolations(page, 'fraud review list (en)');

      await page.goto(`/agent/fraud/requests/${heldId}?lang=fr`);
      assert.match(await page.locator('#case-related').innerText(), /Voisin Réseau[\s\S]*réseau/);
      assert.match(await page.locator('#case-observations').innerText(), /dépôt — retenue/);
      await expectNoAxeViolations(page, 'fraud case (fr)');
      await screenshot(page, 'agent-fr-fraud-case');
      await page.goto(`/agent/fraud/requests/${heldId}?lang=en`);
      await expectNoAxeViolations(page, 'fraud case (en)');
      await page.goto(`/agent/fraud/requests/${heldId}?lang=fr`);
      await page.getByLabel(/^Motif \(obligatoire\)/).fill('Foyer de travailleurs : adresses partagées, vérifié.');
      await page.getByRole('button', { name: 'Lever la retenue' }).click();
      await page.waitForURL(/done=cleared/);
      assert.match(await page.locator('#decision-done').innerText(), /Retenue levée/);
      assert.match(await page.locator('main').innerText(), /Foyer de travailleurs : adresses partagées, vérifié\./);
      await expectNoAxeViolations(page, 'fraud case decided (fr)');
    } finally {
      await page.context().close();
    }
  });
});
