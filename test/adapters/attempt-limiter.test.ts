import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createMemoryAttemptLimiter, MemoryWindowCounter } from '../../src/adapters/limits/memory-attempt-limiter.ts';
import { createRedisAttemptLimiter } from '../../src/adapters/limits/redis-attempt-limiter.ts';
import { closeRedis, createRedis, openRedis, openRedisOrReconnect } from '../../src/adapters/redis.ts';
import { TestClock } from '../support/scenario.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('memory attempt limiter', () => {
  it('allows `limit` attempts per fixed window, then tells how long to wait', async () => {
    const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
    const limiter = createMemoryAttemptLimiter({ clock });
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await limiter.hit('email:a', 3, 60), { allowed: true, retryAfterSeconds: 60 });
    clock.set('2026-06-01T08:00:10Z');
    assert.deepEqual(await limiter.hit('email:a', 3, 60), { allowed: false, retryAfterSeconds: 50 });
    assert.equal((await limiter.hit('email:b', 3, 60)).allowed, true, 'another key has its own count');
    clock.set('2026-06-01T08:00:59.200Z');
    assert.deepEqual(await limiter.hit('email:a', 3, 60), { allowed: false, retryAfterSeconds: 1 });
    clock.set('2026-06-01T08:01:00Z');
    assert.deepEqual(
      await limiter.hit('email:a', 3, 60),
      { allowed: true, retryAfterSeconds: 60 },
      'a new window starts',
    );
  });

  it('reads a window without counting: 0 when none is open, the count and time left otherwise', async () => {
    const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
    const limiter = createMemoryAttemptLimiter({ clock });
    assert.deepEqual(await limiter.peek('pair:x'), { current: 0, ttlMs: 0 });
    await limiter.count('pair:x', 60_000);
    await limiter.count('pair:x', 60_000);
    clock.set('2026-06-01T08:00:10Z');
    assert.deepEqual(await limiter.peek('pair:x'), { current: 2, ttlMs: 50_000 });
    assert.deepEqual(await limiter.peek('pair:x'), { current: 2, ttlMs: 50_000 }, 'peeking counts nothing');
    clock.set('2026-06-01T08:01:00Z');
    assert.deepEqual(await limiter.peek('pair:x'), { current: 0, ttlMs: 0 }, 'a closed window reads as none');
  });

  it('gives back one attempt, never below zero, in the same window', async () => {
    const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
    const limiter = createMemoryAttemptLimiter({ clock });
    await limiter.hit('email:c', 2, 60);
    await limiter.hit('email:c', 2, 60);
    await limiter.release('email:c');
    clock.set('2026-06-01T08:00:10Z');
    assert.deepEqual(
      await limiter.hit('email:c', 2, 60),
      { allowed: true, retryAfterSeconds: 50 },
      'the window keeps its end',
    );
    assert.equal((await limiter.hit('email:c', 2, 60)).allowed, false);
    await limiter.release('email:none');
    await limiter.release('email:none');
    assert.deepEqual(await limiter.peek('email:none'), { current: 0, ttlMs: 0 }, 'nothing to give back opens nothing');
  });

  it('keeps at most maxKeys keys, sweeping closed windows first', () => {
    const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
    const counter = new MemoryWindowCounter({ maxKeys: 100, clock });
    for (let i = 0; i < 1000; i++) counter.countNow(`flood-${i}`, 60_000);
    assert.ok(counter.size <= 100, `size ${counter.size}`);
    // The newest keys survive the eviction.
    assert.equal(counter.countNow('flood-999', 60_000).current, 2);
    clock.set('2026-06-01T08:05:00Z');
    for (let i = 0; i < 100; i++) counter.countNow(`later-${i}`, 60_000);
    assert.equal(counter.countNow('later-0', 60_000).current, 2, 'live windows are kept when closed ones can be swept');
  });
});

