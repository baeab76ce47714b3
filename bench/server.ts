// The server under test, one process per engine, forked by bench/booking.ts: the benchmark
// scenario is written in SQL on the migrated database, then the server is started by
// src/main.ts startServer, as `creneau serve` starts each of its HTTP processes: on
// PostgreSQL without the background jobs (the emails of the bookings wait in the outbox for a
// worker) unless --with-worker. The load generator lives in the
// parent process, so this process's RSS is the server's alone.
//
// The email verifications the attempts spend are written here too, before the server starts,
// as POST /api/email-verifications writes them (same table, same keyed digest of the code,
// made with the IDENTITY_KEY_SECRET the server is given): the benchmark does not read mail.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { createHasher } from '../src/adapters/crypto-secrets.ts';
import type { OpenDatabase } from '../src/adapters/db/database.ts';
import { emailCodeDigest } from '../src/app/applicants/email-verification.ts';
import { type Config, ConfigError } from '../src/config.ts';
import { emailKey } from '../src/domain/identity.ts';
import { EMAIL_CODE_MAX_TTL_MINUTES, normaliseVerifiedEmail } from '../src/domain/one-time-code.ts';
import {
  configFromEnvironment,
  createLogger,
  openDatabase,
  prepareDatabase,
  type RunningServer,
  startServer,
} from '../src/main.ts';
import { createCalendarScenario } from './calendar-scenario.ts';
import {
  applicantEmail,
  BATCH_COUNTS_SQL,
  type Batch,
  BENCH_PREFECTURE_ID,
  BENCH_SITE_ID,
  benchSlotUuid,
  benchVerificationUuid,
  bookingStatementsSql,
  CODE_CHECKS_SQL,
  DOUBLE_BOOKINGS_SQL,
  FILING_OFFSET,
  FILING_PROCEDURE_ID,
  type FromServer,
  filerEmail,
  filingStatementsSql,
  type MeasureRequest,
  PGBENCH_OFFSETS,
  type RawSqlRun,
  rawEmail,
  type ServerStart,
  type ToServer,
  type Verification,
} from './protocol.ts';

const send = (message: FromServer) => process.send?.(message);

// ---------------------------------------------------------------------------------------------
// Measured windows: the server's CPU, its round trips to the database and, on request, a CPU
// profile, between a storm's first request and its last answer.

/** Statement texts sent to the database since the window opened (null: no window open). */
let statementCounts: Map<string, number> | null = null;
let roundTrips = 0;
function countStatement(text: unknown): void {
  roundTrips++;
  if (statementCounts && typeof text === 'string' && statementCounts.size < 60)
    statementCounts.set(text, (statementCounts.get(text) ?? 0) + 1);
  else if (statementCounts && typeof text === 'string' && statementCounts.has(text))
    statementCounts.set(text, statementCounts.get(text)! + 1);
}
// node-postgres: every query, named or simple, is one Query submitted to the connection (one
// round trip: the extended protocol ends with Sync, the simple one is one Query message).
const PgQuery = (pg as unknown as { Query: { prototype: { submit: (...a: unknown[]) => unknown; text?: unknown } } })
  .Query;
const submit = PgQuery.prototype.submit;
PgQuery.prototype.submit = function counted(this: { text?: unknown }, ...a: unknown[]) {
  countStatement(this.text);
  return submit.apply(this, a);
};
// PGlite: every call into the engine (the app's dialect, src/adapters/db/pglite-dialect.ts,
// sends a statement in one execProtocol call, or two the first time; query and exec are one).
for (const method of ['query', 'exec', 'execProtocol'] as const) {
  const original = PGlite.prototype[method] as (...a: unknown[]) => unknown;
  (PGlite.prototype as unknown as Record<string, unknown>)[method] = function counted(this: PGlite, ...a: unknown[]) {
    countStatement(a[0]);
    return original.apply(this, a);
  };
}

