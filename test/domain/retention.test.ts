import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type EvidenceHold,
  holdCovers,
  holdNamesSomething,
  isPastRetention,
  latestPurgeCutoff,
  monthsBefore,
  type RetainedRow,
  retentionCutoffs,
  retentionPeriod,
  retentionPolicy,
  retentionTable,
} from '../../src/domain/retention.ts';

const at = (iso: string) => new Date(iso);
const NOW = at('2026-12-06T03:00:00Z');
const hold = (overrides: Partial<EvidenceHold> = {}): EvidenceHold => ({
  id: '1',
  reason: 'Recours',
  from: null,
  to: null,
  requestIds: [],
  appointmentIds: [],
  ipPrefixes: [],
  releasedAt: null,
  ...overrides,
});
const event = (iso: string, ip: string | null = '203.0.113.9'): RetainedRow => ({
  kind: 'security',
  id: '7',
  at: at(iso),
  ip,
});
const REQUEST_ID = '11111111-1111-4111-8111-111111111111';
const request = (fromIso: string, toIso: string, id = REQUEST_ID): RetainedRow => ({
  kind: 'request',
  id,
  from: at(fromIso),
  at: at(toIso),
});

describe('retention rules', () => {
  it('counts months back in UTC, clamping the day to the month', () => {
    assert.deepEqual(monthsBefore(at('2026-08-31T10:00:00Z'), 6), at('2026-02-28T10:00:00Z'));
    assert.deepEqual(monthsBefore(at('2026-12-06T03:00:00Z'), 24), at('2024-12-06T03:00:00Z'));
    assert.deepEqual(monthsBefore(at('2026-03-31T00:00:00Z'), 1), at('2026-02-28T00:00:00Z'));
    assert.deepEqual(monthsBefore(at('2024-03-31T00:00:00Z'), 1), at('2024-02-29T00:00:00Z'));
    assert.deepEqual(monthsBefore(at('2026-01-15T12:00:00Z'), 13), at('2024-12-15T12:00:00Z'));
  });

  it('gives security events 6 months and the records the configured period, callbacks as before', () => {
    const policy = retentionPolicy(36);
    assert.deepEqual(policy, { securityEventMonths: 6, recordsMonths: 36, callbackDays: 90 });
    assert.equal(retentionPolicy().recordsMonths, 24);
    assert.deepEqual(retentionCutoffs(policy, NOW), {
      security: at('2026-06-06T03:00:00Z'),
      records: at('2023-12-06T03:00:00Z'),
    });
    assert.equal(retentionPeriod(at('2026-12-06T23:59:59Z')), '2026-12-06');
    assert.equal(retentionPeriod(at('2026-12-07T00:00:00Z')), '2026-12-07');
  });

  it('states in the page table the periods the purge applies', () => {
    const table = retentionTable(retentionPolicy(30), 10);
    const values = Object.fromEntries(table.map((row) => [row.key, row.values]));
    assert.deepEqual(values.retentionAppointment, { months: 30 });
    assert.deepEqual(values.retentionSecurity, { months: 6 });
    assert.deepEqual(values.retentionCallback, { days: 90 });
    assert.deepEqual(values.retentionMessages, { days: 30 });
    assert.deepEqual(values.retentionCode, { minutes: 10 });
  });

  it('is past its time strictly before the cutoff, unless a hold covers it', () => {
    const policy = retentionPolicy(24);
    assert.equal(isPastRetention(event('2026-06-06T02:59:59Z'), policy, NOW, []), true);
    assert.equal(isPastRetention(event('2026-06-06T03:00:00Z'), policy, NOW, []), false);
    assert.equal(isPastRetention(request('2024-01-01T00:00:00Z', '2024-12-06T02:59:00Z'), policy, NOW, []), true);
    assert.equal(isPastRetention(request('2024-01-01T00:00:00Z', '2024-12-06T03:00:00Z'), policy, NOW, []), false);
    const byAddress = hold({ ipPrefixes: ['203.0.113.'] });
    assert.equal(isPastRetention(event('2026-01-01T00:00:00Z'), policy, NOW, [byAddress]), false);
    assert.equal(
      isPastRetention(event('2026-01-01T00:00:00Z'), policy, NOW, [{ ...byAddress, releasedAt: NOW }]),
      true,
    );
  });

  it('covers the rows a hold names, within its range, and nothing once released', () => {
    const range = hold({ from: at('2026-03-01T00:00:00Z'), to: at('2026-04-01T00:00:00Z') });
    assert.equal(holdCovers(range, event('2026-03-10T00:00:00Z')), true);
    assert.equal(holdCovers(range, event('2026-04-01T00:00:00Z')), false);
    assert.equal(holdCovers(range, event('2026-02-28T23:59:59Z')), false);
    assert.equal(holdCovers(range, event('2026-03-01T00:00:00Z')), true);
    assert.equal(holdCovers(range, request('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')), true);
    assert.equal(holdCovers(range, request('2026-01-01T00:00:00Z', '2026-02-28T23:59:59Z')), false);
    // A request active across the range is covered by a range alone.
    assert.equal(holdCovers(range, request('2026-02-01T00:00:00Z', '2026-05-01T00:00:00Z')), true);
    assert.equal(holdCovers(range, request('2026-04-02T00:00:00Z', '2026-05-01T00:00:00Z')), false);

    const addressInRange = { ...range, ipPrefixes: ['203.0.113.'] };
    assert.equal(holdCovers(addressInRange, event('2026-03-10T00:00:00Z')), true);
    assert.equal(holdCovers(addressInRange, event('2026-03-10T00:00:00Z', '198.51.100.7')), false);
    assert.equal(holdCovers(addressInRange, event('2026-03-10T00:00:00Z', null)), false);
    assert.equal(holdCovers(addressInRange, request('2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z')), false);
    // Any one of its prefixes is enough.
    const twoNetworks = hold({ ipPrefixes: ['198.51.100.', '203.0.113.'] });
    assert.equal(holdCovers(twoNetworks, event('2026-03-10T00:00:00Z', '203.0.113.9')), true);
    assert.equal(holdCovers(twoNetworks, event('2026-03-10T00:00:00Z', '198.51.100.7')), true);
    assert.equal(holdCovers(twoNetworks, event('2026-03-10T00:00:00Z', '192.0.2.1')), false);

    const byId = hold({ requestIds: [REQUEST_ID] });
    assert.equal(holdCovers(byId, request('2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z')), true);
    assert.equal(
      holdCovers(byId, request('2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z', '22222222-2222-4222-8222-222222222222')),
      false,
    );
    assert.equal(holdCovers(byId, { kind: 'appointment', id: REQUEST_ID, from: NOW, at: NOW }), false);
    // A hold naming a request and an appointment names no address: it keeps no security event.
    const APPOINTMENT_ID = '33333333-3333-4333-8333-333333333333';
    const byIds = hold({ requestIds: [REQUEST_ID], appointmentIds: [APPOINTMENT_ID] });
    assert.equal(holdCovers(byIds, event('2026-03-10T00:00:00Z')), false);
    assert.equal(holdCovers(byIds, { kind: 'appointment', id: APPOINTMENT_ID, from: NOW, at: NOW }), true);
    assert.equal(
      holdCovers({ ...byId, releasedAt: NOW }, request('2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z')),
      false,
    );
  });

  it('refuses a hold that names nothing', () => {
    assert.equal(holdNamesSomething(hold()), false);
    assert.equal(holdNamesSomething(hold({ to: NOW })), true);
    assert.equal(holdNamesSomething(hold({ ipPrefixes: ['10.'] })), true);
    assert.equal(holdNamesSomething(hold({ from: NOW })), true);
    assert.equal(holdNamesSomething(hold({ appointmentIds: ['a'] })), true);
    assert.equal(holdNamesSomething(hold({ requestIds: ['r'], appointmentIds: ['a'] })), true);
  });

  it('lets a purge account only for security events 6 months old at its date', () => {
    assert.deepEqual(latestPurgeCutoff('security', NOW), at('2026-06-06T03:00:00Z'));
    assert.equal(latestPurgeCutoff('audit', NOW), null);
    assert.equal(latestPurgeCutoff('draw', NOW), null);
  });
});