describe('Redis attempt limiter', () => {
  const keyPrefix = `creneau-test:${randomBytes(6).toString('hex')}:`;
  let first: Redis;
  let second: Redis;
  before(async () => {
    first = await openRedis(redisUrl);
    second = await openRedis(redisUrl);
  });
  after(async () => {
    const keys = await first.keys(`${keyPrefix}*`);
    if (keys.length) await first.del(...keys);
    await closeRedis(first);
    await closeRedis(second);
  });

  it('counts in one window shared by every instance, with the time left', async () => {
    const a = createRedisAttemptLimiter(first, { keyPrefix });
    const b = createRedisAttemptLimiter(second, { keyPrefix });
    assert.equal((await a.hit('agdref:digest-1', 3, 60)).allowed, true);
    assert.equal((await b.hit('agdref:digest-1', 3, 60)).allowed, true);
    assert.equal((await a.hit('agdref:digest-1', 3, 60)).allowed, true);
    const refused = await b.hit('agdref:digest-1', 3, 60);
    assert.equal(refused.allowed, false);
    assert.ok(
      refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60,
      `retryAfter ${refused.retryAfterSeconds}`,
    );
    assert.equal((await a.hit('agdref:digest-2', 3, 60)).allowed, true, 'another key has its own count');
    const ttl = await first.pttl(`${keyPrefix}agdref:digest-1`);
    assert.ok(ttl > 0 && ttl <= 60_000, `the counter expires with its window (pttl ${ttl})`);
    assert.equal(await first.get(`${keyPrefix}agdref:digest-1`), '4');
  });

  it('starts a new window once the previous one has expired', async () => {
    const limiter = createRedisAttemptLimiter(first, { keyPrefix });
    assert.equal((await limiter.count('short', 300)).current, 1);
    assert.equal((await limiter.count('short', 300)).current, 2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await limiter.count('short', 300)).current, 1);
  });

  it('reads a window without counting, from any instance', async () => {
    const a = createRedisAttemptLimiter(first, { keyPrefix });
    const b = createRedisAttemptLimiter(second, { keyPrefix });
    assert.deepEqual(await b.peek('pair:y'), { current: 0, ttlMs: 0 });
    await a.count('pair:y', 60_000);
    await a.count('pair:y', 60_000);
    const seen = await b.peek('pair:y');
    assert.equal(seen.current, 2);
    assert.ok(seen.ttlMs > 0 && seen.ttlMs <= 60_000, `ttl ${seen.ttlMs}`);
    assert.equal((await b.peek('pair:y')).current, 2, 'peeking counts nothing');
  });

  it('gives back one attempt from any instance, never below zero, keeping the window', async () => {
    const a = createRedisAttemptLimiter(first, { keyPrefix });
    const b = createRedisAttemptLimiter(second, { keyPrefix });
    await a.hit('email:r', 2, 60);
    await a.hit('email:r', 2, 60);
    await b.release('email:r');
    assert.equal(await first.get(`${keyPrefix}email:r`), '1');
    assert.ok((await first.pttl(`${keyPrefix}email:r`)) > 0, 'the window keeps its expiry');
    assert.equal((await b.hit('email:r', 2, 60)).allowed, true);
    assert.equal((await a.hit('email:r', 2, 60)).allowed, false);
    await b.release('email:never');
    assert.equal(await first.get(`${keyPrefix}email:never`), null, 'nothing to give back writes nothing');
  });

  it('gives a window to a counter left without expiry instead of blocking it for ever', async () => {
    await first.set(`${keyPrefix}stuck`, '99');
    const verdict = await createRedisAttemptLimiter(first, { keyPrefix }).hit('stuck', 3, 60);
    assert.deepEqual(verdict, { allowed: false, retryAfterSeconds: 60 });
    assert.ok((await first.pttl(`${keyPrefix}stuck`)) > 0);
  });

  it('starts without a Redis that does not answer, counts per instance meanwhile, then shares counts once it is up', async () => {
    const port = await freePort();
    const unreachable: Error[] = [];
    const redis = await openRedisOrReconnect(`redis://127.0.0.1:${port}`, {
      connectTimeoutMs: 300,
      onUnreachable: (e) => unreachable.push(e),
    });
    let server: ChildProcess | null = null;
    try {
      assert.equal(unreachable.length, 1);
      assert.match(unreachable[0]!.message, /not ready after 300 ms/);
      const limiter = createRedisAttemptLimiter(redis, { keyPrefix });
      assert.equal((await limiter.count('while-down', 60_000)).current, 1, 'counted in process while Redis is down');
      server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      // (events.once would reject on the reconnect errors still coming before the server listens.)
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
      await limiter.count('shared', 60_000);
      const direct = await openRedis(`redis://127.0.0.1:${port}`);
      assert.equal(await direct.get(`${keyPrefix}shared`), '1', 'counted in Redis once it answers');
      await closeRedis(direct);
    } finally {
      redis.disconnect();
      server?.kill();
    }
  });

  it('refuses to start on an unreachable Redis, saying why, without leaving a client behind', async () => {
    await assert.rejects(openRedis('redis://:secret@127.0.0.1:1', { connectTimeoutMs: 300 }), (error: Error) => {
      assert.match(error.message, /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 not ready after 300 ms: .*ECONNREFUSED/);
      return true;
    });
  });

  it('counts in process while Redis is unreachable, and reports it', async () => {
    const dead = createRedis('redis://127.0.0.1:1', { connectTimeoutMs: 200 });
    const errors: Error[] = [];
    try {
      const limiter = createRedisAttemptLimiter(dead, { keyPrefix, onError: (e) => errors.push(e) });
      // No offline queue: a command fails at once instead of waiting for a connection.
      assert.equal(dead.options.enableOfflineQueue, false);
      const verdicts = [];
      for (let i = 0; i < 3; i++) verdicts.push((await limiter.hit('ip:203.0.113.9', 2, 60)).allowed);
      assert.deepEqual(verdicts, [true, true, false]);
      assert.equal(errors.length, 1, 'reported once, not on every attempt');
    } finally {
      await closeRedis(dead);
    }
  });
});
