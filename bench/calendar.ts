// Polling-storm benchmark (issue 14): `npm run bench:calendar -- [--json FILE] [options]`.
//
// For each engine (PostgreSQL, then PGlite) on a fresh database, a server process started as
// `creneau serve` starts it (bench/server.ts, with the calendar scenario of
// bench/calendar-scenario.ts: one procedure, 4 sites × 30 days, 3 counters each, 30-minute
// slots), then for `--duration` seconds (10; after `--warmup` seconds not counted):
//   * `--clients` pollers (200) ask GET /api/slots for the whole calendar (4 sites, 30 days,
//     the API's default limit of 500 entries) again as soon as answered, over keep-alive
//     sockets (undici), from 20 loopback addresses (the rate limit counts per address, as it
//     would for a real crowd). The mix: 7 in 10 are browsers (Accept-Encoding "gzip, deflate,
//     br, zstd", If-None-Match with the last ETag they got), 2 in 10 scripts that accept gzip and
//     never revalidate, 1 in 10 clients that accept nothing and never revalidate;
//   * then, for `--duration` seconds again, the same pollers paced at `--rate` answers per second
//     in all (3,000, the target; each client every clients/rate seconds, staggered): latency is
//     counted from the instant a request was due, not sent (no coordinated omission: a late
//     answer delays the client's next request, and that wait counts). The closed loop gives the
//     most answers per second the machine serves (every client waits only for its own answer,
//     so latency there is the queue: 200 clients / throughput); the paced phase gives the
//     latency people get at the target load. The report's answersPerSecond is the closed loop's,
//     its p99Ms the paced phase's (both phases are reported whole). Only a 200 or a 304 is an
//     answer: a refusal (429 from the rate limit…) is counted apart (`refused`) and fails the run;
//   * meanwhile `--bookings-per-second` (20) real bookings go through POST /api/bookings (proof
//     of work solved and email codes preset before, as bench/booking.ts does), each on a
//     distinct site and time of the calendar, so that an answer shows it by that time's
//     freeCounters dropping from 3 to 2.
// Staleness is measured from the answers themselves: each distinct ETag's body is decoded once,
// and every answer (200 or 304) is checked against the bookings confirmed (201 received) before
// its request left. maxStalenessMs is the longest a confirmed booking was missing from an answer
// (answer received − booking's 201 received); firstShownMs is, per booking, the time from its
// 201 to the first answer that showed it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Pool } from 'undici';
import type { Engine } from '../src/adapters/db/database.ts';
import {
  adminQuery,
  bookingBody,
  credentials,
  EMAIL_CODE,
  fmt,
  HEADERS,
  log,
  openConnections,
  percentile,
  ServerProcess,
  serverEnvOf,
  withDatabase,
} from './bench-kit.ts';
import { cpuBreakdown, sampleCpu, setBenchDatabase } from './cpu-accounting.ts';
import type { CalendarScenario } from './protocol.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    engines: { type: 'string', default: 'postgres,pglite' },
    clients: { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'bookings-per-second': { type: 'string', default: '20' },
    rate: { type: 'string', default: '3000' },
    'recompute-ms': { type: 'string' },
    'server-env': { type: 'string', multiple: true, default: [] },
    'log-level': { type: 'string', default: 'warn' },
    'server-cpu-prof': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(`Usage: npm run bench:calendar -- [--json FILE] [options]
  --json FILE                 write {"postgres": {...}, "pglite": {...}, "machine", "date"} to FILE
  --engines LIST              postgres,pglite (default both)
  --clients N                 concurrent pollers (default 200)
  --duration S                measured seconds of each phase (default 10: the bookings of both phases
                              must fit the 500 free times of the first answer)
  --warmup S                  polling seconds before the measure (default 3)
  --bookings-per-second N     bookings through the API meanwhile (default 20)
  --rate N                    answers per second asked in the paced phase (default 3000; 0: no paced phase)
  --recompute-ms N            the server's CALENDAR_RECOMPUTE_MS (default: the server's own default, 250)
  --server-env K=V            extra environment for the server process (repeatable), e.g. MAIL_RENDER_THREAD=off
  --log-level L               LOG_LEVEL of the server (default warn)
  --server-cpu-prof DIR       write a V8 CPU profile of each server process to DIR
PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.`);
  process.exit(0);
}
const int = (name: string, value: string | undefined, min = 0): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return n;
};
const CLIENTS = int('clients', args.clients, 1);
const DURATION_MS = int('duration', args.duration, 1) * 1000;
const WARMUP_MS = int('warmup', args.warmup) * 1000;
const BOOKINGS_PER_SECOND = int('bookings-per-second', args['bookings-per-second']);
const RATE = int('rate', args.rate);
const PHASES_MS = WARMUP_MS + DURATION_MS * (RATE > 0 ? 2 : 1);
const ENGINES = args.engines!.split(',').map((e) => e.trim()) as Engine[];
for (const e of ENGINES) if (e !== 'postgres' && e !== 'pglite') throw new Error(`unknown engine ${e}`);
const POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SCENARIO = { sites: 4, days: 30, countersPerSite: 3 };
const SOURCE_ADDRESSES = 20;
/** The cache's hard bound (adapters/db/free-slot-cache.ts maxAgeMs default): the stated staleness bound. */
const STATED_BOUND_MS = 1_000;
const TARGETS = { answersPerSecond: 3000, p99Ms: 50, maxStalenessMs: STATED_BOUND_MS };

