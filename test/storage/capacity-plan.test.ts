// Capacity planning against the real store, on both engines: the inputs read from a scenario
// whose answer is known — 120 waiting, 40 filed a week for 8 weeks, 10 % no-shows, 2 counters
// open 9:00–12:00 Monday to Friday with 30-minute slots (30 counter-hours a week) — with what
// must not count beside each (another procedure, an inactive counter, an expired rule, a
// request older than 8 weeks, a cancelled or future appointment), then the plan's figures and
// the scope rules.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createCapacityStore } from '../../src/adapters/db/capacity-store.ts';
import { createPublicStatisticsStore } from '../../src/adapters/db/public-statistics-store.ts';
import { planCapacity } from '../../src/app/statistics/plan-capacity.ts';
import type { StatisticsContext } from '../../src/app/statistics/statistics-context.ts';
import { counterHoursNeeded, projectWaitingList } from '../../src/domain/capacity-plan.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock } from '../support/scenario.ts';
import { appointment, DAY_MS, request } from '../support/statistics.ts';

// Wednesday 17 June 2026, noon in Paris.
const NOW = new Date('2026-06-17T10:00:00Z');
const supervisor = { role: 'supervisor' as const, prefectureId: '93', siteIds: [] };
const admin = { role: 'admin' as const, prefectureId: null, siteIds: [] };

