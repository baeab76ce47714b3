// One storage suite, run on every engine (as Kysely's own tests do).
//   * PGlite: each suite gets its own instance, loaded from one migrated template (made
//     once per migration set, kept on disk: initdb and the migrations take seconds).
//   * PostgreSQL: each suite gets its own fresh database on TEST_DATABASE_URL's server,
//     dropped afterwards, so parallel runs never collide.
// Without TEST_DATABASE_URL the local server is tried; when CI=true an unreachable
// PostgreSQL fails the suite instead of skipping it. TEST_ENGINES=pglite leaves PostgreSQL
// out altogether (the mutation run does: thousands of runs, one engine is enough there).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  createPglite,
  dumpPglite,
  type Engine,
  type OpenDatabase,
  openPostgres,
  type PostgresOptions,
  wrapPglite,
} from '../../src/adapters/db/database.ts';
import { migrateToLatest } from '../../src/adapters/db/migrate.ts';
import { queueTallyDrift } from '../../src/adapters/db/queue-tally.ts';

export const ENGINES: Engine[] = process.env.TEST_ENGINES === 'pglite' ? ['pglite'] : ['pglite', 'postgres'];

export const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const isCi = process.env.CI === 'true';

async function probePostgres(): Promise<string | null> {
  // Generous: test processes run several at a time, and a loaded machine is slow to connect.
  // Three tries: this probe starts when the module loads, and a suite already running in the
  // same batch process (the simulator: seconds of synchronous work) can hold the event loop
  // past one try's timeout while the server answered at once.
  let problem: string | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 15_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (error) {
      problem = (error as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
  }
  return problem;
}
const postgresProblem = ENGINES.includes('postgres') ? await probePostgres() : null;

// The migrated template's data directory, made once per migration set and kept on disk
// (node_modules/.cache), so a test process loads it (about a second) instead of running
// initdb and every migration (several seconds of CPU).
const migrationsDir = new URL('../../src/adapters/db/migrations/', import.meta.url);
function templateKey(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url)));
  for (const name of readdirSync(migrationsDir).sort())
    hash.update(name).update(readFileSync(new URL(name, migrationsDir)));
  hash.update(readFileSync(new URL('../../src/adapters/db/migrate.ts', import.meta.url)));
  hash.update('checkpointed'); // templates dumped before the checkpoint made their copies replay WAL
  return hash.digest('hex').slice(0, 16);
}
let pgliteTemplate: Promise<Uint8Array> | undefined;
function migratedPgliteTemplate(): Promise<Uint8Array> {
  pgliteTemplate ??= (async () => {
    const cached = new URL(`../../node_modules/.cache/creneau-test/pglite-${templateKey()}.tar`, import.meta.url);
    if (existsSync(cached)) return readFileSync(cached);
    const pglite = await createPglite();
    await migrateToLatest(wrapPglite(pglite).db);
    const dump = await dumpPglite(pglite);
    await pglite.close();
    // Several test processes may make it at once: each writes its own file, then renames it.
    mkdirSync(new URL('.', cached), { recursive: true });
    const partial = `${cached.pathname}.${process.pid}`;
    writeFileSync(partial, dump);
    renameSync(partial, cached);
    return dump;
  })();
  return pgliteTemplate;
}

/**
 * A copy of a dump for one suite. A suite's database holds a few hundred rows: PostgreSQL's
 * page cache at 16MB instead of 128MB halves the copy's start (about 1 s of CPU less).
 */
