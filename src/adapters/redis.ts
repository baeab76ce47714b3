// The Redis client shared by the rate limits and the attempt limiters of every instance
// (REDIS_URL). Tuned to fail fast: with Redis down or hung, a command errors within
// `commandTimeoutMs` instead of queueing, and callers fall back to in-process counting.
import { Redis } from 'ioredis';
import type { Clock } from '../ports/clock.ts';

export interface RedisClientOptions {
  /** Called on connection errors (ioredis emits them on every failed reconnect). */
  onError?: (error: Error) => void;
  /** A command still unanswered after this is failed (Redis hung, not just down). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Connects in the background (lazyConnect: false) and returns at once; see openRedis to wait. */
export function createRedis(url: string, options: RedisClientOptions = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    // No queue while disconnected: a command fails immediately rather than waiting for Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    // Keep reconnecting forever, at most every 2 s.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  // Without a listener ioredis prints every reconnect failure to the console.
  redis.on('error', (error: Error) => {
    try {
      options.onError?.(error);
    } catch {
      // A failing logger must not break the client.
    }
  });
  return redis;
}

/**
 * Connects and waits until Redis answers (at start-up, so a wrong REDIS_URL stops the
 * service instead of silently limiting per instance). Rejects after `connectTimeoutMs`.
 */
export async function openRedis(url: string, options: RedisClientOptions = {}): Promise<Redis> {
  let lastError: Error | undefined;
  const redis = createRedis(url, {
    ...options,
    onError: (error) => {
      lastError = error;
      options.onError?.(error);
    },
  });
  const timeoutMs = options.connectTimeoutMs ?? 2000;
  try {
    await new Promise<void>((resolve, reject) => {
      if (redis.status === 'ready') return resolve();
      const timer = setTimeout(() => {
        const cause = lastError ? `: ${lastError.message}` : '';
        reject(new Error(`Redis at ${redactUrl(url)} not ready after ${timeoutMs} ms${cause}`));
      }, timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return redis;
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

/**
 * At start-up: waits for Redis as openRedis does, but a Redis that does not answer in time
 * does not stop the service (an instance that exits while Redis restarts never comes back
 * without a supervisor). `onUnreachable` says so; the client returned keeps reconnecting in
 * the background, and its users count per instance until it answers.
 */
export async function openRedisOrReconnect(
  url: string,
  options: RedisClientOptions & { onUnreachable: (error: Error) => void },
): Promise<Redis> {
  try {
    return await openRedis(url, options);
  } catch (error) {
    options.onUnreachable(error as Error);
    return createRedis(url, options);
  }
}

/** Quits politely, or drops the connection if Redis does not answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    if (redis.status === 'ready') {
      await redis.quit();
      return;
    }
  } catch {
    // fall through
  }
  redis.disconnect();
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(invalid URL)';
  }
}

/**
 * While Redis is down every command fails: report that at most every 10 s, and never let
 * the reporting itself break the caller (which falls back to local state).
 */
export function throttledErrorReporter(
  onError: ((error: Error) => void) | undefined,
  clock: Clock,
  intervalMs = 10_000,
): (error: unknown) => void {
  let lastReportAt = -Infinity;
  return (error) => {
    const now = clock.now().getTime();
    if (now - lastReportAt < intervalMs) return;
    lastReportAt = now;
    try {
      onError?.(error as Error);
    } catch {
      // reporting must not throw
    }
  };
}
