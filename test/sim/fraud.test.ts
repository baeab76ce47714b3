// The fraud simulation (src/sim/fraud-population.ts, fraud-report.ts, bench/fraud.ts): the facts
// are counted as RequestFacts documents them, the reported rates are counts over the generated
// requests, the same seed gives the same report, and the defaults hold what they are meant to.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  DEFAULT_FRAUD_THRESHOLDS,
  FRAUD_SIGNAL_KINDS,
  networkOf,
  privateEmailDomain,
  type RequestFacts,
  scoreRequest,
} from '../../src/domain/fraud-signals.ts';
import type { Filing, FraudPopulation, IdentityEvent } from '../../src/sim/fraud-population.ts';
import {
  FactCounter,
  type FraudReport,
  HOLD_SCORE_GRID,
  measuredRequests,
  scoreRequests,
  simulateFraud,
} from '../../src/sim/fraud-report.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'creneau-fraud-sim-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const DAY = 24;
const SMALL = { seed: 7, scale: 20_000, measuredDays: 10 } as const;
const small = simulateFraud(SMALL);

/** A hand-made request: `over` replaces the defaults (a lone person at home, live to the end). */
function filing(id: number, at: number, over: Partial<Filing> = {}): Filing {
  return {
    id,
    at,
    closedAt: 10_000,
    bookedAt: null,
    identity: id,
    population: 'genuine',
    segment: 'alone',
    ip: `198.51.${id % 250}.7`,
    email: `p${id}@gmail.com`,
    phone: `phone-${id}`,
    device: `device-${id}`,
    names: `person-${id}`,
    ...over,
  };
}

const population = (filings: Filing[], events: IdentityEvent[] = [], measureFrom = 0): FraudPopulation => ({
  filings,
  events,
  measureFrom,
  measureTo: 10_000,
});

/** The facts as RequestFacts words them, counted the slow way: every filing and event, one by one. */
function bruteCounter(p: FraudPopulation): (f: Filing, t: number) => RequestFacts {
  const networks = p.filings.map((g) => networkOf(g.ip));
  const domains = p.filings.map((g) => privateEmailDomain(g.email));
  const inWindow = (at: number, end: number, window: number) => at > end - window && at <= end;
  return (f, t) => {
    const network = networks[f.id]!;
    const domain = domains[f.id]!;
    const facts = Object.fromEntries(FRAUD_SIGNAL_KINDS.map((k) => [k, 0])) as unknown as RequestFacts;
    const sets = {
      domain: new Set<number>(),
      phone: new Set<number>(),
      device: new Set<number>(),
      names: new Set<number>(),
    };
    for (const g of p.filings) {
      if (network !== null && networks[g.id] === network && inWindow(g.at, t, DAY)) facts.network_burst++;
      // Filed, or its appointment created, within the window.
      const shares = (window: number) =>
        inWindow(g.at, t, window) || (g.bookedAt !== null && inWindow(g.bookedAt, t, window));
      if (domain !== null && domains[g.id] === domain && shares(30 * DAY)) sets.domain.add(g.identity);
      if (f.phone !== null && g.phone === f.phone && shares(90 * DAY)) sets.phone.add(g.identity);
      if (f.device !== null && g.device === f.device && shares(30 * DAY)) sets.device.add(g.identity);
      if (g.names === f.names && g.identity !== f.identity && g.at <= t && g.closedAt > t) sets.names.add(g.identity);
    }
    facts.email_domain_crowd = sets.domain.size;
    facts.shared_phone = sets.phone.size;
    facts.shared_device = sets.device.size;
    facts.likely_duplicate = sets.names.size;
    for (const e of p.events) {
      const g = p.filings[e.filing]!;
      if (e.kind === 'churn' && g.identity === f.identity && inWindow(e.at, t, 90 * DAY)) facts.churn++;
      if (e.kind === 'ignored_offer' && g.identity === f.identity && inWindow(e.at, t, 180 * DAY))
        facts.ignored_offers++;
      if (e.kind === 'no_show' && g.identity === f.identity && inWindow(e.at, t, 180 * DAY)) facts.no_shows++;
      const shares =
        g.identity === f.identity ||
        (f.email !== null && g.email === f.email) ||
        (f.phone !== null && g.phone === f.phone) ||
        (network !== null && networks[g.id] === network);
      if (e.kind === 'identity_refused' && shares && inWindow(e.at, t, 180 * DAY)) facts.identity_refused++;
    }
    return facts;
  };
}