export function pgliteCopyOf(dump: Uint8Array): Promise<PGlite> {
  return createPglite({ from: dump, sharedBuffers: '16MB' });
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
const otherViews = new WeakMap<OpenDatabase, (poolSize: number, options: PostgresOptions) => OpenDatabase>();
/** `poolSize` and `options`: of the PostgreSQL view's pool (default 5 connections). */
export function anotherView(database: OpenDatabase, poolSize = 5, options: PostgresOptions = {}): OpenDatabase {
  const view = otherViews.get(database);
  if (!view) throw new Error('not a database of freshDatabase()');
  return view(poolSize, options);
}

/** One statement, or a few, on the server's maintenance database (creating and dropping databases). */
export async function asAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

// The migrated PostgreSQL template, one per migration set, kept on the server as the PGlite
// dump is on disk: CREATE DATABASE … TEMPLATE copies its files (about 0.1 s) where running
// every migration takes about a second of both processes' CPU. Made by whichever test
// process needs it first: each builds a database of its own and renames it; a process that
// loses the race drops its copy. The templates of older migration sets stay (a few MB each;
// `drop database` them at will).
let postgresTemplate: Promise<string> | undefined;
function migratedPostgresTemplate(): Promise<string> {
  postgresTemplate ??= (async () => {
    const name = `creneau_test_template_${templateKey()}`;
    const exists = await asAdmin((admin) => admin.query('select 1 from pg_database where datname = $1', [name]));
    if (exists.rowCount === 1) return name;
    const building = `${name}_${process.pid}_${randomBytes(4).toString('hex')}`;
    await asAdmin((admin) => admin.query(`create database ${building}`));
    const open = openPostgres(withDatabase(postgresUrl, building), 2);
    await migrateToLatest(open.db);
    await open.close();
    await asAdmin((admin) =>
      admin.query(`alter database ${building} rename to ${name}`).catch(async (error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // duplicate_database: another process made it first
        await admin.query(`drop database ${building}`);
      }),
    );
    return name;
  })();
  return postgresTemplate;
}

/** Drops a test's database, its connections closed first. */
export async function dropPostgres(name: string): Promise<void> {
  await asAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`));
}

/** Creates the database `name`, migrated (a copy of the template); its URL. */
export async function createMigratedPostgres(name: string): Promise<string> {
  const template = await migratedPostgresTemplate();
  await asAdmin((admin) => admin.query(`create database ${name} template ${template}`));
  return withDatabase(postgresUrl, name);
}

async function freshPostgres(): Promise<OpenDatabase> {
  const name = `creneau_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = await createMigratedPostgres(name);
  const open = openPostgres(url, 30);
  const views: OpenDatabase[] = [];
  const database: OpenDatabase = {
    ...open,
    async close() {
      for (const view of views) await view.close();
      await open.close();
      await dropPostgres(name);
    },
  };
  otherViews.set(database, (poolSize, options) => {
    const view = openPostgres(url, poolSize, options);
    views.push(view);
    return view;
  });
  return database;
}

/** A fresh, migrated PGlite instance (to dump it once seeded, for instance). */
export async function freshPgliteInstance(): Promise<PGlite> {
  // Like PGlite.clone(), but keeping our type parsers (clone() drops them).
  return pgliteCopyOf(await migratedPgliteTemplate());
}

/**
 * Lets a closed PGlite instance's WebAssembly memory (200 MB and more) go. node:test keeps
 * every suite's closures to the end of the process, and with them the servers and instances
 * they reference: a batch of storage suites grew by one instance per suite, to several GB.
 * PGlite holds its Emscripten module in a protected `mod` field until the instance itself is
 * collected; a closed instance never uses it again (a query on it throws "PGlite is closed"),
 * so it is dropped here, and the garbage collected when the process allows it (test/all.ts
 * starts batches with --expose-gc).
 */
export async function releaseClosedPglite(pglite: PGlite): Promise<void> {
  // Kysely closes the instance only if it ever ran a query on it.
  if (!pglite.closed) await pglite.close();
  Reflect.set(pglite, 'mod', undefined);
  (globalThis as { gc?: () => void }).gc?.();
}

/** A PGlite database loaded from `dump` (a data directory's tarball), its memory released on close. */
export async function pgliteFromDump(dump: Uint8Array): Promise<OpenDatabase> {
  const pglite = await pgliteCopyOf(dump);
  const wrapped = wrapPglite(pglite);
  const database: OpenDatabase = {
    ...wrapped,
    async close() {
      await wrapped.close();
      await releaseClosedPglite(pglite);
    },
  };
  otherViews.set(database, () => ({ ...wrapPglite(pglite), close: async () => {} }));
  return database;
}

async function freshPglite(): Promise<OpenDatabase> {
  return pgliteFromDump(await migratedPgliteTemplate());
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
      suite(() => {
        if (!open) throw new Error('database not ready');
        return open;
      }, engine);
      // Whatever the suite did to requests and offers, the queue's tally kept count (migration 0030).
      after(async () => {
        try {
          if (open) assert.deepEqual(await queueTallyDrift(open.db), [], 'the queue tally drifted from the queue');
        } finally {
          await open?.close();
        }
      });
    });
  }
}
