// The free-slot calendar's cache, in this process's memory, kept true to a database that
// several processes share (issue 14, "polling storm").
//
// How an answer stops being served, from the most to the least precise:
//   1. A change this process made: the database driver counts this process's commits and
//      writes (localWritesOf, adapters/db/database.ts); a lookup after one first reads the change
//      feed, so a booking's own process never answers from before it (exact; PGlite is always
//      in this case: one process).
//   2. A change another process made: the triggers of migration 0014 leave a row per procedure
//      in `free_slot_change`; this process reads the rows committed since its last read every
//      `pollMs` (100 ms) while it holds answers, and forgets that procedure's answers.
//   3. Time: an answer lapses when its first slot starts, and `maxAgeMs` (1 s) after its
//      computation started, whatever the feed said: the hard bound, which also covers what the
//      feed does not see (a slot's release instant passing, a feed row purged before it was read).
// Each procedure has a generation, raised by every change: an answer computed while its
// procedure changed is handed to those who asked but not kept.
//
// While a changed query is recomputed, the caller who started the recomputation waits for it
// (so a person who just booked and polls again sees their booking), and everyone else asking
// meanwhile gets the answer it replaces — if that one is still within the hard bound — instead
// of queueing behind it: in a polling storm, one recomputation per change would otherwise hold
// every poller of that query (bench:calendar's paced phase: p50 2.8 ms, p90 128 ms).
//
// A query is recomputed at the pace of a token bucket: RECOMPUTE_BURST computations at once, then
// one every `recomputeEveryMs` (real time); a change with no credit left is served the answer it
// replaces until there is. One person booking then looking, or a few changes in a row, show at
// once; at a release, with bookings every few milliseconds, the calendar stops being recomputed
// after each one (bench:calendar on PGlite: 414 recomputations of 21 ms for 460 bookings, 38 % of
// the one process's time) and an answer is at most that much (and one computation) behind, well
// within the hard bound.
import { sql } from 'kysely';
import type { Clock } from '../../ports/clock.ts';
import type { Computed, FreeSlotCache } from '../../ports/free-slot-cache.ts';
import { type Db, localWritesOf } from './database.ts';

export interface FreeSlotCacheOptions {
  clock: Clock;
  /** The hard bound on an answer's age (default 1 s). */
  maxAgeMs?: number;
  /** How often the change feed is read while answers are kept (default 100 ms). */
  pollMs?: number;
  /** Distinct queries kept (default 256; the oldest goes first). */
  maxEntries?: number;
  /** A failed read of the feed: every answer is forgotten, and watching starts again at the next lookup. */
  onError?: (error: unknown) => void;
  /** Past a burst, the least time between two computations of one query (default 0: at the first lookup after every change). */
  recomputeEveryMs?: number;
  /** Real time for `recomputeEveryMs`, in milliseconds (default performance.now; tests move their own). */
  monotonicNow?: () => number;
}

interface Entry {
  procedureId: string;
  value: object;
  /** The clock's time when its computation started: the hard bound counts from it. */
  computedAt: number;
  expiresAt: number;
  /** The order computations started in: a later one's answer is the newer. */
  started: number;
}

/** A query's token bucket: the computations it had in hand after the last one started, and when. */
interface Pace {
  at: number;
  credit: number;
}

/** Computations of one query that may follow each other at once before the pace applies. */
const RECOMPUTE_BURST = 3;

/** Purge feed rows about once a minute (every PURGE_EVERY reads at the default pace). */
const PURGE_EVERY = 600;

