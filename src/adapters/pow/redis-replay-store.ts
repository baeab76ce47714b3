// Used proof-of-work challenges in Redis, shared by every instance: `SET key 1 PX <ms> NX`
// sets the key only if it is absent, atomically, and lets it expire with the challenge.
// 'OK' means this claim was first; null means the key was already there.
//
// While Redis fails, claims go to `fallback` when one is given (the database store, say),
// and the error is reported through `onError` at most every 10 s; without a fallback the
// error propagates and the request fails, rather than letting a solution be used twice.
import type { Redis } from 'ioredis';
import type { Clock } from '../../ports/clock.ts';
import type { ReplayStore } from '../../ports/proof-of-work.ts';
import { throttledErrorReporter } from '../redis.ts';

export interface RedisReplayStoreOptions {
  clock: Clock;
  /** Prepended to every key; tests use a unique one. */
  keyPrefix?: string;
  /** Where claims go while Redis fails. */
  fallback?: ReplayStore;
  onError?: (error: Error) => void;
}

export function createRedisReplayStore(redis: Redis, options: RedisReplayStoreOptions): ReplayStore {
  const prefix = options.keyPrefix ?? 'creneau:pow:';
  const report = throttledErrorReporter(options.onError, options.clock);

  return {
    async claimOnce(key, expiresAt, owner = '') {
      const ttlMs = Math.ceil(expiresAt.getTime() - options.clock.now().getTime());
      // An expired challenge cannot be claimed (and PX needs a positive duration).
      if (!(ttlMs > 0)) return false;
      try {
        if ((await redis.set(prefix + key, `o:${owner}`, 'PX', ttlMs, 'NX')) === 'OK') return true;
        return owner !== '' && (await redis.get(prefix + key)) === `o:${owner}`;
      } catch (error) {
        if (!options.fallback) throw error;
        report(error);
        return options.fallback.claimOnce(key, expiresAt, owner);
      }
    },
  };
}