type Kind = 'browser' | 'gzip-script' | 'plain';
const kindOf = (client: number): Kind => (client % 10 < 7 ? 'browser' : client % 10 < 9 ? 'gzip-script' : 'plain');
const ACCEPT: Record<Kind, string | undefined> = {
  browser: 'gzip, deflate, br, zstd',
  'gzip-script': 'gzip',
  plain: undefined,
};

interface Booking {
  key: string;
  sentAt: number;
  confirmedAt: number | null;
  shownAt: number | null;
}

/** One decoded answer per digest: freeCounters by "site|startsAt". */
type Answer = Map<string, number>;

function startLoopDelay(): IntervalHistogram {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return h;
}

const digestOf = (etag: string): string =>
  etag
    .replace(/^W\//, '')
    .replace(/^"|"$/g, '')
    .replace(/-(br|gzip)$/, '');

async function runEngine(engine: Engine) {
  let databaseUrl: string | undefined;
  let dataDir: string | undefined;
  let drop = async () => {};
  if (engine === 'postgres') {
    const name = `creneau_bench_${randomBytes(4).toString('hex')}`;
    await adminQuery(POSTGRES_URL, `create database ${name}`);
    setBenchDatabase(name);
    databaseUrl = withDatabase(POSTGRES_URL, name);
    drop = async () => void (await adminQuery(POSTGRES_URL, `drop database if exists ${name} with (force)`));
  } else {
    setBenchDatabase(null);
    dataDir = mkdtempSync(join(tmpdir(), 'creneau-bench-'));
    drop = async () => rmSync(dataDir!, { recursive: true, force: true });
  }
  const bookingsWanted = Math.ceil((BOOKINGS_PER_SECOND * PHASES_MS) / 1000);
  const tag = randomBytes(3).toString('hex');
  try {
    log(`${engine}: writing the scenario and starting the server…`);
    const { server, ready } = await ServerProcess.start(
      {
        engine,
        logLevel: args['log-level']!,
        ...(databaseUrl ? { databaseUrl } : {}),
        ...(dataDir ? { dataDir } : {}),
        identityKeySecret: randomBytes(32).toString('base64url'),
        slots: { warmup: 0, w1: 0, pgbench: 0 },
        verifications: { tag, count: bookingsWanted, code: EMAIL_CODE.replace(' ', '') },
        rawVerifications: 0,
        filings: 0,
        calendar: SCENARIO,
        env: {
          ...(args['recompute-ms'] !== undefined
            ? { CALENDAR_RECOMPUTE_MS: String(int('recompute-ms', args['recompute-ms'])) }
            : {}),
          ...serverEnvOf(args['server-env']),
        },
      },
      args['server-cpu-prof'],
    );
    const calendar = ready.calendar as CalendarScenario;
    const path = `/api/slots?procedureId=${ready.procedureId}&siteIds=${calendar.siteIds.join(',')}&from=${calendar.from}&to=${calendar.to}`;
    const pools = Array.from(
      { length: Math.min(SOURCE_ADDRESSES, CLIENTS) },
      (_, i) =>
        new Pool(ready.url, {
          connections: Math.ceil(CLIENTS / SOURCE_ADDRESSES),
          pipelining: 1,
          keepAliveTimeout: 60_000,
          // Top-level: undici's Client passes its own `localAddress` to the connector, which
          // overrides one given under `connect` (every poller then came from 127.0.0.1).
          localAddress: `127.0.0.${10 + i}`,
        }),
    );
    const bookingPool = new Pool(ready.url, { connections: 8, pipelining: 1, keepAliveTimeout: 60_000 });
    try {
      await Promise.all(pools.map((p) => openConnections(p, Math.ceil(CLIENTS / SOURCE_ADDRESSES))));
      log(`${engine}: solving ${bookingsWanted} proof-of-work challenges for the bookings (not timed)…`);
      const creds = await credentials(bookingPool, tag, ready.verificationIds, 1, bookingsWanted);

      // The calendar as it starts: each booking takes the offered slot of a distinct site and time.
      const initial = await bookingPool.request({ method: 'GET', path });
      const initialBody = (await initial.body.json()) as {
        slots: { slotId: string; siteId: string; startsAt: string; freeCounters: number }[];
      };
      const targets = initialBody.slots
        .map((s) => ({ slotId: s.slotId, key: `${s.siteId}|${s.startsAt}` }))
        .sort(() => Math.random() - 0.5)
        .slice(0, bookingsWanted);
      if (targets.length < bookingsWanted)
        throw new Error(`only ${targets.length} free times for ${bookingsWanted} bookings`);

      const answers = new Map<string, Answer | Promise<Answer>>();
      const bookings: Booking[] = [];
      /** Bookings confirmed, in the order of their 201. */
      const confirmed: Booking[] = [];
      const notShownYet = new Set<Booking>();
      /** Per digest: the earliest 201 among confirmed bookings it misses, and how far it was checked. */
      const missing = new Map<string, { checked: number; earliest: number | null }>();
      /** What one measured phase saw; null while warming up. */
      interface Window {
        /** Of the answers (200 or 304) only: a refusal (429…) is not an answer. */
        latencies: number[];
        /** Every status, refusals included. */
        statuses: Map<number, number>;
        refused: number;
        bytes: number;
        fullBytes: number;
        fullAnswers: number;
        maxStalenessMs: number;
        /** Who used the cores during the phase, and how late this load generator's own event loop ran. */
        cpuBefore: ReturnType<typeof sampleCpu>;
        cpu?: ReturnType<typeof cpuBreakdown>;
        loopDelay: IntervalHistogram;
      }
      const newWindow = (): Window => ({
        cpuBefore: sampleCpu(server.pid),
        loopDelay: startLoopDelay(),
        latencies: [],
        statuses: new Map(),
        refused: 0,
        bytes: 0,
        fullBytes: 0,
        fullAnswers: 0,
        maxStalenessMs: 0,
      });
      let measuring: Window | null = null;
      const endWindow = (w: Window) => {
        w.cpu = cpuBreakdown(w.cpuBefore, sampleCpu(server.pid));
        w.loopDelay.disable();
      };

      const shows = (answer: Answer, booking: Booking) => (answer.get(booking.key) ?? 0) < SCENARIO.countersPerSite;
      function decode(digest: string, encoding: string | undefined, body: Buffer): Answer {
        const json = encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;
        const parsed = JSON.parse(json.toString()) as {
          slots: { siteId: string; startsAt: string; freeCounters: number }[];
        };
        const answer: Answer = new Map(parsed.slots.map((s) => [`${s.siteId}|${s.startsAt}`, s.freeCounters]));
        answers.set(digest, answer);
        return answer;
      }
      function check(answer: Answer, digest: string, sentAt: number, receivedAt: number) {
        for (const booking of notShownYet)
          if (booking.confirmedAt !== null && shows(answer, booking)) {
            booking.shownAt = receivedAt;
            notShownYet.delete(booking);
          }
        let m = missing.get(digest);
        if (!m) missing.set(digest, (m = { checked: 0, earliest: null }));
        for (; m.earliest === null && m.checked < confirmed.length; m.checked++) {
          const b = confirmed[m.checked]!;
          if (!shows(answer, b)) m.earliest = b.confirmedAt;
        }
        if (measuring && m.earliest !== null && m.earliest < sentAt)
          measuring.maxStalenessMs = Math.max(measuring.maxStalenessMs, receivedAt - m.earliest);
      }

      let stopAt = Number.POSITIVE_INFINITY;
      const etags: (string | undefined)[] = [];
      /** `paced`: the client's requests are due every `everyMs` from `startMs`, latency counted from then. */
      async function poller(client: number, paced?: { startMs: number; everyMs: number }): Promise<void> {
        const pool = pools[client % pools.length]!;
        const kind = kindOf(client);
        for (let k = 0; performance.now() < stopAt; k++) {
          const headers: Record<string, string> = {};
          if (ACCEPT[kind]) headers['accept-encoding'] = ACCEPT[kind];
          const etag = etags[client];
          if (kind === 'browser' && etag) headers['if-none-match'] = etag;
          let sentAt = performance.now();
          if (paced) {
            const due = paced.startMs + k * paced.everyMs;
            if (due >= stopAt) break;
            if (due > sentAt) await new Promise((resolve) => setTimeout(resolve, due - sentAt));
            sentAt = due;
          }
          const res = await pool.request({ method: 'GET', path, headers });
          const tagNow = res.headers.etag as string | undefined;
          const digest = tagNow ? digestOf(tagNow) : undefined;
          let answer = digest ? answers.get(digest) : undefined;
          let size = 0;
          if (res.statusCode === 200 && digest && !answer) {
            const body = Buffer.from(await res.body.arrayBuffer());
            size = body.length;
            answer = decode(digest, res.headers['content-encoding'] as string | undefined, body);
          } else {
            size = Number(res.headers['content-length'] ?? 0);
            await res.body.dump();
          }
          const receivedAt = performance.now();
          if (res.statusCode === 200 || res.statusCode === 304) etags[client] = tagNow;
          if (answer && digest) check(await answer, digest, sentAt, receivedAt);
          const w = measuring;
          if (!w) continue;
          w.statuses.set(res.statusCode, (w.statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode !== 200 && res.statusCode !== 304) {
            w.refused++;
            continue;
          }
          w.latencies.push(receivedAt - sentAt);
          w.bytes += size;
          if (res.statusCode === 200) {
            w.fullBytes += size;
            w.fullAnswers++;
          }
        }
      }

      let bookingErrors = 0;
      const bookingStatuses = new Map<number, number>();
      async function bookingStream(): Promise<void> {
        const started = performance.now();
        const inFlight: Promise<void>[] = [];
        // Through both phases (stopAt is each phase's end in turn).
        for (let i = 0; i < targets.length && performance.now() < started + PHASES_MS; i++) {
          const due = started + (i * 1000) / BOOKINGS_PER_SECOND;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const target = targets[i]!;
          const booking: Booking = { key: target.key, sentAt: performance.now(), confirmedAt: null, shownAt: null };
          bookings.push(booking);
          inFlight.push(
            (async () => {
              const res = await bookingPool.request({
                method: 'POST',
                path: '/api/bookings',
                headers: HEADERS,
                body: bookingBody(target.slotId, creds[i]!),
              });
              await res.body.dump();
              bookingStatuses.set(res.statusCode, (bookingStatuses.get(res.statusCode) ?? 0) + 1);
              if (res.statusCode !== 201) return void bookingErrors++;
              booking.confirmedAt = performance.now();
              confirmed.push(booking);
              notShownYet.add(booking);
            })(),
          );
        }
        await Promise.all(inFlight);
      }

      log(
        `${engine}: ${CLIENTS} pollers for ${WARMUP_MS / 1000} + ${DURATION_MS / 1000} s as fast as answered${RATE > 0 ? `, then ${DURATION_MS / 1000} s paced at ${RATE}/s` : ''}, ${BOOKINGS_PER_SECOND} bookings/s…`,
      );
      const loadBefore = loadavg()[0]!;
      const t0 = performance.now();
      stopAt = t0 + WARMUP_MS + DURATION_MS;
      let saturation = newWindow();
      setTimeout(() => {
        measuring = saturation = newWindow();
      }, WARMUP_MS);
      const bookingsDone = bookingStream();
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => poller(c)));
      endWindow(saturation);
      let paced: Window | null = null;
      if (RATE > 0) {
        paced = measuring = newWindow();
        const startMs = performance.now();
        stopAt = startMs + DURATION_MS;
        const everyMs = (1000 * CLIENTS) / RATE;
        await Promise.all(
          Array.from({ length: CLIENTS }, (_, c) => poller(c, { startMs: startMs + (c * everyMs) / CLIENTS, everyMs })),
        );
        endWindow(paced);
      }
      measuring = null;
      await bookingsDone;
      const summary = (w: Window) => {
        const sorted = Float64Array.from(w.latencies).sort();
        const answered = w.latencies.length;
        return {
          answers: answered,
          answersPerSecond: answered / (DURATION_MS / 1000),
          p50Ms: percentile(sorted, 50),
          p90Ms: percentile(sorted, 90),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted[sorted.length - 1] ?? Number.NaN,
          statuses: Object.fromEntries([...w.statuses].map(([s, n]) => [String(s), n])),
          /** Polls refused (neither 200 nor 304): counted in no other figure. */
          refused: w.refused,
          share304: (w.statuses.get(304) ?? 0) / Math.max(1, answered),
          bytesPerAnswer: w.bytes / Math.max(1, answered),
          bytesPer200: w.fullBytes / Math.max(1, w.fullAnswers),
          maxStalenessMs: w.maxStalenessMs,
          cpu: w.cpu,
          /** How late the load generator's own event loop ran: latency it adds to what it measures. */
          loadGeneratorLoopDelayMs: {
            p50: w.loopDelay.percentile(50) / 1e6,
            p99: w.loopDelay.percentile(99) / 1e6,
            max: w.loopDelay.max / 1e6,
          },
        };
      };
      const closedLoop = summary(saturation);
      const atRate = paced ? { askedPerSecond: RATE, ...summary(paced) } : null;
      const shownDelays = confirmed
        .filter((b) => b.shownAt !== null)
        .map((b) => b.shownAt! - b.confirmedAt!)
        .sort((a, b) => a - b);
      return {
        engine,
        clients: CLIENTS,
        mix: '7/10 browsers (br, If-None-Match), 2/10 gzip without revalidation, 1/10 identity without revalidation',
        durationSeconds: DURATION_MS / 1000,
        /** The closed loop's: the most the machine serves. */
        answersPerSecond: closedLoop.answersPerSecond,
        /** At the asked rate (the paced phase) when there is one: what people wait at that load. */
        p99Ms: (atRate ?? closedLoop).p99Ms,
        closedLoop,
        atRate,
        uncompressedBytes: Buffer.byteLength(JSON.stringify(initialBody)),
        entriesPerAnswer: initialBody.slots.length,
        bookings: {
          sent: bookings.length,
          confirmed: confirmed.length,
          refused: bookingErrors,
          statuses: Object.fromEntries([...bookingStatuses].map(([s, n]) => [String(s), n])),
          perSecond: confirmed.length / (PHASES_MS / 1000),
          channel: 'POST /api/bookings (proof of work and email code, as bench:booking)',
        },
        statedBoundMs: STATED_BOUND_MS,
        maxStalenessMs: Math.max(closedLoop.maxStalenessMs, atRate?.maxStalenessMs ?? 0),
        firstShownMs: {
          p50: percentile(shownDelays, 50),
          p99: percentile(shownDelays, 99),
          max: shownDelays[shownDelays.length - 1] ?? Number.NaN,
          neverShown: confirmed.length - shownDelays.length,
        },
        distinctAnswers: answers.size,
        loadAverage: { before: loadBefore, after: loadavg()[0]! },
        elapsedMs: performance.now() - t0,
      };
    } finally {
      await Promise.all([...pools, bookingPool].map((p) => p.close()));
      await server.close();
    }
  } finally {
    await drop().catch((error: unknown) => log(`could not drop the ${engine} database: ${(error as Error).message}`));
  }
}

