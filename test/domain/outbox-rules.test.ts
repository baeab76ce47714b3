import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLAIM_LEASE_MS,
  leaseRenewalIntervalMs,
  leaseSafetyMs,
  MAX_DELIVERY_ATTEMPTS,
  nextAttemptAfterFailure,
  OUTBOX_RETENTION_MS,
  outboxMessageId,
  RECORD_SENT_RETRY_DELAYS_MS,
  REMINDER_LEAD_MS,
  reminderDueAt,
  retryDelayMs,
} from '../../src/domain/outbox-rules.ts';

const MINUTE = 60_000;

describe('outbox rules', () => {
  it('retries after 30 s, doubling, capped at an hour', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 7, 8, 9, 1_000].map(retryDelayMs), [
      30_000,
      30_000,
      MINUTE,
      2 * MINUTE,
      4 * MINUTE,
      32 * MINUTE,
      60 * MINUTE,
      60 * MINUTE,
      60 * MINUTE,
    ]);
  });

  it('gives up after the last attempt', () => {
    const now = new Date('2026-06-01T08:00:00Z');
    assert.equal(nextAttemptAfterFailure(3, now)?.toISOString(), '2026-06-01T08:02:00.000Z');
    assert.equal(
      nextAttemptAfterFailure(MAX_DELIVERY_ATTEMPTS - 1, now)?.toISOString(),
      new Date(now.getTime() + retryDelayMs(MAX_DELIVERY_ATTEMPTS - 1)).toISOString(),
    );
    assert.equal(nextAttemptAfterFailure(MAX_DELIVERY_ATTEMPTS, now), null);
    assert.equal(nextAttemptAfterFailure(2, now, 2), null);
    assert.equal(nextAttemptAfterFailure(1, now, 2)?.toISOString(), '2026-06-01T08:00:30.000Z');
  });

  it('renews a lease every third of it, and starts no send with less than a third left', () => {
    assert.deepEqual([leaseRenewalIntervalMs(CLAIM_LEASE_MS), leaseSafetyMs(CLAIM_LEASE_MS)], [20_000, 20_000]);
    assert.deepEqual([leaseRenewalIntervalMs(100), leaseSafetyMs(100)], [33, 33]);
    // A tiny lease still renews (never every 0 ms).
    assert.deepEqual([leaseRenewalIntervalMs(2), leaseSafetyMs(2)], [1, 0]);
  });

  it('retries recording a sent message for about 10 s, well within the lease; keeps finished messages 30 days', () => {
    assert.deepEqual(RECORD_SENT_RETRY_DELAYS_MS, [250, 500, 1_000, 2_000, 2_000, 2_000, 2_000]);
    const total = RECORD_SENT_RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0);
    assert.ok(total < CLAIM_LEASE_MS - leaseSafetyMs(CLAIM_LEASE_MS), String(total));
    assert.equal(OUTBOX_RETENTION_MS, 30 * 86_400_000);
  });

  it('sends the reminder 48 h before, unless that moment has passed', () => {
    const startsAt = new Date('2026-06-08T07:00:00Z');
    assert.equal(REMINDER_LEAD_MS, 48 * 3_600_000);
    assert.equal(reminderDueAt(startsAt, new Date('2026-06-01T08:00:00Z'))?.toISOString(), '2026-06-06T07:00:00.000Z');
    assert.equal(
      reminderDueAt(startsAt, new Date('2026-06-06T06:59:59.999Z'))?.toISOString(),
      '2026-06-06T07:00:00.000Z',
    );
    assert.equal(reminderDueAt(startsAt, new Date('2026-06-06T07:00:00Z')), null);
    assert.equal(reminderDueAt(startsAt, new Date('2026-06-07T07:00:00Z')), null);
  });

  it('names a message after its outbox row, the same at every attempt', () => {
    assert.equal(
      outboxMessageId('6f1c2a4e-0000-4000-8000-000000000001'),
      '<outbox.6f1c2a4e-0000-4000-8000-000000000001@creneau>',
    );
  });
});
