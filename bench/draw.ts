// Allocation draw benchmark: `npm run bench:draw -- [--json FILE] [--requests N] [--slots N] [--repeat N]`.
//
// Generates, deterministically (seeded xoroshiro128+ from pure-rand), a prefecture-sized
// waiting list and a release of slots, then times `runDraw` (src/domain/allocation-draw.ts)
// in this process (class, batch, then lottery — the only order there is):
//   * 1,000,000 waiting requests: 10 % class 0 (permit expired), 20 % class 1 (expiring
//     soon), 70 % class 2; filed over the last 180 days (batch = the filing day, so about
//     5,500 requests share each batch and the lottery decides among them); each names 3 distinct sites of 20
//     (the central sites more popular), 2 to 5 weekdays of Monday–Friday, and the morning,
//     the afternoon or both;
//   * 500,000 slots over the next 60 calendar days (the 43 weekdays among them) at 20 sites,
//     08:30–12:00 and 13:30–16:30 every 15 minutes on up to 23 counters per site.
// Ids are UUID-shaped strings, as read from PostgreSQL, so that sorting them costs what it
// will cost on real data.
//
// Figures:
//   assignMs — wall time of one runDraw call (validation, interning, sorts, lottery,
//              assignment, both SHA-256 digests), excluding the generation of the data;
//              the median of --repeat runs (default 3) after one small warm-up draw; a
//              full collection before each run (the previous run's garbage is not
//              charged to the next); each run has its own seed.
//   bareSortMs — the brief's yardstick measured in the same process, to read the figures
//              against the machine's load at that moment (with the 1-min load average).
//   heapMb   — peak V8 heap in use during runDraw, inputs included (MiB): the largest
//              `usedHeapSize` seen by v8.GCProfiler just before any collection during the
//              call, or at its end (the heap only shrinks at a collection, so this is the
//              peak). Sampling with a timer cannot work: runDraw is synchronous.
//              `inputHeapMb` is the heap used by the generated input alone (after a full
//              collection); `externalMb` the peak of memory outside the V8 heap (typed
//              arrays: the draw's working arrays), seen the same way; `gcs`, `fullGcs`,
//              `gcMs`: collections during the call and their cost, from the same profiler.
//   dbDrawMs — the whole draw on PostgreSQL (read, assign, write the offers, commit) in the
//              scheduler's one transaction, on the same sizes (bench/draw-db.ts, which also
//              prints the time of each call to the store); null with --no-db.
// No --max-old-space-size is needed: the default heap limit (about 4 GB here) is enough.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  type DrawInput,
  type DrawRequest,
  type DrawSlot,
  type HalfDay,
  runDraw,
} from '../src/domain/allocation-draw.ts';
import { isoWeekdayOfDayNumber } from '../src/domain/calendar-date.ts';
import { describePhases, measureDbDraw } from './draw-db.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    requests: { type: 'string', default: '1000000' },
    slots: { type: 'string', default: '500000' },
    repeat: { type: 'string', default: '3' },
    db: { type: 'boolean', default: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
  allowNegative: true, // --no-db (Node ≥ 20.16)
});
if (args.help) {
  console.log(`Usage: npm run bench:draw -- [--json FILE] [--requests N] [--slots N] [--repeat N]
  --json FILE     write {"requests","slots","assigned","assignMs","heapMb","dbDrawMs",…} to FILE
  --requests N    waiting requests (default 1000000)
  --slots N       released slots (default 500000, at most 20 sites × 43 days × 26 times × 23 counters)
  --repeat N      measured draws (default 3; the median is reported)
  --no-db         skip the full draw on PostgreSQL (TEST_DATABASE_URL / DATABASE_URL): seeding the
                  full size there takes minutes`);
  process.exit(0);
}
const REQUESTS = Number(args.requests);
const SLOTS = Number(args.slots);
const REPEAT = Number(args.repeat);
for (const [name, value] of [
  ['--requests', REQUESTS],
  ['--slots', SLOTS],
  ['--repeat', REPEAT],
] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
}

// A full collection before each measure, so that the garbage of the generation is not
// counted: the usual way to reach gc() without a command-line flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// ---------------------------------------------------------------------------------------
// Data

const SITES = Array.from({ length: 20 }, (_, s) => `site-${String(s + 1).padStart(2, '0')}`);
const DAY_MS = 86_400_000;
const START_DAY = Date.UTC(2026, 5, 1); // Monday 1 June 2026
const TIMES_AM = Array.from({ length: 14 }, (_, q) => 8 * 60 + 30 + q * 15); // 08:30 … 11:45
const TIMES_PM = Array.from({ length: 12 }, (_, q) => 13 * 60 + 30 + q * 15); // 13:30 … 16:15
const COUNTERS = 23;

