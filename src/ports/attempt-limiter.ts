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
}
