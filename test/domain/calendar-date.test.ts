import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  addDays,
  addMonths,
  compareCalendarDates,
  dateOfDayNumber,
  dayNumberOf,
  daysBetween,
  daysInMonth,
  isCalendarDate,
  isLeapYear,
  isoWeekday,
} from '../../src/domain/calendar-date.ts';
import { propertyRuns } from '../support/property-runs.ts';

const DAY_MS = 86_400_000;
const FIRST = dayNumberOf('0001-01-01')!;
const LAST = dayNumberOf('9999-12-31')!;

/** The independent oracle: JavaScript's own calendar (setUTCFullYear, so years 1–99 stay themselves). */
function utcOf(year: number, month: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d;
}
const isoOf = (d: Date): string =>
  `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;

const dayNumber = fc.integer({ min: FIRST, max: LAST });
const date = dayNumber.map(dateOfDayNumber);
const nearDate = fc.integer({ min: dayNumberOf('1900-01-01')!, max: dayNumberOf('2200-12-31')! }).map(dateOfDayNumber);

describe('calendar dates: what a date is', () => {
  it('a leap day only in leap years: 2024 and 2000 are, 2026 and 1900 are not', () => {
    assert.equal(isCalendarDate('2024-02-29'), true);
    assert.equal(isCalendarDate('2000-02-29'), true);
    assert.equal(isCalendarDate('2026-02-29'), false);
    assert.equal(isCalendarDate('1900-02-29'), false);
    assert.deepEqual([2024, 2000, 2026, 1900].map(isLeapYear), [true, true, false, false]);
  });

  it('refuses impossible days and months, other shapes and anything but a string', () => {
    for (const bad of [
      '2026-02-30',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '2026-01-32',
      '2026-1-01',
      '2026-01-1',
      '26-01-01',
      ' 2026-01-01',
      '2026-01-01 ',
      '2026-01-01T00:00',
      '2026-01-01T00:00:00Z',
      '20260101',
      '2026/01/01',
      '+02026-01-01',
      '0000-01-01',
      '١٢٣٤-01-01',
      '',
    ]) {
      assert.equal(isCalendarDate(bad), false, bad);
      assert.equal(dayNumberOf(bad), null, bad);
      assert.throws(() => addDays(bad, 1), RangeError, bad);
    }
    for (const notAString of [null, undefined, 20605, new Date('2026-01-01'), ['2026-01-01']]) {
      assert.equal(isCalendarDate(notAString), false);
    }
  });

  it('accepts exactly the real dates, like JavaScript’s calendar, from 0001 to 9999', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const real = m >= 1 && m <= 12 && d >= 1 && isoOf(utcOf(y, m, d)) === text;
          assert.equal(isCalendarDate(text), real, text);
        },
      ),
      { numRuns: propertyRuns(3000) },
    );
  });

  it('days in each month, February by leap year', () => {
    assert.deepEqual(
      Array.from({ length: 12 }, (_, i) => daysInMonth(2026, i + 1)),
      [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
    );
    assert.equal(daysInMonth(2024, 2), 29);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        // Day 0 of the next month is the last of this one.
        assert.equal(daysInMonth(y, m), utcOf(y, m + 1, 0).getUTCDate());
      }),
    );
  });
});

describe('calendar dates: day numbers and arithmetic', () => {
  it('day numbers count from 1970-01-01, like Date.UTC', () => {
    assert.equal(dayNumberOf('1970-01-01'), 0);
    assert.equal(dayNumberOf('2026-06-01'), 20605);
    assert.equal(dateOfDayNumber(-1), '1969-12-31');
    fc.assert(
      fc.property(nearDate, (d) => {
        const [y, m, day] = d.split('-').map(Number) as [number, number, number];
        assert.equal(dayNumberOf(d), Date.UTC(y, m - 1, day) / DAY_MS);
      }),
    );
  });

  it('a date and its day number go round trip, over the whole range', () => {
    fc.assert(
      fc.property(dayNumber, (n) => {
        const d = dateOfDayNumber(n);
        assert.equal(isCalendarDate(d), true);
        assert.equal(dayNumberOf(d), n);
      }),
      { numRuns: propertyRuns(2000) },
    );
    assert.throws(() => dateOfDayNumber(FIRST - 1), RangeError);
    assert.throws(() => dateOfDayNumber(LAST + 1), RangeError);
    assert.throws(() => dateOfDayNumber(0.5), RangeError);
  });

  it('addDays(d, n) is n days after d: daysBetween gives n back, and n = 0 gives d', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -100_000, max: 100_000 }), (d, n) => {
        const target = dayNumberOf(d)! + n;
        fc.pre(target >= FIRST && target <= LAST);
        const moved = addDays(d, n);
        assert.equal(daysBetween(d, moved), n);
        assert.equal(daysBetween(moved, d), 0 - n); // not -n: -0 is not 0 to assert
        assert.equal(addDays(moved, -n), d);
        assert.equal(Math.sign(compareCalendarDates(moved, d)), Math.sign(n));
      }),
    );
    fc.assert(fc.property(date, (d) => assert.equal(addDays(d, 0), d)));
  });

  it('crosses month and year ends and leap days', () => {
    assert.equal(addDays('2026-02-27', 2), '2026-03-01');
    assert.equal(addDays('2028-02-28', 1), '2028-02-29');
    assert.equal(addDays('2026-02-28', 1), '2026-03-01');
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2000-03-01', -1), '2000-02-29');
    assert.equal(addDays('1900-03-01', -1), '1900-02-28');
    assert.equal(daysBetween('2026-01-01', '2027-01-01'), 365);
    assert.equal(daysBetween('2028-01-01', '2029-01-01'), 366);
    assert.throws(() => addDays('9999-12-31', 1), RangeError);
    fc.assert(
      fc.property(nearDate, fc.integer({ min: -1000, max: 1000 }), (d, n) => {
        const [y, m, day] = d.split('-').map(Number) as [number, number, number];
        assert.equal(addDays(d, n), isoOf(utcOf(y, m, day + n)));
      }),
    );
  });

  it('string order is date order', () => {
    fc.assert(
      fc.property(date, date, (a, b) => {
        assert.equal(Math.sign(compareCalendarDates(a, b)), a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });

  it('the ISO weekday matches Date.UTC: 1 = Monday … 7 = Sunday', () => {
    assert.equal(isoWeekday('2026-06-01'), 1);
    assert.equal(isoWeekday('2026-06-07'), 7);
    assert.equal(isoWeekday('1970-01-01'), 4);
    fc.assert(
      fc.property(date, (d) => {
        const [y, m, day] = d.split('-').map(Number) as [number, number, number];
        assert.equal(isoWeekday(d), utcOf(y, m, day).getUTCDay() || 7);
      }),
    );
  });
});

describe('calendar dates: months', () => {
  it('moves by calendar months and clamps the day to the end of the month', () => {
    assert.equal(addMonths('2026-10-15', -4), '2026-06-15');
    assert.equal(addMonths('2026-05-31', -3), '2026-02-28');
    assert.equal(addMonths('2028-05-31', -3), '2028-02-29');
    assert.equal(addMonths('2026-03-15', -4), '2025-11-15');
    assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
    assert.equal(addMonths('2026-12-31', 2), '2027-02-28');
    assert.equal(addMonths('2026-07-31', -1), '2026-06-30');
    assert.equal(addMonths('2026-02-10', 0), '2026-02-10');
    assert.throws(() => addMonths('2026-02-30', 1), RangeError);
    assert.throws(() => addMonths('9999-12-01', 1), RangeError);
  });

  it('always lands on a real date in the target month, on the same day when it exists', () => {
    fc.assert(
      fc.property(nearDate, fc.integer({ min: -240, max: 240 }), (d, n) => {
        const moved = addMonths(d, n);
        assert.equal(isCalendarDate(moved), true);
        const [y, m, day] = d.split('-').map(Number) as [number, number, number];
        const [y2, m2, day2] = moved.split('-').map(Number) as [number, number, number];
        assert.equal(y2 * 12 + m2 - (y * 12 + m), n);
        assert.equal(day2, Math.min(day, daysInMonth(y2, m2)));
      }),
    );
  });
});