let windowStart: { cpu: NodeJS.CpuUsage; profiler: Session | null; profileFile?: string } | null = null;

async function measure(message: MeasureRequest): Promise<FromServer> {
  if (message.action === 'start') {
    let profiler: Session | null = null;
    if (message.profileFile) {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
      await profiler.post('Profiler.start');
    }
    statementCounts = new Map();
    roundTrips = 0;
    windowStart = {
      cpu: process.cpuUsage(),
      profiler,
      ...(message.profileFile ? { profileFile: message.profileFile } : {}),
    };
    return { type: 'measured', cpuSeconds: 0, roundTrips: 0, statements: [] };
  }
  if (!windowStart) throw new Error('measure stop without start');
  const cpu = process.cpuUsage(windowStart.cpu);
  const { profiler, profileFile } = windowStart;
  const statements = [...(statementCounts ?? [])]
    .map(([text, count]) => ({ text, count }))
    .sort((a, b) => b.count - a.count);
  const measured = { cpuSeconds: (cpu.user + cpu.system) / 1e6, roundTrips, statements };
  statementCounts = null;
  windowStart = null;
  if (profiler && profileFile) {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    mkdirSync(dirname(profileFile), { recursive: true });
    writeFileSync(profileFile, JSON.stringify(profile));
    return { type: 'measured', ...measured, profileFile };
  }
  return { type: 'measured', ...measured };
}

const SLOTS_PER_COUNTER = 50;
const PROCEDURE_ID = 'bench-passport';
const FILING_COUNTER_ID = 'bench-request-0';

