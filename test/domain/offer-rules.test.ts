import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../src/domain/errors.ts';
import {
  afterDecline,
  afterIgnore,
  assertAnswerable,
  earliestOfferableStart,
  extendDeadline,
  extensionDeadline,
  halfDayOf,
  isAnswerable,
  isShortNotice,
  type OfferState,
  offerDeadline,
  offersLeft,
  type RequestCounters,
} from '../../src/domain/offer-rules.ts';

const at = (s: string) => new Date(s);
const code = (code: string) => (e: unknown) => e instanceof DomainError && e.code === code;

describe('offer deadline', () => {
  it('is min(now + offer hours, slot start − 2 h)', () => {
    // Made Monday 09:00 for Friday 10:00, 48 h → Wednesday 09:00.
    assert.equal(
      offerDeadline(at('2026-06-01T09:00:00Z'), 48, at('2026-06-05T10:00:00Z')).toISOString(),
      '2026-06-03T09:00:00.000Z',
    );
    // For Tuesday 14:00 → Tuesday 12:00.
    assert.equal(
      offerDeadline(at('2026-06-01T09:00:00Z'), 48, at('2026-06-02T14:00:00Z')).toISOString(),
      '2026-06-02T12:00:00.000Z',
    );
  });

  it('offers slots down to 3 h ahead (an hour to answer), and calls those leaving under 24 h short-notice', () => {
    const now = at('2026-06-01T09:00:00Z');
    assert.equal(earliestOfferableStart(now, 48).toISOString(), '2026-06-01T12:00:00.000Z'); // 2 h + 1 h
    // A slot just at the limit leaves one hour to answer.
    assert.equal(offerDeadline(now, 48, earliestOfferableStart(now, 48)).getTime() - now.getTime(), 3_600_000);
    assert.equal(isShortNotice({ createdAt: now, slotStartsAt: at('2026-06-02T10:59:00Z') }), true);
    assert.equal(isShortNotice({ createdAt: now, slotStartsAt: at('2026-06-02T11:00:00Z') }), false);
  });

  it('classes slots in half-days at noon, local time', () => {
    assert.equal(halfDayOf(9 * 60 + 30), 'am');
    assert.equal(halfDayOf(11 * 60 + 59), 'am');
    assert.equal(halfDayOf(12 * 60), 'pm');
    assert.equal(halfDayOf(16 * 60 + 30), 'pm');
  });
});

describe('answering and extending an offer', () => {
  const offer: OfferState = {
    status: 'pending',
    expiresAt: at('2026-06-03T09:00:00Z'),
    extended: false,
    slotStartsAt: at('2026-06-10T08:00:00Z'),
  };

  it('answers until the deadline, not at it', () => {
    assert.equal(isAnswerable(offer, at('2026-06-03T08:59:59Z')), true);
    assert.equal(isAnswerable(offer, at('2026-06-03T09:00:00Z')), false);
    assert.equal(isAnswerable({ ...offer, status: 'confirmed' }, at('2026-06-01T00:00:00Z')), false);
    assert.doesNotThrow(() => assertAnswerable(offer, at('2026-06-03T08:59:59Z')));
    assert.throws(() => assertAnswerable(offer, at('2026-06-03T09:00:00Z')), code('OFFER_EXPIRED'));
    assert.throws(
      () => assertAnswerable({ ...offer, status: 'expired' }, at('2026-06-01T00:00:00Z')),
      code('OFFER_EXPIRED'),
    );
    assert.throws(
      () => assertAnswerable({ ...offer, status: 'confirmed' }, at('2026-06-01T00:00:00Z')),
      code('OFFER_NOT_FOUND'),
    );
    // An answered offer stays answered once its deadline has passed: not "expired".
    assert.throws(
      () => assertAnswerable({ ...offer, status: 'declined' }, at('2026-06-04T00:00:00Z')),
      code('OFFER_NOT_FOUND'),
    );
  });

  it('extends once by the offer duration, from the current deadline', () => {
    assert.equal(extendDeadline(offer, 48, at('2026-06-02T00:00:00Z')).toISOString(), '2026-06-05T09:00:00.000Z');
    assert.throws(
      () => extendDeadline({ ...offer, extended: true }, 48, at('2026-06-02T00:00:00Z')),
      code('OFFER_ALREADY_EXTENDED'),
    );
    assert.throws(() => extendDeadline(offer, 48, at('2026-06-03T10:00:00Z')), code('OFFER_EXPIRED'));
  });

  it('never past 2 hours before the appointment, and not at all when the deadline is already there', () => {
    const soon = { ...offer, slotStartsAt: at('2026-06-04T10:00:00Z') };
    assert.equal(extensionDeadline(soon, 48)?.toISOString(), '2026-06-04T08:00:00.000Z');
    assert.equal(extensionDeadline({ ...soon, extended: true }, 48), null);
    const atCutoff = { ...offer, expiresAt: at('2026-06-04T08:00:00Z'), slotStartsAt: at('2026-06-04T10:00:00Z') };
    assert.equal(extensionDeadline(atCutoff, 48), null);
    assert.throws(() => extendDeadline(atCutoff, 48, at('2026-06-03T00:00:00Z')), code('OFFER_NOT_EXTENDABLE'));
  });
});

describe('what declines and ignored offers do to a request (max 2 declines, 2 ignored offers)', () => {
  const fresh: RequestCounters = { declinedCount: 0, ignoredCount: 0 };
  const limits = { maxDeclines: 2, maxIgnoredOffers: 2 };

  it('puts the request back in the queue after a decline, up to the limit; the next decline closes it', () => {
    const once = afterDecline(fresh, limits);
    assert.deepEqual(once, { declinedCount: 1, ignoredCount: 0, status: 'waiting' });
    assert.deepEqual(offersLeft(once, limits), { declines: 1, ignored: 1 });
    const twice = afterDecline(once, limits);
    assert.equal(twice.status, 'waiting');
    assert.equal(afterDecline(twice, limits).status, 'closed');
    assert.equal(afterDecline(fresh, { maxDeclines: 0 }).status, 'closed');
  });

  it('pauses the request after an ignored offer, and closes it at the second', () => {
    const once = afterIgnore(fresh, limits);
    assert.deepEqual(once, { declinedCount: 0, ignoredCount: 1, status: 'paused' });
    assert.deepEqual(offersLeft(once, limits), { declines: 2, ignored: 0 });
    assert.equal(afterIgnore(once, limits).status, 'closed');
    assert.equal(afterIgnore(fresh, { maxIgnoredOffers: 1 }).status, 'closed');
  });

  it('counts declines and ignored offers apart: decline, ignore, decline → still live', () => {
    const a = afterDecline(fresh, limits);
    const b = afterIgnore(a, limits);
    assert.equal(b.status, 'paused');
    assert.equal(afterDecline(b, limits).status, 'waiting');
  });
});