describeEachEngine('capacity planning', (database) => {
  const clock = new TestClock(NOW);
  const db = () => database().db;
  const ctx = (): StatisticsContext => ({
    statistics: createPublicStatisticsStore(db()),
    capacity: createCapacityStore(db()),
    clock,
  });
  let s: Awaited<ReturnType<typeof createScenario>>;
  let other: Awaited<ReturnType<typeof createScenario>>;
  let antenna: string;

  before(async () => {
    s = await createScenario(db(), { prefectureId: '93', counters: 3 });
    other = await createScenario(db(), { prefectureId: '93' });
    antenna = `antenna-${s.siteId}`;
    await db()
      .insertInto('site')
      .values({ id: antenna, prefecture_id: '93', kind: 'antenna', name: 'Antenne du samedi', address: '2 rue' })
      .execute();
    // 120 waiting, filed before the 8 weeks; 40 a week filed in the 8 weeks (served since).
    for (let i = 0; i < 120; i++) await request(db(), s, { filedAt: new Date(NOW.getTime() - (60 + i) * DAY_MS) });
    for (let i = 0; i < 320; i++)
      await request(db(), s, { filedAt: new Date(NOW.getTime() - (i * 56 * DAY_MS) / 320 - 1000), status: 'booked' });
    // Not counted: another procedure's waiting and recent requests, a request just over 8 weeks old.
    for (let i = 0; i < 5; i++) await request(db(), other, { filedAt: new Date(NOW.getTime() - DAY_MS) });
    await request(db(), s, { filedAt: new Date(NOW.getTime() - 57 * DAY_MS), status: 'closed' });
    // 20 appointments due in the 8 weeks, 2 no-shows; not counted: a cancelled one, a future
    // one, a no-show 9 weeks ago, another procedure's no-show.
    const past = await s.addSlots(22, new Date(NOW.getTime() - 30 * DAY_MS));
    for (let i = 0; i < 20; i++)
      await appointment(db(), s, past[i]!, {
        createdAt: new Date(NOW.getTime() - 40 * DAY_MS),
        status: i < 2 ? 'no_show' : 'served',
      });
    await appointment(db(), s, past[20]!, { createdAt: new Date(NOW.getTime() - 40 * DAY_MS), status: 'cancelled' });
    const [future] = await s.addSlots(1, new Date(NOW.getTime() + 2 * DAY_MS));
    await appointment(db(), s, future!, { createdAt: NOW, status: 'booked' });
    const [old] = await s.addSlots(1, new Date(NOW.getTime() - 63 * DAY_MS));
    await appointment(db(), s, old!, { createdAt: new Date(NOW.getTime() - 70 * DAY_MS), status: 'no_show' });
    const [otherSlot] = await other.addSlots(1, new Date(NOW.getTime() - 3 * DAY_MS));
    await appointment(db(), other, otherSlot!, { createdAt: new Date(NOW.getTime() - 9 * DAY_MS), status: 'no_show' });
    // Two counters open 9:00–12:00 Monday to Friday, 30-minute slots; not counted: the third
    // counter, inactive; an expired rule; another procedure's rule.
    const rule = (counterId: string, procedureId: string, validUntil: string | null = null) => ({
      counter_id: counterId,
      procedure_id: procedureId,
      weekdays: [1, 2, 3, 4, 5],
      valid_from: '2026-01-05',
      valid_until: validUntil,
      windows: JSON.stringify([{ start: '09:00', end: '12:00' }]),
      slot_minutes: 30,
    });
    await db()
      .insertInto('opening_rule')
      .values([
        rule(s.counterIds[0]!, s.procedureId),
        rule(s.counterIds[1]!, s.procedureId),
        rule(s.counterIds[2]!, s.procedureId),
        rule(s.counterIds[0]!, s.procedureId, '2026-06-01'),
        rule(s.counterIds[1]!, other.procedureId),
      ])
      .execute();
    await db().updateTable('counter').set({ active: false }).where('id', '=', s.counterIds[2]!).execute();
  });

  it('reads the waiting list, the arrivals, the no-show rate and the counter-hours of the coming weeks', async () => {
    const plan = await planCapacity(ctx(), supervisor, { procedureId: s.procedureId });
    assert.equal(plan.prefectureId, '93');
    assert.equal(plan.inputs.waiting, 120);
    assert.equal(plan.inputs.arrivalsPerWeek, 40);
    assert.equal(plan.inputs.due, 20);
    assert.equal(plan.inputs.noShows, 2);
    assert.equal(plan.inputs.noShowRate, 0.1);
    assert.equal(plan.inputs.slotMinutes, 30);
    assert.equal(plan.currentHours, 30);
    const bySite = new Map(plan.sites.map((site) => [site.id, site.counterHours]));
    assert.equal(bySite.get(s.siteId), 30);
    assert.equal(bySite.get(antenna), 0);
    assert.equal(bySite.get(other.siteId), 0);
    assert.equal(plan.targetDays, 30);
    assert.equal(plan.horizonWeeks, 26);
  });

  it("projects under the current hours, the needed hours and a site's extra hours", async () => {
    const plan = await planCapacity(ctx(), admin, {
      prefectureId: '93',
      procedureId: s.procedureId,
      targetDays: 20,
      horizonWeeks: 12,
      whatIf: { siteId: antenna, extraHours: 6 },
    });
    const inputs = { waiting: 120, arrivalsPerWeek: 40, noShowRate: 0.1, slotMinutes: 30 };
    assert.equal(plan.current.length, 53);
    assert.deepEqual(plan.current, projectWaitingList(inputs, 30, 52));
    // 30 hours give 60 slots, 54 honoured: the list shrinks by 14 a week at first.
    assert.equal(plan.current[1]!.waiting, 106);
    assert.deepEqual(plan.needed, counterHoursNeeded(inputs, 20, 12));
    assert.ok(plan.underNeeded[12]!.medianWaitDays! <= 20);
    assert.equal(plan.whatIf?.siteName, 'Antenne du samedi');
    assert.equal(plan.whatIf?.hours, 36);
    assert.deepEqual(plan.whatIf?.projection, projectWaitingList(inputs, 36, 52));
  });

  it('refuses another prefecture, counter agents, an unknown procedure or site', async () => {
    const code = (e: unknown) => (e instanceof DomainError ? e.code : e);
    await assert.rejects(
      planCapacity(ctx(), supervisor, { prefectureId: '75', procedureId: s.procedureId }),
      (e) => code(e) === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      planCapacity(ctx(), { role: 'counter', prefectureId: '93', siteIds: [s.siteId] }, { procedureId: s.procedureId }),
      (e) => code(e) === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      planCapacity(ctx(), admin, { prefectureId: '75', procedureId: s.procedureId }),
      (e) => code(e) === 'PREFECTURE_NOT_FOUND',
    );
    await assert.rejects(
      planCapacity(ctx(), admin, { procedureId: s.procedureId }),
      (e) => code(e) === 'PREFECTURE_NOT_FOUND',
    );
    await assert.rejects(
      planCapacity(ctx(), supervisor, { procedureId: 'nope' }),
      (e) => code(e) === 'PROCEDURE_NOT_FOUND',
    );
    await assert.rejects(
      planCapacity(ctx(), supervisor, { procedureId: s.procedureId, whatIf: { siteId: 'elsewhere', extraHours: 3 } }),
      (e) => code(e) === 'VALIDATION_FAILED',
    );
  });
});
