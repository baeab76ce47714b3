// PostgreSQL races made deterministic: one transaction held open until another connection's
// statement waits for it, then committed.
import { type Kysely, sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';

/** Polls until a PostgreSQL backend waits for a lock (a transaction blocked by another). */
export async function untilSomeoneWaits(db: Db): Promise<void> {
  for (let waited = 0; ; waited++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(db);
    if (rows[0]!.n > 0) return;
    if (waited > 100) throw new Error('nobody waited for a lock');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Runs `first` in a transaction of `db`, then starts `second` (on another connection) and
 * commits `first` once `second` waits for a lock; resolves (or rejects) as `second` does.
 */
export async function whileHeldOpen<T>(
  db: Db,
  first: (trx: Kysely<never>) => Promise<unknown>,
  second: () => Promise<T>,
): Promise<T> {
  let ready!: () => void;
  let release!: () => void;
  const [isReady, released] = [new Promise<void>((r) => (ready = r)), new Promise<void>((r) => (release = r))];
  const holder = db.transaction().execute(async (trx) => {
    await first(trx as unknown as Kysely<never>);
    ready();
    await released;
  });
  await isReady;
  const running = second();
  running.catch(() => undefined); // observed by the caller; not unhandled while we wait
  try {
    await untilSomeoneWaits(db);
  } finally {
    release();
    await holder;
  }
  return running;
}
