// Fixed-window attempt counting in Redis, shared by every instance. One round trip per
// attempt: a Lua script increments the key, opens its window on the first attempt, and
// returns the count with the time left.
//
// Keys may hold personal data (an email, an AGDREF number): callers pass digests, not the
// raw value, so nothing readable sits in Redis.
//
// While Redis is unreachable the limiter counts in process (limits then hold per instance
// instead of failing every request) and reports the error through `onError`, at most every
// 10 s.
import type { Redis } from 'ioredis';
import type { AttemptWindow } from '../../ports/attempt-limiter.ts';
import type { Clock } from '../../ports/clock.ts';
import { throttledErrorReporter } from '../redis.ts';
import { systemClock } from '../system-clock.ts';
import {
  type CountingAttemptLimiter,
  createMemoryAttemptLimiter,
  verdictOf,
  type WindowCount,
} from './memory-attempt-limiter.ts';

// KEYS[1] the counter, ARGV[1] the window in ms. PTTL < 0 means a counter without expiry
// (written by hand, say): give it the window rather than block the key for ever.
const WINDOW_COUNT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return {current, tonumber(ARGV[1])}
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

const COMMAND = 'creneauWindowCount';

// KEYS[1] the counter: its count and time left, {0, 0} when no window is open.
const WINDOW_PEEK_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
return {tonumber(current), redis.call('PTTL', KEYS[1])}
`;

const PEEK_COMMAND = 'creneauWindowPeek';

// KEYS[1] the counter: one attempt less, never below zero, the window's end unchanged.
const WINDOW_RELEASE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

const RELEASE_COMMAND = 'creneauWindowRelease';

interface WindowCountCommand {
  [COMMAND]?: (key: string, windowMs: number) => Promise<[number, number]>;
  [PEEK_COMMAND]?: (key: string) => Promise<[number, number]>;
  [RELEASE_COMMAND]?: (key: string) => Promise<number>;
}

export interface RedisLimiterOptions {
  /** Prepended to every key; tests use a unique one. */
  keyPrefix?: string;
  /** Where counting goes while Redis fails; in process by default. */
  fallback?: CountingAttemptLimiter;
  onError?: (error: Error) => void;
  clock?: Clock;
}

export function createRedisAttemptLimiter(redis: Redis, options: RedisLimiterOptions = {}): CountingAttemptLimiter {
  const prefix = options.keyPrefix ?? 'creneau:attempts:';
  const clock = options.clock ?? systemClock;
  const fallback = options.fallback ?? createMemoryAttemptLimiter({ keyPrefix: prefix, clock });
  // defineCommand adds the method at run time (EVALSHA, falling back to EVAL once).
  const client = redis as unknown as WindowCountCommand;
  if (typeof client[COMMAND] !== 'function')
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: WINDOW_COUNT_SCRIPT });
  if (typeof client[PEEK_COMMAND] !== 'function')
    redis.defineCommand(PEEK_COMMAND, { numberOfKeys: 1, lua: WINDOW_PEEK_SCRIPT });
  if (typeof client[RELEASE_COMMAND] !== 'function')
    redis.defineCommand(RELEASE_COMMAND, { numberOfKeys: 1, lua: WINDOW_RELEASE_SCRIPT });
  const run = (key: string, windowMs: number) => client[COMMAND]!.call(redis, key, windowMs);
  const report = throttledErrorReporter(options.onError, clock);

  async function count(key: string, windowMs: number): Promise<WindowCount> {
    const ms = Math.max(1, Math.round(windowMs));
    try {
      const [current, ttlMs] = await run(prefix + key, ms);
      return { current: Number(current), ttlMs: Math.max(1, Number(ttlMs)) };
    } catch (error) {
      report(error);
      return fallback.count(key, ms);
    }
  }

  async function peek(key: string): Promise<AttemptWindow> {
    try {
      const [current, ttlMs] = await client[PEEK_COMMAND]!.call(redis, prefix + key);
      return Number(ttlMs) > 0 ? { current: Number(current), ttlMs: Number(ttlMs) } : { current: 0, ttlMs: 0 };
    } catch (error) {
      report(error);
      return fallback.peek(key);
    }
  }

  async function release(key: string): Promise<void> {
    try {
      await client[RELEASE_COMMAND]!.call(redis, prefix + key);
    } catch (error) {
      report(error);
      await fallback.release(key);
    }
  }

  return {
    count,
    peek,
    release,
    hit: async (key, limit, windowSeconds) => verdictOf(await count(key, windowSeconds * 1000), limit),
  };
}
