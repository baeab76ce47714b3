// The ALTCHA proof of work end to end: challenges solved for real with altcha-lib's solver,
// verified by our adapter, claimed once in the database (both engines) or in Redis.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Challenge, solveChallenge, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import fc from 'fast-check';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import { CHALLENGE_TTL_MS, createAltchaProofOfWork } from '../../src/adapters/pow/altcha-proof-of-work.ts';
import { createDbReplayStore } from '../../src/adapters/pow/db-replay-store.ts';
import { createRedisReplayStore } from '../../src/adapters/pow/redis-replay-store.ts';
import { createDifficultyPolicy, type DifficultySettings } from '../../src/domain/pow-difficulty.ts';
import { powRoutes } from '../../src/http/routes/pow.ts';
import type { PowChallenge, PowVerdict, ReplayStore } from '../../src/ports/proof-of-work.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TestClock } from '../support/scenario.ts';

const HMAC_KEY = 'test-pow-hmac-key-0123456789abcdef-0123456789';
const NOW = new Date('2026-06-01T08:00:00Z');
const IP = { ip: '198.51.100.7' };
// Small bounds keep real solving fast in tests; the policy is the production one.
const EASY: Partial<DifficultySettings> = { minMaxNumber: 1_000, maxMaxNumber: 20_000 };

interface WidgetPayload {
  challenge: { parameters: Record<string, unknown>; signature: string };
  solution: { counter: number; derivedKey: string; time?: number };
}

/** Solves as the widget does and encodes its payload: base64(JSON { challenge, solution }). */
async function solve(challenge: PowChallenge): Promise<{ payload: string; decoded: WidgetPayload }> {
  const solution = await solveChallenge({ challenge: challenge as unknown as Challenge, deriveKey, timeout: 30_000 });
  assert.ok(solution, 'altcha-lib found a solution');
  const decoded = {
    challenge: {
      parameters: challenge.parameters as Record<string, unknown>,
      signature: challenge.signature as string,
    },
    solution,
  };
  return { payload: encode(decoded), decoded };
}
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const clone = <T>(value: T): T => structuredClone(value);

/** An in-memory ReplayStore that also counts how often it is asked. */
function countingMemoryStore(): ReplayStore & { calls: number } {
  const used = new Set<string>();
  return {
    calls: 0,
    async claimOnce(key) {
      this.calls++;
      if (used.has(key)) return false;
      used.add(key);
      return true;
    },
  };
}

