// Capacity planning against the real store, on both engines: the inputs read from a scenario
// whose answer is known (test/support/capacity.ts) — 120 waiting, 40 filed a week for 8
// weeks, 10 % no-shows, 2 counters open 9:00–12:00 Monday to Friday with 30-minute slots (30
// counter-hours a week) — with what must not count beside each, then the plan's figures and
// the scope rules.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createCapacityStore } from '../../src/adapters/db/capacity-store.ts';
import { createPublicStatisticsStore } from '../../src/adapters/db/public-statistics-store.ts';
import { planCapacity } from '../../src/app/statistics/plan-capacity.ts';
import type { StatisticsContext } from '../../src/app/statistics/statistics-context.ts';
import { counterHoursNeeded, projectWaitingList } from '../../src/domain/capacity-plan.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { capacityScenario } from '../support/capacity.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TestClock } from '../support/scenario.ts';

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
  let s: Awaited<ReturnType<typeof capacityScenario>>;

  before(async () => {
    s = await capacityScenario(db(), NOW, 2);
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
    assert.equal(bySite.get(s.antenna), 0);
    assert.equal(bySite.get(s.other.siteId), 0);
    assert.equal(plan.targetDays, 30);
    assert.equal(plan.horizonWeeks, 26);
  });

  it("projects under the current hours, the needed hours and a site's extra hours", async () => {
    const plan = await planCapacity(ctx(), admin, {
      prefectureId: '93',
      procedureId: s.procedureId,
      targetDays: 20,
      horizonWeeks: 12,
      whatIf: { siteId: s.antenna, extraHours: 6 },
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
