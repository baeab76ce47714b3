// The public numbers' pure rules: quantiles as SQL's percentile_cont computes them, the
// suppression rule (fewer than 10 people), weeks of the prefecture's calendar across DST and
// time zones, and the national view's order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_PROCEDURES,
  CHART_IDS,
  emptyWeek,
  fillWeeks,
  INDICATORS,
  type PublishedWeek,
  publishedFigure,
  publishWeek,
  quantile,
  sortNational,
  type WeeklyFigures,
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

  it('orders equal figures by name, A to Z in both orders, whatever order they came in', () => {
    const rows = [row('Cher', 12), row('Ain', 30), row('Aube', 12), row('Doubs', 5), row('Aude', 30)];
    const expected = {
      desc: ['Ain', 'Aude', 'Aube', 'Cher', 'Doubs'],
      asc: ['Doubs', 'Aube', 'Cher', 'Ain', 'Aude'],
    };
    for (const order of ['desc', 'asc'] as const) {
      for (const input of [rows, [...rows].reverse(), [rows[2]!, rows[4]!, rows[0]!, rows[3]!, rows[1]!]]) {
        assert.deepEqual(
          sortNational(input, 'wait_median_days', order).map((r) => r.name),
          expected[order],
          `${order}, from ${input.map((r) => r.name).join(' ')}`,
        );
      }
    }
  });

  it('gives the same order whatever the input order (every permutation of five rows)', () => {
    const rows = [row('Ain', 10), row('Aisne', null), row('Allier', 40), row('Ardèche', 25, 3), row('Ariège', 0)];
    const permutations = (items: typeof rows): (typeof rows)[] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [item, ...p]),
          );
    const all = permutations(rows);
    assert.equal(all.length, 120);
    for (const input of all) {
      assert.deepEqual(
        sortNational(input, 'wait_median_days', 'desc').map((r) => r.name),
        ['Allier', 'Ain', 'Ariège', 'Aisne', 'Ardèche'],
      );
      assert.deepEqual(
        sortNational(input, 'wait_median_days', 'asc').map((r) => r.name),
        ['Ariège', 'Ain', 'Allier', 'Aisne', 'Ardèche'],
      );
    }
  });

  it('puts unknown, suppressed and missing figures last, by name, even when they come first', () => {
    const missing = (name: string): { name: string; week: PublishedWeek } => ({
      name,
      week: { weekStart: '2026-11-23', figures: {} },
    });
    const rows = [missing('Vosges'), row('Somme', 25, 4), row('Oise', null), missing('Eure'), row('Nord', 3)];
    for (const order of ['desc', 'asc'] as const) {
      assert.deepEqual(
        sortNational(rows, 'wait_median_days', order).map((r) => r.name),
        ['Nord', 'Eure', 'Oise', 'Somme', 'Vosges'],
      );
      assert.deepEqual(
        sortNational([...rows].reverse(), 'wait_median_days', order).map((r) => r.name),
        ['Nord', 'Eure', 'Oise', 'Somme', 'Vosges'],
      );
    }
  });

  it('keeps rows of the same name in their input order (a stable sort)', () => {
    const rows = [row('Ain', 1), row('Ain', 2), row('Ain', 3)];
    for (const order of ['desc', 'asc'] as const) {
      assert.deepEqual(
        sortNational(rows, 'name', order).map((r) => r.week.figures.wait_median_days!.value),
        [1, 2, 3],
      );
    }
  });
});

/** A week where every figure differs from the others and every base has 10 people or more. */
const busyWeek: WeeklyFigures = {
  prefectureId: '973',
  procedureId: 'titre-sejour',
  weekStart: '2026-06-01',
  requestsBooked: 120,
  waitMedianDays: 14,
  waitP90Days: 29.4,
  openBooked: 30,
  openMedianDays: 2,
  openP90Days: 6.5,
  requestsWaiting: 250,
  waitingAgeMedianDays: 41,
  slotsOffered: 160,
  slotsTaken: 131,
  slotsOpen: 4,
  slotsUnused: 25,
  urgentCases: 16,
  urgentServed: 12,
  appointmentsDue: 125,
  noShows: 10,
  draws: 7,
  urgencyHeld: 22,
  urgencyRefused: 9,
  fraudHeld: 11,
  fraudRefused: 2,
};