const HEX = '0123456789abcdef';
const uuidBytes = Buffer.alloc(36);
/** A flat UUID-shaped string (no rope or slice of another string, as a driver returns). */
function uuidFrom(rng: ReturnType<typeof xoroshiro128plus>): string {
  let at = 0;
  for (let w = 0; w < 4; w++) {
    const word = rng.next() >>> 0;
    for (let shift = 28; shift >= 0; shift -= 4) {
      if (at === 8 || at === 13 || at === 18 || at === 23) uuidBytes[at++] = 45; // '-'
      uuidBytes[at++] = HEX.charCodeAt((word >>> shift) & 15);
    }
  }
  uuidBytes[14] = 52; // version 4
  return uuidBytes.toString('latin1');
}

function generateSlots(count: number): DrawSlot[] {
  const rng = xoroshiro128plus(20260601);
  const slots: DrawSlot[] = [];
  for (let day = 0; day < 60 && slots.length < count; day++) {
    const midnight = START_DAY + day * DAY_MS;
    const weekday = isoWeekdayOfDayNumber(midnight / DAY_MS);
    if (weekday > 5) continue;
    for (const [halfDay, times] of [
      ['am', TIMES_AM],
      ['pm', TIMES_PM],
    ] as const) {
      for (const minutes of times) {
        for (let site = 0; site < SITES.length && slots.length < count; site++) {
          for (let counter = 0; counter < COUNTERS && slots.length < count; counter++) {
            slots.push({
              id: uuidFrom(rng),
              siteId: SITES[site]!,
              startsAt: midnight + minutes * 60_000,
              weekday,
              halfDay,
            });
          }
        }
      }
    }
  }
  if (slots.length < count) throw new Error(`at most ${slots.length} slots fit in 60 days; ask for fewer`);
  return slots;
}

function generateRequests(count: number): DrawRequest[] {
  const rng = xoroshiro128plus(36475);
  // Site popularity: site 1 (the prefecture itself) is the most asked, then decreasing.
  const weights = SITES.map((_, s) => 1 / (s + 2));
  const cumulative: number[] = [];
  weights.reduce((sum, w, s) => (cumulative[s] = sum + w), 0);
  const total = cumulative[cumulative.length - 1]!;
  const pickSite = () => {
    const x = (uniformInt(rng, 0, 1_000_000_000) / 1_000_000_000) * total;
    let s = 0;
    while (cumulative[s]! < x) s++;
    return s;
  };
  const requests: DrawRequest[] = new Array(count);
  const now = START_DAY - DAY_MS;
  for (let i = 0; i < count; i++) {
    const roll = uniformInt(rng, 0, 99);
    const priorityClass = roll < 10 ? 0 : roll < 30 ? 1 : 2;
    const chosen = new Set<number>();
    while (chosen.size < 3) chosen.add(pickSite());
    const weekdayCount = uniformInt(rng, 2, 5);
    const weekdays = [1, 2, 3, 4, 5];
    for (let d = 4; d > 0; d--) {
      // partial shuffle, keep the first weekdayCount
      const j = uniformInt(rng, 0, d);
      [weekdays[d], weekdays[j]] = [weekdays[j]!, weekdays[d]!];
    }
    const halfRoll = uniformInt(rng, 0, 2);
    const halfDays: HalfDay[] = halfRoll === 0 ? ['am'] : halfRoll === 1 ? ['pm'] : ['am', 'pm'];
    requests[i] = {
      id: uuidFrom(rng),
      priorityClass,
      batch: Math.floor((now - uniformInt(rng, 0, 180 * DAY_MS)) / DAY_MS),
      siteIds: [...chosen].map((s) => SITES[s]!),
      weekdays: weekdays.slice(0, weekdayCount).sort(),
      halfDays,
    };
  }
  return requests;
}

// ---------------------------------------------------------------------------------------
// Measure

const mb = (bytes: number) => bytes / 2 ** 20;

interface Run {
  assignMs: number;
  heapMb: number;
  externalMb: number;
  assigned: number;
  gcs: number;
  fullGcs: number;
  gcMs: number;
}

function measure(input: DrawInput): Run {
  gc();
  const profiler = new GCProfiler();
  profiler.start();
  const t0 = performance.now();
  const result = runDraw(input);
  const assignMs = performance.now() - t0;
  const atEnd = process.memoryUsage();
  const profile = profiler.stop();
  let peak = atEnd.heapUsed;
  let peakExternal = atEnd.external;
  let gcMs = 0;
  let fullGcs = 0;
  for (const event of profile.statistics) {
    peak = Math.max(peak, event.beforeGC.heapStatistics.usedHeapSize);
    peakExternal = Math.max(peakExternal, event.beforeGC.heapStatistics.externalMemory);
    gcMs += event.cost / 1000; // microseconds
    if (event.gcType === 'MarkSweepCompact') fullGcs++;
  }
  return {
    assignMs,
    heapMb: mb(peak),
    externalMb: mb(peakExternal),
    assigned: result.assignments.length,
    gcs: profile.statistics.length,
    fullGcs,
    gcMs,
  };
}

