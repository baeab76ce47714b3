// One storage suite, run on every engine (as Kysely's own tests do).
//   * PGlite: one migrated instance per test process (it takes seconds and hundreds of MB
//     to start, and parallel starts have crashed — pglite#1053); each suite gets a clone().
//   * PostgreSQL: each suite gets its own fresh database on TEST_DATABASE_URL's server,
//     dropped afterwards, so parallel runs never collide.
// Without TEST_DATABASE_URL the local server is tried; when CI=true an unreachable
// PostgreSQL fails the suite instead of skipping it. TEST_ENGINES=pglite leaves PostgreSQL
// out altogether (the mutation run does: thousands of runs, one engine is enough there).
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  createPglite,
  type Engine,
  type OpenDatabase,
  openPostgres,
  wrapPglite,
} from '../../src/adapters/db/database.ts';
import { migrateToLatest } from '../../src/adapters/db/migrate.ts';

export const ENGINES: Engine[] = process.env.TEST_ENGINES === 'pglite' ? ['pglite'] : ['pglite', 'postgres'];

export const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const isCi = process.env.CI === 'true';

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}
const postgresProblem = ENGINES.includes('postgres') ? await probePostgres() : null;

let pgliteTemplate: Promise<PGlite> | undefined;
function migratedPgliteTemplate(): Promise<PGlite> {
  pgliteTemplate ??= (async () => {
    const pglite = await createPglite();
    await migrateToLatest(wrapPglite(pglite).db);
    return pglite;
  })();
  return pgliteTemplate;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * How another process sees a database: PostgreSQL, a pool of its own to the same database;
 * PGlite (one process only), a second Kysely over the same instance. Either way its writes
 * are not this handle's own (adapters/db/database.ts localWritesOf).
 */
const otherViews = new WeakMap<OpenDatabase, () => OpenDatabase>();
export function anotherView(database: OpenDatabase): OpenDatabase {
  const view = otherViews.get(database);
  if (!view) throw new Error('not a database of freshDatabase()');
  return view();
}

async function freshPostgres(): Promise<OpenDatabase> {
  const name = `creneau_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(postgresUrl, name);
  const open = openPostgres(url, 30);
  await migrateToLatest(open.db);
  const views: OpenDatabase[] = [];
  const database: OpenDatabase = {
    ...open,
    async close() {
      for (const view of views) await view.close();
      await open.close();
      const cleaner = new pg.Client({ connectionString: postgresUrl });
      await cleaner.connect();
      await cleaner.query(`drop database if exists ${name} with (force)`);
      await cleaner.end();
    },
  };
  otherViews.set(database, () => {
    const view = openPostgres(url, 5);
    views.push(view);
    return view;
  });
  return database;
}

/** A fresh, migrated PGlite instance (to dump it once seeded, for instance). */
export async function freshPgliteInstance(): Promise<PGlite> {
  // Like PGlite.clone(), but keeping our type parsers (clone() drops them).
  const dump = await (await migratedPgliteTemplate()).dumpDataDir('none');
  return createPglite(undefined, dump);
}

async function freshPglite(): Promise<OpenDatabase> {
  const pglite = await freshPgliteInstance();
  const database = wrapPglite(pglite);
  otherViews.set(database, () => ({ ...wrapPglite(pglite), close: async () => {} }));
  return database;
}

export function freshDatabase(engine: Engine): Promise<OpenDatabase> {
  return engine === 'pglite' ? freshPglite() : freshPostgres();
}

/**
 * describeEachEngine('booking', (database) => { it('…', async () => { database().db … }) })
 * runs the suite once per engine, each on a fresh, migrated database.
 */
/** Why the PostgreSQL half must be skipped here, or false. With CI=true it is never skipped: it fails. */
export function postgresSkipReason(): string | false {
  return postgresProblem && !isCi ? `PostgreSQL unreachable at ${postgresUrl}: ${postgresProblem}` : false;
}

/** Throws when PostgreSQL is required (CI=true) but unreachable. */
export function assertPostgresReachable(): void {
  if (postgresProblem) throw new Error(`CI=true and PostgreSQL is unreachable at ${postgresUrl}: ${postgresProblem}`);
}

export function describeEachEngine(name: string, suite: (database: () => OpenDatabase, engine: Engine) => void): void {
  for (const engine of ENGINES) {
    const skip = engine === 'postgres' ? postgresSkipReason() : false;
    describe(`${name} [${engine}]`, { skip }, () => {
      let open: OpenDatabase | undefined;
      before(async () => {
        if (engine === 'postgres') assertPostgresReachable();
        open = await freshDatabase(engine);
      });
      after(async () => {
        await open?.close();
      });
      suite(() => {
        if (!open) throw new Error('database not ready');
        return open;
      }, engine);
    });
  }
}
