// Scalping benchmark (issue §7 "Prove it yourselves"): `npm run bench:scalping -- [--json FILE] [options]`.
//
// An outside reseller against a real server over HTTP, on each engine (embedded PGlite, then
// PostgreSQL on a fresh database, with Redis when reachable): a server process per engine
// (bench/scalping-server.ts) runs src/main.ts startServer behind a trusted proxy; this
// process plays the public — bots and humans — through the public API only, every request
// from its own address, proofs of work solved ahead, email codes read from their inboxes —
// and plays time: it asks the server process to release slots and to run draw ticks (the
// production use case runDrawForTick), so that a day of draws takes seconds.
//
// Experiments (each round or attempt has its own procedures, slots and identities):
//   1. speed: a scarce procedure (8 slots, 32 people) and a calm one (24 slots, 20 people);
//      bots act the instant slots are released or a draw happens, humans 1–60 simulated
//      seconds later. Each books a listed slot if any, else files a request and takes its
//      offer after the draw. speedAdvantage = bots' share of appointments ÷ their share of
//      identities (pooled over both procedures and every round).
//   2. hand-off: a bot holding the only slot of a procedure cancels it while its accomplices
//      wait — one polling GET /api/slots back to back to rebook it, one with a request that
//      accepts only that slot's site, weekday and half-day — against a competitor polling
//      twice a second and eleven waiting requests; then a draw tick. Succeeded = an
//      accomplice holds the slot at the end.
//   3. identity variants: while a person holds an appointment, the same passport (same
//      issuing country) with another birth date, other names, or another nationality tries
//      to book or file for the same procedure; accepted = a booking or request got a 201.
//   4. urgency lie: 8 of 24 applicants declare a permit that expired yesterday, the others
//      one expiring in six months; everyone files at once; one draw. urgencyLieAdvantage =
//      liars' share of appointments ÷ their share of identities.
// Simulated time: one simulated second is --time-scale ms (100 by default). A draw tick comes
// 75 simulated seconds after a release, once every human has arrived: in production the
// collection window is hours, so every applicant of the day is in it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Engine } from '../src/adapters/db/database.ts';
import { addDays } from '../src/domain/calendar-date.ts';
import {
  type Agent,
  Api,
  giveInboxes,
  type Kind,
  makeApplicant,
  NATIONALITIES,
  newAgent,
  PowStock,
  Public,
  type Rng,
  rngOf,
  ScalpingServer,
  sleep,
  uniform,
} from './scalping-client.ts';
import { type DrawOutcome, type ProcedureSpec, type ServerReady, SITE_ID } from './scalping-protocol.ts';
import {
  BOOTSTRAP_METHOD,
  bootstrapAdvantage,
  pooledAdvantage,
  quantile,
  type ShareSample,
  wilson,
} from './scalping-stats.ts';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    engine: { type: 'string' },
    rounds: { type: 'string', default: '12' },
    handoffs: { type: 'string', default: '12' },
    originals: { type: 'string', default: '4' },
    parallel: { type: 'string', default: '3' },
    'time-scale': { type: 'string', default: '100' },
    seed: { type: 'string', default: '11' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    'no-redis': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (args.help) {
  console.log(`Usage: npm run bench:scalping -- [--json FILE] [options]
  --json FILE         write {"pglite": {...}, "postgres": {...}} to FILE
  --engine E          pglite or postgres (default: both)
  --rounds N          rounds of the speed and urgency experiments (default 12)
  --handoffs N        hand-off attempts (default 12)
  --originals N       people whose passport is reused by 3 variants each (default 4)
  --parallel N        rounds or attempts run at the same time (default 3)
  --time-scale MS     real milliseconds per simulated second (default 100)
  --seed N            base seed of the rounds (default 11)
  --redis URL         Redis of the PostgreSQL run (default redis://127.0.0.1:6379; skipped when unreachable)
  --no-redis          no Redis
  --log-level L       LOG_LEVEL of the server (default warn)
PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres (a fresh database is created and dropped).`);
  process.exit(0);
}

/** A whole-number option, at least `min`. */
function whole(name: 'rounds' | 'handoffs' | 'originals' | 'parallel' | 'time-scale' | 'seed', min: number): number {
  const n = Number(args[name]);
  if (Number.isInteger(n) && n >= min) return n;
  throw new Error(`--${name} takes a whole number from ${min}`);
}
const ROUNDS = whole('rounds', 1);
const HANDOFFS = whole('handoffs', 0);
const ORIGINALS = whole('originals', 0);
const PARALLEL = whole('parallel', 1);
const SIM = whole('time-scale', 1);
const SEED = whole('seed', 0);
const ENGINES: Engine[] = args.engine ? [args.engine as Engine] : ['pglite', 'postgres'];
for (const e of ENGINES) if (e !== 'postgres' && e !== 'pglite') throw new Error(`unknown engine ${e}`);
const POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The groups of a speed round: who competes for what. */
const SPEED = {
  scarce: { slots: 8, bots: 10, humans: 22 },
  calm: { slots: 24, bots: 6, humans: 14 },
} as const;
const URGENCY = { slots: 6, liars: 8, honest: 16 };
const HANDOFF_WAITING = 11;
/**
 * Simulated seconds: humans arrive 1–60 s after a release, and look at their offer 1–30 s
 * after a draw (it stays open for 48 h: when does not matter); the draw tick is at 75 s (a
 * margin for the answers of a loaded server: a request filed after the tick waits for the
 * next one); a round ends at 110 s.
 */
const HUMAN_DELAY = [1, 60] as const;
const HUMAN_OFFER_DELAY = [1, 30] as const;
const DRAW_AT = 75;
const ROUND_END = 110;
/** Real milliseconds: a bot polls every 50 ms; the hand-off competitor twice a second. */
const BOT_POLL_MS = 100;
const COMPETITOR_POLL_MS = 500;
const HANDOFF_HOLD_MS = 1500;

/** Proofs of work solved ahead per round or attempt (a POST spends one; a lost race too). */
const SOLUTIONS = {
  speed: 2 * (SPEED.scarce.bots + SPEED.scarce.humans + SPEED.calm.bots + SPEED.calm.humans),
  handoff: 2 * (4 + HANDOFF_WAITING),
  urgency: 2 * (URGENCY.liars + URGENCY.honest),
};

const procedureIds = {
  scarce: (r: number) => `scarce-r${r}`,
  calm: (r: number) => `calm-r${r}`,
  urgency: (r: number) => `urgency-r${r}`,
  handoff: (k: number) => `handoff-${k}`,
  identity: 'identity',
};

function scenarioProcedures(): ProcedureSpec[] {
  const specs: ProcedureSpec[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    specs.push({ id: procedureIds.scarce(r), slots: SPEED.scarce.slots, mode: 'direct' });
    specs.push({ id: procedureIds.calm(r), slots: SPEED.calm.slots, mode: 'direct' });
    // In the old flow, urgency only counts in draws: requests need the 'allocation' mode.
    specs.push({ id: procedureIds.urgency(r), slots: URGENCY.slots, mode: 'allocation' });
  }
  for (let k = 1; k <= HANDOFFS; k++) specs.push({ id: procedureIds.handoff(k), slots: 1, mode: 'direct' });
  specs.push({ id: procedureIds.identity, slots: Math.max(1, ORIGINALS * 4), mode: 'direct' });
  return specs;
}

// ---------------------------------------------------------------------------------------------

function log(message: string): void {
  console.error(`[scalping] ${message}`);
}

/**
 * Runs `count` tasks, one starting every `everyMs` and at most `PARALLEL` at a time, after
 * solving the proofs of work they need (`solutions` per task): no one solves while racing,
 * and the rounds' opening rushes do not all hit the server at the same instant.
 */
async function staggered<T>(
  run: Run,
  count: number,
  solutions: number,
  everyMs: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  await run.pub.pow.fill(solutions * count);
  const results: T[] = new Array(count);
  let running = 0;
  const slotFreed: Array<() => void> = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await sleep(i * everyMs);
      while (running >= PARALLEL) await new Promise<void>((resolve) => slotFreed.push(resolve));
      running++;
      try {
        results[i] = await task(i + 1);
      } finally {
        running--;
        slotFreed.shift()?.();
      }
    }),
  );
  return results;
}

