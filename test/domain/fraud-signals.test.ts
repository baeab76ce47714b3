import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_FRAUD_THRESHOLDS,
  FRAUD_COUNT_CAP,
  FRAUD_SIGNAL_KINDS,
  type FraudSignalKind,
  holdLapsesAt,
  networkOf,
  privateEmailDomain,
  type RequestFacts,
  reasonInWords,
  scoreRequest,
  shouldHold,
} from '../../src/domain/fraud-signals.ts';

const none: RequestFacts = Object.fromEntries(FRAUD_SIGNAL_KINDS.map((k) => [k, 0])) as unknown as RequestFacts;
const facts = (counts: Partial<RequestFacts>): RequestFacts => ({ ...none, ...counts });

describe('fraud signals: a score with its reasons', () => {
  it('scores nothing for an ordinary request, and a family of six on one phone and one device is ordinary', () => {
    assert.deepEqual(scoreRequest(none), { score: 0, reasons: [] });
    assert.deepEqual(scoreRequest(facts({ shared_phone: 6, shared_device: 6, network_burst: 19, churn: 2 })), {
      score: 0,
      reasons: [],
    });
  });

  it('adds the points of every signal at its threshold, the strong points at the strong one, strongest first', () => {
    assert.deepEqual(scoreRequest(facts({ network_burst: 20 })), {
      score: 20,
      reasons: [{ kind: 'network_burst', count: 20, points: 20 }],
    });
    assert.deepEqual(scoreRequest(facts({ network_burst: 100, email_domain_crowd: 10, no_shows: 2 })), {
      score: 70,
      reasons: [
        { kind: 'network_burst', count: 100, points: 35 },
        { kind: 'email_domain_crowd', count: 10, points: 25 },
        { kind: 'no_shows', count: 2, points: 10 },
      ],
    });
    // Equal points: the order of FRAUD_SIGNAL_KINDS.
    assert.deepEqual(
      scoreRequest(facts({ ignored_offers: 2, churn: 3 })).reasons.map((r) => r.kind),
      ['churn', 'ignored_offers'],
    );
  });

  it("holds on no signal genuine people produce alone, on a fleet's own domain with its phone numbers, on refusals at a counter piling up", () => {
    const hold = (counts: Partial<RequestFacts>) => shouldHold(scoreRequest(facts(counts)), 'none', []);
    for (const kind of [
      'network_burst',
      'shared_phone',
      'shared_device',
      'churn',
      'ignored_offers',
      'no_shows',
    ] as const)
      assert.equal(hold({ [kind]: DEFAULT_FRAUD_THRESHOLDS.rules[kind].from }), false, kind);
    // Even strong, these stay under the hold score alone (README: the fraud simulation's figures).
    for (const kind of [
      'network_burst',
      'email_domain_crowd',
      'shared_phone',
      'shared_device',
      'likely_duplicate',
    ] as const)
      assert.equal(hold({ [kind]: 1_000 }), false, kind);
    // A legal-aid office's phone and computer together: under it; with its own domain: held.
    assert.equal(hold({ shared_phone: 15, shared_device: 15 }), false);
    assert.equal(hold({ shared_phone: 15, shared_device: 15, email_domain_crowd: 10 }), true);
    // A fleet's catch-all domain and VoIP numbers.
    assert.equal(hold({ email_domain_crowd: 50, shared_phone: 15 }), true);
    assert.equal(hold({ email_domain_crowd: 49, shared_phone: 15 }), false);
    assert.equal(hold({ network_burst: 20, email_domain_crowd: 10 }), false);
    assert.equal(hold({ identity_refused: 1 }), false);
    assert.equal(hold({ identity_refused: 4 }), false);
    assert.equal(hold({ identity_refused: 5 }), true);
    assert.equal(hold({ likely_duplicate: 1, network_burst: 20 }), false);
    assert.equal(hold({ likely_duplicate: 3, network_burst: 20 }), true);
    assert.equal(hold({ likely_duplicate: 1, no_shows: 2 }), false);
  });

  it('takes configured rules and hold score', () => {
    const rules = { ...DEFAULT_FRAUD_THRESHOLDS.rules, churn: { from: 1, points: 5, strong: 2, strongPoints: 7 } };
    assert.equal(scoreRequest(facts({ churn: 1 }), rules).score, 5);
    assert.equal(scoreRequest(facts({ churn: 2 }), rules).score, 7);
    assert.equal(shouldHold(scoreRequest(facts({ churn: 2 }), rules), 'none', [], 7), true);
    assert.equal(shouldHold(scoreRequest(facts({ churn: 2 }), rules), 'none', [], 8), false);
  });

  it('does not hold again what is held or refused, nor a cleared request for the same kinds of evidence', () => {
    const score = scoreRequest(facts({ network_burst: 100, email_domain_crowd: 50 }));
    assert.equal(shouldHold(score, 'held', []), false);
    assert.equal(shouldHold(score, 'refused', []), false);
    const cleared: FraudSignalKind[] = ['network_burst', 'email_domain_crowd'];
    assert.equal(shouldHold(score, 'cleared', cleared), false);
    assert.equal(
      shouldHold(scoreRequest(facts({ network_burst: 100, email_domain_crowd: 50, no_shows: 2 })), 'cleared', cleared),
      true,
    );
    assert.equal(shouldHold(scoreRequest(facts({ network_burst: 20 })), 'cleared', ['email_domain_crowd']), false);
  });

  it('lapses a hold after the configured hours', () => {
    const heldAt = new Date('2026-03-02T09:00:00Z');
    assert.deepEqual(holdLapsesAt(heldAt), new Date('2026-03-05T09:00:00Z'));
    assert.deepEqual(holdLapsesAt(heldAt, 24), new Date('2026-03-03T09:00:00Z'));
  });

  it('lists the reasons strongest first, equal points in the order of the signals', () => {
    // Defaults: likely_duplicate 45 (strong), network_burst 20, email_domain_crowd 25, shared_phone 20, no_shows 10.
    const { score, reasons } = scoreRequest(
      facts({ no_shows: 2, shared_phone: 7, network_burst: 20, likely_duplicate: 3, email_domain_crowd: 10 }),
    );
    assert.equal(score, 120);
    assert.deepEqual(
      reasons.map((r) => [r.kind, r.points]),
      [
        ['likely_duplicate', 45],
        ['email_domain_crowd', 25],
        ['network_burst', 20],
        ['shared_phone', 20],
        ['no_shows', 10],
      ],
    );
  });

  it('gives every reason in French and English with its count', () => {
    for (const kind of FRAUD_SIGNAL_KINDS) {
      const fr = reasonInWords({ kind, count: 37, points: 1 }, 'fr');
      const en = reasonInWords({ kind, count: 37, points: 1 }, 'en');
      assert.match(fr, /37/);
      assert.match(en, /37/);
      assert.notEqual(fr, en);
    }
    assert.equal(
      reasonInWords({ kind: 'network_burst', count: 32, points: 25 }, 'en'),
      '32 requests filed from the same network within 24 hours',
    );
  });

  it('reads a count at the cap as "or more", and one below it as it is', () => {
    assert.equal(
      reasonInWords({ kind: 'network_burst', count: FRAUD_COUNT_CAP, points: 35 }, 'en'),
      `${FRAUD_COUNT_CAP} or more requests filed from the same network within 24 hours`,
    );
    assert.equal(
      reasonInWords({ kind: 'shared_phone', count: FRAUD_COUNT_CAP, points: 30 }, 'fr'),
      `${FRAUD_COUNT_CAP} ou plus personnes ont donné le même numéro de téléphone en 90 jours`,
    );
    assert.equal(
      reasonInWords({ kind: 'network_burst', count: FRAUD_COUNT_CAP - 1, points: 35 }, 'en'),
      `${FRAUD_COUNT_CAP - 1} requests filed from the same network within 24 hours`,
    );
  });
});

