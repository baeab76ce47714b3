// Proof-of-work verification benchmark: `npm run bench:pow -- [--json FILE] [--count N]`.
//
// Measures, in one thread (one core), how many solutions the ALTCHA adapter checks per
// second — the figure that says whether a flood of solutions, genuine or forged, can cost
// us more than it costs the sender:
//   * valid: N distinct, correct solutions, each verified once ('ok');
//   * forged: the same challenges with a wrong counter — a genuine signature, so each one
//     goes through every check (HMAC, expiry, SHA-256) before being refused: the most
//     expensive forgery there is;
//   * forged signature, and garbage (random base64): the cheap refusals.
// The replay store is an in-memory Set, so the figures measure verification itself, not
// the database or Redis (a genuine solution then costs one INSERT or one SET on top).
// The counting of attempts by the DifficultyPolicy is included, as in production.
//
// Valid payloads are built without solving: the bench creates each challenge with
// altcha-lib itself (same options as the adapter, SHA-256, deterministic mode) with a counter
// it knows, and computes the key for that counter. Checking a solution costs the same
// whatever the counter, so this changes nothing to the figure; counters are drawn in
// [maxNumber/2, maxNumber] with maxNumber = the ceiling, as under a flood.
//
// It also times challenge creation (altcha-lib's createChallenge, WebCrypto HMAC), and, for
// comparison, altcha-lib's own verifySolution (WebCrypto) on SHA-256, and on
// PBKDF2/SHA-256 at cost 5,000 (the key-derivation mode we did not choose; see
// docs/PROOF-OF-WORK.md), and the rate at which one core of this machine tries counters, as a
// solving bot would.
import { createHash, hash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type Challenge, createChallenge, randomInt, verifySolution } from 'altcha-lib';
import { deriveKey as pbkdf2DeriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { deriveKey as shaDeriveKey } from 'altcha-lib/algorithms/sha';
import { CHALLENGE_TTL_MS, createAltchaProofOfWork, POW_ALGORITHM } from '../src/adapters/pow/altcha-proof-of-work.ts';
import { createDifficultyPolicy, DEFAULT_DIFFICULTY_SETTINGS } from '../src/domain/pow-difficulty.ts';
import type { PowVerdict, ProofOfWork, ReplayStore } from '../src/ports/proof-of-work.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    count: { type: 'string', default: '60000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(`Usage: npm run bench:pow -- [--json FILE] [--count N]
  --json FILE   write {"verificationsPerSecond": N, "forgedRejectionsPerSecond": N, …} to FILE
  --count N     distinct valid solutions to verify (default 60000; as many forged ones)`);
  process.exit(0);
}
const COUNT = Number(args.count);
if (!Number.isInteger(COUNT) || COUNT < 3000) throw new Error('--count must be an integer ≥ 3000');

const HMAC_KEY = 'bench-pow-hmac-key-0123456789abcdef-0123456789abcdef';
const MAX_NUMBER = DEFAULT_DIFFICULTY_SETTINGS.maxMaxNumber;
const TARGET = 50_000;
const clock = { now: () => new Date() };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** In memory, for the bench only: measures verification, not storage. */
function memoryReplayStore(): ReplayStore {
  const used = new Set<string>();
  return {
    async claimOnce(key) {
      if (used.has(key)) return false;
      used.add(key);
      return true;
    },
  };
}

function keyOf(parameters: Challenge['parameters'], counter: number): string {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter, 0);
  return createHash('sha256')
    .update(Buffer.from(parameters.salt, 'hex'))
    .update(Buffer.from(parameters.nonce, 'hex'))
    .update(c)
    .digest('hex');
}

interface Prepared {
  valid: string[];
  forged: string[];
  forgedSignature: string[];
  garbage: string[];
}

