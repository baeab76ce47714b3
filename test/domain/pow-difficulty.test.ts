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

describe('address parsing, exactly', () => {
  it('reads IPv4 as four whole bytes of 1 to 3 digits, nothing before or after', () => {
    assert.equal(clientAddressOf(' 203.0.113.9 '), '203.0.113.9', 'spaces around');
    assert.equal(clientAddressOf('1.22.3.4'), '1.22.3.4');
    assert.equal(clientAddressOf('192.0.2.255'), '192.0.2.255');
    for (const odd of ['x1.2.3.4', '1.2.3.4x', '192.0.2.256', '1.2.3.4.5']) {
      assert.equal(clientAddressOf(odd), `unparsed:${odd}`, odd);
    }
    // Seven characters then a dotted quad is not an IPv4-mapped address.
    assert.equal(clientAddressOf('garbage1.2.3.4'), 'unparsed:garbage1.2.3.4');
  });

  it('counts as IPv4 only the ::ffff:0:0/96 mapping, however written', () => {
    assert.equal(clientAddressOf('::FFFF:203.0.113.9'), '203.0.113.9');
    assert.equal(clientAddressOf('0:0:0:0:0:ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(clientAddressOf('0000:0000:0000:0000:0000:ffff:255.255.255.255'), '255.255.255.255', '45 characters');
    assert.equal(clientAddressOf('1::ffff:cb00:7109'), '1:0:0:0::/64', 'not all zeros before ffff');
    assert.equal(clientAddressOf('::fffe:cb00:7109'), '0:0:0:0::/64', 'not ffff');
  });

  it('reads IPv6 with or without ::, with a trailing dotted quad, and refuses malformed groups', () => {
    assert.equal(clientAddressOf('1:2:3:4:5:6:7:8'), '1:2:3:4::/64');
    assert.equal(clientAddressOf('1:2:3::4:5:6:7'), '1:2:3:0::/64', ':: for one zero group');
    assert.equal(clientAddressOf('2001:db8:1:2::203.0.113.9'), '2001:db8:1:2::/64');
    assert.equal(subnetOf('2001:db8:1:2::203.0.113.9'), '2001:db8:1::/48');
    assert.equal(clientAddressOf('1:2:3:4:5:6:1.2.3.4'), '1:2:3:4::/64');
    for (const odd of [
      '1:2:3:4::5:6:7:8', // :: standing for no group
      '1:2:3:4:5:6:7', // seven groups
      '1:2:3:4:5:6:7:1.2.3.4', // nine
      'a:b:c:d:e:f:0:1::2::', // two ::
      '12345::1', // five hex digits
      'abg::1',
      '2001:db8::1.2.3', // a short quad
    ]) {
      assert.equal(clientAddressOf(odd), `unparsed:${odd}`, odd);
    }
  });

  it('keeps the first 64 characters of an unparsable address, lower-cased, without its zone', () => {
    assert.equal(clientAddressOf('x'.repeat(100)), `unparsed:${'x'.repeat(64)}`);
    assert.equal(subnetOf('Not An IP%eth0'), 'unparsed:not an ip');
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

  it('carries the last window over into the next one, not over a gap', () => {
    const policy = createDifficultyPolicy();
    for (let i = 0; i < 100; i++) policy.record('198.51.100.7', at(i));
    policy.record('198.51.100.7', at(60_000)); // the next window: the 100 become "previous"
    assert.equal(policy.counts('198.51.100.7', at(90_000)).ip, 51);
    assert.equal(policy.counts('198.51.100.7', at(90_000)).global, 51);
    policy.record('198.51.100.7', at(180_000)); // a window later with nothing in between
    assert.equal(policy.counts('198.51.100.7', at(180_000)).ip, 1);
    assert.equal(policy.counts('198.51.100.7', at(180_000)).global, 1);
  });

  it('remembers exactly maxTrackedKeys addresses and subnets, the least recently seen forgotten', () => {
    const policy = createDifficultyPolicy({ maxTrackedKeys: 3 });
    for (const ip of ['192.0.2.1', '198.51.100.1', '203.0.113.1']) policy.record(ip, T0);
    assert.equal(policy.trackedKeys(), 6);
    policy.record('192.0.2.1', at(1)); // seen again: now the most recent
    policy.record('10.0.0.1', at(2));
    assert.equal(policy.trackedKeys(), 6);
    assert.equal(policy.counts('192.0.2.1', at(3)).ip, 2);
    assert.equal(policy.counts('198.51.100.1', at(3)).ip, 0, 'forgotten');
    assert.equal(policy.counts('203.0.113.1', at(3)).ip, 1);
  });

  it('ignores an attempt at an invalid instant', () => {
    const policy = createDifficultyPolicy();
    policy.record('198.51.100.7', new Date(Number.NaN));
    assert.deepEqual(policy.counts('198.51.100.7', T0), { ip: 0, subnet: 0, global: 0 });
    assert.equal(policy.trackedKeys(), 0);
  });

  it('accepts the extreme settings: 1 everywhere, a fixed difficulty, the 32-bit ceiling', () => {
    const ones = createDifficultyPolicy({
      minMaxNumber: 1,
      maxMaxNumber: 1,
      windowMs: 1,
      freeAttemptsPerIp: 1,
      freeAttemptsPerSubnet: 1,
      freeAttemptsGlobal: 1,
      maxTrackedKeys: 1,
    });
    assert.equal(ones.maxNumberFor('192.0.2.1', T0), 1);
    const fixed = createDifficultyPolicy({ minMaxNumber: 200_000, maxMaxNumber: 200_000 });
    assert.equal(fixed.maxNumberFor('192.0.2.1', T0), 200_000);
    assert.equal(createDifficultyPolicy({ maxMaxNumber: 0xffffffff }).settings.maxMaxNumber, 0xffffffff);
    assert.throws(() => createDifficultyPolicy({ windowMs: 0 }), {
      name: 'RangeError',
      message: 'windowMs must be a positive integer, got 0',
    });
    assert.throws(() => createDifficultyPolicy({ maxTrackedKeys: 2.5 }), {
      message: 'maxTrackedKeys must be a positive integer, got 2.5',
    });
    assert.throws(() => createDifficultyPolicy({ minMaxNumber: 1_000_001 }), {
      message: 'minMaxNumber must not exceed maxMaxNumber',
    });
    assert.throws(() => createDifficultyPolicy({ maxMaxNumber: 0x100000000 }), {
      message: 'maxMaxNumber must fit in 32 bits',
    });
  });

  it('refuses inconsistent settings', () => {
    assert.throws(() => createDifficultyPolicy({ minMaxNumber: 2_000_000 }), RangeError);
    assert.throws(() => createDifficultyPolicy({ windowMs: 0 }), RangeError);
    assert.throws(() => createDifficultyPolicy({ maxMaxNumber: 2 ** 33 }), RangeError);
  });
});