interface Run {
  server: ScalpingServer;
  ready: ServerReady;
  pub: Public;
  tag: string;
}

const humanDelay = (rng: Rng) => uniform(rng, HUMAN_DELAY[0], HUMAN_DELAY[1]) * SIM;

function crowd(run: Run, label: string, seed: number, groups: Array<{ kind: Kind; count: number }>): Agent[] {
  const rng = rngOf(seed);
  const agents: Agent[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.count; i++) {
      const n = agents.length + 1;
      agents.push(newAgent(`${label}-${g.kind}-${i + 1}`, g.kind, makeApplicant(`${run.tag}-${label}`, n, rng)));
    }
  }
  return agents;
}

const count = (agents: readonly Agent[], kind: Kind) => agents.filter((a) => a.kind === kind).length;
const booked = (agents: readonly Agent[], kind?: Kind) =>
  agents.filter((a) => a.state === 'booked' && (!kind || a.kind === kind)).length;

function sample(agents: readonly Agent[], kind: Kind): ShareSample {
  return {
    groupGot: booked(agents, kind),
    allGot: booked(agents),
    groupSize: count(agents, kind),
    allSize: agents.length,
  };
}

/** The database's live appointments must be the ones the applicants were told about. */
async function checkedAgainstDatabase(run: Run, byProcedure: Record<string, readonly Agent[]>): Promise<number> {
  const stored = await run.server.appointments(Object.keys(byProcedure));
  let mismatches = 0;
  for (const [procedureId, agents] of Object.entries(byProcedure)) {
    const told = new Set(agents.filter((a) => a.state === 'booked').map((a) => a.applicant.email));
    const inDb = new Set(stored[procedureId] ?? []);
    for (const e of told) if (!inDb.has(e)) mismatches++;
    for (const e of inDb) if (!told.has(e)) mismatches++;
  }
  return mismatches;
}

