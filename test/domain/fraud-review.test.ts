// The pure rules the fraud review adds (domain/fraud-signals.ts, domain/agenda-rules.ts): when a
// hold counts, what a clearance covers, which email domains are counted, what FRAUD_SIGNAL_RULES
// may say, and when "identity refused" may be recorded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canRefuseIdentity, identityRefusalFor } from '../../src/domain/agenda-rules.ts';
import { DomainError } from '../../src/domain/errors.ts';
import {
  clearedKindsOf,
  countedEmailDomain,
  DEFAULT_FRAUD_THRESHOLDS,
  decisionReasonProblem,
  FRAUD_COUNT_CAP,
  HOLD_REASON_MAX_LENGTH,
  isHeldAt,
  isHoldDecision,
  signalRulesProblem,
} from '../../src/domain/fraud-signals.ts';

const at = (iso: string) => new Date(iso);
const codeOf = (run: () => unknown): string => {
  try {
    run();
    return 'none';
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
};

describe('fraud review rules', () => {
  it('holds until the lapse, not at it; only a held state holds', () => {
    const lapses = at('2026-06-04T08:00:00Z');
    assert.equal(isHeldAt('held', lapses, at('2026-06-04T07:59:59.999Z')), true);
    assert.equal(isHeldAt('held', lapses, lapses), false);
    assert.equal(isHeldAt('held', null, at('2026-06-01T00:00:00Z')), false);
    for (const state of ['none', 'cleared', 'refused'] as const)
      assert.equal(isHeldAt(state, lapses, at('2026-06-01T00:00:00Z')), false);
  });

  it('a clearance covers the kinds it was given on, added to those covered before, in the signals order', () => {
    assert.deepEqual(
      clearedKindsOf(
        {
          reasons: [
            { kind: 'email_domain_crowd', count: 12, points: 35 },
            { kind: 'network_burst', count: 22, points: 25 },
          ],
        },
        ['churn'],
      ),
      ['network_burst', 'email_domain_crowd', 'churn'],
    );
  });

  it('needs a decision and a reason of at most 1000 characters', () => {
    assert.equal(isHoldDecision('cleared'), true);
    assert.equal(isHoldDecision('refused'), true);
    assert.equal(isHoldDecision('lapsed'), false);
    assert.equal(decisionReasonProblem('   '), 'reason_required');
    assert.equal(decisionReasonProblem('x'.repeat(HOLD_REASON_MAX_LENGTH)), null);
    assert.equal(decisionReasonProblem('x'.repeat(HOLD_REASON_MAX_LENGTH + 1)), 'reason_too_long');
  });

  it('counts private domains, not public providers nor the reserved documentation domains', () => {
    assert.equal(countedEmailDomain('a@Fleet.Example.fr'), 'fleet.example.fr');
    assert.equal(countedEmailDomain('a@gmail.com'), null);
    for (const email of [
      'a@example.org',
      'a@example.net',
      'a@mail.example.com',
      'a@x.test',
      'a@host.localhost',
      'a@x.invalid',
    ])
      assert.equal(countedEmailDomain(email), null, email);
    assert.equal(countedEmailDomain('a@myexample.org'), 'myexample.org');
  });

  it('accepts the default rules and refuses a strong threshold or strong points below the first', () => {
    assert.equal(signalRulesProblem(DEFAULT_FRAUD_THRESHOLDS.rules), null);
    const rules = DEFAULT_FRAUD_THRESHOLDS.rules;
    assert.equal(
      signalRulesProblem({ ...rules, churn: { ...rules.churn, from: 7 } }),
      'churn: "strong" (6) must not be below "from" (7)',
    );
    assert.equal(
      signalRulesProblem({ ...rules, no_shows: { ...rules.no_shows, strongPoints: 5 } }),
      'no_shows: "strongPoints" (5) must not be below "points" (10)',
    );
    assert.equal(
      signalRulesProblem({ ...rules, network_burst: { ...rules.network_burst, strong: FRAUD_COUNT_CAP + 1 } }),
      `network_burst: "strong" (${FRAUD_COUNT_CAP + 1}) must not be above ${FRAUD_COUNT_CAP}, where the counts stop`,
    );
    assert.equal(
      signalRulesProblem({ ...rules, network_burst: { ...rules.network_burst, strong: FRAUD_COUNT_CAP } }),
      null,
    );
    // One threshold and one weight for both levels is allowed.
    assert.equal(signalRulesProblem({ ...rules, churn: { from: 4, points: 20, strong: 4, strongPoints: 20 } }), null);
  });

  it('records an identity refused on the appointment day only, from booked or arrived', () => {
    // Paris, slot Tuesday 2 June 2026 09:00 (07:00Z).
    const subject = (status: 'booked' | 'arrived' | 'served' | 'cancelled') => ({
      status,
      startsAt: at('2026-06-02T07:00:00Z'),
      timeZone: 'Europe/Paris',
    });
    assert.deepEqual(identityRefusalFor(subject('booked'), at('2026-06-02T06:00:00Z')), { from: 'booked' });
    assert.deepEqual(identityRefusalFor(subject('arrived'), at('2026-06-02T21:59:00Z')), { from: 'arrived' });
    assert.equal(
      codeOf(() => identityRefusalFor(subject('booked'), at('2026-06-02T22:00:00Z'))),
      'CHECK_IN_NOT_TODAY',
    );
    assert.equal(
      codeOf(() => identityRefusalFor(subject('served'), at('2026-06-02T08:00:00Z'))),
      'APPOINTMENT_STATUS_CONFLICT',
    );
    assert.equal(canRefuseIdentity(subject('cancelled'), at('2026-06-02T08:00:00Z')), false);
    assert.equal(canRefuseIdentity(subject('booked'), at('2026-06-01T08:00:00Z')), false);
  });
});
