// Across processes on PostgreSQL: a process that commits outbox messages says so with NOTIFY,
// and every process that delivers them LISTENs, so a message a request commits in a `serve`
// process is sent by a `creneau worker` at once rather than at its next poll (which stays as
// the fallback: a lost connection, a notification missed while reconnecting).
//
// Why the NOTIFY is sent after the commit, throttled, rather than by a trigger on `outbox`: a
// transaction that notifies takes a database-wide lock from its commit until the commit is
// flushed, so every booking and filing would commit one at a time behind it. Here the
// booking's own commit takes no such lock; a separate `select pg_notify(…)` follows it, at most
// one every `minIntervalMs` per process (a storm of bookings costs a few notifications a
// second, not one each). A notification carries nothing: it only says "look at the outbox".

import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './database.ts';

export const OUTBOX_CHANNEL = 'creneau_outbox';

export interface OutboxAnnouncer {
  /** A transaction of this process committed messages: NOTIFY now, or at the end of the current interval. */
  announce(): void;
  /** Sends the notification still due, if any, and waits for it (before the database closes). */
  close(): Promise<void>;
}

export function createOutboxAnnouncer(
  db: Db,
  options: { minIntervalMs?: number; onError?: (error: unknown) => void } = {},
): OutboxAnnouncer {
  const minIntervalMs = options.minIntervalMs ?? 50;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let due: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();
  const send = () => {
    lastSentAt = performance.now();
    const sending = sql`select pg_notify(${OUTBOX_CHANNEL}, '')`
      .execute(db)
      .then(
        () => {},
        (error: unknown) => options.onError?.(error),
      )
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };
  return {
    announce() {
      if (due) return; // already coming
      const wait = lastSentAt + minIntervalMs - performance.now();
      if (wait <= 0) send();
      else
        due = setTimeout(() => {
          due = null;
          send();
        }, wait);
    },
    async close() {
      if (due) {
        clearTimeout(due);
        due = null;
        send();
      }
      await Promise.all(inFlight);
    },
  };
}

export interface OutboxListener {
  close(): Promise<void>;
}

/**
 * LISTENs on its own connection (not one of the pool's) and calls `onAnnounced` on every
 * notification, and once more after each reconnection (something may have been committed
 * while it was away). A lost connection is opened again after 0.5 s, doubling up to 30 s.
 */
export function listenForOutbox(
  url: string,
  onAnnounced: () => void,
  options: { onError?: (error: unknown) => void; onListening?: () => void } = {},
): OutboxListener {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let delayMs = 500;

  const connect = async () => {
    retry = null;
    const next = new pg.Client({ connectionString: url, keepAlive: true });
    client = next;
    const lost = (error?: unknown) => {
      if (client !== next) return;
      client = null;
      next.removeAllListeners('notification');
      next.end().catch(() => {});
      if (closed) return;
      if (error) options.onError?.(error);
      retry = setTimeout(() => void connect(), delayMs);
      retry.unref();
      delayMs = Math.min(30_000, delayMs * 2);
    };
    next.on('error', lost);
    next.on('end', () => lost(new Error('LISTEN connection closed')));
    next.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL) onAnnounced();
    });
    try {
      await next.connect();
      await next.query(`listen ${OUTBOX_CHANNEL}`);
    } catch (error) {
      lost(error);
      return;
    }
    if (closed || client !== next) return;
    delayMs = 500;
    options.onListening?.();
    onAnnounced();
  };
  void connect();

  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
