// The public numbers' pure rules: quantiles as SQL's percentile_cont computes them, the
// suppression rule (fewer than 10 people), weeks of the prefecture's calendar across DST and
// time zones, and the national view's order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptyWeek,
  fillWeeks,
  INDICATORS,
  publishedFigure,
  publishWeek,
  quantile,
  sortNational,
  weekBounds,
  weekStartOf,
  weekStartOfDate,
  weeksUpTo,
} from '../../src/domain/public-statistics.ts';

describe('quantile (percentile_cont)', () => {
  it('interpolates between the two nearest ranks', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.ok(Math.abs(quantile([4, 1, 3, 2], 0.9)! - 3.7) < 1e-9, 'sorted first');
    assert.equal(quantile([10, 20, 30], 0.5), 20);
    assert.equal(quantile([7], 0.9), 7);
    assert.equal(quantile([], 0.5), null);
  });

  it('gives the known answer of the storage scenario: 12 waits → median 14, p90 29.4', () => {
    const waits = [5, 7, 9, 10, 12, 14, 14, 16, 20, 24, 30, 40];
    assert.equal(quantile(waits, 0.5), 14);
    assert.ok(Math.abs(quantile(waits, 0.9)! - 29.4) < 1e-9);
  });
});

describe('suppression under 10 people', () => {
  it('suppresses a figure on 1 to 9 people, publishes it on 10 or more', () => {
    assert.deepEqual(publishedFigure(14, 9), { value: null, status: 'suppressed' });
    assert.deepEqual(publishedFigure(14, 1), { value: null, status: 'suppressed' });
    assert.deepEqual(publishedFigure(14, 10), { value: 14, status: 'published' });
  });

  it('shows 0 for nobody and "none" for a median of nobody; never suppresses what is not about people', () => {
    assert.deepEqual(publishedFigure(0, 0), { value: 0, status: 'published' });
    assert.deepEqual(publishedFigure(null, 0), { value: null, status: 'none' });
    assert.deepEqual(publishedFigure(3, null), { value: 3, status: 'published' });
  });

  it('applies the base of each indicator: no-shows on the appointments due, shares on their whole', () => {
    const week = {
      ...emptyWeek('93', '*', '2026-06-01'),
      appointmentsDue: 40,
      noShows: 3,
      urgentCases: 7,
      urgentServed: 7,
      requestsBooked: 12,
      waitMedianDays: 14,
      waitP90Days: 29.4,
      slotsOffered: 2,
      urgencyHeld: 4,
      urgencyRefused: 1,
    };
    const { figures } = publishWeek(week);
    assert.deepEqual(figures.no_shows, { value: 3, status: 'published' }, '3 no-shows among 40 people due');
    assert.deepEqual(figures.no_show_rate, { value: 3 / 40, status: 'published' });
    assert.deepEqual(figures.urgent_served_share, { value: null, status: 'suppressed' }, '7 urgent cases');
    assert.deepEqual(figures.urgent_cases, { value: null, status: 'suppressed' });
    assert.deepEqual(figures.wait_median_days, { value: 14, status: 'published' });
    assert.deepEqual(figures.slots_offered, { value: 2, status: 'published' }, 'slots are not people');
    assert.deepEqual(figures.urgency_refused, { value: null, status: 'suppressed' }, 'refused among 4 held');
    assert.deepEqual(
      Object.keys(figures),
      INDICATORS.map((i) => i.id),
    );
  });
});

describe('weeks in the prefecture calendar', () => {
  it('starts on the local Monday', () => {
    assert.equal(weekStartOfDate('2026-06-07'), '2026-06-01', 'a Sunday');
    assert.equal(weekStartOfDate('2026-06-01'), '2026-06-01', 'a Monday');
    assert.equal(weekStartOfDate('2027-01-01'), '2026-12-28', 'across the new year');
  });

  it('buckets an instant by its local date: Sunday night in Cayenne is already Monday in Paris', () => {
    const instant = new Date('2026-06-08T02:30:00Z'); // Sunday 23:30 in Cayenne, Monday 04:30 in Paris
    assert.equal(weekStartOf(instant, 'America/Cayenne'), '2026-06-01');
    assert.equal(weekStartOf(instant, 'Europe/Paris'), '2026-06-08');
    assert.equal(weekStartOf(new Date('2026-06-07T21:59:59Z'), 'Europe/Paris'), '2026-06-01');
    assert.equal(weekStartOf(new Date('2026-06-07T22:00:00Z'), 'Europe/Paris'), '2026-06-08');
  });

  it('has weeks of 167 and 169 hours when the clocks change (Paris, March and October 2026)', () => {
    const spring = weekBounds('2026-03-23', 'Europe/Paris'); // clocks forward on Sunday 29 March
    assert.equal(spring.from.toISOString(), '2026-03-22T23:00:00.000Z');
    assert.equal(spring.to.toISOString(), '2026-03-29T22:00:00.000Z');
    assert.equal((spring.to.getTime() - spring.from.getTime()) / 3_600_000, 167);
    const autumn = weekBounds('2026-10-19', 'Europe/Paris'); // clocks back on Sunday 25 October
    assert.equal((autumn.to.getTime() - autumn.from.getTime()) / 3_600_000, 169);
    // An instant just before the change's Monday midnight stays in the week of the change.
    assert.equal(weekStartOf(new Date('2026-03-29T21:59:00Z'), 'Europe/Paris'), '2026-03-23');
    assert.equal(weekStartOf(new Date('2026-03-29T22:00:00Z'), 'Europe/Paris'), '2026-03-30');
    const noDst = weekBounds('2026-03-23', 'Indian/Reunion');
    assert.equal((noDst.to.getTime() - noDst.from.getTime()) / 3_600_000, 168);
  });

  it('lists a year of weeks up to the current one, oldest first', () => {
    const weeks = weeksUpTo(new Date('2026-12-06T09:00:00Z'), 'Europe/Paris');
    assert.equal(weeks.length, 53);
    assert.equal(weeks.at(-1), '2026-11-30');
    assert.equal(weeks[0], '2025-12-01');
  });

  it('fills the weeks without a stored row with empty ones', () => {
    const stored = { ...emptyWeek('93', '*', '2026-11-23'), draws: 4 };
    const filled = fillWeeks([stored], ['2026-11-16', '2026-11-23', '2026-11-30'], '93', '*');
    assert.deepEqual(
      filled.map((w) => [w.weekStart, w.draws]),
      [
        ['2026-11-16', 0],
        ['2026-11-23', 4],
        ['2026-11-30', 0],
      ],
    );
  });
});

describe('national view order', () => {
  const row = (name: string, wait: number | null, people = 20) => ({
    name,
    week: publishWeek({ ...emptyWeek(name, '*', '2026-11-23'), requestsBooked: people, waitMedianDays: wait }),
  });
  it('puts the worst median wait first, unknown or suppressed waits last', () => {
    const rows = [row('Ain', 10), row('Aisne', null), row('Allier', 40), row('Ardèche', 25, 3)];
    assert.deepEqual(
      sortNational(rows, 'wait_median_days', 'desc').map((r) => r.name),
      ['Allier', 'Ain', 'Aisne', 'Ardèche'],
    );
    assert.deepEqual(
      sortNational(rows, 'wait_median_days', 'asc').map((r) => r.name),
      ['Ain', 'Allier', 'Aisne', 'Ardèche'],
    );
    assert.deepEqual(
      sortNational(rows, 'name', 'desc').map((r) => r.name),
      ['Ardèche', 'Allier', 'Aisne', 'Ain'],
    );
  });
});
