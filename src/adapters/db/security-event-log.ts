// Security events (refused proofs of work, rate limits, failed codes, registry mismatches)
// written in batches, so recording one costs an array push on the request path.
//
//   record() → buffer ──(every flushIntervalMs, or as soon as batchSize are waiting)──►
//              one multi-row INSERT into security_event, one batch at a time.
//
// The buffer is bounded: while the database is down (or slower than a flood of refusals)
// the oldest events are dropped and counted, never the process memory. Nothing here throws.
import type { Clock } from '../../ports/clock.ts';
import type { SecurityEvent, SecurityEventLog } from '../../ports/security-events.ts';
import { systemClock } from '../system-clock.ts';
import type { Db } from './database.ts';

export interface SecurityEventLogOptions {
  flushIntervalMs?: number;
  /** Rows per INSERT; a full batch is flushed without waiting for the timer. */
  batchSize?: number;
  /** Events kept while they cannot be written; beyond it the oldest are dropped. */
  maxBuffered?: number;
  clock?: Clock;
  /** Called when a batch cannot be written (the events stay buffered for the next try). */
  onError?: (error: Error, stats: SecurityEventLogStats) => void;
}

export interface SecurityEventLogStats {
  buffered: number;
  written: number;
  dropped: number;
}

export interface BufferedSecurityEventLog extends SecurityEventLog {
  stats(): SecurityEventLogStats;
  /** Stops the timer and writes what is buffered (call before closing the database). */
  close(): Promise<void>;
}

interface Row {
  at: Date;
  ip: string | null;
  route: string;
  reason: string;
  email_hash: string | null;
  identity_key: string | null;
  details: string | null;
}

// A digest is hex or base64(url); anything else (an address, say) is not stored.
const DIGEST = /^[A-Za-z0-9+/=_:.-]{16,128}$/;
const MAX_ROUTE = 200;
const MAX_DETAILS = 2000;

function digestOrNull(value: string | null | undefined): string | null {
  return typeof value === 'string' && DIGEST.test(value) ? value : null;
}

function detailsJson(details: Record<string, unknown> | undefined): string | null {
  if (!details || Object.keys(details).length === 0) return null;
  try {
    const json = JSON.stringify(details);
    return json.length <= MAX_DETAILS ? json : JSON.stringify({ truncated: true });
  } catch {
    return JSON.stringify({ unserialisable: true });
  }
}

export function createSecurityEventLog(db: Db, options: SecurityEventLogOptions = {}): BufferedSecurityEventLog {
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const maxBuffered = Math.max(batchSize, options.maxBuffered ?? 10_000);
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  let buffer: Row[] = [];
  let inFlight: Promise<void> | null = null;
  let written = 0;
  let dropped = 0;
  const stats = (): SecurityEventLogStats => ({ buffered: buffer.length, written, dropped });

  function dropOverflow(): void {
    const excess = buffer.length - maxBuffered;
    if (excess > 0) {
      buffer.splice(0, excess);
      dropped += excess;
    }
  }

  async function writeAll(): Promise<void> {
    while (buffer.length > 0) {
      const batch = buffer.splice(0, batchSize);
      try {
        await db.insertInto('security_event').values(batch).execute();
        written += batch.length;
      } catch (error) {
        // Back at the front, in order; retried at the next tick.
        buffer = batch.concat(buffer);
        dropOverflow();
        try {
          options.onError?.(error as Error, stats());
        } catch {
          // reporting must not throw either
        }
        return;
      }
    }
  }

  /** One flush at a time: callers during a flush share it (it loops until the buffer is empty). */
  function flush(): Promise<void> {
    inFlight ??= writeAll().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  const timer = setInterval(() => {
    if (buffer.length > 0) void flush();
  }, options.flushIntervalMs ?? 1000);
  timer.unref();

  return {
    record(event: SecurityEvent): void {
      try {
        buffer.push({
          at: now(),
          ip: event.ip ? event.ip.slice(0, 64) : null,
          route: String(event.route).slice(0, MAX_ROUTE),
          reason: event.reason,
          email_hash: digestOrNull(event.emailHash),
          identity_key: digestOrNull(event.identityKey),
          details: detailsJson(event.details),
        });
        dropOverflow();
        if (buffer.length >= batchSize && !inFlight) void flush();
      } catch {
        // recording is best effort
      }
    },
    flush,
    stats,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
