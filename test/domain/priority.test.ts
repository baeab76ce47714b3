import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isDomainError } from '../../src/domain/errors.ts';
import { DEFAULT_SOON_DAYS, epochDayOf, priorityClassOf } from '../../src/domain/priority.ts';
import { propertyRuns } from '../support/property-runs.ts';

const today = '2026-06-01';

describe('priorityClassOf', () => {
  it('class 0 once the permit or récépissé has expired (valid through its date, expired the day after)', () => {
    assert.equal(priorityClassOf({ urgencyDate: '2026-05-31', today }), 0);
    assert.equal(priorityClassOf({ urgencyDate: '2019-01-01', today }), 0);
  });

  it('class 1 when it expires within 30 days by default, today and the 30th day included', () => {
    assert.equal(DEFAULT_SOON_DAYS, 30);
    assert.equal(priorityClassOf({ urgencyDate: '2026-06-01', today }), 1); // last valid day
    assert.equal(priorityClassOf({ urgencyDate: '2026-07-01', today }), 1); // 30 days ahead
    assert.equal(priorityClassOf({ urgencyDate: '2026-07-02', today }), 2); // 31 days ahead
  });

  it('class 2 without any urgency date', () => {
    assert.equal(priorityClassOf({ urgencyDate: null, today }), 2);
  });

  it('the "soon" threshold is configurable (e.g. 60 days for a procedure with long files, 0 = only today)', () => {
    assert.equal(priorityClassOf({ urgencyDate: '2026-07-20', today, soonDays: 60 }), 1);
    assert.equal(priorityClassOf({ urgencyDate: '2026-07-20', today, soonDays: 30 }), 2);
    assert.equal(priorityClassOf({ urgencyDate: '2026-06-01', today, soonDays: 0 }), 1);
    assert.equal(priorityClassOf({ urgencyDate: '2026-06-02', today, soonDays: 0 }), 2);
  });

  it('counts calendar days across months, leap years and DST changes', () => {
    assert.equal(priorityClassOf({ urgencyDate: '2028-03-01', today: '2028-02-28', soonDays: 1 }), 2); // 2028-02-29 exists
    assert.equal(priorityClassOf({ urgencyDate: '2028-03-01', today: '2028-02-28', soonDays: 2 }), 1);
    assert.equal(priorityClassOf({ urgencyDate: '2026-03-30', today: '2026-03-28', soonDays: 2 }), 1); // DST in France on 29 March
  });

  it('refuses malformed dates and thresholds with VALIDATION_FAILED', () => {
    const refused = (e: unknown) => isDomainError(e) && e.code === 'VALIDATION_FAILED';
    for (const bad of ['2026-02-30', '2026-13-01', '01/06/2026', '2026-6-1', '', '2026-06-01T00:00:00Z']) {
      assert.throws(() => priorityClassOf({ urgencyDate: bad, today }), refused, bad);
      assert.throws(() => priorityClassOf({ urgencyDate: null, today: bad }), refused, bad);
    }
    assert.throws(() => priorityClassOf({ urgencyDate: today, today, soonDays: -1 }), refused);
    assert.throws(() => priorityClassOf({ urgencyDate: today, today, soonDays: 1.5 }), refused);
  });

  it('is monotonic: a later expiry never gives a more urgent class', () => {
    const date = fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, date, date, fc.nat(400), (a, b, now, soonDays) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        assert.ok(
          priorityClassOf({ urgencyDate: early, today: now, soonDays }) <=
            priorityClassOf({ urgencyDate: late, today: now, soonDays }),
        );
        assert.equal(epochDayOf(late) - epochDayOf(early) >= 0, true);
      }),
      { seed: 2026, numRuns: propertyRuns(300) },
    );
  });
});
