// Opens the database: PostgreSQL through `pg` when DATABASE_URL is set, otherwise an
// embedded PGlite under DATA_DIR. Both speak the same SQL and run the same migrations.
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Engine = 'postgres' | 'pglite';
export type Db = Kysely<Database>;

export interface OpenDatabase {
  db: Db;
  engine: Engine;
  close(): Promise<void>;
}

const DATE_OID = 1082;
const keepDateAsText = (value: string) => value;

export function openPostgres(url: string, poolSize = 20): OpenDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: { getTypeParser: (oid: number, format?: any) => (oid === DATE_OID ? keepDateAsText : pg.types.getTypeParser(oid, format)) } as any,
  });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/** `from`: a dump of another instance (dumpDataDir), to start from a copy of it. */
export async function createPglite(dataDir?: string, from?: File | Blob): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(from ? { loadDataDir: from } : {}),
    extensions: { btree_gist },
    parsers: { [pgliteTypes.DATE]: keepDateAsText },
  });
}

export function wrapPglite(pglite: PGlite): OpenDatabase {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, engine: 'pglite', close: () => db.destroy() };
}

export async function openPglite(dataDir?: string): Promise<OpenDatabase> {
  return wrapPglite(await createPglite(dataDir));
}

export async function syncSettings(db: Db, settings: { maxActiveAppointmentsPerEmail: number }): Promise<void> {
  await db
    .updateTable('app_setting')
    .set({ value: settings.maxActiveAppointmentsPerEmail })
    .where('name', '=', 'max_active_appointments_per_email')
    .execute();
}

export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
