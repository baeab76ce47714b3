// The current counter-hours a week of each site, from its opening rules (capacity planning's
// input): whole slots only, averaged over the weeks asked, rules outside their dates left out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { weeklyCounterHours } from '../../src/domain/capacity-plan.ts';
import type { OpeningRule } from '../../src/domain/slot-generation.ts';

const rule = (
  counterId: string,
  siteId: string,
  over: Partial<OpeningRule> = {},
): OpeningRule & { siteId: string } => ({
  counterId,
  siteId,
  procedureId: 'p',
  weekdays: [1, 2, 3, 4, 5],
  validFrom: '2026-01-05',
  validUntil: null,
  windows: [{ start: '09:00', end: '12:00' }],
  slotMinutes: 30,
  ...over,
});

describe('weekly counter-hours', () => {
  it('adds up the counters of a site: two counters 9:00–12:00 Monday to Friday are 30 hours a week', () => {
    const { bySite, slotMinutes } = weeklyCounterHours(
      [rule('c1', 'a'), rule('c2', 'a')],
      'Europe/Paris',
      '2026-06-15',
      4,
    );
    assert.deepEqual([...bySite], [['a', 30]]);
    assert.equal(slotMinutes, 30);
  });

  it('counts whole slots only, averages over the weeks, and weighs the mean slot length by slots', () => {
    const { bySite, slotMinutes } = weeklyCounterHours(
      [
        // 09:05–10:00 with 30-minute slots: one slot (30 min) a day, Saturdays only → 0.5 h a week.
        rule('c1', 'antenna', { weekdays: [6], windows: [{ start: '09:05', end: '10:00' }] }),
        // Open the first two of the four weeks only: 15 h a week for two weeks → 7.5 on average.
        rule('c2', 'main', { validUntil: '2026-06-28' }),
        // 20-minute slots, Mondays 14:00–15:00: 3 slots, 1 h a week.
        rule('c3', 'main', { weekdays: [1], windows: [{ start: '14:00', end: '15:00' }], slotMinutes: 20 }),
      ],
      'Europe/Paris',
      '2026-06-15',
      4,
    );
    assert.equal(bySite.get('antenna'), 0.5);
    assert.equal(bySite.get('main'), 8.5);
    // 4 + 60 + 12 slots: (4 × 30 + 60 × 30 + 12 × 20) ÷ 76 minutes.
    assert.equal(slotMinutes, (4 * 30 + 60 * 30 + 12 * 20) / 76);
  });

  it('says there is no slot length without any slot', () => {
    const { bySite, slotMinutes } = weeklyCounterHours(
      [rule('c1', 'a', { validFrom: '2027-01-04' })],
      'Europe/Paris',
      '2026-06-15',
      4,
    );
    assert.equal(bySite.size, 0);
    assert.equal(slotMinutes, null);
  });
});