type Result = Awaited<ReturnType<typeof runEngine>>;
const results: Partial<Record<Engine, Result | { error: string }>> = {};
for (const engine of ENGINES) {
  try {
    results[engine] = await runEngine(engine);
  } catch (error) {
    results[engine] = { error: (error as Error).stack ?? String(error) };
    log(`${engine} failed: ${(error as Error).stack ?? error}`);
  }
}

console.log('');
for (const engine of ENGINES) {
  const r = results[engine];
  if (!r || 'error' in r) continue;
  const c = r.closedLoop;
  console.log(
    `${engine}, closed loop: ${fmt(c.answersPerSecond)} answers/s (${r.clients} clients), p50 ${fmt(c.p50Ms, 1)} ms, p99 ${fmt(c.p99Ms, 1)} ms, max ${fmt(c.maxMs, 1)} ms`,
  );
  console.log(
    `  ${fmt(c.bytesPerAnswer)} bytes per answer (${fmt(c.bytesPer200)} per 200, ${fmt(r.uncompressedBytes)} uncompressed), 304: ${fmt(c.share304 * 100, 1)} %, statuses ${JSON.stringify(c.statuses)}`,
  );
  const a = r.atRate;
  if (a)
    console.log(
      `${engine}, paced at ${a.askedPerSecond}/s: ${fmt(a.answersPerSecond)} answers/s, p50 ${fmt(a.p50Ms, 1)} ms, p90 ${fmt(a.p90Ms, 1)} ms, p99 ${fmt(a.p99Ms, 1)} ms, max ${fmt(a.maxMs, 1)} ms (from the instant each request was due)`,
    );
  for (const [phase, w] of [['closed loop', c], ...(a ? [['paced', a] as const] : [])] as const) {
    const cpu = w.cpu;
    const d = w.loadGeneratorLoopDelayMs;
    console.log(
      `  ${phase}: CPU s server ${fmt(cpu?.serverCpuSeconds ?? Number.NaN, 2)}, load generator ${fmt(cpu?.loadGeneratorCpuSeconds ?? Number.NaN, 2)}, PostgreSQL ${fmt(cpu?.postgresCpuSeconds ?? Number.NaN, 2)}, other ${fmt(cpu?.otherCpuSeconds ?? Number.NaN, 2)}, taken by the hypervisor (steal) ${fmt(cpu?.stealSeconds ?? Number.NaN, 2)} (machine ${fmt(cpu?.machineBusyPercent ?? Number.NaN, 1)} % busy); load generator's loop late p99 ${fmt(d.p99, 1)} ms, max ${fmt(d.max, 1)} ms`,
    );
  }
  console.log(
    `  bookings: ${r.bookings.confirmed} confirmed of ${r.bookings.sent} (${fmt(r.bookings.perSecond, 1)}/s); shown after their 201: p50 ${fmt(r.firstShownMs.p50, 1)} ms, max ${fmt(r.firstShownMs.max, 1)} ms, never ${r.firstShownMs.neverShown}; maxStalenessMs ${fmt(r.maxStalenessMs, 1)} (bound ${r.statedBoundMs})`,
  );
  for (const [name, pass] of [
    [`≥ ${TARGETS.answersPerSecond} answers/s (closed loop)`, r.answersPerSecond >= TARGETS.answersPerSecond],
    [`p99 ≤ ${TARGETS.p99Ms} ms (${a ? `paced at ${a.askedPerSecond}/s` : 'closed loop'})`, r.p99Ms <= TARGETS.p99Ms],
    [`staleness ≤ ${TARGETS.maxStalenessMs} ms`, r.maxStalenessMs <= TARGETS.maxStalenessMs],
    ['every poll answered 200 or 304 (none refused)', c.refused === 0 && (a?.refused ?? 0) === 0],
  ] as const)
    console.log(`  ${pass ? 'PASS' : 'FAIL'}  ${name}`);
}
console.log(
  `load average now: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);

if (args.json) {
  const round = (n: number) =>
    !Number.isFinite(n) ? n : Math.abs(n) < 10 ? Math.round(n * 1000) / 1000 : Math.round(n * 10) / 10;
  const report = {
    ...results,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverage: loadavg() },
    targets: TARGETS,
  };
  writeFileSync(
    args.json,
    `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' ? round(v) : v), 2)}\n`,
  );
  log(`wrote ${args.json}`);
}