export function createFreeSlotCache(db: Db, options: FreeSlotCacheOptions): FreeSlotCache {
  const {
    clock,
    maxAgeMs = 1_000,
    pollMs = 100,
    maxEntries = 256,
    onError = () => {},
    recomputeEveryMs = 0,
    monotonicNow = () => performance.now(),
  } = options;
  const entries = new Map<string, Entry>();
  /** Answers a change replaced, served to other callers while their replacement is computed. */
  const replaced = new Map<string, Entry>();
  const pending = new Map<string, { procedureId: string; promise: Promise<object> }>();
  /**
   * Debited when a computation starts, not when it ends: a change during a computation (its
   * flight is then dropped) starts another, and both count — with the database on a thread
   * of its own, computations take time without holding this one, and a bucket read from the
   * finished answers let twice the pace through (bench:calendar: 190 answers instead of 94).
   */
  const paces = new Map<string, Pace>();
  let computationsStarted = 0;
  // Generations: one for every procedure at once (a site or procedure changed), one per procedure.
  let everyGeneration = 0;
  const generations = new Map<string, number>();
  const generationOf = (procedureId: string) => everyGeneration + (generations.get(procedureId) ?? 0);

  const writes = localWritesOf(db);
  /** The local write count when the last feed read started. */
  let readAtWrites = -1;
  /** Every transaction below it had finished at the last read; null: not watching. */
  let horizon: bigint | null = null;
  /** Feed rows at or above the horizon already acted on (`xid/procedure`). */
  const seen = new Set<string>();
  let reading: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let reads = 0;

  function forget(procedureId: string | null): void {
    if (procedureId === null) everyGeneration++;
    else generations.set(procedureId, (generations.get(procedureId) ?? 0) + 1);
    for (const [key, entry] of entries)
      if (procedureId === null || entry.procedureId === procedureId) {
        entries.delete(key);
        replaced.set(key, entry);
      }
    for (const [key, flight] of pending)
      if (procedureId === null || flight.procedureId === procedureId) pending.delete(key);
  }

  /** A replaced answer may stand in while its successor is computed: not past its own lapse, never for an earlier clock. */
  const servable = (entry: Entry, now: number) => entry.computedAt <= now && now < entry.expiresAt;

  function stopWatching(): void {
    if (timer) clearInterval(timer);
    timer = null;
    horizon = null;
    seen.clear();
  }

  async function readFeed(): Promise<void> {
    const startedAtWrites = writes?.count ?? 0;
    const since = horizon;
    // One statement, one snapshot: its xmin is the next horizon, and the rows above the last
    // one that it sees are every change committed since the last read.
    const { rows } = await sql<{ horizon: string; xid: string | null; procedure_id: string | null }>`
      select pg_snapshot_xmin(pg_current_snapshot())::text as horizon, c.xid::text as xid, c.procedure_id
        from (select 1) one
        left join free_slot_change c on c.xid >= ${since === null ? sql`pg_snapshot_xmin(pg_current_snapshot())` : sql`${since.toString()}::xid8`}`.execute(
      db,
    );
    for (const row of rows) {
      if (row.xid === null) continue;
      const key = `${row.xid}/${row.procedure_id ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // The first read only takes note: what it sees committed is in every answer computed
      // after it. (The horizon is the whole cluster's: a transaction still running elsewhere
      // keeps it below changes already visible, which must not count again as new.)
      if (since !== null) forget(row.procedure_id);
    }
    const next = BigInt(rows[0]!.horizon);
    for (const key of seen) if (BigInt(key.slice(0, key.indexOf('/'))) < next) seen.delete(key);
    horizon = next;
    readAtWrites = startedAtWrites;
    if (++reads % PURGE_EVERY === 0) {
      // Finished transactions' rows, a minute old: every watching process has read them.
      await sql`delete from free_slot_change
                 where xid < pg_snapshot_xmin(pg_current_snapshot()) and inserted_at < clock_timestamp() - interval '1 minute'`.execute(
        db,
      );
    }
  }

  const read = (): Promise<void> =>
    (reading ??= readFeed().finally(() => {
      reading = null;
    }));

  /** Whether the feed was read after every write this process has made. */
  const isCaughtUp = (needed = writes?.count ?? 0) => horizon !== null && readAtWrites >= needed;

  /** Returns once the feed was read after every write this process had made when called. */
  async function caughtUp(): Promise<void> {
    const needed = writes?.count ?? 0;
    while (!isCaughtUp(needed)) await read();
  }

  function poll(): void {
    const now = clock.now().getTime();
    for (const [key, entry] of entries) if (!(entry.computedAt <= now && now < entry.expiresAt)) entries.delete(key);
    for (const [key, entry] of replaced) if (!servable(entry, now)) replaced.delete(key);
    if (entries.size === 0 && pending.size === 0) return stopWatching();
    read().catch((error: unknown) => {
      onError(error);
      forget(null);
      stopWatching();
    });
  }

  return {
    maxAgeMs,
    async remember<T extends object>(procedureId: string, key: string, compute: () => Promise<Computed<T>>) {
      // Most polls come with nothing new to read: no wait for them (one await less per poll).
      if (!isCaughtUp()) await caughtUp();
      const now = clock.now().getTime();
      const entry = entries.get(key);
      if (entry && entry.computedAt <= now && now < entry.expiresAt) return entry.value as T;
      const previous = replaced.get(key);
      const standIn = previous && servable(previous, now) ? previous : undefined;
      const flight = pending.get(key);
      if (flight) return standIn ? (standIn.value as T) : (flight.promise as Promise<T>);
      const startedAt = monotonicNow();
      const pace = paces.get(key);
      const credit =
        standIn && pace && recomputeEveryMs > 0
          ? Math.min(RECOMPUTE_BURST, pace.credit + (startedAt - pace.at) / recomputeEveryMs)
          : RECOMPUTE_BURST;
      if (standIn && credit < 1) return standIn.value as T;
      paces.delete(key);
      paces.set(key, { at: startedAt, credit: credit - 1 });
      if (paces.size > maxEntries) paces.delete(paces.keys().next().value!);

      const generation = generationOf(procedureId);
      const started = ++computationsStarted;
      const promise: Promise<T> = (async () => {
        const computedAt = clock.now().getTime();
        const { value, validUntil } = await compute();
        const computed: Entry = {
          procedureId,
          value,
          computedAt,
          started,
          expiresAt: Math.min(computedAt + maxAgeMs, validUntil?.getTime() ?? Number.POSITIVE_INFINITY),
        };
        if (generationOf(procedureId) === generation) {
          entries.delete(key);
          entries.set(key, computed);
          replaced.delete(key);
          if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
        } else {
          // Changed again meanwhile: not kept, but the newest answer known stands in while the
          // next is computed (never one computed before the stand-in it would replace).
          const standing = replaced.get(key);
          if (!standing || standing.started < started) {
            replaced.set(key, computed);
            if (replaced.size > maxEntries) replaced.delete(replaced.keys().next().value!);
          }
        }
        return value;
      })().finally(() => {
        if (pending.get(key)?.promise === promise) pending.delete(key);
      });
      pending.set(key, { procedureId, promise });
      timer ??= setInterval(poll, pollMs).unref();
      return promise;
    },
    close: stopWatching,
  };
}
