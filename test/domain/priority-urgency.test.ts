// Urgency comes from facts (domain/priority.ts): the registry's date counts at once, a declared
// one only once an agent confirms it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  epochDayOf,
  NO_URGENCY,
  type Urgency,
  urgencyOnChange,
  urgencyOnFiling,
  verifiedUrgencyDate,
} from '../../src/domain/priority.ts';

const registry: Urgency = { urgencyDate: '2026-07-01', urgencySource: 'registry', urgencyStatus: 'confirmed' };
const declared: Urgency = { urgencyDate: '2026-06-15', urgencySource: 'declared', urgencyStatus: 'pending' };

describe('urgency on filing', () => {
  it("takes the registry's expiry, confirmed, and ignores a declared date next to it", () => {
    assert.deepEqual(urgencyOnFiling({ registryExpiry: '2026-07-01', declared: '2026-06-01' }), registry);
  });

  it('takes a declared date pending review, and no date as no urgency', () => {
    assert.deepEqual(urgencyOnFiling({ registryExpiry: null, declared: '2026-06-15' }), declared);
    assert.deepEqual(urgencyOnFiling({ registryExpiry: null, declared: null }), NO_URGENCY);
  });
});

describe('urgency on a change of the declared date', () => {
  it('keeps a registry or closure urgency whatever the applicant declares', () => {
    assert.equal(urgencyOnChange(registry, '2026-06-02'), registry);
    const closure: Urgency = { urgencyDate: '2026-06-10', urgencySource: 'closure', urgencyStatus: 'confirmed' };
    assert.equal(urgencyOnChange(closure, null), closure);
  });

  it('keeps a confirmed declared date when the same date comes again, reviews a new one, drops a removed one', () => {
    const confirmed: Urgency = { ...declared, urgencyStatus: 'confirmed' };
    assert.equal(urgencyOnChange(confirmed, '2026-06-15'), confirmed);
    assert.deepEqual(urgencyOnChange(confirmed, '2026-06-02'), {
      urgencyDate: '2026-06-02',
      urgencySource: 'declared',
      urgencyStatus: 'pending',
    });
    assert.deepEqual(urgencyOnChange(confirmed, null), NO_URGENCY);
    assert.deepEqual(urgencyOnChange(NO_URGENCY, '2026-06-20'), {
      urgencyDate: '2026-06-20',
      urgencySource: 'declared',
      urgencyStatus: 'pending',
    });
  });
});

describe('the date a draw may rank on', () => {
  it('is a confirmed date only: pending and refused ones count for nothing', () => {
    assert.equal(verifiedUrgencyDate({ urgencyDate: '2026-06-15', urgencyStatus: 'confirmed' }), '2026-06-15');
    for (const urgencyStatus of ['pending', 'refused', 'none'] as const)
      assert.equal(verifiedUrgencyDate({ urgencyDate: '2026-06-15', urgencyStatus }), null);
  });
});

describe('calendar dates of urgency', () => {
  it('counts days since 1970-01-01 and refuses what is not a calendar date, naming the field', () => {
    assert.equal(epochDayOf('1970-01-02'), 1);
    assert.equal(epochDayOf('2024-02-29'), 19782);
    for (const bad of ['2026-02-30', '2026-13-01', '0000-01-01', '2026-01-01T00:00', 'x2026-01-01'])
      assert.throws(
        () => epochDayOf(bad, 'urgencyDate'),
        (e: any) =>
          e.code === 'VALIDATION_FAILED' &&
          e.message === 'urgencyDate must be a calendar date YYYY-MM-DD' &&
          e.details.urgencyDate === bad,
        bad,
      );
  });
});
