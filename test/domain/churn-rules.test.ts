import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNotCoolingOff, churnWindowStart, coolingOffUntil } from '../../src/domain/churn-rules.ts';

const at = (s: string) => new Date(`${s}T12:00:00Z`);

describe('churn: repeated withdrawals and cancellations cost a cooling-off', () => {
  it('never holds back someone who cancels once or twice in a month', () => {
    assert.equal(coolingOffUntil([], at('2026-03-02')), null);
    assert.equal(coolingOffUntil([at('2026-03-01')], at('2026-03-02')), null);
    assert.equal(coolingOffUntil([at('2026-03-01'), at('2026-03-10')], at('2026-03-11')), null);
  });

  it('starts 7 days from the third within 30 days (worked example: 1, 10 and 20 March → 27 March)', () => {
    const events = [at('2026-03-20'), at('2026-03-01'), at('2026-03-10')];
    assert.deepEqual(coolingOffUntil(events, at('2026-03-21')), at('2026-03-27'));
    assert.equal(coolingOffUntil(events, at('2026-03-27')), null);
    assert.throws(
      () => assertNotCoolingOff(events, at('2026-03-21')),
      (e: any) => e.code === 'COOLING_OFF' && e.details.retryAfter === at('2026-03-27').toISOString(),
    );
    assert.doesNotThrow(() => assertNotCoolingOff(events, at('2026-03-28')));
  });

  it('does not count three events spread over more than 30 days', () => {
    assert.equal(coolingOffUntil([at('2026-01-01'), at('2026-01-20'), at('2026-02-15')], at('2026-02-16')), null);
  });

  it('counts three events exactly 30 days apart, not a millisecond more', () => {
    const third = at('2026-03-31');
    assert.deepEqual(coolingOffUntil([at('2026-03-01'), at('2026-03-15'), third], third), at('2026-04-07'));
    const justLater = new Date(third.getTime() + 1);
    assert.equal(coolingOffUntil([at('2026-03-01'), at('2026-03-15'), justLater], justLater), null);
  });

  it('reads far enough back to see every event that can still count', () => {
    assert.deepEqual(churnWindowStart(at('2026-03-31')), at('2026-02-22'));
  });
});
