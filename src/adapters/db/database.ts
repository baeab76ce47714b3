// Opens the database: PostgreSQL through `pg` when DATABASE_URL is set, otherwise an
// embedded PGlite under DATA_DIR. Both speak the same SQL and run the same migrations.
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import {
  type Compilable,
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { PgliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';
import { statementName } from './statement-names.ts';

export type Engine = 'postgres' | 'pglite';
export type Db = Kysely<Database>;

export interface OpenDatabase {
  db: Db;
  engine: Engine;
  close(): Promise<void>;
}

const DATE_OID = 1082;
const keepDateAsText = (value: string) => value;

/** As DATABASE_POOL_SIZE's default (config.ts): about 5 connections per core of the database server (BENCHMARKS.md). */
const DEFAULT_POOL_SIZE = 10;

/** A pg client that names the statements it runs with parameters (why and which: statement-names.ts). */
class NamedStatementClient extends pg.Client {}
const clientQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
NamedStatementClient.prototype.query = function query(
  this: pg.Client,
  text: unknown,
  values?: unknown,
  callback?: unknown,
) {
  if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined) {
    const name = statementName(text);
    if (name) return clientQuery.call(this, { name, text, values });
  }
  return clientQuery.call(this, text, values, callback);
} as typeof pg.Client.prototype.query;

/**
 * How long a query waits for a connection (a new one to the server, or a free one of the pool)
 * before it fails as "database unavailable" (503): a request never hangs on a database that is
 * down, and a pool saturated for this long is an outage to its clients too.
 */
export const CONNECTION_TIMEOUT_MS = 3_000;

export interface PostgresOptions {
  /**
   * Told when a connection breaks (the server stopped, restarted, or the network dropped):
   * the pool discards that connection and opens new ones as queries need them.
   */
  onConnectionError?: (error: Error) => void;
  connectionTimeoutMs?: number;
}

export function openPostgres(url: string, poolSize = DEFAULT_POOL_SIZE, options: PostgresOptions = {}): OpenDatabase {
  const pool = new pg.Pool({
    Client: NamedStatementClient,
    connectionString: url,
    max: poolSize,
    // A fixed-size pool (as HikariCP advises): a connection opened is kept, idle or not. A new
    // one plans each prepared statement anew (five custom plans, then the generic one; the
    // booking's fraud counts take ~10 ms to plan), so connections closed after ten idle
    // seconds (pg-pool's default) made a release storm's first seconds its costliest.
    min: poolSize,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
    // Notices a server that vanished without closing its sockets (a host down, a cut network).
    keepAlive: true,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? keepDateAsText : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig,
  });
  // A client that loses its server emits 'error'; without a listener Node ends the process.
  // The pool listens on idle clients only, so every client gets its own listener for its
  // whole life, checked out or not (in a transaction between two statements, say). The
  // query that was running fails on its own; this listener only keeps the process alive.
  const connectionError = (error: Error) => {
    try {
      options.onConnectionError?.(error);
    } catch {
      // Reporting must never bring the process down either.
    }
  };
  pool.on('connect', (client) => client.on('error', connectionError));
  pool.on('error', connectionError);
  const db = observedKysely(new PostgresDialect({ pool }));
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/**
 * The writes this process made through one Db: `count` grows after every commit and every
 * statement that changed rows. A cache of what the database says (the free-slot calendar,
 * adapters/db/free-slot-cache.ts) compares it with the count it last caught up at, so that a
 * change this process made is never followed by an answer from before it.
 */
export interface LocalWrites {
  readonly count: number;
}

const localWrites = new WeakMap<Db, LocalWrites>();

/** The writes made through `db` (undefined for a Db not opened here, e.g. a bare Kysely). */
export const localWritesOf = (db: Db): LocalWrites | undefined => localWrites.get(db);

/** A Kysely whose driver counts, in localWritesOf(db), the commits and the statements that changed rows. */
function observedKysely(dialect: Dialect): Db {
  const writes = { count: 0 };
  const counted = new WeakSet<DatabaseConnection>();
  const countWrites = (connection: DatabaseConnection) => {
    if (counted.has(connection)) return;
    counted.add(connection);
    // Patched in place: drivers release their own connection objects (a wrapper would not do).
    const execute = connection.executeQuery.bind(connection);
    connection.executeQuery = async <R>(query: CompiledQuery) => {
      const result = await execute<R>(query);
      if (result.numAffectedRows) writes.count++;
      return result;
    };
  };
  const observed: Dialect = {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () =>
      new Proxy(dialect.createDriver(), {
        get(driver, property) {
          if (property === 'acquireConnection')
            return async () => {
              const connection = await driver.acquireConnection();
              countWrites(connection);
              return connection;
            };
          if (property === 'commitTransaction')
            return async (connection: DatabaseConnection) => {
              await driver.commitTransaction(connection);
              writes.count++;
            };
          const value = Reflect.get(driver, property, driver) as unknown;
          return typeof value === 'function' ? value.bind(driver) : value;
        },
      }) satisfies Driver,
  };
  const db = new Kysely<Database>({ dialect: observed });
  localWrites.set(db, writes);
  return db;
}

/** How a PGlite instance starts. */
export interface PgliteStart {
  /** On disk here; in memory without it. */
  dataDir?: string;
  /** A dump of another instance (`dumpPglite`), to start from a copy of it. */
  from?: Uint8Array;
  /**
   * PostgreSQL's page cache (128MB by default). PostgreSQL zeroes all of it at start: 128MB
   * is about half a second of CPU and as many page faults, which short-lived copies (a test
   * suite's database) can spare.
   */
  sharedBuffers?: string;
}

export async function createPglite({ dataDir, from, sharedBuffers }: PgliteStart = {}): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(from ? { loadDataDir: new BytesBlob(from) } : {}),
    extensions: { btree_gist },
    parsers: { [pgliteTypes.DATE]: keepDateAsText },
    startParams: [
      ...PGlite.defaultStartParams,
      // PostgreSQL arms a 10-second "startup progress" timer at start; in PGlite it outlives
      // close() and keeps a finished process (a CLI command, a test run) from exiting.
      '-c',
      'log_startup_progress_interval=0',
      ...(sharedBuffers ? ['-c', `shared_buffers=${sharedBuffers}`] : []),
    ],
  });
}

