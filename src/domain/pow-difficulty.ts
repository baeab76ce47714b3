// Adaptive difficulty of the proof of work: the busier an IP address, its subnet (/24 in
// IPv4, /48 in IPv6) or the whole service, the more work a new challenge asks for.
//
// Difficulty is ALTCHA's "maxNumber": the server picks the secret counter of a challenge in
// [maxNumber/2, maxNumber] and the browser tries counters 0, 1, 2… until it finds it, so a
// challenge costs 0.75 × maxNumber SHA-256 on average and maxNumber at worst. The bounds
// (POW_MIN_MAX_NUMBER, POW_MAX_MAX_NUMBER) are chosen for a low-end phone: assuming the
// widget's workers reach 350,000 SHA-256/s together (see docs/PROOF-OF-WORK.md),
//   floor    50,000 → at worst 0.14 s (the widget shows at least 0.5 s anyway),
//   ceiling 1,000,000 → at worst 2.9 s, 2.1 s on average.
//
// Pressure: each source is given a free allowance of attempts per window (an attempt is a
// challenge fetched or a solution submitted, so one form sent is two attempts). Pressure is
// the largest ratio count / allowance over the three sources, and
//     maxNumber = clamp(floor × pressure, floor, ceiling).
// Example (defaults: 10 attempts a minute per IP, 60 per subnet, 6,000 in all): an IP that
// made 40 attempts in the last minute gets pressure 4 → maxNumber 200,000; at 200 attempts
// it reaches the ceiling. Its total work thus grows with the square of its rate, while a
// person booking once pays the floor.
//
// Counting is a sliding-window estimate (the current fixed window plus the previous one,
// weighted by how much of it still overlaps the sliding window — as Cloudflare's rate
// limiter does): two numbers per key, no timestamps list. It lives in memory, per instance:
// behind a load balancer spreading requests over N instances each sees about 1/N of a
// flood, so difficulty rises later; the rate limits (shared through Redis) still hold.
// Memory is bounded: past `maxTrackedKeys` addresses or subnets, the least recently seen
// are forgotten (the subnet and global counters still see a flood spread over many IPs).
//
// Pure: time comes in as an argument; no I/O, no clock, no randomness.

export interface DifficultySettings {
  /** maxNumber when nothing unusual happens (POW_MIN_MAX_NUMBER). */
  minMaxNumber: number;
  /** maxNumber under the heaviest pressure (POW_MAX_MAX_NUMBER). */
  maxMaxNumber: number;
  /** Length of the counting window. */
  windowMs: number;
  /** Attempts per window and IP address that cost nothing extra. */
  freeAttemptsPerIp: number;
  /** Attempts per window and /24 (IPv4) or /48 (IPv6) subnet that cost nothing extra. */
  freeAttemptsPerSubnet: number;
  /** Attempts per window on this instance, all sources together, that cost nothing extra. */
  freeAttemptsGlobal: number;
  /** Addresses (and, separately, subnets) remembered at most. */
  maxTrackedKeys: number;
}

export const DEFAULT_DIFFICULTY_SETTINGS: DifficultySettings = Object.freeze({
  minMaxNumber: 50_000,
  maxMaxNumber: 1_000_000,
  windowMs: 60_000,
  freeAttemptsPerIp: 10,
  freeAttemptsPerSubnet: 60,
  freeAttemptsGlobal: 6_000,
  maxTrackedKeys: 100_000,
});

/** Estimated attempts over the last window. */
export interface AttemptCounts {
  ip: number;
  subnet: number;
  global: number;
}

export interface DifficultyPolicy {
  /** Counts one attempt (a challenge fetched, a solution submitted) from `ip` at `now`. */
  record(ip: string, now: Date): void;
  /** Attempts counted for `ip`, its subnet and in all, over the window ending at `now`. */
  counts(ip: string, now: Date): AttemptCounts;
  /** The maxNumber of a new challenge for `ip` at `now`. */
  maxNumberFor(ip: string, now: Date): number;
}

