// The weeks of the agents' reserve (issue 15, Agents 6): four pages of seven days from today.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESERVE_PAGES, reservePage, reserveRange } from '../../src/domain/agent-channel-rules.ts';

describe('reservePage', () => {
  it('cuts the four weeks ahead into pages of seven days', () => {
    assert.equal(RESERVE_PAGES, 4);
    assert.deepEqual(reservePage('2026-03-02', 1), { page: 1, fromDate: '2026-03-02', toDate: '2026-03-08' });
    assert.deepEqual(reservePage('2026-03-02', 2), { page: 2, fromDate: '2026-03-09', toDate: '2026-03-15' });
    // The last page ends where the whole range ends, across a month.
    assert.deepEqual(reservePage('2026-03-02', 4), { page: 4, fromDate: '2026-03-23', toDate: '2026-03-29' });
    assert.equal(reservePage('2026-03-02', 4).toDate, reserveRange('2026-03-02').toDate);
    assert.deepEqual(reservePage('2026-02-23', 2), { page: 2, fromDate: '2026-03-02', toDate: '2026-03-08' });
  });

  it('takes the nearest page for one out of range', () => {
    assert.equal(reservePage('2026-03-02', 0).page, 1);
    assert.equal(reservePage('2026-03-02', -3).fromDate, '2026-03-02');
    assert.equal(reservePage('2026-03-02', 9).page, 4);
    assert.equal(reservePage('2026-03-02', Number.NaN).page, 1);
    assert.equal(reservePage('2026-03-02', 1.5).page, 1);
  });
});