/**
 * Calibration: the brief's yardstick, "a bare sort of 1M keys takes about 0.4 s here" —
 * Array.prototype.sort of 1M random numbers with a comparator. Run it next to the draw, it
 * says how loaded the machine is at that moment.
 */
function bareSortMs(): number {
  const rng = xoroshiro128plus(7);
  const keys = Array.from({ length: 1_000_000 }, () => rng.next());
  const t0 = performance.now();
  keys.sort((a, b) => a - b);
  return performance.now() - t0;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(
  `bench:draw — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const t = performance.now();
const slots = generateSlots(SLOTS);
const requests = generateRequests(REQUESTS);
console.log(
  `generated ${REQUESTS.toLocaleString('en')} requests and ${SLOTS.toLocaleString('en')} slots in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);
gc();
const inputHeapMb = mb(process.memoryUsage().heapUsed);

// Warm-up: small draws, so that the measured runs use optimised code.
for (const seed of ['warm-up-1', 'warm-up-2'])
  runDraw({ requests: requests.slice(0, 20_000), slots: slots.slice(0, 10_000), seed });

const runs: Run[] = [];
const calibration: number[] = [];
const loads: number[] = [];
for (let r = 0; r < REPEAT; r++) {
  calibration.push(bareSortMs());
  loads.push(loadavg()[0]!);
  runs.push(measure({ requests, slots, seed: `bench-${r}` }));
}
const bareSort = Math.round(median(calibration));

const summary = {
  assigned: runs[0]!.assigned,
  assignMs: Math.round(median(runs.map((x) => x.assignMs))),
  assignMsRuns: runs.map((x) => Math.round(x.assignMs)),
  heapMb: Math.round(Math.max(...runs.map((x) => x.heapMb))),
  externalMb: Math.round(Math.max(...runs.map((x) => x.externalMb))),
  gcs: Math.max(...runs.map((x) => x.gcs)),
  fullGcs: Math.max(...runs.map((x) => x.fullGcs)),
  gcMs: Math.round(median(runs.map((x) => x.gcMs))),
};

console.log(`input on the heap: ${Math.round(inputHeapMb)} MiB; targets: assignMs ≤ 2000, heapMb ≤ 1024`);
console.log(
  `calibration: bare sort of 1M keys ${calibration.map(Math.round).join(' / ')} ms (the brief: ~400 ms on this machine); 1-min load ${loads.map((l) => l.toFixed(1)).join(' / ')} on ${cpus().length} CPUs`,
);
console.table([
  {
    assigned: summary.assigned,
    'assign ms (median)': summary.assignMs,
    'runs ms': summary.assignMsRuns.join(' / '),
    'peak heap MiB': summary.heapMb,
    'peak external MiB': summary.externalMb,
    'GCs (full)': `${summary.gcs} (${summary.fullGcs})`,
    'GC ms': summary.gcMs,
  },
]);

// The full draw on PostgreSQL: read the queue and the free slots, assign, write the offers,
// in the one transaction the scheduler runs (bench/draw-db.ts).
// The in-memory runs' input is let go first: the worker that draws holds its own queue, not
// a second copy of it (session 16: with these 407 MiB still live, the draw took 24.6 s in this
// process against 20.7 s in a process of its own, its collections marking both).
requests.length = 0;
slots.length = 0;
gc();
let db: Awaited<ReturnType<typeof measureDbDraw>> | null = null;
if (args.db) {
  db = await measureDbDraw({ requests: REQUESTS, slots: SLOTS, log: console.error });
  console.log(
    `PostgreSQL draw: ${db.dbDrawMs} ms (read ${db.readMs}, assign ${db.assignMs}, write ${db.writeMs}) for ${db.assigned.toLocaleString('en')} offers`,
  );
  console.log(describePhases(db.phases));
}

if (args.json) {
  const report = {
    requests: REQUESTS,
    slots: SLOTS,
    assigned: summary.assigned,
    assignMs: summary.assignMs,
    heapMb: summary.heapMb,
    dbDrawMs: db?.dbDrawMs ?? null,
    note: 'Top-level figures: assignMs, the median of the runs, and the largest peak heap, inputs included. dbDrawMs: the whole draw on PostgreSQL (read, assign, write offers) in one transaction; null with --no-db.',
    db,
    inputHeapMb: Math.round(inputHeapMb),
    bareSortMs: bareSort,
    loadAverages: loads,
    runs: summary,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, node: process.version, loadAverage: loadavg() },
  };
  writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${args.json}`);
}