/** The behaviour every ReplayStore must give the proof of work. */
function replayStoreSuite(store: () => ReplayStore, clock: TestClock) {
  const pow = () =>
    createAltchaProofOfWork({
      hmacKey: HMAC_KEY,
      replayStore: store(),
      clock,
      difficulty: createDifficultyPolicy(EASY),
    });

  it('accepts a solved challenge once, then says replayed', async () => {
    clock.set(NOW);
    const p = pow();
    const { payload } = await solve(await p.createChallenge(IP));
    assert.equal(await p.verify(payload, IP), 'ok');
    assert.equal(await p.verify(payload, IP), 'replayed');
    assert.equal(await p.verify(payload, { ip: '203.0.113.1' }), 'replayed');
  });

  it('lets exactly one of 12 simultaneous verifications of one solution through', async () => {
    clock.set(NOW);
    const p = pow();
    const { payload } = await solve(await p.createChallenge(IP));
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => p.verify(payload, IP)));
    assert.equal(verdicts.filter((v) => v === 'ok').length, 1);
    assert.equal(verdicts.filter((v) => v === 'replayed').length, 11);
  });

  it('refuses a challenge past its 5 minutes, and accepts it one second before', async () => {
    clock.set(NOW);
    const p = pow();
    const late = await solve(await p.createChallenge(IP));
    const justInTime = await solve(await p.createChallenge(IP));
    clock.set(new Date(NOW.getTime() + CHALLENGE_TTL_MS + 1_000));
    assert.equal(await p.verify(late.payload, IP), 'expired');
    clock.set(new Date(NOW.getTime() + CHALLENGE_TTL_MS - 1_000));
    assert.equal(await p.verify(justInTime.payload, IP), 'ok');
  });

  it('claims a key once until it expires, and never an already expired key', async () => {
    clock.set(NOW);
    const s = store();
    const key = `k-${randomBytes(8).toString('hex')}`;
    const expiresAt = new Date(NOW.getTime() + 60_000);
    assert.equal(await s.claimOnce(key, expiresAt), true);
    assert.equal(await s.claimOnce(key, expiresAt), false);
    assert.equal(await s.claimOnce(`k-${randomBytes(8).toString('hex')}`, new Date(NOW.getTime() - 1)), false);
  });

  it('lets the owner of a claim claim it again (an idempotent retry), nobody else', async () => {
    clock.set(NOW);
    const s = store();
    const key = `k-${randomBytes(8).toString('hex')}`;
    const expiresAt = new Date(NOW.getTime() + 60_000);
    assert.equal(await s.claimOnce(key, expiresAt, 'idem-key-1'), true);
    assert.equal(await s.claimOnce(key, expiresAt, 'idem-key-1'), true);
    assert.equal(await s.claimOnce(key, expiresAt, 'idem-key-2'), false);
    assert.equal(await s.claimOnce(key, expiresAt), false);
    const anonymous = `k-${randomBytes(8).toString('hex')}`;
    assert.equal(await s.claimOnce(anonymous, expiresAt), true);
    assert.equal(await s.claimOnce(anonymous, expiresAt, 'idem-key-1'), false);
  });
}

describeEachEngine('proof of work, database replay store', (database) => {
  const clock = new TestClock(NOW);
  replayStoreSuite(() => createDbReplayStore(database().db, clock), clock);

  it('purges the challenges that have expired, and only those', async () => {
    const db = database().db;
    const store = createDbReplayStore(db, clock);
    clock.set(NOW);
    await db.deleteFrom('pow_replay').execute();
    await store.claimOnce('soon', new Date(NOW.getTime() + 60_000));
    await store.claimOnce('later', new Date(NOW.getTime() + 300_000));
    assert.equal(await store.purgeExpired(new Date(NOW.getTime() + 120_000)), 1);
    const left = await db.selectFrom('pow_replay').select('challenge_key').execute();
    assert.deepEqual(
      left.map((r) => r.challenge_key),
      ['later'],
    );
  });
});

// Redis: 127.0.0.1:6379 (REDIS_URL to change it). Skipped when unreachable, except with CI=true.
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
async function probeRedis(): Promise<string | null> {
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 10_000, // generous: several test processes run at once
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    probe.disconnect();
  }
}
const redisProblem = await probeRedis();
const redisSkip =
  redisProblem && process.env.CI !== 'true' ? `Redis unreachable at ${redisUrl}: ${redisProblem}` : false;