describe('fraud signals: what is counted together', () => {
  it('counts an IPv4 address by its /24 and an IPv6 address by its /64; a mapped IPv4 as IPv4', () => {
    assert.equal(networkOf('203.0.113.77'), '203.0.113.0/24');
    assert.equal(networkOf('::ffff:203.0.113.9'), '203.0.113.0/24');
    assert.equal(networkOf('2001:db8:0:1:abcd::7'), '2001:db8:0:1::/64');
    assert.equal(networkOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(networkOf(' 10.1.2.3 '), '10.1.2.0/24');
    assert.equal(networkOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
  });

  it('gives no network for no address or a malformed one', () => {
    for (const bad of [null, '', 'localhost', '256.1.1.1', '1.2.3', '2001:db8:::1', '0x1.2.3.4', '1.2.3.4.5'])
      assert.equal(networkOf(bad), null, String(bad));
  });

  it('counts a private email domain, never a large public provider', () => {
    assert.equal(privateEmailDomain('a.b@Example-Fleet.FR'), 'example-fleet.fr');
    assert.equal(privateEmailDomain('x@rdv-express.com.'), 'rdv-express.com');
    assert.equal(privateEmailDomain('x@Foyer-Relais.fr  '), 'foyer-relais.fr');
    for (const email of ['x@gmail.com', 'y@ORANGE.fr', 'z@laposte.net', null, '', 'no-at-sign', '@example.org'])
      assert.equal(privateEmailDomain(email), null, String(email));
  });
});