async function prepare(count: number): Promise<Prepared> {
  const prepared: Prepared = { valid: [], forged: [], forgedSignature: [], garbage: [] };
  const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
  for (let i = 0; i < count; i++) {
    const counter = randomInt(MAX_NUMBER, MAX_NUMBER / 2);
    const challenge = await createChallenge({
      algorithm: POW_ALGORITHM,
      cost: 1,
      counter,
      deriveKey: shaDeriveKey,
      hmacSignatureSecret: HMAC_KEY,
      expiresAt,
    });
    const body = {
      challenge: { parameters: challenge.parameters, signature: challenge.signature },
      solution: { counter, derivedKey: keyOf(challenge.parameters, counter), time: 1234 },
    };
    prepared.valid.push(encode(body));
    prepared.forged.push(encode({ ...body, solution: { ...body.solution, counter: counter + 1 } }));
    prepared.forgedSignature.push(
      encode({ ...body, challenge: { ...body.challenge, signature: keyOf(challenge.parameters, counter + 7) } }),
    );
    prepared.garbage.push(
      Buffer.from(createHash('sha512').update(String(i)).digest())
        .toString('base64')
        .repeat(8),
    );
  }
  return prepared;
}

interface Rate {
  /** Per second of CPU time of this process: what one dedicated core does. */
  cpu: number;
  /** Per second of wall-clock time: lower when other processes share the cores. */
  wall: number;
}

/** Times `work` (which does `count` operations) in wall-clock and CPU time. */
async function timed(count: number, work: () => Promise<void> | void): Promise<Rate> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallSeconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpuBefore);
  return { cpu: count / ((used.user + used.system) / 1e6), wall: count / wallSeconds };
}

/** Verifies every payload in turn (one at a time: one thread), checks the verdicts. */
async function rate(pow: ProofOfWork, payloads: string[], expected: PowVerdict): Promise<Rate> {
  let unexpected = 0;
  const result = await timed(payloads.length, async () => {
    for (let i = 0; i < payloads.length; i++) {
      if ((await pow.verify(payloads[i], { ip: `198.51.100.${i & 63}` })) !== expected) unexpected++;
    }
  });
  if (unexpected > 0) throw new Error(`${unexpected} of ${payloads.length} verdicts were not '${expected}'`);
  return result;
}

/** Three rounds over thirds of the payloads; the median of each measure. */
async function medianRate(pow: ProofOfWork, payloads: string[], expected: PowVerdict): Promise<Rate> {
  const third = Math.floor(payloads.length / 3);
  const rounds: Rate[] = [];
  for (let r = 0; r < 3; r++) rounds.push(await rate(pow, payloads.slice(r * third, (r + 1) * third), expected));
  const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
  return { cpu: median(rounds.map((r) => r.cpu)), wall: median(rounds.map((r) => r.wall)) };
}

