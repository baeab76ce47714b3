// Counting attempts per key (an email, an AGDREF number, an IP) over a window, shared by all
// instances when Redis is configured.
export interface LimitVerdict {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

export interface AttemptLimiter {
  /** Counts one attempt on `key` and tells whether it stays within `limit` per `windowSeconds`. */
  hit(key: string, limit: number, windowSeconds: number): Promise<LimitVerdict>;
  /** Gives back one attempt counted on `key`: it did nothing, because our side failed (database or mail relay down). */
  release(key: string): Promise<void>;
}

/** The count of one key's window. */
export interface AttemptWindow {
  /** Attempts counted in the open window (0 when none is open). */
  current: number;
  /** Milliseconds until the window closes (0 when none is open). */
  ttlMs: number;
}

/** A limiter that also tells the count, and reads it without adding one (the agents' log-in throttle). */
export interface AttemptCounter extends AttemptLimiter {
  /** Counts one attempt on `key` in a window of `windowMs` opened by its first attempt. */
  count(key: string, windowMs: number): Promise<AttemptWindow>;
  /** The window of `key` as it stands, counting nothing. */
  peek(key: string): Promise<AttemptWindow>;
}

/**
 * Counts requests per key in fixed windows opened by their first request: what the HTTP rate
 * limits draw on (http/rate-limit.ts). In process it answers at once (no promise per request);
 * shared in Redis, with a promise.
 */
export interface RequestCounter {
  /** Counts one request on `key`; the window's count (this one included) and the time it has left (> 0). */
  count(key: string, windowMs: number): AttemptWindow | Promise<AttemptWindow>;
}