/** maxNumber = clamp(floor × pressure, floor, ceiling), pressure = max(count / allowance). */
export function maxNumberForCounts(counts: AttemptCounts, settings: DifficultySettings): number {
  const pressure = Math.max(
    1,
    counts.ip / settings.freeAttemptsPerIp,
    counts.subnet / settings.freeAttemptsPerSubnet,
    counts.global / settings.freeAttemptsGlobal,
  );
  // NaN (never expected) falls back to the ceiling rather than to no work at all.
  const wanted = Number.isFinite(pressure) ? Math.round(settings.minMaxNumber * pressure) : settings.maxMaxNumber;
  return Math.min(settings.maxMaxNumber, Math.max(settings.minMaxNumber, wanted));
}

/**
 * The subnet an address is counted in: "203.0.113.0/24", "2001:db8:12::/48".
 * IPv4-mapped IPv6 ("::ffff:203.0.113.9") counts as IPv4; an IPv6 zone ("%eth0") is ignored.
 * Anything unparsable is its own subnet, so it can neither crash nor join someone else's.
 */
export function subnetOf(ip: string): string {
  const parsed = parseAddress(ip);
  if (parsed.kind === 'v4') return `${parsed.bytes[0]}.${parsed.bytes[1]}.${parsed.bytes[2]}.0/24`;
  if (parsed.kind === 'v6')
    return `${parsed.groups
      .slice(0, 3)
      .map((g) => g.toString(16))
      .join(':')}::/48`;
  return parsed.unparsed;
}

/**
 * The address a client is counted as by the per-address budgets (email codes, registry
 * checks, agents' log-in): an IPv4 address itself, an IPv6 one by its /64 — a subscriber
 * gets a whole /64, so counting single IPv6 addresses would give one client 2^64 budgets.
 * IPv4-mapped IPv6 counts as IPv4; anything unparsable counts as itself.
 */
export function clientAddressOf(ip: string): string {
  const parsed = parseAddress(ip);
  if (parsed.kind === 'v4') return parsed.bytes.join('.');
  if (parsed.kind === 'v6')
    return `${parsed.groups
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(':')}::/64`;
  return parsed.unparsed;
}

type ParsedAddress =
  | { kind: 'v4'; bytes: number[] }
  | { kind: 'v6'; groups: number[] }
  | { kind: 'unparsed'; unparsed: string };

/** IPv4 (also IPv4-mapped IPv6, dotted or in hexadecimal groups), IPv6 (zone ignored), or neither. */
function parseAddress(ip: string): ParsedAddress {
  const plain = parseIpv4(ip); // the common case first, without copies
  if (plain) return { kind: 'v4', bytes: plain };
  const address = ip.trim().toLowerCase().split('%')[0] ?? '';
  const v4 = parseIpv4(address.startsWith('::ffff:') ? address.slice(7) : address);
  if (v4) return { kind: 'v4', bytes: v4 };
  const v6 = parseIpv6(address);
  if (v6) {
    if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
      // ::ffff:a.b.c.d written in hexadecimal groups
      return { kind: 'v4', bytes: [v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff] };
    }
    return { kind: 'v6', groups: v6 };
  }
  return { kind: 'unparsed', unparsed: `unparsed:${address.slice(0, 64)}` };
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number[] | null {
  const match = DOTTED_QUAD.exec(text);
  if (!match) return null;
  const bytes = [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])];
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** The eight 16-bit groups of an IPv6 address, or null. */
function parseIpv6(text: string): number[] | null {
  if (!text.includes(':') || text.length > 45) return null;
  let body = text;
  let embedded: number[] = [];
  // A trailing dotted quad ("::ffff:203.0.113.9") stands for the last two groups.
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (!v4) return null;
    embedded = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]!);
  const rest = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const written = head.length + rest.length + embedded.length;
  const compressed = halves.length === 2;
  if (compressed ? written > 7 : written !== 8) return null;
  const zeros = Array<number>(8 - written).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...zeros, ...rest.map((g) => parseInt(g, 16)), ...embedded];
}

/** Two fixed windows make a sliding estimate: current + previous × (unexpired share of it). */
interface WindowCounter {
  start: number;
  current: number;
  previous: number;
}

