import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clientAddressOf,
  createDifficultyPolicy,
  DEFAULT_DIFFICULTY_SETTINGS,
  maxNumberForCounts,
  subnetOf,
} from '../../src/domain/pow-difficulty.ts';

const T0 = new Date('2026-06-01T08:00:00Z'); // a window boundary (minutes are aligned)
const at = (ms: number) => new Date(T0.getTime() + ms);
const settings = { ...DEFAULT_DIFFICULTY_SETTINGS }; // floor 50,000, ceiling 1,000,000; 10 / 60 / 6,000 free a minute

describe('maxNumberForCounts', () => {
  it('asks the floor when every source stays within its allowance', () => {
    assert.equal(maxNumberForCounts({ ip: 0, subnet: 0, global: 0 }, settings), 50_000);
    assert.equal(maxNumberForCounts({ ip: 10, subnet: 60, global: 6_000 }, settings), 50_000);
  });

  it('scales the floor by the heaviest pressure: 40 attempts from one IP (4× its allowance) → 200,000', () => {
    assert.equal(maxNumberForCounts({ ip: 40, subnet: 40, global: 40 }, settings), 200_000);
    // the subnet dominates: 180 / 60 = 3
    assert.equal(maxNumberForCounts({ ip: 2, subnet: 180, global: 180 }, settings), 150_000);
    // the whole service: 12,000 / 6,000 = 2
    assert.equal(maxNumberForCounts({ ip: 1, subnet: 1, global: 12_000 }, settings), 100_000);
  });

  it('never exceeds the ceiling, whatever the counts', () => {
    assert.equal(maxNumberForCounts({ ip: 200, subnet: 0, global: 0 }, settings), 1_000_000);
    assert.equal(maxNumberForCounts({ ip: 1e12, subnet: 1e12, global: 1e12 }, settings), 1_000_000);
    assert.equal(maxNumberForCounts({ ip: Infinity, subnet: 0, global: 0 }, settings), 1_000_000);
    assert.equal(maxNumberForCounts({ ip: NaN, subnet: 0, global: 0 }, settings), 1_000_000);
  });

  it('honours other bounds (POW_MIN_MAX_NUMBER, POW_MAX_MAX_NUMBER)', () => {
    const narrow = { ...settings, minMaxNumber: 20_000, maxMaxNumber: 30_000 };
    assert.equal(maxNumberForCounts({ ip: 0, subnet: 0, global: 0 }, narrow), 20_000);
    assert.equal(maxNumberForCounts({ ip: 15, subnet: 0, global: 0 }, narrow), 30_000);
  });
});

