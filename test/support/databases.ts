// One storage suite, run on every engine (as Kysely's own tests do).
//   * PGlite: one migrated instance per test process (it takes seconds and hundreds of MB
//     to start, and parallel starts have crashed — pglite#1053); each suite gets a clone().
//   * PostgreSQL: each suite gets its own fresh database on TEST_DATABASE_URL's server,
//     dropped afterwards, so parallel runs never collide.
// Without TEST_DATABASE_URL the local server is tried; when CI=true an unreachable
// PostgreSQL fails the suite instead of skipping it. TEST_ENGINES=pglite leaves PostgreSQL
// out altogether (the mutation run does: thousands of runs, one engine is enough there).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

async function freshPostgres(): Promise<OpenDatabase> {
  const name = `creneau_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const open = openPostgres(withDatabase(postgresUrl, name), 30);
  await migrateToLatest(open.db);
  return {
    ...open,
    async close() {
      await open.close();
      const cleaner = new pg.Client({ connectionString: postgresUrl });
      await cleaner.connect();
      await cleaner.query(`drop database if exists ${name} with (force)`);
      await cleaner.end();
    },
  };
}

// The mutation run (stryker.config.mjs) sets PGLITE_TEMPLATE_DIR: the migrated template's
// dump is then kept on disk between test processes (one or more per mutant), under a hash of
// the migrations' source, and loaded instead of running initdb and every migration again —
// about 40 s of a storage file's 50 s of setup on the loaded machine, 6 s to load the dump.
// `npm test` leaves it unset: every process migrates a new database.
const templateDir = process.env.PGLITE_TEMPLATE_DIR;

function templateCacheFile(dir: string): string {
  const migrations = new URL('../../src/adapters/db/migrations/', import.meta.url);
  const hash = createHash('sha256').update(readFileSync(new URL('../../src/adapters/db/migrate.ts', import.meta.url)));
  for (const name of readdirSync(migrations).sort()) hash.update(name).update(readFileSync(new URL(name, migrations)));
  return join(dir, `pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
}

async function cachedTemplateDump(dir: string): Promise<Blob> {
  const file = templateCacheFile(dir);
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    const dump = await (await migratedPgliteTemplate()).dumpDataDir('none');
    mkdirSync(dir, { recursive: true });
    // Written aside, then renamed: a process reading it meanwhile never sees half a file.
    const aside = `${file}.${process.pid}.tmp`;
    writeFileSync(aside, Buffer.from(await dump.arrayBuffer()));
    renameSync(aside, file);
    return dump;
  }
}

/** A fresh, migrated PGlite instance (to dump it once seeded, for instance). */
export async function freshPgliteInstance(): Promise<PGlite> {
  // Like PGlite.clone(), but keeping our type parsers (clone() drops them).
  const dump = templateDir
    ? await cachedTemplateDump(templateDir)
    : await (await migratedPgliteTemplate()).dumpDataDir('none');
  return createPglite(undefined, dump);
}

async function freshPglite(): Promise<OpenDatabase> {
  return wrapPglite(await freshPgliteInstance());
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