describe('fraud simulation: the facts, as the store counts them', () => {
  it('counts each signal over its window, the request itself included, a window open at its start', () => {
    const filings = [
      filing(0, 0, { ip: '203.0.113.4', email: 'a@fleet.example', phone: 'voip-1' }),
      filing(1, 10, { ip: '203.0.113.9', email: 'b@fleet.example', phone: 'voip-1', identity: 0 }),
      filing(2, 24, { ip: '203.0.113.200', email: 'c@fleet.example', phone: 'voip-1', names: 'x' }),
      filing(3, 30, { ip: null, email: 'd@gmail.com', phone: null, device: null, names: 'x', closedAt: 40 }),
      filing(4, 50, { names: 'x', device: 'device-2' }),
    ];
    const events: IdentityEvent[] = [
      { at: 12, kind: 'churn', filing: 1 },
      { at: 20, kind: 'identity_refused', filing: 0 },
      { at: 22, kind: 'ignored_offer', filing: 1 },
    ];
    const p = population(filings, events);
    const counter = new FactCounter(p);
    const none = Object.fromEntries(FRAUD_SIGNAL_KINDS.map((k) => [k, 0])) as unknown as RequestFacts;
    // The first filing, 24 hours before, is out of the network window; identities 0 and 2 on the domain and phone.
    assert.deepEqual(counter.factsAt(filings[2]!, 24), {
      ...none,
      network_burst: 2,
      email_domain_crowd: 2,
      shared_phone: 2,
      shared_device: 1,
      identity_refused: 1,
    });
    // Identity 0, filed again: its churn and its ignored offer; the refusal of its own earlier request.
    assert.deepEqual(counter.factsAt(filings[1]!, 22), {
      ...none,
      network_burst: 2,
      email_domain_crowd: 1,
      shared_phone: 1,
      shared_device: 1,
      churn: 1,
      ignored_offers: 1,
      identity_refused: 1,
    });
    // Filed by an agent: no network, no device; a public provider is not counted.
    assert.deepEqual(counter.factsAt(filings[3]!, 30), { ...none, likely_duplicate: 1 });
    // The namesake at 30 is closed by 50; the one at 24 is live; the device is request 2's.
    assert.deepEqual(counter.factsAt(filings[4]!, 50), {
      ...none,
      network_burst: 1,
      shared_phone: 1,
      shared_device: 2,
      likely_duplicate: 1,
    });
    // 90 days after the churn it no longer counts; 90 days minus an hour it does.
    assert.equal(counter.factsAt(filings[1]!, 12 + 90 * DAY).churn, 0);
    assert.equal(counter.factsAt(filings[1]!, 11 + 90 * DAY).churn, 1);
  });

  it('counts an appointment created in the window as sharing, and the network burst up to the instant scored', () => {
    const a = filing(0, 0, { email: 'a@univ.example', phone: 'phone-shared', ip: '203.0.113.1', bookedAt: 35 * DAY });
    const b = filing(1, 40 * DAY, { email: 'b@univ.example', phone: 'phone-shared' });
    const c = filing(2, 40 * DAY + 10, { ip: '203.0.113.2' });
    const counter = new FactCounter(population([a, b, c]));
    // A was filed 40 days before B, outside the 30 days, but its appointment was created within them.
    assert.equal(counter.factsAt(b, 40 * DAY).email_domain_crowd, 2);
    assert.equal(counter.factsAt(b, 40 * DAY).shared_phone, 2);
    const unbooked = new FactCounter(population([{ ...a, bookedAt: null }, b, c]));
    assert.equal(unbooked.factsAt(b, 40 * DAY).email_domain_crowd, 1);
    assert.equal(unbooked.factsAt(b, 40 * DAY).shared_phone, 2);
    // A, scored again 40 days later, meets C's filing on its network, not its own.
    assert.equal(counter.factsAt(a, 0).network_burst, 1);
    assert.equal(counter.factsAt(a, 40 * DAY + 10).network_burst, 1);
    assert.equal(counter.factsAt(a, 40 * DAY + 20).network_burst, 1);
    assert.equal(counter.factsAt(a, 41 * DAY + 10).network_burst, 0);
  });

  it('gives every measured request the facts a one-by-one count gives (every 11th request of a small run)', () => {
    const { population: p, measured } = small;
    const bruteFacts = bruteCounter(p);
    assert.ok(measured.length > 1_000, `${measured.length} measured requests`);
    let checked = 0;
    for (let i = 0; i < measured.length; i += 11) {
      const { filing: f, facts } = measured[i]!;
      const moments = [
        f.at,
        ...p.events.filter((e) => e.filing === f.id && e.kind === 'ignored_offer').map((e) => e.at),
      ];
      assert.deepEqual(
        facts,
        moments.filter((t) => t < p.measureTo).map((t) => bruteFacts(f, t)),
        `request ${f.id}`,
      );
      checked++;
    }
    assert.ok(checked > 100, `${checked} checked`);
  });
});