/** Prefecture, site, procedure (passport proof, direct booking), the slot batches and the email verifications. */
async function createScenario(database: OpenDatabase, start: ServerStart) {
  const counts = start.slots;
  const { db } = database;
  await db
    .insertInto('prefecture')
    .values({ id: BENCH_PREFECTURE_ID, name: 'Préfecture de la Seine-Saint-Denis', time_zone: 'Europe/Paris' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('site')
    .values({
      id: BENCH_SITE_ID,
      prefecture_id: BENCH_PREFECTURE_ID,
      kind: 'prefecture',
      name: 'Bobigny (bench)',
      address: '1 esplanade Jean Moulin',
    })
    .execute();
  await db
    .insertInto('procedure')
    .values({
      id: PROCEDURE_ID,
      name_fr: 'Titre de séjour (bench)',
      name_en: 'Residence permit (bench)',
      slot_minutes: 30,
      identity_proof: 'passport',
      channel: 'appointment',
      booking_mode: 'direct',
    })
    .execute();
  // The filing storm's procedure: requests wait for a draw; one counter of the site receives
  // it every day (a one-hour window, so the upkeep materialises few slots).
  await db
    .insertInto('procedure')
    .values({
      id: FILING_PROCEDURE_ID,
      name_fr: 'Naturalisation (bench)',
      name_en: 'Naturalisation (bench)',
      slot_minutes: 60,
      identity_proof: 'passport',
      channel: 'appointment',
      booking_mode: 'allocation',
    })
    .execute();
  await db
    .insertInto('counter')
    .values({ id: FILING_COUNTER_ID, site_id: BENCH_SITE_ID, name: 'Guichet demandes' })
    .execute();
  await db
    .insertInto('opening_rule')
    .values({
      counter_id: FILING_COUNTER_ID,
      procedure_id: FILING_PROCEDURE_ID,
      weekdays: sql<number[]>`cast('{1,2,3,4,5,6,7}' as smallint[])`,
      valid_from: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      valid_until: null,
      windows: JSON.stringify([{ start: '09:00', end: '10:00' }]),
      slot_minutes: 60,
    })
    .execute();

  // Slots start two days ahead and were released yesterday: open, released, in the future.
  const firstStart = Date.now() + 2 * 86_400_000;
  const releasedAt = new Date(Date.now() - 86_400_000);

  const batchOffsets = new Map<Batch, number>();
  async function addBatch(batch: Batch, count: number): Promise<string[]> {
    if (count === 0) return [];
    const counters = Math.ceil(count / SLOTS_PER_COUNTER);
    await db
      .insertInto('counter')
      .values(
        Array.from({ length: counters }, (_, c) => ({
          id: `bench-${batch}-${c}`,
          site_id: BENCH_SITE_ID,
          name: `Guichet ${batch} ${c + 1}`,
        })),
      )
      .execute();
    const deterministic = batch === 'pgbench' || batch === 'pgbenchpool';
    // Each batch at times of its own (a minute apart per batch): a booking takes any free
    // counter of its slot's site and time, which must stay within the batch it measures.
    const offset = (batchOffsets.get(batch) ?? batchOffsets.set(batch, batchOffsets.size).get(batch)!) * 60_000;
    const rows = Array.from({ length: count }, (_, i) => {
      const startsAt = new Date(firstStart + offset + Math.floor(i / counters) * 30 * 60_000);
      return {
        ...(deterministic ? { id: benchSlotUuid(PGBENCH_OFFSETS[batch] + i + 1) } : {}),
        site_id: BENCH_SITE_ID,
        counter_id: `bench-${batch}-${i % counters}`,
        procedure_id: PROCEDURE_ID,
        starts_at: startsAt,
        ends_at: new Date(startsAt.getTime() + 30 * 60_000),
        local_date: startsAt.toISOString().slice(0, 10),
        released_at: releasedAt,
        // Open to first-come booking: a draw left it without a taker (migration 0012).
        opened_at: releasedAt,
      };
    });
    const ids: string[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await db
        .insertInto('slot')
        .values(rows.slice(i, i + 500))
        .returning('id')
        .execute();
      ids.push(...inserted.map((r) => r.id));
    }
    return ids;
  }

  const warmup = await addBatch('warmup', counts.warmup);
  const w1 = await addBatch('w1', counts.w1);
  const [w2] = await addBatch('w2', 1);
  await addBatch('pgbench', counts.pgbench);
  if (database.engine === 'postgres') await addBatch('pgbenchpool', counts.pgbench);

  // One verification per HTTP attempt, with the digest the app computes (keyed, bound to the id).
  const hasher = createHasher(start.identityKeySecret);
  const createdAt = new Date();
  const expiresAt = new Date(createdAt.getTime() + EMAIL_CODE_MAX_TTL_MINUTES * 60_000);
  const verification = (id: string, email: string, codeHash: string, purpose: 'booking' | 'request' = 'booking') => ({
    id,
    email: normaliseVerifiedEmail(email),
    email_key: emailKey(email),
    purpose,
    code_hash: codeHash,
    max_attempts: 5,
    created_at: createdAt,
    expires_at: expiresAt,
  });
  const verificationIds = Array.from({ length: start.verifications.count }, () => randomUUID());
  const rows = verificationIds.map((id, i) =>
    verification(
      id,
      applicantEmail(start.verifications.tag, i + 1),
      emailCodeDigest(hasher, id, start.verifications.code),
    ),
  );
  // The filing storm's, purpose "request".
  const filingVerificationIds = Array.from({ length: start.filings }, () => randomUUID());
  for (const [i, id] of filingVerificationIds.entries())
    rows.push(
      verification(
        id,
        filerEmail(start.verifications.tag, i + 1),
        emailCodeDigest(hasher, id, start.verifications.code),
        'request',
      ),
    );
  for (let n = FILING_OFFSET + 1; n <= FILING_OFFSET + start.filings + start.rawVerifications; n++)
    rows.push(verification(benchVerificationUuid(n), rawEmail(n), `bench-code-${n}`, 'request'));
  // And the raw-SQL batches' verifications, with the fixed digests the raw SQL compares (see protocol.ts).
  for (const offset of database.engine === 'postgres'
    ? [PGBENCH_OFFSETS.pgbench, PGBENCH_OFFSETS.pgbenchpool]
    : [PGBENCH_OFFSETS.pgbench]) {
    for (let n = offset + 1; n <= offset + start.rawVerifications; n++)
      rows.push(verification(benchVerificationUuid(n), rawEmail(n), `bench-code-${n}`));
  }
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('email_verification')
      .values(rows.slice(i, i + 500))
      .execute();

  const calendar = start.calendar ? await createCalendarScenario(database, PROCEDURE_ID, start.calendar) : undefined;

  await sql`analyze`.execute(db);
  return {
    ...(calendar ? { calendar } : {}),
    procedureId: PROCEDURE_ID,
    slotIds: { warmup, w1, w2: w2! },
    pgbenchOffsets: { ...PGBENCH_OFFSETS },
    verificationIds,
    filingVerificationIds,
    verificationsCreatedAt: createdAt.getTime(),
  };
}

async function verify(database: OpenDatabase): Promise<Verification> {
  const double = await sql<{ n: number }>`${sql.raw(DOUBLE_BOOKINGS_SQL)}`.execute(database.db);
  const counts = await sql<{
    batch: string;
    slots: number;
    appointments: number;
    distinct_slots: number;
  }>`${sql.raw(BATCH_COUNTS_SQL)}`.execute(database.db);
  const codes = await sql<{
    spent_without_booking: number;
    booking_without_code: number;
    filing_requests: number;
  }>`${sql.raw(CODE_CHECKS_SQL)}`.execute(database.db);
  return {
    doubleBookings: Number(double.rows[0]?.n ?? -1),
    codesSpentWithoutBooking: Number(codes.rows[0]?.spent_without_booking ?? -1),
    bookingsWithoutSpentCode: Number(codes.rows[0]?.booking_without_code ?? -1),
    filingRequests: Number(codes.rows[0]?.filing_requests ?? -1),
    batches: Object.fromEntries(
      counts.rows.map((r) => [
        r.batch,
        { slots: Number(r.slots), appointments: Number(r.appointments), distinctSlots: Number(r.distinct_slots) },
      ]),
    ),
  };
}

/**
 * PGlite's raw-SQL ceiling: the booking's statements (protocol.ts), one booking after the other
 * on the embedded engine, each with its own verification, as the pgbench script runs them.
 */
async function rawSql(
  database: OpenDatabase,
  run: RawSqlRun,
): Promise<{ tps: number; transactions: number; bookings: number }> {
  let bookings = 0;
  const started = performance.now();
  await database.db.connection().execute(async (connection) => {
    for (let i = 0; i < run.transactions; i++) {
      if (run.kind === 'filing') {
        const { beforeTransaction, churn, insert, inTransaction } = filingStatementsSql(String(FILING_OFFSET + i + 1));
        for (const q of beforeTransaction) await sql.raw(q).execute(connection);
        await sql`begin`.execute(connection);
        await sql.raw(churn).execute(connection);
        await sql.raw(insert).execute(connection);
        for (const q of inTransaction) await sql.raw(q).execute(connection);
        await sql`commit`.execute(connection);
        bookings++;
        continue;
      }
      const n = PGBENCH_OFFSETS.pgbench + 1 + Math.floor(Math.random() * run.slots);
      const { check, held, insert, consume } = bookingStatementsSql(
        String(n),
        String(PGBENCH_OFFSETS.pgbench + i + 1),
        "'raw'",
      );
      await sql.raw(check).execute(connection);
      const taken = await sql.raw<{ held: boolean }>(held).execute(connection);
      if (taken.rows[0]?.held) continue;
      await sql`begin`.execute(connection);
      const { rows } = await sql.raw<{ won: boolean }>(insert).execute(connection);
      if (rows[0]?.won) {
        await sql.raw(consume).execute(connection);
        bookings++;
      }
      await sql`commit`.execute(connection);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return { tps: run.transactions / seconds, transactions: run.transactions, bookings };
}

/**
 * The server's configuration as an operator would set it in production (secrets generated for
 * the run), with rate limits raised out of the way: the crowd comes from one address here.
 */
function benchConfig(start: ServerStart): Config {
  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'production',
    IDENTITY_KEY_SECRET: start.identityKeySecret,
    POW_HMAC_KEY: randomBytes(32).toString('base64url'),
    // The lowest difficulty the configuration allows (a challenge takes ~1,000 hashes to solve):
    // solving is the client's cost, done before the timed workload; the server's cost, checking
    // a solution, does not depend on the difficulty.
    POW_MIN_MAX_NUMBER: '1000',
    POW_MAX_MAX_NUMBER: '1000',
    CONVOCATION_SIGNING_KEY: signingKey,
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_SENSITIVE_PER_MINUTE: '100000',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: start.logLevel,
    SEED_DEMO_ON_FIRST_START: 'false',
    ...(start.databaseUrl ? { DATABASE_URL: start.databaseUrl } : {}),
    ...(start.dataDir ? { DATA_DIR: start.dataDir } : {}),
    ...(start.poolSize ? { DATABASE_POOL_SIZE: String(start.poolSize) } : {}),
    ...start.env,
  };
  try {
    return configFromEnvironment(env);
  } catch (error) {
    // A setting this script does not know yet is required in production: the development
    // defaults (which differ only in not requiring secrets) still run the same code.
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(`${error.message}\n(benchmark: falling back to NODE_ENV=development)\n`);
    return configFromEnvironment({ ...env, NODE_ENV: 'development' });
  }
}

async function main(): Promise<void> {
  const start = JSON.parse(process.argv[2] ?? '{}') as ServerStart;
  const config = benchConfig(start);
  const logger = createLogger(config);

  // The scenario is written first, through the migrations the server runs; then the server
  // starts exactly as `creneau serve` does (src/main.ts startServer) on that database.
  let database = await prepareDatabase(config, logger);
  const scenario = await createScenario(database, start);
  await database.close();
  let server: RunningServer | null = await startServer(config, logger, { jobs: start.withWorker === true });
  await server.ready;
  send({
    type: 'ready',
    url: server.url,
    ...scenario,
    poolSize: config.database.kind === 'postgres' ? config.database.poolSize : null,
  });

  let rssMb = 0;
  let heapUsedMb = 0;
  /** Stops the server (PGlite holds its data directory alone), then reopens the database for the checks. */
  async function serverStopped(): Promise<OpenDatabase> {
    if (server) {
      const memory = process.memoryUsage();
      rssMb = memory.rss / 2 ** 20;
      heapUsedMb = memory.heapUsed / 2 ** 20;
      await server.close();
      server = null;
      database = await openDatabase(config, logger);
    }
    return database;
  }

  process.on('message', async (message: ToServer) => {
    try {
      if (message.type === 'verify') {
        const verification = await verify(await serverStopped());
        send({ type: 'verified', ...verification, rssMb, heapUsedMb });
      } else if (message.type === 'raw') {
        send({ type: 'rawDone', ...(await rawSql(await serverStopped(), message)) });
      } else if (message.type === 'renew-filing-codes') {
        const { db } = await serverStopped();
        await sql`update email_verification set created_at = now(), expires_at = now() + interval '10 minutes'
                   where purpose = 'request' and consumed_at is null`.execute(db);
        await database.close();
        server = await startServer(config, logger);
        await server.ready;
        send({ type: 'renewed', url: server.url, codesCreatedAt: Date.now() });
      } else if (message.type === 'measure') {
        send(await measure(message));
      } else if (message.type === 'close') {
        await (await serverStopped()).close();
        send({ type: 'closed' });
        process.disconnect();
      }
    } catch (error) {
      send({ type: 'error', message: (error as Error).stack ?? String(error) });
    }
  });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