describe('the indicators', () => {
  it('keeps the "all procedures" rows under the procedure id "*"', () => {
    assert.equal(ALL_PROCEDURES, '*');
  });

  it('lists each indicator with its unit, subject and chart, in the order of the CSV columns', () => {
    assert.deepEqual(
      INDICATORS.map((i) => [i.id, i.unit, i.subject, i.chart]),
      [
        ['wait_median_days', 'days', 'people', 'wait'],
        ['wait_p90_days', 'days', 'people', 'wait'],
        ['requests_booked', 'count', 'people', 'wait'],
        ['open_wait_median_days', 'days', 'people', 'openWait'],
        ['open_wait_p90_days', 'days', 'people', 'openWait'],
        ['open_booked', 'count', 'people', 'openWait'],
        ['requests_waiting', 'count', 'people', 'waiting'],
        ['waiting_age_median_days', 'days', 'people', 'waiting'],
        ['slots_offered', 'count', 'slots', 'slots'],
        ['slots_taken', 'count', 'slots', 'slots'],
        ['slots_open', 'count', 'slots', 'slots'],
        ['slots_unused', 'count', 'slots', 'slots'],
        ['urgent_cases', 'count', 'people', 'urgent'],
        ['urgent_served_share', 'share', 'people', 'urgent'],
        ['appointments_due', 'count', 'people', 'noShows'],
        ['no_shows', 'count', 'people', 'noShows'],
        ['no_show_rate', 'share', 'people', 'noShows'],
        ['draws', 'count', 'draws', 'draws'],
        ['urgency_held', 'count', 'people', 'held'],
        ['urgency_refused', 'count', 'people', 'held'],
        ['fraud_held', 'count', 'people', 'held'],
        ['fraud_refused', 'count', 'people', 'held'],
      ],
    );
    // The page's sections come in the order of CHART_IDS, each with at least one indicator.
    assert.deepEqual([...new Set(INDICATORS.map((i) => i.chart))], [...CHART_IDS]);
  });

  it('publishes every figure of a week whose bases all have 10 people or more', () => {
    const published = (value: number) => ({ value, status: 'published' });
    assert.deepEqual(publishWeek(busyWeek), {
      weekStart: '2026-06-01',
      figures: {
        wait_median_days: published(14),
        wait_p90_days: published(29.4),
        requests_booked: published(120),
        open_wait_median_days: published(2),
        open_wait_p90_days: published(6.5),
        open_booked: published(30),
        requests_waiting: published(250),
        waiting_age_median_days: published(41),
        slots_offered: published(160),
        slots_taken: published(131),
        slots_open: published(4),
        slots_unused: published(25),
        urgent_cases: published(16),
        urgent_served_share: published(0.75), // 12 of 16
        appointments_due: published(125),
        no_shows: published(10),
        no_show_rate: published(0.08), // 10 of 125
        draws: published(7),
        urgency_held: published(22),
        urgency_refused: published(9), // 9 refused among 22 people held: the base is 22
        fraud_held: published(11),
        fraud_refused: published(2), // among 11 held
      },
    });
  });

  it('suppresses exactly the figures computed on a base of fewer than 10 people, base by base', () => {
    const bases: Record<string, string[]> = {
      requestsBooked: ['wait_median_days', 'wait_p90_days', 'requests_booked'],
      openBooked: ['open_wait_median_days', 'open_wait_p90_days', 'open_booked'],
      requestsWaiting: ['requests_waiting', 'waiting_age_median_days'],
      urgentCases: ['urgent_cases', 'urgent_served_share'],
      appointmentsDue: ['appointments_due', 'no_shows', 'no_show_rate'],
      urgencyHeld: ['urgency_held', 'urgency_refused'],
      fraudHeld: ['fraud_held', 'fraud_refused'],
    };
    const suppressed = (f: WeeklyFigures) =>
      Object.entries(publishWeek(f).figures)
        .filter(([, figure]) => figure.status === 'suppressed')
        .map(([id]) => id);
    assert.deepEqual(suppressed(busyWeek), []);
    for (const [base, ids] of Object.entries(bases)) {
      // The parts (served, no-shows, refused) stay within their base.
      const small = { ...busyWeek, [base]: 9, urgentServed: 8, noShows: 2, urgencyRefused: 3, fraudRefused: 1 };
      assert.deepEqual(suppressed(small), ids, `${base} = 9`);
      assert.deepEqual(suppressed({ ...small, [base]: 10 }), [], `${base} = 10`);
      for (const id of ids) assert.equal(publishWeek(small).figures[id]!.value, null, id);
    }
  });

  it('suppresses the figures about people, and only them, when every base is 1 to 9', () => {
    const tiny: WeeklyFigures = {
      ...busyWeek,
      requestsBooked: 5,
      openBooked: 5,
      requestsWaiting: 5,
      urgentCases: 5,
      urgentServed: 5,
      appointmentsDue: 5,
      noShows: 1,
      urgencyHeld: 5,
      urgencyRefused: 1,
      fraudHeld: 5,
      fraudRefused: 1,
    };
    const { figures } = publishWeek(tiny);
    for (const i of INDICATORS) {
      assert.equal(figures[i.id]!.status, i.subject === 'people' ? 'suppressed' : 'published', i.id);
    }
  });

  it('shows an empty week as counts of 0 and medians and shares of nobody as "none"', () => {
    const zero = { value: 0, status: 'published' };
    const none = { value: null, status: 'none' };
    assert.deepEqual(publishWeek(emptyWeek('973', ALL_PROCEDURES, '2026-06-01')).figures, {
      wait_median_days: none,
      wait_p90_days: none,
      requests_booked: zero,
      open_wait_median_days: none,
      open_wait_p90_days: none,
      open_booked: zero,
      requests_waiting: zero,
      waiting_age_median_days: none,
      slots_offered: zero,
      slots_taken: zero,
      slots_open: zero,
      slots_unused: zero,
      urgent_cases: zero,
      urgent_served_share: none, // 0 of 0 is no share, not NaN
      appointments_due: zero,
      no_shows: zero,
      no_show_rate: none,
      draws: zero,
      urgency_held: zero,
      urgency_refused: zero,
      fraud_held: zero,
      fraud_refused: zero,
    });
  });
});
