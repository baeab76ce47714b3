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
export const isUuid = (id: string): boolean => /^[0-9a-f-]{36}$/i.test(id);