// ---------------------------------------------------------------------------------------------
// 1. Speed

interface SpeedRound {
  round: number;
  scarce: ShareSample;
  calm: ShareSample;
  draws: Record<string, DrawOutcome>;
  mismatches: number;
}

async function speedRound(run: Run, r: number): Promise<SpeedRound> {
  const rng = rngOf(SEED * 1_000 + r);
  const procs = { scarce: procedureIds.scarce(r), calm: procedureIds.calm(r) };
  const groups = {
    scarce: crowd(run, `s${r}`, SEED * 1_000 + r, [
      { kind: 'bot', count: SPEED.scarce.bots },
      { kind: 'human', count: SPEED.scarce.humans },
    ]),
    calm: crowd(run, `c${r}`, SEED * 1_000 + 500 + r, [
      { kind: 'bot', count: SPEED.calm.bots },
      { kind: 'human', count: SPEED.calm.humans },
    ]),
  };
  const everyone = [...groups.scarce, ...groups.calm];
  await giveInboxes(run.server, everyone);
  await Promise.all(Object.values(procs).map((p) => run.server.release(p)));
  const t0 = performance.now();
  const deadline = t0 + ROUND_END * SIM;
  const draws: Record<string, DrawOutcome> = {};
  const drawn = (async () => {
    await sleep(t0 + DRAW_AT * SIM - performance.now());
    for (const p of Object.values(procs)) draws[p] = await run.server.draw(p);
  })();
  const act = async (agent: Agent, procedureId: string, position: number) => {
    const bot = agent.kind === 'bot';
    const arrival = bot ? rng() * 5 : humanDelay(rng);
    const pace = bot ? () => BOT_POLL_MS : () => uniform(rng, 5, 60) * SIM;
    await sleep(arrival);
    await run.pub.seek(agent, procedureId, { deadline, pace, rng, ...(bot ? { teamPosition: position } : {}) });
    if (agent.state !== 'requested') return;
    await drawn;
    await sleep(agent.kind === 'bot' ? 0 : uniform(rng, HUMAN_OFFER_DELAY[0], HUMAN_OFFER_DELAY[1]) * SIM);
    await run.pub.takeOffer(agent);
  };
  await Promise.all([
    drawn,
    ...groups.scarce.map((a, i) => act(a, procs.scarce, i)),
    ...groups.calm.map((a, i) => act(a, procs.calm, i)),
  ]);
  const mismatches = await checkedAgainstDatabase(run, { [procs.scarce]: groups.scarce, [procs.calm]: groups.calm });
  return { round: r, scarce: sample(groups.scarce, 'bot'), calm: sample(groups.calm, 'bot'), draws, mismatches };
}

// ---------------------------------------------------------------------------------------------
// 2. Hand-off

interface HandoffAttempt {
  attempt: number;
  /** The holder got the slot (if not, the attempt is not counted). */
  held: boolean;
  winner: 'accomplice-rebooking' | 'accomplice-request' | 'competitor' | 'waiting-request' | 'holder' | 'nobody';
  /** From the cancellation's answer to the accomplice's booking. */
  rebookedAfterMs: number | null;
  accompliceRequestAccepted: boolean;
  waitingRequestsAccepted: number;
  /** The accomplice's chance if the slot went to a fair lottery among the accepted requests that accept it. */
  chanceIfFair: number;
  accomplicePolls: number;
  draw: DrawOutcome | null;
}

