// What every Kysely repository shares: it runs on the pool or on a transaction alike.
import type { Transaction } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

export type Executor = Db | Transaction<Database>;

/** The row type of a query builder function: `RowOf<typeof counters>`. */
export type RowOf<Query extends (db: Executor) => { execute(): Promise<unknown[]> }> = Awaited<
  ReturnType<ReturnType<Query>['execute']>
>[number];

/** A malformed id finds nothing (rather than a uuid cast error). */

/** Rows per statement when a list is sent as arrays. */
const CHUNK = 20_000;

/** `items` in parts of `size`: long lists travel as several array parameters. */
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
