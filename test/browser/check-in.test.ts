// Agenda and check-in in Chromium: the demo counter agent of Bobigny logs in, opens the day's
// agenda, checks a demo appointment in by its short code, marks it arrived then served; the
// check-in page loads its scanner script under the CSP (no console error) and works with
// JavaScript off (typed code). axe-core: no violation on the agenda, check-in and statistics.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, pageProblems, screenshot } from '../support/browser.ts';

const counter = DEMO_AGENTS.find((a) => a.role === 'counter' && a.siteIds.includes('bobigny'))!;
const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;

describeInBrowser('agenda and check-in in a real browser', (server) => {
  const appointments: { reference: string; surname: string; startsAt: Date }[] = [];
  let step = 0;

  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
    const rows = await server.database.db
      .selectFrom('appointment as a')
      .innerJoin('slot as s', 's.id', 'a.slot_id')
      .select(['a.reference', 'a.surname', 's.starts_at'])
      .where('a.site_id', '=', 'bobigny')
      .where('a.status', '=', 'booked')
      .orderBy('s.starts_at')
      .limit(2)
      .execute();
    assert.equal(rows.length, 2, 'the demo books appointments at Bobigny');
    appointments.push(
      ...rows.map((r) => ({ reference: r.reference, surname: r.surname, startsAt: new Date(r.starts_at) })),
    );
  });

  /** Logs `agent` in `minutes` after the first appointment's start (10 before by default), each log-in at its own TOTP step. */
  async function logIn(
    agent: (typeof DEMO_AGENTS)[number],
    options: { javaScript?: boolean; minutes?: number } = {},
  ): Promise<Page> {
    server.clock.set(new Date(appointments[0]!.startsAt.getTime() + ((options.minutes ?? -10) + step++) * 60_000));
    return logInAgent(server, agent, { javaScript: options.javaScript ?? true });
  }

  it('checks a demo appointment in by short code, marks it arrived then served (fr, no axe violation)', async () => {
    const page = await logIn(counter);
    const first = appointments[0]!;
    try {
      await page.goto('/agent/agenda');
      assert.ok(
        (await page.locator('main table').innerText()).includes(first.reference),
        'the agenda lists the appointment',
      );
      await expectNoAxeViolations(page, 'agenda');
      await screenshot(page, 'agent-fr-agenda');

      await page.goto('/agent/check-in');
      // The script ran (CSP: self only) and showed the scanner, since the browser has mediaDevices.
      await page.locator('#check-in-scanner').waitFor({ state: 'visible' });
      await expectNoAxeViolations(page, 'check-in');
      await page.fill('#code', first.reference.toLowerCase());
      await page.locator('#check-in-form button[type=submit]').click();
      await page.waitForURL(/\/agent\/check-in\/[0-9a-f-]{36}$/);
      assert.ok((await page.locator('#identity').innerText()).includes(first.surname));
      await expectNoAxeViolations(page, 'check-in result');
      await screenshot(page, 'agent-fr-check-in');

      await page.locator('button[name=action][value=arrived]').click();
      await page.waitForURL(/done=arrived$/);
      assert.match((await page.locator('#appointment-status').textContent()) ?? '', /Arrivé/);
      await page.locator('button[name=action][value=served]').click();
      await page.waitForURL(/done=served$/);
      assert.match((await page.locator('#appointment-status').textContent()) ?? '', /Reçu/);
      assert.equal(await page.locator('button[name=action]:not([value=undo])').count(), 0, 'nothing after served');
      assert.equal(
        await page.locator('button[name=action][value=undo]').count(),
        1,
        'but a mis-click can be taken back',
      );
      assert.deepEqual(pageProblems.get(page), []);
      // The decoder is served from our origin.
      const decoder = await page.request.get('/assets/jsqr/jsQR.js');
      assert.equal(decoder.status(), 200);
      assert.match(decoder.headers()['content-type'] ?? '', /javascript/);
    } finally {
      await page.context().close();
    }
  });

  it('checks in by typed code with JavaScript off, and shows the statistics (no axe violation)', async () => {
    const page = await logIn(supervisor, { javaScript: false });
    const second = appointments[1]!;
    try {
      await page.goto('/agent/check-in');
      assert.equal(await page.locator('#check-in-scanner').isVisible(), false, 'no scanner without JavaScript');
      await page.fill('#code', second.reference);
      await page.locator('#check-in-form button[type=submit]').click();
      await page.waitForURL(/\/agent\/check-in\/[0-9a-f-]{36}$/);
      assert.ok((await page.locator('#identity').innerText()).includes(second.surname));
    } finally {
      await page.context().close();
    }
    // Half an hour later the first appointment (served above) is due: the tables show it.
    const stats = await logIn(supervisor, { minutes: 30 });
    try {
      await stats.goto('/agent/statistics');
      assert.match(await stats.locator('h1').innerText(), /Absences/);
      assert.equal(await stats.locator('main table').count(), 3);
      await expectNoAxeViolations(stats, 'statistics');
      await screenshot(stats, 'agent-fr-statistics');
      assert.deepEqual(pageProblems.get(stats), []);
    } finally {
      await stats.context().close();
    }
  });
});