describe('clientAddressOf', () => {
  it('counts an IPv4 address as itself and an IPv6 one by its /64', () => {
    assert.equal(clientAddressOf('203.0.113.9'), '203.0.113.9');
    assert.equal(clientAddressOf('2001:db8:12:34::1'), '2001:db8:12:34::/64');
    assert.equal(
      clientAddressOf('2001:DB8:12:34:ffff:1:2:3'),
      '2001:db8:12:34::/64',
      'a rotation inside the /64 is one client',
    );
    assert.notEqual(clientAddressOf('2001:db8:12:35::1'), clientAddressOf('2001:db8:12:34::1'));
    assert.equal(clientAddressOf('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(clientAddressOf('::ffff:cb00:7109'), '203.0.113.9');
    assert.equal(clientAddressOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
  });

  it('keeps anything unparsable apart instead of failing', () => {
    for (const odd of ['', 'localhost', '999.1.1.1', 'gggg::1']) assert.match(clientAddressOf(odd), /^unparsed:/, odd);
  });
});

describe('subnetOf', () => {
  it('groups IPv4 by /24 and IPv6 by /48', () => {
    assert.equal(subnetOf('203.0.113.9'), '203.0.113.0/24');
    assert.equal(subnetOf('203.0.113.250'), '203.0.113.0/24');
    assert.equal(subnetOf('2001:db8:12:34::1'), '2001:db8:12::/48');
    assert.equal(subnetOf('2001:0DB8:0012:ffff:1:2:3:4'), '2001:db8:12::/48');
    assert.equal(subnetOf('2001:db8::1'), '2001:db8:0::/48');
    assert.equal(subnetOf('::1'), '0:0:0::/48');
    assert.equal(subnetOf('fe80::1%eth0'), 'fe80:0:0::/48');
  });

  it('counts IPv4-mapped IPv6 addresses as IPv4', () => {
    assert.equal(subnetOf('::ffff:203.0.113.9'), '203.0.113.0/24');
    assert.equal(subnetOf('::ffff:cb00:7109'), '203.0.113.0/24');
  });

  it('keeps anything unparsable apart instead of failing', () => {
    for (const odd of ['', 'localhost', '999.1.1.1', '1.2.3', '1:2:3', 'gggg::1', '1::2::3', '::ffff:1.2.3.400']) {
      assert.match(subnetOf(odd), /^unparsed:/, odd);
    }
    assert.notEqual(subnetOf('1.2.3'), subnetOf('1.2.4'));
  });
});

describe('DifficultyPolicy', () => {
  it('starts at the floor and raises difficulty for a flooding IP, within bounds', () => {
    const policy = createDifficultyPolicy();
    assert.equal(policy.maxNumberFor('198.51.100.7', T0), 50_000);
    const seen: number[] = [];
    for (let i = 0; i < 400; i++) {
      policy.record('198.51.100.7', at(i * 100)); // 10 attempts a second
      seen.push(policy.maxNumberFor('198.51.100.7', at(i * 100)));
    }
    assert.ok(seen.every((n) => n >= 50_000 && n <= 1_000_000));
    assert.ok(
      seen.every((n, i) => i === 0 || n >= seen[i - 1]!),
      'never decreases while the flood goes on',
    );
    assert.equal(seen[9], 50_000); // 10 attempts: still free
    assert.equal(seen[39], 200_000); // 40 attempts
    assert.equal(seen.at(-1), 1_000_000);
  });

  it('does not punish a neighbour outside the flooding subnet, but does raise it inside', () => {
    const policy = createDifficultyPolicy();
    // 150 addresses of one /24, two attempts each: 300 attempts in the subnet, none over its IP allowance
    for (let i = 0; i < 150; i++) {
      policy.record(`203.0.113.${i}`, at(i * 10));
      policy.record(`203.0.113.${i}`, at(i * 10 + 5));
    }
    assert.equal(policy.counts('203.0.113.200', at(2_000)).subnet, 300);
    assert.equal(policy.maxNumberFor('203.0.113.200', at(2_000)), 250_000); // 300 / 60 = 5
    assert.equal(policy.maxNumberFor('198.51.100.1', at(2_000)), 50_000);
  });

  it("raises everyone's difficulty when the whole service is flooded", () => {
    const policy = createDifficultyPolicy({ freeAttemptsGlobal: 100 });
    for (let i = 0; i < 300; i++) policy.record(`10.${i % 250}.${i}.1`, at(i));
    assert.equal(policy.maxNumberFor('192.0.2.1', at(500)), 150_000);
  });

  it('forgets attempts as the window slides: half a window later, half of the previous minute counts', () => {
    const policy = createDifficultyPolicy();
    for (let i = 0; i < 100; i++) policy.record('198.51.100.7', at(i));
    assert.equal(policy.counts('198.51.100.7', at(59_000)).ip, 100);
    assert.equal(policy.counts('198.51.100.7', at(90_000)).ip, 50);
    assert.equal(policy.maxNumberFor('198.51.100.7', at(90_000)), 250_000);
    assert.equal(policy.counts('198.51.100.7', at(120_000)).ip, 0);
    assert.equal(policy.maxNumberFor('198.51.100.7', at(120_000)), 50_000);
    // long after, the key's counter restarts from zero
    policy.record('198.51.100.7', at(3_600_000));
    assert.equal(policy.counts('198.51.100.7', at(3_600_000)).ip, 1);
  });

  it('keeps memory bounded, forgetting the least recently seen addresses', () => {
    const policy = createDifficultyPolicy({ maxTrackedKeys: 100 });
    for (let i = 0; i < 10_000; i++) policy.record(`2001:db8:${i.toString(16)}::1`, at(i));
    assert.ok(policy.trackedKeys() <= 200);
    assert.equal(policy.counts('2001:db8:0::1', at(10_000)).ip, 0);
    assert.equal(policy.counts('2001:db8:270f::1', at(10_000)).ip, 1);
    assert.equal(policy.counts('192.0.2.1', at(10_000)).global, 10_000);
  });

  it('survives a clock that steps back', () => {
    const policy = createDifficultyPolicy();
    policy.record('198.51.100.7', at(120_000));
    policy.record('198.51.100.7', at(1_000));
    assert.equal(policy.counts('198.51.100.7', at(120_000)).ip, 2);
  });

  it('refuses inconsistent settings', () => {
    assert.throws(() => createDifficultyPolicy({ minMaxNumber: 2_000_000 }), RangeError);
    assert.throws(() => createDifficultyPolicy({ windowMs: 0 }), RangeError);
    assert.throws(() => createDifficultyPolicy({ maxMaxNumber: 2 ** 33 }), RangeError);
  });
});
