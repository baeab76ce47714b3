// Pure rules of direct booking (domain/booking-rules.ts), each at its edges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertDirectlyBookable,
  assertManageable,
  assertPlausibleBirthDate,
  assertReschedulable,
  assertSearchRange,
  requiredIdentityMaterial,
  storedIdentityNumbers,
} from '../../src/domain/booking-rules.ts';
import type { DomainError } from '../../src/domain/errors.ts';

const person = { surname: 'Sow', givenNames: 'Fatou', birthDate: '1990-04-12', nationality: 'SEN' };
const refusal = (code: string, details?: Record<string, unknown>) => (e: unknown) => {
  assert.equal((e as DomainError).code, code);
  if (details) assert.deepEqual((e as DomainError).details, details);
  return true;
};

describe('which procedures take a booking', () => {
  it('books counter procedures only; postal and online ones are refused with their channel', () => {
    assert.doesNotThrow(() => assertDirectlyBookable({ channel: 'appointment' }));
    for (const channel of ['postal', 'online'] as const)
      assert.throws(() => assertDirectlyBookable({ channel }), refusal('PROCEDURE_NOT_BOOKABLE_DIRECTLY', { channel }));
  });
});

describe('the identity proof a procedure asks for', () => {
  it('takes the AGDREF number for a renewal and the passport (with its country) for a first request', () => {
    const both = { ...person, agdrefNumber: '751 234 567', passportNumber: 'ab 123-456' };
    assert.equal(requiredIdentityMaterial(both, 'agdref'), 'agdref:0751234567');
    assert.equal(requiredIdentityMaterial(both, 'passport'), 'passport:SEN:AB123456');
  });

  it('says which proof is missing, even when the other one is given', () => {
    assert.throws(
      () => requiredIdentityMaterial({ ...person, passportNumber: 'AB123456' }, 'agdref'),
      (e: unknown) =>
        refusal('IDENTITY_PROOF_MISMATCH', { required: 'agdref' })(e) && /AGDREF/.test((e as Error).message),
    );
    assert.throws(
      () => requiredIdentityMaterial({ ...person, agdrefNumber: '0751234567' }, 'passport'),
      (e: unknown) =>
        refusal('IDENTITY_PROOF_MISMATCH', { required: 'passport' })(e) && /passport/.test((e as Error).message),
    );
  });

  it('names the malformed field and its format', () => {
    assert.throws(
      () => requiredIdentityMaterial({ ...person, agdrefNumber: '12345' }, 'agdref'),
      refusal('VALIDATION_FAILED', { errors: [{ path: 'agdrefNumber', message: 'must be 9 or 10 digits' }] }),
    );
    assert.throws(
      () => requiredIdentityMaterial({ ...person, passportNumber: 'A1' }, 'passport'),
      refusal('VALIDATION_FAILED', {
        errors: [{ path: 'passportNumber', message: 'must be 5 to 20 letters or digits' }],
      }),
    );
  });

  it('stores the normalised number of the proof asked for, and only that one', () => {
    const both = { ...person, agdrefNumber: '751 234 567', passportNumber: 'ab 123-456' };
    assert.deepEqual(storedIdentityNumbers(both, 'agdref'), { agdrefNumber: '0751234567', passportNumber: null });
    assert.deepEqual(storedIdentityNumbers(both, 'passport'), { agdrefNumber: null, passportNumber: 'AB123456' });
    assert.deepEqual(storedIdentityNumbers(person, 'passport'), { agdrefNumber: null, passportNumber: null });
  });
});

describe('managing an appointment', () => {
  const startsAt = new Date('2026-06-02T07:00:00Z');
  const booked = { status: 'booked', startsAt, rescheduleCount: 0 };

  it('is possible while booked and until the instant it starts, not from then on', () => {
    assert.doesNotThrow(() => assertManageable(booked, new Date(startsAt.getTime() - 1)));
    assert.throws(() => assertManageable(booked, startsAt), refusal('APPOINTMENT_NOT_ACTIVE', { status: 'booked' }));
    for (const status of ['cancelled', 'arrived'])
      assert.throws(
        () => assertManageable({ ...booked, status }, new Date('2026-06-01T00:00:00Z')),
        refusal('APPOINTMENT_NOT_ACTIVE', { status }),
      );
  });

  it('allows exactly maxReschedules moves', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    assert.doesNotThrow(() => assertReschedulable({ ...booked, rescheduleCount: 1 }, 2, now));
    assert.throws(
      () => assertReschedulable({ ...booked, rescheduleCount: 2 }, 2, now),
      refusal('RESCHEDULE_LIMIT_REACHED', { maxReschedules: 2 }),
    );
    assert.throws(
      () => assertReschedulable({ ...booked, status: 'cancelled' }, 2, now),
      refusal('APPOINTMENT_NOT_ACTIVE'),
    );
  });
});

describe('searches and birth dates', () => {
  it('searches 1 to 92 days, "from" not after "to"', () => {
    assert.doesNotThrow(() => assertSearchRange('2026-03-01', '2026-03-01'));
    assert.doesNotThrow(() => assertSearchRange('2026-03-01', '2026-05-31')); // 92 days
    for (const [from, to] of [
      ['2026-03-01', '2026-06-01'], // 93 days
      ['2026-03-02', '2026-03-01'],
    ] as const)
      assert.throws(() => assertSearchRange(from, to), refusal('DATE_RANGE_INVALID', { fromDate: from, toDate: to }));
  });

  it('takes birth dates from 1900-01-01 to today, both included', () => {
    const now = new Date('2026-06-01T23:30:00Z');
    for (const ok of ['1900-01-01', '2026-06-01']) assert.doesNotThrow(() => assertPlausibleBirthDate(ok, now));
    for (const bad of ['1899-12-31', '2026-06-02'])
      assert.throws(
        () => assertPlausibleBirthDate(bad, now),
        refusal('VALIDATION_FAILED', {
          errors: [{ path: 'applicant.birthDate', message: 'must be between 1900-01-01 and today' }],
        }),
      );
  });
});