describe('proof of work, Redis replay store', { skip: redisSkip }, () => {
  const clock = new TestClock(NOW);
  const keyPrefix = `creneau-test:pow:${process.pid}:${randomBytes(4).toString('hex')}:`;
  let redis: Redis | undefined;
  before(async () => {
    if (redisProblem) throw new Error(`CI=true and Redis is unreachable at ${redisUrl}: ${redisProblem}`);
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const store = () => createRedisReplayStore(redis!, { clock, keyPrefix });
  replayStoreSuite(store, clock);

  it('lets the key expire with the challenge (PX)', async () => {
    clock.set(NOW);
    await store().claimOnce('ttl', new Date(NOW.getTime() + 90_000));
    const ttl = await redis!.pttl(`${keyPrefix}ttl`);
    assert.ok(ttl > 85_000 && ttl <= 90_000, `PTTL ${ttl}`);
  });

  it('claims in the fallback store while Redis fails, and reports the error', async () => {
    const broken = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    broken.on('error', () => {});
    const fallback = countingMemoryStore();
    const errors: Error[] = [];
    const s = createRedisReplayStore(broken, { clock, keyPrefix, fallback, onError: (e) => errors.push(e) });
    clock.set(NOW);
    const expiresAt = new Date(NOW.getTime() + 60_000);
    assert.equal(await s.claimOnce('k', expiresAt), true);
    assert.equal(await s.claimOnce('k', expiresAt), false);
    assert.equal(fallback.calls, 2);
    assert.equal(errors.length, 1);
    await assert.rejects(createRedisReplayStore(broken, { clock, keyPrefix }).claimOnce('k', expiresAt));
    broken.disconnect();
  });
});

describe('proof of work, verification', () => {
  const clock = new TestClock(NOW);

  it('refuses any tampering with the solution, the parameters or the signature', async () => {
    clock.set(NOW);
    const store = countingMemoryStore();
    const p = createAltchaProofOfWork({
      hmacKey: HMAC_KEY,
      replayStore: store,
      clock,
      difficulty: createDifficultyPolicy(EASY),
    });
    const { decoded } = await solve(await p.createChallenge(IP));
    const tampered: [string, (d: WidgetPayload) => void][] = [
      [
        'counter + 1',
        (d) => {
          d.solution.counter += 1;
        },
      ],
      [
        'counter − 1',
        (d) => {
          d.solution.counter -= 1;
        },
      ],
      [
        'derived key',
        (d) => {
          d.solution.derivedKey = d.solution.derivedKey.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
        },
      ],
      [
        'signature',
        (d) => {
          d.challenge.signature = d.challenge.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
        },
      ],
      [
        'signature of another key',
        (d) => {
          d.challenge.signature = randomBytes(32).toString('hex');
        },
      ],
      [
        'later expiry',
        (d) => {
          d.challenge.parameters.expiresAt = (d.challenge.parameters.expiresAt as number) + 3600;
        },
      ],
      [
        'easier prefix',
        (d) => {
          d.challenge.parameters.keyPrefix = (d.challenge.parameters.keyPrefix as string).slice(0, 2);
        },
      ],
      [
        'other salt',
        (d) => {
          d.challenge.parameters.salt = randomBytes(16).toString('hex');
        },
      ],
      [
        'extra parameter',
        (d) => {
          d.challenge.parameters.data = { purpose: 'booking' };
        },
      ],
      [
        'other algorithm',
        (d) => {
          d.challenge.parameters.algorithm = 'PBKDF2/SHA-256';
        },
      ],
    ];
    for (const [what, change] of tampered) {
      const copy = clone(decoded);
      change(copy);
      assert.equal(await p.verify(encode(copy), IP), 'invalid', what);
    }
    // A correct solution of another counter does not match the signed prefix either.
    const other = clone(decoded);
    other.solution.counter += 1;
    other.solution.derivedKey = (
      await deriveKey(
        decoded.challenge.parameters as never,
        Buffer.from(decoded.challenge.parameters.salt as string, 'hex'),
        Buffer.concat([
          Buffer.from(decoded.challenge.parameters.nonce as string, 'hex'),
          Buffer.from([0, 0, 0, 0].map((_, i) => (other.solution.counter >>> (24 - 8 * i)) & 0xff)),
        ]),
      )
    ).derivedKey.reduce((hex, b) => hex + b.toString(16).padStart(2, '0'), '');
    assert.equal(await p.verify(encode(other), IP), 'invalid', 'key of another counter');
    assert.equal(store.calls, 0, 'no forgery reaches the replay store');
    assert.equal(await p.verify(encode(decoded), IP), 'ok', 'the untouched payload still passes');
  });

  it('says expired only for a genuine challenge: a forged expired one is invalid', async () => {
    clock.set(NOW);
    const p = createAltchaProofOfWork({
      hmacKey: HMAC_KEY,
      replayStore: countingMemoryStore(),
      clock,
      difficulty: createDifficultyPolicy(EASY),
    });
    const { decoded } = await solve(await p.createChallenge(IP));
    clock.set(new Date(NOW.getTime() + 3_600_000));
    assert.equal(await p.verify(encode(decoded), IP), 'expired');
    const forged = clone(decoded);
    forged.challenge.signature = randomBytes(32).toString('hex');
    assert.equal(await p.verify(encode(forged), IP), 'invalid');
  });

  it('refuses a challenge signed with another key', async () => {
    clock.set(NOW);
    const difficulty = createDifficultyPolicy(EASY);
    const other = createAltchaProofOfWork({
      hmacKey: 'another-key-0123456789abcdef-0123456789abcdef',
      replayStore: countingMemoryStore(),
      clock,
      difficulty,
    });
    const p = createAltchaProofOfWork({ hmacKey: HMAC_KEY, replayStore: countingMemoryStore(), clock, difficulty });
    const { payload } = await solve(await other.createChallenge(IP));
    assert.equal(await p.verify(payload, IP), 'invalid');
  });

  it("agrees with altcha-lib's own verifySolution", async () => {
    const realClock = { now: () => new Date() }; // altcha-lib checks expiry against the real time
    const p = createAltchaProofOfWork({
      hmacKey: HMAC_KEY,
      replayStore: countingMemoryStore(),
      clock: realClock,
      difficulty: createDifficultyPolicy(EASY),
    });
    for (let i = 0; i < 3; i++) {
      const { payload, decoded } = await solve(await p.createChallenge(IP));
      const library = await verifySolution({
        challenge: decoded.challenge as unknown as Challenge,
        solution: decoded.solution,
        deriveKey,
        hmacSignatureSecret: HMAC_KEY,
      });
      assert.equal(library.verified, true);
      assert.equal(await p.verify(payload, IP), 'ok');
      const wrong = clone(decoded);
      wrong.solution.counter += 1;
      const libraryWrong = await verifySolution({
        challenge: wrong.challenge as unknown as Challenge,
        solution: wrong.solution,
        deriveKey,
        hmacSignatureSecret: HMAC_KEY,
      });
      assert.equal(libraryWrong.verified, false);
      assert.equal(await p.verify(encode(wrong), IP), 'invalid');
    }
  });

  it('gives a verdict, never an exception, for garbage', async () => {
    clock.set(NOW);
    const store = countingMemoryStore();
    const p = createAltchaProofOfWork({
      hmacKey: HMAC_KEY,
      replayStore: store,
      clock,
      difficulty: createDifficultyPolicy(EASY),
    });
    assert.equal(await p.verify(undefined, IP), 'missing');
    assert.equal(await p.verify('', IP), 'missing');
    const nested = '['.repeat(5_000) + ']'.repeat(5_000);
    const garbage: unknown[] = [
      ' ',
      'not base64!!',
      'AAAA',
      '====',
      'A'.repeat(10_000_000),
      '\u0000\uffff',
      '🙂🙂🙂🙂',
      encode(null),
      encode([]),
      encode({}),
      encode('text'),
      encode(42),
      Buffer.from(nested).toString('base64').slice(0, 2048),
      encode({ challenge: {}, solution: {} }),
      encode({ challenge: null, solution: null, test: true }),
      encode({ algorithm: 'SHA-256', challenge: 'ab', number: 1, salt: 'x?expires=1', signature: 'ab', took: 1 }),
      42,
      null,
      {},
      ['x'],
      Symbol('x'),
    ];
    for (const input of garbage) {
      const verdict = await p.verify(input as string, IP);
      assert.ok(
        verdict === 'invalid' || verdict === 'missing',
        `${String(typeof input === 'string' ? input.slice(0, 40) : typeof input)} → ${verdict}`,
      );
    }
    // Right shape, wrong types or ranges.
    const { decoded } = await solve(await p.createChallenge(IP));
    const wrongTypes: ((d: WidgetPayload) => void)[] = [
      (d) => {
        (d.solution as Record<string, unknown>).counter = String(d.solution.counter);
      },
      (d) => {
        d.solution.counter = -1;
      },
      (d) => {
        d.solution.counter = 2 ** 32;
      },
      (d) => {
        d.solution.counter = 1.5;
      },
      (d) => {
        d.solution.derivedKey = d.solution.derivedKey.toUpperCase();
      },
      (d) => {
        d.solution.derivedKey = d.solution.derivedKey.slice(2);
      },
      (d) => {
        (d.challenge.parameters as Record<string, unknown>).cost = '1';
      },
      (d) => {
        (d.challenge.parameters as Record<string, unknown>).expiresAt = Number.MAX_VALUE;
      },
      (d) => {
        (d.challenge as Record<string, unknown>).parameters = [1, 2];
      },
      (d) => {
        (d as unknown as Record<string, unknown>).solution = 'x';
      },
    ];
    for (const change of wrongTypes) {
      const copy = clone(decoded);
      change(copy);
      assert.equal(await p.verify(encode(copy), IP), 'invalid');
    }
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.base64String(), fc.jsonValue().map(encode)), async (input) => {
        const verdict: PowVerdict = await p.verify(input, IP);
        return verdict === 'invalid' || (input === '' && verdict === 'missing');
      }),
      { numRuns: 300, seed: 20_260_601 },
    );
    assert.equal(store.calls, 0);
  });

  it('raises the difficulty for a flooding address, within bounds, and leaves others at the floor', async () => {
    clock.set(NOW);
    const difficulty = createDifficultyPolicy(EASY);
    const p = createAltchaProofOfWork({ hmacKey: HMAC_KEY, replayStore: countingMemoryStore(), clock, difficulty });
    const first = await solve(await p.createChallenge(IP));
    assert.ok(
      first.decoded.solution.counter >= 500 && first.decoded.solution.counter <= 1_000,
      `counter ${first.decoded.solution.counter}`,
    );
    // 300 challenges and failed verifications in a minute from one address
    for (let i = 0; i < 150; i++) {
      clock.set(new Date(NOW.getTime() + i * 200));
      await p.createChallenge(IP);
      await p.verify('garbage', IP);
    }
    assert.equal(difficulty.maxNumberFor(IP.ip, clock.now()), 20_000);
    const flooded = await solve(await p.createChallenge(IP));
    assert.ok(
      flooded.decoded.solution.counter >= 10_000 && flooded.decoded.solution.counter <= 20_000,
      `counter ${flooded.decoded.solution.counter}`,
    );
    const neighbour = await solve(await p.createChallenge({ ip: '192.0.2.44' }));
    assert.ok(neighbour.decoded.solution.counter <= 1_000, `counter ${neighbour.decoded.solution.counter}`);
  });
});

describe('GET /api/pow/challenge', () => {
  const clock = new TestClock(NOW);
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const pow = createAltchaProofOfWork({
    hmacKey: HMAC_KEY,
    replayStore: countingMemoryStore(),
    clock,
    difficulty: createDifficultyPolicy(EASY),
  });
  before(async () => {
    await app.register(powRoutes(pow));
    await app.ready();
  });
  after(() => app.close());

  it('serves a fresh, uncacheable challenge that the widget can solve and we accept', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/pow/challenge' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const challenge = response.json() as PowChallenge;
    const parameters = challenge.parameters as Record<string, unknown>;
    assert.equal(parameters.algorithm, 'SHA-256');
    assert.equal(parameters.expiresAt, Math.floor((NOW.getTime() + CHALLENGE_TTL_MS) / 1000));
    assert.match(challenge.signature as string, /^[0-9a-f]{64}$/);
    const again = (await app.inject({ method: 'GET', url: '/api/pow/challenge' })).json() as PowChallenge;
    assert.notEqual(again.signature, challenge.signature);
    const { payload } = await solve(challenge);
    assert.equal(await pow.verify(payload, IP), 'ok');
  });
});