async function handoffAttempt(run: Run, k: number): Promise<HandoffAttempt> {
  const rng = rngOf(SEED * 7_000 + k);
  const procedureId = procedureIds.handoff(k);
  const slot = run.ready.slots[procedureId]![0]!;
  const agents = crowd(run, `h${k}`, SEED * 7_000 + k, [
    { kind: 'bot', count: 3 },
    { kind: 'human', count: 1 + HANDOFF_WAITING },
  ]);
  const [holder, rebooker, requester, competitor, ...waiting] = agents as [Agent, Agent, Agent, Agent, ...Agent[]];
  await giveInboxes(run.server, agents);
  await run.server.release(procedureId);

  // The holder gets the slot as anyone would.
  await run.pub.seek(holder, procedureId, { deadline: performance.now(), pace: () => 0, rng });
  if (holder.state === 'requested') {
    await run.server.draw(procedureId);
    await run.pub.takeOffer(holder);
  }
  const result: HandoffAttempt = {
    attempt: k,
    held: holder.state === 'booked' && holder.slotId === slot.id,
    winner: 'nobody',
    rebookedAfterMs: null,
    accompliceRequestAccepted: false,
    waitingRequestsAccepted: 0,
    chanceIfFair: 0,
    accomplicePolls: 0,
    draw: null,
  };
  if (!result.held) return result;

  // Waiting requests, and the accomplice's request for that very slot's site, weekday and half-day.
  await Promise.all(
    waiting.map((w) =>
      run.pub.fileRequest(w, procedureId, {
        siteIds: [SITE_ID],
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        halfDays: ['am', 'pm'],
      }),
    ),
  );
  await run.pub.fileRequest(requester, procedureId, {
    siteIds: [SITE_ID],
    weekdays: [slot.weekday],
    halfDays: [slot.halfDay],
  });
  result.accompliceRequestAccepted = requester.state === 'requested';
  result.waitingRequestsAccepted = waiting.filter((w) => w.state === 'requested').length;
  if (result.accompliceRequestAccepted) result.chanceIfFair = 1 / (1 + result.waitingRequestsAccepted);

  let stop = false;
  let cancelledAt = Infinity;
  const rebooking = (async () => {
    while (!stop && rebooker.state !== 'booked') {
      result.accomplicePolls++;
      if ((await run.pub.listSlots(procedureId)).includes(slot.id)) {
        const res = await run.pub.book(rebooker, slot.id);
        if (res.status === 201) result.rebookedAfterMs = performance.now() - cancelledAt;
      }
    }
  })();
  const competing = (async () => {
    while (!stop && competitor.state !== 'booked') {
      const listed = await run.pub.listSlots(procedureId);
      if (listed.length > 0) await run.pub.book(competitor, listed[0]!);
      await sleep(COMPETITOR_POLL_MS);
    }
  })();
  await sleep(100);
  const cancelled = await run.pub.cancel(holder);
  cancelledAt = performance.now();
  if (cancelled.status !== 200)
    throw new Error(`hand-off ${k}: the holder could not cancel (${cancelled.status} ${cancelled.code})`);
  await sleep(HANDOFF_HOLD_MS);
  // The next draw tick; offers are taken at once by everyone (the accomplice included).
  result.draw = await run.server.draw(procedureId);
  await Promise.all([requester, ...waiting].map((a) => run.pub.takeOffer(a)));
  await sleep(1000);
  stop = true;
  await Promise.all([rebooking, competing]);

  const holderEmail = (await run.server.holders([slot.id]))[slot.id] ?? null;
  const who = agents.find((a) => a.applicant.email === holderEmail);
  result.winner = !who
    ? 'nobody'
    : who === rebooker
      ? 'accomplice-rebooking'
      : who === requester
        ? 'accomplice-request'
        : who === competitor
          ? 'competitor'
          : who === holder
            ? 'holder'
            : 'waiting-request';
  return result;
}

// ---------------------------------------------------------------------------------------------
// 3. Identity variants

type VariantKind = 'birthDate' | 'names' | 'nationality';

interface VariantResult {
  kind: VariantKind;
  accepted: boolean;
  refusals: string[];
  via: string | null;
}

