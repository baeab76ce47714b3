// Fixed-window attempt counting in this process: the default when REDIS_URL is not set, and
// the fallback of the Redis limiter while Redis is unreachable. Limits are per instance then.
//
// Fixed window: the first attempt on a key opens a window of `windowSeconds`; attempts are
// counted until it closes, then the count starts again. With limit 5 per 60 s, attempts at
// 0 s … 4 s pass, the sixth at 10 s is refused with retryAfterSeconds = 50.

import type { AttemptCounter, AttemptWindow, LimitVerdict } from '../../ports/attempt-limiter.ts';
import type { Clock } from '../../ports/clock.ts';
import { systemClock } from '../system-clock.ts';

/** One count in a window: what both limiters and the HTTP rate-limit store share. */
export interface WindowCount {
  /** Attempts counted in the current window, this one included. */
  current: number;
  /** Milliseconds until the window closes (> 0). */
  ttlMs: number;
}

/** Counts one attempt on `key` in a window of `windowMs`. */
export interface WindowCounter {
  count(key: string, windowMs: number): Promise<WindowCount>;
}

export interface CountingAttemptLimiter extends AttemptCounter, WindowCounter {}

export function verdictOf({ current, ttlMs }: WindowCount, limit: number): LimitVerdict {
  return { allowed: current <= limit, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
}

export interface MemoryLimiterOptions {
  /** Prepended to every key (tests use a unique one). */
  keyPrefix?: string;
  /**
   * Keys kept at most. Beyond it, expired windows are swept, then the oldest windows are
   * evicted (down to 90 %), so memory stays bounded whatever an attacker sends; eviction
   * forgets a count, so keep it far above the number of live keys.
   */
  maxKeys?: number;
  clock?: Clock;
}

interface Window {
  current: number;
  endsAt: number;
}

/** The synchronous core, also used directly by the HTTP rate limit (no promise per request). */
export class MemoryWindowCounter {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: { maxKeys?: number; clock?: Clock } = {}) {
    this.maxKeys = Math.max(10, options.maxKeys ?? 100_000);
    const clock = options.clock ?? systemClock;
    this.now = () => clock.now().getTime();
  }

  get size(): number {
    return this.windows.size;
  }

  countNow(key: string, windowMs: number): WindowCount {
    const now = this.now();
    const window = this.windows.get(key);
    if (window && window.endsAt > now) {
      window.current += 1;
      return { current: window.current, ttlMs: window.endsAt - now };
    }
    // A new window goes to the end of the Map, so iteration order is roughly oldest first.
    if (window) this.windows.delete(key);
    else if (this.windows.size >= this.maxKeys) this.prune(now);
    this.windows.set(key, { current: 1, endsAt: now + windowMs });
    return { current: 1, ttlMs: windowMs };
  }

  peekNow(key: string): AttemptWindow {
    const window = this.windows.get(key);
    const ttlMs = window ? window.endsAt - this.now() : 0;
    return ttlMs > 0 ? { current: window!.current, ttlMs } : { current: 0, ttlMs: 0 };
  }

  releaseNow(key: string): void {
    const window = this.windows.get(key);
    if (window && window.endsAt > this.now() && window.current > 0) window.current -= 1;
  }

  /** Amortised: runs once per ~10 % of maxKeys new keys. */
  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    const target = Math.floor(this.maxKeys * 0.9);
    if (this.windows.size <= target) return;
    for (const key of this.windows.keys()) {
      this.windows.delete(key);
      if (this.windows.size <= target) break;
    }
  }
}

export function createMemoryAttemptLimiter(options: MemoryLimiterOptions = {}): CountingAttemptLimiter {
  const counter = new MemoryWindowCounter(options);
  const prefix = options.keyPrefix ?? '';
  return {
    count: async (key, windowMs) => counter.countNow(prefix + key, windowMs),
    peek: async (key) => counter.peekNow(prefix + key),
    release: async (key) => counter.releaseNow(prefix + key),
    hit: async (key, limit, windowSeconds) => verdictOf(counter.countNow(prefix + key, windowSeconds * 1000), limit),
  };
}