/** Moves `counter` to the window holding `at` (in place: this runs on every request). */
function roll(counter: WindowCounter, at: number, windowMs: number): void {
  const start = Math.floor(at / windowMs) * windowMs;
  if (start <= counter.start) return; // same window (or a clock that stepped back)
  counter.previous = start - counter.start === windowMs ? counter.current : 0;
  counter.current = 0;
  counter.start = start;
}

function estimate(counter: WindowCounter | undefined, at: number, windowMs: number): number {
  if (!counter) return 0;
  const start = Math.floor(at / windowMs) * windowMs;
  let current = counter.current;
  let previous = counter.previous;
  if (start > counter.start) {
    previous = start - counter.start === windowMs ? counter.current : 0;
    current = 0;
  }
  const base = Math.max(start, counter.start);
  const overlap = 1 - Math.min(1, Math.max(0, (at - base) / windowMs));
  return current + previous * overlap;
}

/** Counters by key, forgetting the least recently touched past `capacity`. */
class BoundedCounters {
  private readonly counters = new Map<string, WindowCounter>();
  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
  ) {}

  add(key: string, at: number): void {
    let counter = this.counters.get(key);
    if (counter) {
      roll(counter, at, this.windowMs);
      // Re-inserting keeps the Map's order = least recently touched first.
      this.counters.delete(key);
    } else {
      counter = { start: Math.floor(at / this.windowMs) * this.windowMs, current: 0, previous: 0 };
    }
    counter.current++;
    this.counters.set(key, counter);
    while (this.counters.size > this.capacity) {
      const oldest = this.counters.keys().next().value;
      if (oldest === undefined) break;
      this.counters.delete(oldest);
    }
  }

  estimate(key: string, at: number): number {
    return estimate(this.counters.get(key), at, this.windowMs);
  }

  get size(): number {
    return this.counters.size;
  }
}

function validated(settings: DifficultySettings): DifficultySettings {
  const positiveInteger = (name: keyof DifficultySettings) => {
    if (!Number.isInteger(settings[name]) || settings[name] < 1)
      throw new RangeError(`${name} must be a positive integer, got ${settings[name]}`);
  };
  for (const name of Object.keys(DEFAULT_DIFFICULTY_SETTINGS) as (keyof DifficultySettings)[]) positiveInteger(name);
  if (settings.minMaxNumber > settings.maxMaxNumber) throw new RangeError('minMaxNumber must not exceed maxMaxNumber');
  // ALTCHA v2 counters are unsigned 32-bit integers.
  if (settings.maxMaxNumber > 0xffffffff) throw new RangeError('maxMaxNumber must fit in 32 bits');
  return Object.freeze({ ...settings });
}

export function createDifficultyPolicy(
  overrides: Partial<DifficultySettings> = {},
): DifficultyPolicy & { readonly settings: DifficultySettings; trackedKeys(): number } {
  const settings = validated({ ...DEFAULT_DIFFICULTY_SETTINGS, ...overrides });
  const byIp = new BoundedCounters(settings.maxTrackedKeys, settings.windowMs);
  const bySubnet = new BoundedCounters(settings.maxTrackedKeys, settings.windowMs);
  const global: WindowCounter = { start: 0, current: 0, previous: 0 };

  const counts = (ip: string, now: Date): AttemptCounts => {
    const at = now.getTime();
    return {
      ip: byIp.estimate(ip, at),
      subnet: bySubnet.estimate(subnetOf(ip), at),
      global: estimate(global, at, settings.windowMs),
    };
  };

  return {
    settings,
    record(ip, now) {
      const at = now.getTime();
      if (!Number.isFinite(at)) return;
      byIp.add(ip, at);
      bySubnet.add(subnetOf(ip), at);
      roll(global, at, settings.windowMs);
      global.current++;
    },
    counts,
    maxNumberFor: (ip, now) => maxNumberForCounts(counts(ip, now), settings),
    trackedKeys: () => byIp.size + bySubnet.size,
  };
}
