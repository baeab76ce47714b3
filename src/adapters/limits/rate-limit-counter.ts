// The counter behind the HTTP rate limits (http/rate-limit.ts), chosen by the composition
// root: in this process by default, in Redis when a client is given so that every instance
// shares one budget. While Redis is unreachable, counting falls back to this process
// (redis-attempt-limiter.ts) and the failure is reported at most every 10 s.
import type { Redis } from 'ioredis';
import type { RequestCounter } from '../../ports/attempt-limiter.ts';
import type { Clock } from '../../ports/clock.ts';
import { MemoryWindowCounter } from './memory-attempt-limiter.ts';
import { createRedisAttemptLimiter } from './redis-attempt-limiter.ts';

export interface RateLimitCounterOptions {
  /** Redis key prefix (tests use a unique one). Default 'creneau:rl:'. */
  keyPrefix?: string;
  /** Redis failures (at most every 10 s); counting goes on in process meanwhile. */
  onError?: (error: Error) => void;
  clock?: Clock;
}

export function createRateLimitCounter(redis: Redis | null, options: RateLimitCounterOptions = {}): RequestCounter {
  const clock = options.clock ? { clock: options.clock } : {};
  if (!redis) {
    // Synchronous: no promise per request.
    const counter = new MemoryWindowCounter({ maxKeys: 200_000, ...clock });
    return { count: (key, windowMs) => counter.countNow(key, windowMs) };
  }
  return createRedisAttemptLimiter(redis, {
    keyPrefix: options.keyPrefix ?? 'creneau:rl:',
    ...(options.onError ? { onError: options.onError } : {}),
    ...clock,
  });
}
