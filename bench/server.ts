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
import { sql } from 'kysely';
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
  benchSlotUuid,
  benchVerificationUuid,
  bookingStatementsSql,
  CODE_CHECKS_SQL,
  DOUBLE_BOOKINGS_SQL,
  type FromServer,
  PGBENCH_OFFSETS,
  type RawSqlRun,
  rawEmail,
  type ServerStart,
  type ToServer,
  type Verification,
} from './protocol.ts';

const send = (message: FromServer) => process.send?.(message);

const SLOTS_PER_COUNTER = 50;
const PROCEDURE_ID = 'bench-passport';

/** Prefecture, site, procedure (passport proof, direct booking), the slot batches and the email verifications. */
async function createScenario(database: OpenDatabase, start: ServerStart) {
  const counts = start.slots;
  const { db } = database;
  await db
    .insertInto('prefecture')
    .values({ id: '93', name: 'Préfecture de la Seine-Saint-Denis', time_zone: 'Europe/Paris' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('site')
    .values({
      id: 'bench-site',
      prefecture_id: '93',
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

  // Slots start two days ahead and were released yesterday: open, released, in the future.
  const firstStart = Date.now() + 2 * 86_400_000;
  const releasedAt = new Date(Date.now() - 86_400_000);

  async function addBatch(batch: Batch, count: number): Promise<string[]> {
    if (count === 0) return [];
    const counters = Math.ceil(count / SLOTS_PER_COUNTER);
    await db
      .insertInto('counter')
      .values(
        Array.from({ length: counters }, (_, c) => ({
          id: `bench-${batch}-${c}`,
          site_id: 'bench-site',
          name: `Guichet ${batch} ${c + 1}`,
        })),
      )
      .execute();
    const deterministic = batch === 'pgbench' || batch === 'pgbenchpool';
    const rows = Array.from({ length: count }, (_, i) => {
      const startsAt = new Date(firstStart + Math.floor(i / counters) * 30 * 60_000);
      return {
        ...(deterministic ? { id: benchSlotUuid(PGBENCH_OFFSETS[batch] + i + 1) } : {}),
        site_id: 'bench-site',
        counter_id: `bench-${batch}-${i % counters}`,
        procedure_id: PROCEDURE_ID,
        starts_at: startsAt,
        ends_at: new Date(startsAt.getTime() + 30 * 60_000),
        local_date: startsAt.toISOString().slice(0, 10),
        released_at: releasedAt,
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
  const verification = (id: string, email: string, codeHash: string) => ({
    id,
    email: normaliseVerifiedEmail(email),
    email_key: emailKey(email),
    purpose: 'booking' as const,
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
  }>`${sql.raw(CODE_CHECKS_SQL)}`.execute(database.db);
  return {
    doubleBookings: Number(double.rows[0]?.n ?? -1),
    codesSpentWithoutBooking: Number(codes.rows[0]?.spent_without_booking ?? -1),
    bookingsWithoutSpentCode: Number(codes.rows[0]?.booking_without_code ?? -1),
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
      const n = PGBENCH_OFFSETS.pgbench + 1 + Math.floor(Math.random() * run.slots);
      const { check, insert, consume } = bookingStatementsSql(
        String(n),
        String(PGBENCH_OFFSETS.pgbench + i + 1),
        "'raw'",
      );
      await sql.raw(check).execute(connection);
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