/**
 * A data directory's tarball, checkpointed first so that an instance started from it has no
 * WAL to replay.
 */
export async function dumpPglite(pglite: PGlite): Promise<Uint8Array> {
  await pglite.exec('checkpoint');
  return new Uint8Array(await (await pglite.dumpDataDir('none')).arrayBuffer());
}

/**
 * Bytes PGlite reads as a Blob. Node 20's own Blob hands its bytes over through a stream, in
 * chunks it then concatenates: about 0.2 s of CPU for a 43 MB dump, at every copy.
 */
class BytesBlob extends Blob {
  readonly #content: Uint8Array;
  constructor(content: Uint8Array) {
    super([]);
    this.#content = content;
  }
  override get size(): number {
    return this.#content.byteLength;
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    const { buffer, byteOffset, byteLength } = this.#content;
    // PGlite only reads it (untar, then copies into its file system): the bytes themselves when they fill their buffer.
    if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer)
      return Promise.resolve(buffer);
    return Promise.resolve(this.#content.slice().buffer);
  }
}

export function wrapPglite(pglite: PGlite): OpenDatabase {
  const db = observedKysely(new PgliteDialect(pglite));
  return { db, engine: 'pglite', close: () => db.destroy() };
}

export async function openPglite(dataDir?: string): Promise<OpenDatabase> {
  return wrapPglite(await createPglite({ dataDir }));
}

/** PostgreSQL's dialect without a connection: every statement is built, none is sent (no rows back). */
export const SQL_ONLY_DIALECT: Dialect = {
  createAdapter: () => new PostgresAdapter(),
  createDriver: () => new DummyDriver(),
  createIntrospector: (db) => new PostgresIntrospector(db),
  createQueryCompiler: () => new PostgresQueryCompiler(),
};

/** Builds SQL only, never connects: both engines speak PostgreSQL's dialect. */
const sqlBuilder = new Kysely<Database>({ dialect: SQL_ONLY_DIALECT });

/**
 * A hot query built and compiled by Kysely once, at load time; each call only supplies its
 * arguments. Building a query through Kysely's immutable builder and compiling it cost about
 * 0.3 ms of CPU per booking (BENCHMARKS.md); once compiled, the SQL text is also the very same
 * string at every call, so finding its statement name is cheap.
 *
 * `build` receives `placeholders` in place of the arguments: one distinct value per argument
 * (a string no input contains, a Date object of its own), which the compiled parameters are
 * matched against by identity. Every other parameter is a constant of the query.
 * Example: `precompiled((qb, a) => qb.selectFrom('slot').select('id').where('id', '=', a.id), { id: '\0id' })`.
 */
export function precompiled<Args extends object, Row>(
  build: (qb: Kysely<Database>, placeholders: Args) => Compilable<Row>,
  placeholders: Args,
): (db: Db | Transaction<Database>, args: Args) => Promise<QueryResult<Row>> {
  const { sql: text, parameters } = build(sqlBuilder, placeholders).compile();
  const keys = Object.keys(placeholders) as (keyof Args)[];
  const sources = parameters.map((value) => ({ key: keys.find((k) => placeholders[k] === value), value }));
  for (const key of keys) {
    if (!sources.some((s) => s.key === key)) throw new Error(`precompiled query: argument ${String(key)} is not used`);
  }
  return (db, args) =>
    db.executeQuery<Row>(
      CompiledQuery.raw(
        text,
        sources.map((s) => (s.key === undefined ? s.value : args[s.key])),
      ),
    );
}

/**
 * Copies the caps of the configuration into app_setting at start-up — until an administrator
 * edits one in the back-office (edited_at set): from then on the database keeps theirs, the
 * environment being only the initial value.
 */
export async function syncSettings(db: Db, settings: { maxActiveAppointmentsPerEmail: number }): Promise<void> {
  await db
    .updateTable('app_setting')
    .set({ value: settings.maxActiveAppointmentsPerEmail })
    .where('name', '=', 'max_active_appointments_per_email')
    .where('edited_at', 'is', null)
    .execute();
}

/**
 * Whether the database answers `select 1` within `timeoutMs`: /health and /ready answer within
 * about that long even when the database hangs (probes have timeouts of their own, 1 s by
 * default in Kubernetes) or the pool is saturated.
 */
export async function ping(db: Db, timeoutMs = 900): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const answer = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
