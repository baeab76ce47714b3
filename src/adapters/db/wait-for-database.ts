// Start-up while the database is down (not there yet, restarting, failing over): the server
// waits for it instead of exiting, and says so in the log.
import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from './connection-errors.ts';

export interface WaitForDatabaseOptions {
  /** First pause, doubled after each failure up to maxDelayMs: 0.5 s, 1 s, 2 s, 4 s, 5 s, 5 s… */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Stops waiting (the server is shutting down): the promise rejects (AbortError). */
  signal?: AbortSignal;
  /** Told before each pause. */
  onRetry?: (error: unknown, delayMs: number, attempt: number) => void;
}

/**
 * Runs `work` (migrations, say) until it succeeds, pausing with a doubling delay each time it
 * fails because the database cannot be reached (connection-errors.ts). Any other error is a
 * fault that waiting will not cure (a failing migration, a wrong password): it is thrown.
 */
export async function waitForDatabase<T>(work: () => Promise<T>, options: WaitForDatabaseOptions = {}): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  let delayMs = options.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      options.onRetry?.(error, delayMs, attempt);
      await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : {});
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    }
  }
}