describe('fraud simulation: the figures', () => {
  it('reports, for every hold score of the grid, the shares a direct count over the requests gives', () => {
    const { population: p, report } = small;
    const measured = p.filings.filter((f) => f.at >= p.measureFrom && f.at < p.measureTo);
    const counter = new FactCounter(p);
    const maxScore = new Map(
      measured.map((f) => {
        const moments = [
          f.at,
          ...p.events.filter((e) => e.filing === f.id && e.kind === 'ignored_offer').map((e) => e.at),
        ];
        return [
          f.id,
          Math.max(...moments.filter((t) => t < p.measureTo).map((t) => scoreRequest(counter.factsAt(f, t)).score)),
        ];
      }),
    );
    assert.deepEqual(
      report.grid.map((r) => r.holdScore),
      HOLD_SCORE_GRID,
    );
    for (const row of report.grid) {
      const count = (population: string) => {
        const list = measured.filter((f) => f.population === population);
        const held = list.filter((f) => maxScore.get(f.id)! >= row.holdScore).length;
        return { requests: list.length, held, share: held / list.length };
      };
      const genuine = count('genuine');
      assert.deepEqual(row.genuine, { ...genuine, heldPerDay: genuine.held / SMALL.measuredDays }, `${row.holdScore}`);
      for (const [name, figures] of Object.entries(row.fleets)) assert.deepEqual(figures, count(name), name);
    }
    const atDefault = report.grid.find((r) => r.holdScore === DEFAULT_FRAUD_THRESHOLDS.holdScore)!;
    assert.deepEqual(report.atHoldScore.genuine, atDefault.genuine);
    assert.equal(
      report.atHoldScore.genuinePeopleHeld,
      new Set(
        measured
          .filter((f) => f.population === 'genuine' && maxScore.get(f.id)! >= DEFAULT_FRAUD_THRESHOLDS.holdScore)
          .map((f) => f.identity),
      ).size,
    );
    assert.equal(
      Object.values(report.population.bySegment).reduce((a, b) => a + b, 0),
      report.population.genuineRequests,
    );
  });

  it('holds, at the defaults, every request of a naive fleet and of one on its own domain and phone numbers', () => {
    const fleets = small.report.atHoldScore.fleets;
    for (const name of ['naive', 'rotating', 'rentedOwnDomain']) {
      assert.ok(fleets[name]!.requests > 100, name);
      assert.equal(fleets[name]!.held, fleets[name]!.requests, name);
    }
    assert.ok(small.report.atHoldScore.signals.naive!.email_domain_crowd! > 0);
  });

  it('holds nothing of the careful fleets, at any hold score of the grid (the other defences answer them)', () => {
    for (const row of small.report.grid) {
      for (const name of ['madeUpCareful', 'rentedCareful']) assert.equal(row.fleets[name]!.held, 0, name);
    }
  });

  it('never holds a genuine person filing alone for where they file from, nor a family for sharing a phone and device', () => {
    for (const s of small.scored) {
      if (s.filing.population !== 'genuine' || s.heldFor.length === 0) continue;
      const kinds = s.heldFor.map((r) => r.kind);
      assert.ok(
        kinds.some((k) => !['network_burst', 'shared_phone', 'shared_device'].includes(k)),
        `${s.filing.segment} ${kinds.join(' ')}`,
      );
    }
    // A family of six on one phone, one device, one home network and one private domain, each
    // filing twice (after a no-show): never held.
    const family = Array.from({ length: 6 }, (_, i) =>
      filing(i, i * 0.1, {
        identity: i,
        segment: 'family',
        ip: '192.0.2.10',
        email: 'family@dupont-famille.example',
        phone: 'phone-family',
        device: 'device-family',
      }),
    );
    const again = family.map((f, i) => ({ ...f, id: 6 + i, at: 40 * DAY + i * 0.1 }));
    const p = population([...family, ...again], [{ at: 30 * DAY, kind: 'no_show', filing: 0 }]);
    const scored = scoreRequests(measuredRequests(p));
    assert.equal(scored.length, 12);
    assert.deepEqual(
      scored.map((s) => s.maxScore),
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
  });
});

describe('fraud simulation: reproducible, `npm run bench:fraud`', () => {
  it('gives the same report for the same seed, another for another seed, and the command writes it', async () => {
    const again = simulateFraud(SMALL);
    assert.equal(JSON.stringify(again.report), JSON.stringify(small.report));
    const other = simulateFraud({ ...SMALL, seed: 8 });
    assert.notEqual(other.report.population.genuineRequests, small.report.population.genuineRequests);

    const json = join(directory, 'fraud.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/fraud.ts', '--seed', '7', '--scale', '20000', '--days', '10', '--json', json],
      { cwd: ROOT },
    );
    assert.equal(readFileSync(json, 'utf8'), `${JSON.stringify(small.report, null, 2)}\n`);
    assert.match(
      stdout,
      /^fraud simulation: seed 7, 20,000 appointments a year, 10 days measured after 180 of history\n/,
    );
    assert.match(stdout, /\n {8}60 \| /);

    // Other rules, in part (the other signals keep the defaults), on a variant of the population.
    const rules = join(directory, 'rules.json');
    writeFileSync(rules, JSON.stringify({ holdScore: 90, rules: { churn: { from: 2 } } }));
    const variant = join(directory, 'variant.json');
    await promisify(execFile)(
      process.execPath,
      [
        ...['--import', 'tsx', 'bench/fraud.ts', '--seed', '7', '--scale', '20000', '--days', '10'],
        ...['--thresholds', rules, '--variant', 'associationsOwnContacts', '--json', variant, '--quiet'],
      ],
      { cwd: ROOT },
    );
    const report = JSON.parse(readFileSync(variant, 'utf8')) as FraudReport;
    assert.equal(report.thresholds.holdScore, 90);
    assert.deepEqual(report.thresholds.rules, {
      ...DEFAULT_FRAUD_THRESHOLDS.rules,
      churn: { ...DEFAULT_FRAUD_THRESHOLDS.rules.churn, from: 2 },
    });
    assert.deepEqual(report.atHoldScore.genuine, report.grid.find((r) => r.holdScore === 90)!.genuine);
    assert.equal(report.parameters.genuine.associations.officeEmailShare, 0);
    assert.equal(report.parameters.genuine.associations.officePhoneShare, 0);
  });
});
