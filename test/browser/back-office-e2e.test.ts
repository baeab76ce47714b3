// The back-office end to end in Chromium (issue 6 §7), through the pages alone:
//   1. the demo supervisor of Seine-Saint-Denis logs in with password and TOTP code;
//   2. adds a counter to Bobigny and gives it an opening rule (its slots appear);
//   3. books a slot of the agents' reserve for a caller on the phone, who has no email;
//   4. on the day, the demo counter agent of Bobigny checks the caller in by the short code
//      read from the convocation — the screen shows the nominative identity —
//   5. and, 20 minutes after the start with nobody at the counter, marks a no-show.
// axe-core finds no violation on any page on the way; the audit trail holds every step.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { DEMO_AGENTS, seedDemoAgents, testAgentContext } from '../support/agents.ts';
import { describeInBrowser, expectNoAxeViolations, logInAgent, pageProblems, screenshot } from '../support/browser.ts';

const supervisor = DEMO_AGENTS.find((a) => a.role === 'supervisor')!;
const counterAgent = DEMO_AGENTS.find((a) => a.role === 'counter' && a.siteIds.includes('bobigny'))!;

describeInBrowser('the back-office end to end', (server) => {
  before(async () => {
    await seedDemoAgents(testAgentContext(server.database.db, server.clock));
  });

  it('configures a counter and its rule, books for a caller, checks them in by short code, marks a no-show', async () => {
    const db = server.database.db;
    const page = await logInAgent(server, supervisor, { lang: 'fr' });
    let shortCode: string;
    try {
      await expectNoAxeViolations(page, 'e2e: home');

      // 2. A new counter at Bobigny, open on weekday afternoons for first applications.
      await page.goto('/agent/configuration/sites/bobigny');
      await expectNoAxeViolations(page, 'e2e: site configuration');
      await page.fill('#newcounter-name', 'Guichet 9 (accueil téléphonique)');
      await page.locator('form[action$="/counters"] button[type=submit]').click();
      await page.waitForURL(/\/agent\/configuration\/counters\/[a-z0-9-]+\?done=counter-created$/);
      const counterId = new URL(page.url()).pathname.split('/').pop()!;
      await page.selectOption('#rule-procedureId', 'premiere-demande');
      await page.fill('#rule-window1Start', '13:30');
      await page.fill('#rule-window1End', '16:00');
      await page.fill('#rule-slotMinutes', '30');
      await page.locator('form[action$="/rules"] button[type=submit]').click();
      await page.waitForURL(/\?done=rule-created$/);
      assert.match(await page.locator('main table').first().innerText(), /13:30–16:00/);
      await expectNoAxeViolations(page, 'e2e: counter with its rule');
      await screenshot(page, 'e2e-1-counter-rule');
      const newSlots = await db
        .selectFrom('slot')
        .select(({ fn }) => fn.countAll<string>().as('n'))
        .where('counter_id', '=', counterId)
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow();
      assert.ok(Number(newSlots.n) > 0, 'the rule gave the new counter slots');

      // 3. A caller on the phone, without email: a slot of the reserve, the printable convocation.
      await page.goto('/agent/on-behalf');
      await page.selectOption('#procedure', 'premiere-demande');
      await page.selectOption('#site', 'bobigny');
      await page.locator('main form[method=get] button[type=submit]').click();
      await page.waitForURL(/procedure=premiere-demande/);
      await expectNoAxeViolations(page, 'e2e: reserved slots and caller form');
      await page.locator('label[for="slot"]').click();
      await page.fill('#surname', 'Ouedraogo');
      await page.fill('#givenNames', 'Awa');
      await page.fill('#birthDate', '14/02/1979');
      await page.selectOption('#nationality', 'BFA');
      await page.fill('#passportNumber', 'BF7654321');
      await page.fill('#phone', '06 70 80 90 10'); // no email: a number to call
      await page.locator('label[for="channel-phone"]').click();
      await page.locator('main form[action="/agent/on-behalf/appointments"] button[type=submit]').click();
      await page.waitForSelector('img.creneau-qr');
      shortCode = (await page.locator('p.fr-h2.creneau-short-code').innerText()).trim();
      assert.match(shortCode, /^[A-Z0-9-]{6,}$/);
      await expectNoAxeViolations(page, 'e2e: printable convocation');
      await screenshot(page, 'e2e-2-convocation');
      assert.deepEqual(pageProblems.get(page), []);
    } finally {
      await page.context().close();
    }

    // 4. The day of the appointment, at the counter: check-in by the typed short code.
    const booked = await db
      .selectFrom('appointment as a')
      .innerJoin('slot as s', 's.id', 'a.slot_id')
      .select(['a.id', 'a.status', 'a.channel', 's.starts_at', 's.reserved_for_agents'])
      .where('a.reference', '=', shortCode)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { status: booked.status, channel: booked.channel, reserved: booked.reserved_for_agents },
      { status: 'booked', channel: 'phone', reserved: true },
    );
    const startsAt = new Date(booked.starts_at);
    server.clock.set(new Date(startsAt.getTime() - 5 * 60_000));
    const counter = await logInAgent(server, counterAgent, { lang: 'fr' });
    try {
      await counter.goto('/agent/check-in');
      await counter.fill('#code', shortCode);
      await counter.locator('#check-in-form button[type=submit]').click();
      await counter.waitForURL(/\/agent\/check-in\/[0-9a-f-]{36}$/);
      const identity = await counter.locator('#identity').innerText();
      assert.match(identity, /OUEDRAOGO/i);
      assert.match(identity, /BF7654321/);
      await expectNoAxeViolations(counter, 'e2e: check-in result');
      await screenshot(counter, 'e2e-3-check-in');
      assert.equal(
        await counter.locator('button[name=action][value=no_show]').count(),
        0,
        'no no-show before the start',
      );

      // 5. Twenty minutes after the start nobody came: a no-show (the same session, still live).
      server.clock.set(new Date(startsAt.getTime() + 20 * 60_000));
      await counter.reload();
      await counter.locator('button[name=action][value=no_show]').click();
      await counter.waitForURL(/done=no_show$/);
      await expectNoAxeViolations(counter, 'e2e: no-show marked');
      await screenshot(counter, 'e2e-4-no-show');
      assert.deepEqual(pageProblems.get(counter), []);
    } finally {
      await counter.context().close();
    }

    const after = await db
      .selectFrom('appointment')
      .select('status')
      .where('id', '=', booked.id)
      .executeTakeFirstOrThrow();
    assert.equal(after.status, 'no_show');
    const actions = (
      await db.selectFrom('audit_event').select('action').where('prefecture_id', '=', '93').execute()
    ).map((e) => e.action);
    for (const action of [
      'agent.login',
      'counter.create',
      'opening_rule.create',
      'appointment.book_for_caller',
      'appointment.no_show',
    ]) {
      assert.ok(actions.includes(action), `audited: ${action}`);
    }
  });
});
