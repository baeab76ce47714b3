// What every Kysely repository shares: it runs on the pool or on a transaction alike.
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

export type Executor = Db | Transaction<Database>;

/** The row type of a query builder function: `RowOf<typeof counters>`. */
export type RowOf<Query extends (db: Executor) => { execute(): Promise<unknown[]> }> = Awaited<
  ReturnType<ReturnType<Query>['execute']>
>[number];

/** A malformed id finds nothing (rather than a uuid cast error). */

/** Rows per statement when a list is sent as arrays, or fetched from a cursor. */
export const CHUNK = 20_000;

/**
 * PostgreSQL's text form of an array of uuids or numbers, for a long list sent as one
 * parameter (cast it: `::uuid[]`, `::float8[]`). Such elements need no quoting, which the
 * driver would otherwise do element by element.
 */
export const arrayLiteral = (items: readonly (string | number)[]): string => `{${items.join(',')}}`;

/** `items` in parts of `size`: long lists travel as several array parameters. */
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads `query` through a server-side cursor, `batchSize` rows per FETCH, handing each batch
 * to `take`: the client holds one batch of raw rows at a time, never the whole result (a
 * draw reads a million requests). Only inside a transaction, which the cursor lives in.
 */
export async function readInBatches<Row>(
  trx: Executor,
  cursor: string,
  query: RawBuilder<Row>,
  batchSize: number,
  take: (rows: readonly Row[]) => void,
): Promise<void> {
  await sql`declare ${sql.id(cursor)} no scroll cursor for ${query}`.execute(trx);
  for (;;) {
    const { rows } = await sql<Row>`fetch forward ${sql.lit(batchSize)} from ${sql.id(cursor)}`.execute(trx);
    if (rows.length > 0) take(rows);
    if (rows.length < batchSize) break;
  }
  await sql`close ${sql.id(cursor)}`.execute(trx);
}

/** One shared copy of each equal value (a draw reads the same few preference sets a million times). */
export function interner<T>(make: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    let value = seen.get(key);
    if (value === undefined) seen.set(key, (value = make(key)));
    return value;
  };
}