async function libraryRate(algorithm: string, cost: number, samples: number): Promise<Rate> {
  const deriveKey = algorithm.startsWith('PBKDF2') ? pbkdf2DeriveKey : shaDeriveKey;
  const cases: { challenge: Challenge; counter: number; derivedKey: string }[] = [];
  for (let i = 0; i < samples; i++) {
    const counter = randomInt(1000, 1);
    const challenge = await createChallenge({
      algorithm,
      cost,
      counter,
      deriveKey,
      hmacSignatureSecret: HMAC_KEY,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    const salt = Buffer.from(challenge.parameters.salt, 'hex');
    const password = Buffer.alloc(challenge.parameters.nonce.length / 2 + 4);
    Buffer.from(challenge.parameters.nonce, 'hex').copy(password);
    password.writeUInt32BE(counter, password.length - 4);
    const { derivedKey } = await deriveKey(challenge.parameters, salt, password);
    cases.push({ challenge, counter, derivedKey: Buffer.from(derivedKey).toString('hex') });
  }
  return timed(samples, async () => {
    for (const c of cases) {
      const result = await verifySolution({
        challenge: c.challenge,
        solution: { counter: c.counter, derivedKey: c.derivedKey },
        deriveKey,
        hmacSignatureSecret: HMAC_KEY,
      });
      if (!result.verified) throw new Error(`altcha-lib refused a valid ${algorithm} solution`);
    }
  });
}

/** Counters tried per second by one thread hashing natively, as a bot solving challenges would. */
function solverRate(): Promise<Rate> {
  const input = Buffer.alloc(36, 7);
  const attempts = 1_000_000;
  return timed(attempts, () => {
    for (let n = 0; n < attempts; n++) {
      input.writeUInt32BE(n, 32);
      hash('sha256', input, 'buffer');
    }
  });
}

const round = (n: number) => Math.round(n);

console.log(`preparing ${COUNT} challenges with altcha-lib…`);
const warmUp = await prepare(3000);
const prepared = await prepare(COUNT);
const pow = createAltchaProofOfWork({
  hmacKey: HMAC_KEY,
  replayStore: memoryReplayStore(),
  clock,
  difficulty: createDifficultyPolicy(),
});
await rate(pow, warmUp.valid, 'ok');
await rate(pow, warmUp.forged, 'invalid');

const loadBefore = loadavg()[0]!;
const valid = await medianRate(pow, prepared.valid, 'ok');
const forged = await medianRate(pow, prepared.forged, 'invalid');
const forgedSignature = await medianRate(pow, prepared.forgedSignature, 'invalid');
const garbage = await medianRate(pow, prepared.garbage, 'invalid');
console.log('timing altcha-lib verifySolution (SHA-256, PBKDF2/SHA-256 cost 5,000) and a one-core solver…');
const librarySha256 = await libraryRate('SHA-256', 1, 3000);
const libraryPbkdf2 = await libraryRate('PBKDF2/SHA-256', 5000, 300);
const solver = await solverRate();
const challenges = await timed(5000, async () => {
  for (let i = 0; i < 5000; i++) await pow.createChallenge({ ip: `203.0.113.${i & 63}` });
});
const loadAfter = loadavg()[0]!;

const cpu = cpus();
const result = {
  // Per second of CPU time (one thread, one core's worth); wall-clock figures below.
  verificationsPerSecond: round(valid.cpu),
  forgedRejectionsPerSecond: round(forged.cpu),
  forgedSignatureRejectionsPerSecond: round(forgedSignature.cpu),
  garbageRejectionsPerSecond: round(garbage.cpu),
  algorithm: POW_ALGORITHM,
  maxnumber: MAX_NUMBER,
  target: TARGET,
  meetsTarget: valid.cpu >= TARGET,
  measure: 'operations per second of CPU time of the benchmark process (one thread); wallClock: per elapsed second',
  wallClock: {
    verificationsPerSecond: round(valid.wall),
    forgedRejectionsPerSecond: round(forged.wall),
    forgedSignatureRejectionsPerSecond: round(forgedSignature.wall),
    garbageRejectionsPerSecond: round(garbage.wall),
  },
  replayStore: 'in-memory (measures verification, not storage)',
  threads: 1,
  count: COUNT,
  challengesCreatedPerSecond: round(challenges.cpu),
  comparison: {
    altchaLibVerifySolutionSha256PerSecond: round(librarySha256.cpu),
    altchaLibVerifySolutionPbkdf2Cost5000PerSecond: round(libraryPbkdf2.cpu),
    solverSha256HashesPerSecondOneCore: round(solver.cpu),
  },
  machine: {
    cpus: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) },
  },
  date: new Date().toISOString(),
};

const fmt = (n: number) => round(n).toLocaleString('en-US');
console.log(
  `pow: ${fmt(valid.cpu)} valid verifications per CPU-second, one thread (target ≥ ${fmt(TARGET)}: ${result.meetsTarget ? 'met' : 'MISSED'}); ` +
    `forged (genuine signature, wrong counter) refused at ${fmt(forged.cpu)}/s, forged signature at ${fmt(forgedSignature.cpu)}/s, ` +
    `garbage at ${fmt(garbage.cpu)}/s — ${POW_ALGORITHM}, maxnumber ${fmt(MAX_NUMBER)}, in-memory replay store`,
);
console.log(
  `     wall clock: ${fmt(valid.wall)} valid/s, ${fmt(forged.wall)} forged/s (load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${cpu.length} cores); ` +
    `altcha-lib verifySolution: SHA-256 ${fmt(librarySha256.cpu)}/s, PBKDF2/SHA-256 cost 5,000 ${fmt(libraryPbkdf2.cpu)}/s; ` +
    `a solving bot tries ${fmt(solver.cpu)} SHA-256 counters/s per core; challenges created at ${fmt(challenges.cpu)}/s`,
);
if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
