// The evidence page in Chromium: the demo supervisor of 93 follows "Dossiers de preuves" from
// the home, asks for a pack of the last ten days from one network, receives the ZIP as a
// download (it verifies), sees the hold the export placed and releases it. No axe-core
// violation, in French and in English.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { evidencePackFormat } from '../../src/adapters/evidence/evidence-pack-format.ts';
import { verifyEvidencePack } from '../../src/app/evidence/verify-evidence-pack.ts';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, screenshot } from '../support/browser.ts';
import { testServices } from '../support/services.ts';

const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;
const day = (at: Date) => at.toISOString().slice(0, 10);

describeInBrowser('evidence page in a real browser', (server) => {
  before(async () => {
    const db = server.database.db;
    await seedDemoAgents(testAgentContext(db, server.clock));
    const yesterday = new Date(server.clock.now().getTime() - 86_400_000);
    await sql`insert into security_event (at, ip, route, reason)
              values (${yesterday}, '203.0.113.7', 'POST /api/bookings', 'pow_invalid')`.execute(db);
  });

  it('downloads a signed pack, lists its hold and releases it, without an axe-core violation', async () => {
    server.clock.set(new Date(server.clock.now().getTime() + 5 * 60_000)); // a TOTP step of its own
    const page = await logInAgent(server, supervisor);
    try {
      await page.locator('main a[href="/agent/evidence"]').click();
      await page.waitForURL(/\/agent\/evidence$/);
      await expectNoAxeViolations(page, 'evidence packs (fr)');
      const now = server.clock.now();
      await page.getByLabel(/^Du \(inclus\)/).fill(day(new Date(now.getTime() - 10 * 86_400_000)));
      await page.getByLabel(/^Au \(non inclus\)/).fill(day(new Date(now.getTime() + 86_400_000)));
      await page.getByLabel(/^Adresses IP ou préfixes/).fill('203.0.113.');
      await page.getByLabel(/^Motif \(obligatoire\)/).fill('Plainte, parquet de Bobigny');
      await screenshot(page, 'agent-fr-evidence-form');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Télécharger le dossier signé' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^evidence-93-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-\d{8}T\d{6}Z\.zip$/);
      const zip = new Uint8Array(readFileSync((await download.path())!));
      const report = verifyEvidencePack(
        { format: evidencePackFormat, signer: testServices(server.database.db, server.clock).ports.signer },
        { zip },
      );
      assert.deepEqual(report.problems, []);
      assert.equal(report.manifest?.counts.security, 1);

      await page.goto('/agent/evidence');
      const hold = page.locator('tr', { hasText: 'Plainte, parquet de Bobigny' });
      assert.match(await hold.innerText(), /adresses 203\.0\.113\.7…/);
      await expectNoAxeViolations(page, 'evidence packs with a hold (fr)');
      await screenshot(page, 'agent-fr-evidence-holds');
      await page.goto('/agent/evidence?lang=en');
      await expectNoAxeViolations(page, 'evidence packs with a hold (en)');
      await page.goto('/agent/evidence?lang=fr');
      await page
        .locator('tr', { hasText: 'Plainte, parquet de Bobigny' })
        .getByRole('button', { name: /^Lever la conservation/ })
        .click();
      await page.waitForURL(/released=\d+/);
      assert.match(await page.locator('main').innerText(), /Conservation n° \d+ levée\./);
      await expectNoAxeViolations(page, 'evidence packs, hold released (fr)');
    } finally {
      await page.context().close();
    }
  });
});