async function identityVariants(
  run: Run,
): Promise<{ originalsHolding: number; variants: VariantResult[]; draws: DrawOutcome[] }> {
  const rng = rngOf(SEED * 13_000);
  const procedureId = procedureIds.identity;
  const originals = crowd(run, 'id', SEED * 13_000, [{ kind: 'bot', count: ORIGINALS }]);
  await giveInboxes(run.server, originals);
  await run.pub.pow.fill(ORIGINALS * 8);
  await run.server.release(procedureId);
  const draws: DrawOutcome[] = [];
  // Each on its own listed slot, trying again for a few seconds: what is measured is the identity check, not a race.
  const persist = () => ({ deadline: performance.now() + 3000, pace: () => BOT_POLL_MS, rng });
  await Promise.all(originals.map((o, i) => run.pub.seek(o, procedureId, { ...persist(), teamPosition: i })));
  if (originals.some((o) => o.state === 'requested')) {
    draws.push(await run.server.draw(procedureId));
    await Promise.all(originals.map((o) => run.pub.takeOffer(o)));
  }
  const holding = originals.filter((o) => o.state === 'booked');

  const variants: Array<{ kind: VariantKind; agent: Agent }> = [];
  holding.forEach((o, i) => {
    const base = o.applicant;
    const other = (n: number) => NATIONALITIES[(NATIONALITIES.indexOf(base.nationality) + n) % NATIONALITIES.length]!;
    const email = (kind: string) => `${run.tag}-variant-${kind}-${i + 1}@example.org`;
    const year = Number(base.birthDate.slice(0, 4));
    variants.push(
      {
        kind: 'birthDate',
        agent: newAgent(`variant-birth-${i + 1}`, 'bot', {
          ...base,
          email: email('birth'),
          birthDate: `${year + 1}${base.birthDate.slice(4)}`,
        }),
      },
      {
        kind: 'names',
        agent: newAgent(`variant-names-${i + 1}`, 'bot', {
          ...base,
          email: email('names'),
          surname: `${base.surname}a`,
          givenNames: 'Mariam',
        }),
      },
      // Same document (same issuing country), another nationality declared.
      {
        kind: 'nationality',
        agent: newAgent(`variant-nationality-${i + 1}`, 'bot', {
          ...base,
          email: email('nationality'),
          nationality: other(1),
          documentCountry: base.nationality,
        }),
      },
    );
  });
  await giveInboxes(
    run.server,
    variants.map((v) => v.agent),
  );
  await Promise.all(variants.map((v, i) => run.pub.seek(v.agent, procedureId, { ...persist(), teamPosition: i })));
  if (variants.some((v) => v.agent.state === 'requested')) {
    draws.push(await run.server.draw(procedureId));
    await Promise.all(variants.map((v) => run.pub.takeOffer(v.agent)));
  }
  return {
    originalsHolding: holding.length,
    variants: variants.map(({ kind, agent }) => ({
      kind,
      accepted: agent.accepted > 0,
      refusals: agent.refusals,
      via: agent.via ?? (agent.state === 'requested' ? 'request' : null),
    })),
    draws,
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Urgency lie

interface UrgencyRound {
  round: number;
  liars: ShareSample;
  draw: DrawOutcome;
  mismatches: number;
}

async function urgencyRound(run: Run, r: number): Promise<UrgencyRound> {
  const rng = rngOf(SEED * 19_000 + r);
  const procedureId = procedureIds.urgency(r);
  const agents = crowd(run, `u${r}`, SEED * 19_000 + r, [
    { kind: 'bot', count: URGENCY.liars },
    { kind: 'human', count: URGENCY.honest },
  ]);
  await giveInboxes(run.server, agents);
  await run.server.release(procedureId);
  const yesterday = addDays(run.ready.today, -1);
  const inSixMonths = addDays(run.ready.today, 182);
  // Everyone files within a few hundred milliseconds: speed plays no part here.
  await Promise.all(
    agents.map(async (a) => {
      await sleep(rng() * 300);
      await run.pub.seek(a, procedureId, {
        deadline: performance.now(),
        pace: () => 0,
        rng,
        urgencyDate: a.kind === 'bot' ? yesterday : inSixMonths,
      });
    }),
  );
  const draw = await run.server.draw(procedureId);
  await Promise.all(agents.map((a) => run.pub.takeOffer(a)));
  const mismatches = await checkedAgainstDatabase(run, { [procedureId]: agents });
  return { round: r, liars: sample(agents, 'bot'), draw, mismatches };
}

// ---------------------------------------------------------------------------------------------
// One engine

async function adminQuery(sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisReachable(url: string): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Milliseconds → seconds, one decimal. */
const round1 = (ms: number) => Math.round(ms / 100) / 10;
const round3 = (n: number) => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n);
const interval = ([lo, hi]: [number, number]) => [round3(lo), round3(hi)];

async function runEngine(engine: Engine) {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const dataDir = mkdtempSync(join(tmpdir(), 'creneau-scalping-'));
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  let redisUrl: string | undefined;
  if (engine === 'postgres') {
    const name = `creneau_scalping_${randomBytes(4).toString('hex')}`;
    await adminQuery(`create database ${name}`);
    const u = new URL(POSTGRES_URL);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = () => adminQuery(`drop database if exists ${name} with (force)`);
    if (!args['no-redis'] && (await redisReachable(args.redis!))) redisUrl = args.redis!;
  }
  try {
    log(`${engine}: starting the server and writing the scenario${redisUrl ? ' (with Redis)' : ''}…`);
    const server = await ScalpingServer.start(
      {
        engine,
        dataDir,
        logLevel: args['log-level']!,
        identityKeySecret: randomBytes(32).toString('base64url'),
        procedures: scenarioProcedures(),
        ...(databaseUrl ? { databaseUrl } : {}),
        ...(redisUrl ? { redisUrl } : {}),
      },
      log,
    );
    const { ready } = server;
    const api = new Api(ready.url, await knowsDocumentCountry(ready.url));
    const run: Run = {
      server,
      ready,
      pub: new Public(api, new PowStock(api), ready),
      tag: randomBytes(3).toString('hex'),
    };
    log(
      `${engine}: flow ${ready.flow.slotsOpenedByDraws ? 'NEW (slots opened by draws)' : 'OLD (first come, first served)'}; latest migration ${ready.flow.migrations.at(-1)}`,
    );
    try {
      const phaseSeconds: Record<string, number> = { startup: round1(performance.now() - started) };
      /** Runs one experiment, timing it. */
      const phase = async <T>(name: string, what: string, work: () => Promise<T>): Promise<T> => {
        log(`${engine}: ${what}…`);
        const t = performance.now();
        const result = await work();
        phaseSeconds[name] = round1(performance.now() - t);
        return result;
      };
      const speed = await phase('speed', `1. speed, ${ROUNDS} rounds`, () =>
        staggered(run, ROUNDS, SOLUTIONS.speed, (ROUND_END * SIM) / PARALLEL, (r) => speedRound(run, r)),
      );
      const handoffs = await phase('handoff', `2. hand-off, ${HANDOFFS} attempts`, () =>
        staggered(run, HANDOFFS, SOLUTIONS.handoff, 1000, (k) => handoffAttempt(run, k)),
      );
      const identity = await phase('identity', `3. identity variants of ${ORIGINALS} people`, () =>
        identityVariants(run),
      );
      const urgency = await phase('urgency', `4. urgency lie, ${ROUNDS} rounds`, () =>
        staggered(run, ROUNDS, SOLUTIONS.urgency, 500, (r) => urgencyRound(run, r)),
      );
      const integrity = await server.integrity();
      return summarise(engine, ready, speed, handoffs, identity, urgency, {
        integrity,
        answers: Object.fromEntries([...api.answers].sort(([a], [b]) => (a < b ? -1 : 1))),
        latencyMs: Object.fromEntries(
          [...api.latencies].map(([route, ms]) => {
            const sorted = ms.sort((a, b) => a - b);
            return [
              route,
              {
                n: sorted.length,
                p50: round3(quantile(sorted, 0.5)),
                p90: round3(quantile(sorted, 0.9)),
                max: round3(sorted.at(-1)!),
              },
            ];
          }),
        ),
        pow: {
          solved: run.pub.pow.solved,
          solvedOnDemand: run.pub.pow.solvedOnDemand,
          meanSolveMs: round3(run.pub.pow.solveMs / Math.max(1, run.pub.pow.solved)),
        },
        redis: Boolean(redisUrl),
        seconds: round1(performance.now() - started),
        phaseSeconds,
        loadAverage: { start: round3(loadAtStart), end: round3(loadavg()[0]!) },
      });
    } finally {
      await api.close();
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase().catch((error: unknown) =>
      log(`could not drop the ${engine} benchmark database: ${(error as Error).message}`),
    );
  }
}

interface RunExtra {
  integrity: { doubleBookings: number; appointmentsOnUnreleasedSlots: number };
  /** Every answer of the server, by "METHOD route status code". */
  answers: Record<string, number>;
  /** As the applicants saw it, by "METHOD route". */
  latencyMs: Record<string, { n: number; p50: number; p90: number; max: number }>;
  pow: { solved: number; solvedOnDemand: number; meanSolveMs: number };
  redis: boolean;
  seconds: number;
  /** Server start and scenario, then each experiment (proofs of work solved included). */
  phaseSeconds: Record<string, number>;
  /** The machine is shared: its 1-minute load average when the engine started and ended (2 cores). */
  loadAverage: { start: number; end: number };
}

/** Whether the API takes the passport's issuing country (the new flow's applicant.documentCountry). */
async function knowsDocumentCountry(url: string): Promise<boolean> {
  const res = await fetch(`${url}/openapi.json`);
  return res.ok && (await res.text()).includes('"documentCountry"');
}

function summarise(
  engine: Engine,
  ready: ServerReady,
  speed: SpeedRound[],
  handoffs: HandoffAttempt[],
  identity: Awaited<ReturnType<typeof identityVariants>>,
  urgency: UrgencyRound[],
  extra: RunExtra,
) {
  const speedRounds = speed.map((s) => [s.scarce, s.calm]);
  const speedAll = speedRounds.flat();
  const part = (samples: ShareSample[], rounds: ShareSample[][], seed: number) => ({
    advantage: round3(pooledAdvantage(samples)),
    ci95: interval(bootstrapAdvantage(rounds, seed)),
    botsGot: samples.reduce((n, s) => n + s.groupGot, 0),
    appointments: samples.reduce((n, s) => n + s.allGot, 0),
    botIdentities: samples.reduce((n, s) => n + s.groupSize, 0),
    identities: samples.reduce((n, s) => n + s.allSize, 0),
  });
  const counted = handoffs.filter((h) => h.held);
  const succeeded = counted.filter((h) => h.winner === 'accomplice-rebooking' || h.winner === 'accomplice-request');
  const winners: Record<string, number> = {};
  for (const h of counted) winners[h.winner] = (winners[h.winner] ?? 0) + 1;
  const rebookMs = counted
    .map((h) => h.rebookedAfterMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  const accepted = identity.variants.filter((v) => v.accepted);
  const byKind: Record<string, { attempts: number; accepted: number; refusals: Record<string, number> }> = {};
  for (const v of identity.variants) {
    const k = (byKind[v.kind] ??= { attempts: 0, accepted: 0, refusals: {} });
    k.attempts++;
    if (v.accepted) k.accepted++;
    for (const r of v.refusals) k.refusals[r] = (k.refusals[r] ?? 0) + 1;
  }
  const urgencySamples = urgency.map((u) => u.liars);
  const speedSummary = part(speedAll, speedRounds, SEED + 1);
  const urgencySummary = part(
    urgencySamples,
    urgencySamples.map((s) => [s]),
    SEED + 2,
  );
  return {
    speedAdvantage: speedSummary.advantage,
    handoffAttempts: counted.length,
    handoffsSucceeded: succeeded.length,
    identityVariantsAccepted: accepted.length,
    urgencyLieAdvantage: urgencySummary.advantage,
    speedAdvantageCi95: speedSummary.ci95,
    urgencyLieAdvantageCi95: urgencySummary.ci95,
    rounds: ROUNDS,
    ciMethod: BOOTSTRAP_METHOD,
    flow: { ...ready.flow, migrations: undefined, latestMigration: ready.flow.migrations.at(-1) },
    speed: {
      ...speedSummary,
      rounds: speed.length,
      ciMethod: BOOTSTRAP_METHOD,
      scarce: part(
        speed.map((s) => s.scarce),
        speed.map((s) => [s.scarce]),
        SEED + 3,
      ),
      calm: part(
        speed.map((s) => s.calm),
        speed.map((s) => [s.calm]),
        SEED + 4,
      ),
      timeScaleMsPerSimulatedSecond: SIM,
      humansArriveSimulatedSeconds: HUMAN_DELAY,
      humansLookAtOffersSimulatedSeconds: HUMAN_OFFER_DELAY,
      drawTickAtSimulatedSeconds: DRAW_AT,
      roundEndsAtSimulatedSeconds: ROUND_END,
      botPollMs: BOT_POLL_MS,
      databaseMismatches: speed.reduce((n, s) => n + s.mismatches, 0),
      perRound: speed.map((s) => ({ round: s.round, scarce: s.scarce, calm: s.calm, draws: s.draws })),
    },
    handoff: {
      attempts: counted.length,
      setupFailed: handoffs.length - counted.length,
      succeeded: succeeded.length,
      byDirectRebooking: winners['accomplice-rebooking'] ?? 0,
      byRequestLottery: winners['accomplice-request'] ?? 0,
      successRateCi95Wilson: interval(wilson(succeeded.length, counted.length)),
      winners,
      expectedIfFairLottery: round3(counted.reduce((n, h) => n + h.chanceIfFair, 0)),
      accompliceRequestsAccepted: counted.filter((h) => h.accompliceRequestAccepted).length,
      waitingRequestsPerAttempt: HANDOFF_WAITING,
      rebookedAfterMs: rebookMs.length
        ? {
            min: round3(rebookMs[0]!),
            median: round3(rebookMs[Math.floor(rebookMs.length / 2)]!),
            max: round3(rebookMs.at(-1)!),
          }
        : null,
      meanAccomplicePolls: round3(counted.reduce((n, h) => n + h.accomplicePolls, 0) / Math.max(1, counted.length)),
      competitorPollMs: COMPETITOR_POLL_MS,
      holdBeforeDrawMs: HANDOFF_HOLD_MS,
      perAttempt: handoffs,
    },
    identityVariants: {
      attempts: identity.variants.length,
      accepted: accepted.length,
      acceptedRateCi95Wilson: interval(wilson(accepted.length, identity.variants.length)),
      originals: ORIGINALS,
      originalsHolding: identity.originalsHolding,
      byKind,
      draws: identity.draws,
    },
    urgency: {
      ...urgencySummary,
      rounds: urgency.length,
      ciMethod: BOOTSTRAP_METHOD,
      liarsDeclare: 'a permit expired yesterday',
      honestDeclare: 'a permit expiring in 182 days',
      databaseMismatches: urgency.reduce((n, u) => n + u.mismatches, 0),
      perRound: urgency.map((u) => ({ round: u.round, liars: u.liars, draw: u.draw })),
    },
    ...extra,
    engine,
  };
}

type EngineResult = Awaited<ReturnType<typeof runEngine>>;

function printSummary(results: Partial<Record<Engine, EngineResult>>): void {
  const engines = ENGINES.filter((e) => results[e]);
  const ci = (c: number[]) => `[${c.map((x) => x.toFixed(2)).join(', ')}]`;
  const rows: string[][] = [
    ['', ...engines],
    ['flow', ...engines.map((e) => (results[e]!.flow.slotsOpenedByDraws ? 'new (draw first)' : 'old (first come)'))],
    [
      'speedAdvantage (95 % CI)',
      ...engines.map((e) => `${results[e]!.speedAdvantage.toFixed(2)} ${ci(results[e]!.speed.ci95)}`),
    ],
    [
      '  scarce only',
      ...engines.map((e) => `${results[e]!.speed.scarce.advantage.toFixed(2)} ${ci(results[e]!.speed.scarce.ci95)}`),
    ],
    [
      '  calm only',
      ...engines.map((e) => `${results[e]!.speed.calm.advantage.toFixed(2)} ${ci(results[e]!.speed.calm.ci95)}`),
    ],
    [
      '  bots got / appointments',
      ...engines.map(
        (e) =>
          `${results[e]!.speed.botsGot} / ${results[e]!.speed.appointments} (bots ${results[e]!.speed.botIdentities} of ${results[e]!.speed.identities})`,
      ),
    ],
    ['  rounds', ...engines.map((e) => String(results[e]!.speed.rounds))],
    [
      'hand-offs succeeded / attempts',
      ...engines.map((e) => `${results[e]!.handoffsSucceeded} / ${results[e]!.handoffAttempts}`),
    ],
    [
      '  by rebooking / by request',
      ...engines.map((e) => `${results[e]!.handoff.byDirectRebooking} / ${results[e]!.handoff.byRequestLottery}`),
    ],
    [
      '  request wins expected if fair lottery',
      ...engines.map((e) => String(results[e]!.handoff.expectedIfFairLottery)),
    ],
    ['  who got the slot', ...engines.map((e) => JSON.stringify(results[e]!.handoff.winners))],
    [
      'identity variants accepted',
      ...engines.map((e) => `${results[e]!.identityVariantsAccepted} / ${results[e]!.identityVariants.attempts}`),
    ],
    ...(['birthDate', 'names', 'nationality'] as const).map((k) => [
      `  ${k}`,
      ...engines.map((e) => {
        const v = results[e]!.identityVariants.byKind[k];
        return v ? `${v.accepted} / ${v.attempts}` : '—';
      }),
    ]),
    [
      'urgencyLieAdvantage (95 % CI)',
      ...engines.map((e) => `${results[e]!.urgencyLieAdvantage.toFixed(2)} ${ci(results[e]!.urgency.ci95)}`),
    ],
    [
      '  liars got / appointments',
      ...engines.map(
        (e) =>
          `${results[e]!.urgency.botsGot} / ${results[e]!.urgency.appointments} (liars ${results[e]!.urgency.botIdentities} of ${results[e]!.urgency.identities})`,
      ),
    ],
    ['double bookings', ...engines.map((e) => String(results[e]!.integrity.doubleBookings))],
    [
      'told vs stored mismatches',
      ...engines.map((e) => String(results[e]!.speed.databaseMismatches + results[e]!.urgency.databaseMismatches)),
    ],
    [
      'seconds (load average start → end)',
      ...engines.map(
        (e) => `${results[e]!.seconds} (${results[e]!.loadAverage.start} → ${results[e]!.loadAverage.end})`,
      ),
    ],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log('');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
  console.log(
    `Advantage = group's share of appointments ÷ its share of identities (1 = none). CI: ${BOOTSTRAP_METHOD}.`,
  );
  console.log(
    `Time: 1 simulated second = ${SIM} ms; humans arrive ${HUMAN_DELAY[0]}–${HUMAN_DELAY[1]} s after a release or draw, bots at once; draw tick at ${DRAW_AT} s.`,
  );
  console.log('');
}

// ---------------------------------------------------------------------------------------------

const results: Partial<Record<Engine, EngineResult>> = {};
const errors: Partial<Record<Engine, string>> = {};
for (const engine of ENGINES) {
  try {
    results[engine] = await runEngine(engine);
  } catch (error) {
    errors[engine] = (error as Error).message;
    log(`${engine} failed: ${(error as Error).stack ?? error}`);
  }
}
printSummary(results);
if (args.json) {
  const json = { ...results, ...Object.fromEntries(Object.entries(errors).map(([e, m]) => [e, { error: m }])) };
  writeFileSync(args.json, `${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' ? round3(v) : v), 2)}\n`);
  log(`wrote ${args.json}`);
}
process.exitCode = Object.keys(errors).length ? 1 : 0;
