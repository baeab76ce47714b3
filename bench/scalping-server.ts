// The prefecture under attack, one process per engine, forked by bench/scalping.ts.
//
// It writes the scenario in SQL on the migrated database (one prefecture, one site, one
// counter and a handful of hidden slots per procedure), then starts the real server with
// src/main.ts startServer, as `creneau serve` does, behind a trusted proxy (TRUST_PROXY: the
// driver gives each attempt its own address in X-Forwarded-For) and with the proof of work at
// its lowest difficulty. Rate limits are the production defaults.
//
// Time is the driver's: a benchmark cannot wait for 08:00 releases and 15-minute draw ticks,
// so the driver asks this process to
//   * release a procedure's slots now (`release`),
//   * run a draw tick of a procedure now (`draw`): the production use case runDrawForTick on
//     the same database, as the scheduler runs it once the tick's collection window is over
//     (slots freed during the round are aged by that window first: the tick comes later).
// Nothing else is touched: bookings, requests, offers, cancellations go through HTTP.
//
// The email codes are written here before the attempts, as POST /api/email-verifications
// writes them (same table, same keyed digest), so the driver does not read mail: a reseller
// reads its own inboxes.
//
// PGlite is one connection in this process: the draws must go through the server's own
// Kysely driver (its queue keeps a transaction's statements together), so the driver the
// server creates is captured and shared (sharedPgliteDatabase).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { type Driver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { createHasher } from '../src/adapters/crypto-secrets.ts';
import { type OpenDatabase, openPostgres } from '../src/adapters/db/database.ts';
import { PgliteDialect } from '../src/adapters/db/pglite-dialect.ts';
import type { Database } from '../src/adapters/db/schema.ts';
import { emailCodeDigest } from '../src/app/applicants/email-verification.ts';
import type { DrawUseCases } from '../src/app/draws/draw-use-cases.ts';
import { createFeatures } from '../src/composition/create-features.ts';
import { createPorts } from '../src/composition/create-ports.ts';
import type { Config } from '../src/config.ts';
import { addDays, isoWeekday } from '../src/domain/calendar-date.ts';
import { wallClockInstant } from '../src/domain/draw-schedule.ts';
import { emailKey } from '../src/domain/identity.ts';
import { localDateOf, localTimeOf } from '../src/domain/local-time.ts';
import { EMAIL_CODE_MAX_TTL_MINUTES, normaliseVerifiedEmail } from '../src/domain/one-time-code.ts';
import { configFromEnvironment, createLogger, prepareDatabase, type RunningServer, startServer } from '../src/main.ts';
import { DOUBLE_BOOKINGS_SQL } from './protocol.ts';
import {
  type DrawOutcome,
  EMAIL_CODE,
  type FlowFeatures,
  type FromServer,
  PREFECTURE_ID,
  type ProcedureSpec,
  type ScalpingStart,
  type ScenarioSlot,
  SITE_ID,
  type ToServer,
} from './scalping-protocol.ts';

const send = (message: FromServer) => process.send?.(message);

const TIME_ZONE = 'Europe/Paris';
/** Slots start from this many days ahead (draws only offer slots at least 26 h ahead), 16 a day, 09:00–17:00. */
const FIRST_SLOT_DAY = 3;
const SLOTS_PER_DAY = 16;
/** Hidden until released. */
const NOT_YET = new Date('2100-01-01T00:00:00Z');
/**
 * How far a draw tick is past the freeing of the slots it takes (the collection window: the
 * procedure's draw interval, 12 h for daily draws in the design; two days covers any cadence).
 */
const COLLECTION_WINDOW = '2 days';

function benchConfig(start: ScalpingStart): Config {
  return configFromEnvironment({
    NODE_ENV: 'production',
    IDENTITY_KEY_SECRET: start.identityKeySecret,
    POW_HMAC_KEY: randomBytes(32).toString('base64url'),
    // The lowest difficulty the configuration allows: a reseller solves in advance anyway.
    POW_MIN_MAX_NUMBER: '1000',
    POW_MAX_MAX_NUMBER: '1000',
    CONVOCATION_SIGNING_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    // The attacker sends each attempt from its own address, as rented proxies do: the driver
    // connects from 127.0.0.1, the proxy trusted here.
    TRUST_PROXY: '127.0.0.1',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: start.logLevel,
    SEED_DEMO_ON_FIRST_START: 'false',
    DATA_DIR: start.dataDir,
    ...(start.databaseUrl ? { DATABASE_URL: start.databaseUrl } : {}),
    ...(start.redisUrl ? { REDIS_URL: start.redisUrl } : {}),
  });
}

async function columnExists(db: Kysely<Database>, table: string, column: string | null): Promise<boolean> {
  const { rows } = column
    ? await sql<{
        n: number;
      }>`select count(*)::int as n from information_schema.columns where table_schema = current_schema() and table_name = ${table} and column_name = ${column}`.execute(
        db,
      )
    : await sql<{
        n: number;
      }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${table}`.execute(
        db,
      );
  return Number(rows[0]?.n ?? 0) > 0;
}

async function flowFeatures(db: Kysely<Database>): Promise<FlowFeatures> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return {
    slotsOpenedByDraws: await columnExists(db, 'slot', 'opened_at'),
    availableSince: await columnExists(db, 'slot', 'available_since'),
    identityDocument: await columnExists(db, 'identity_document', null),
    afterReleaseDraws: await columnExists(db, 'draw_schedule', 'after_release'),
    queuedOn: await columnExists(db, 'allocation_request', 'queued_on'),
    migrations: rows.map((r) => r.name),
  };
}

/** Local "HH:MM" of an instant. */
const hhmm = (instant: Date) => localTimeOf(instant, TIME_ZONE).slice(0, 5);

async function createScenario(db: Kysely<Database>, procedures: readonly ProcedureSpec[], flow: FlowFeatures) {
  const now = new Date();
  const today = localDateOf(now, TIME_ZONE);
  await sql`insert into prefecture (id, name, time_zone) values (${PREFECTURE_ID}, 'Préfecture (scalping bench)', ${TIME_ZONE})`.execute(
    db,
  );
  // The daily draw half an hour ago (run at start-up, before anything is released): the next
  // one is a day away, so during the run only the driver's ticks draw.
  const dailyAt = hhmm(new Date(now.getTime() - 30 * 60_000));
  if (flow.afterReleaseDraws) {
    await sql`insert into draw_schedule (prefecture_id, daily_at, after_release) values (${PREFECTURE_ID}, ${dailyAt}, false)`.execute(
      db,
    );
  } else {
    await sql`insert into draw_schedule (prefecture_id, daily_at) values (${PREFECTURE_ID}, ${dailyAt})`.execute(db);
  }
  await sql`insert into site (id, prefecture_id, kind, name, address) values (${SITE_ID}, ${PREFECTURE_ID}, 'prefecture', 'Site (scalping bench)', '1 rue du Banc')`.execute(
    db,
  );

  const slots: Record<string, ScenarioSlot[]> = {};
  let lastSlotDate = today;
  for (const p of procedures) {
    const counter = `c-${p.id}`;
    await sql`insert into procedure (id, name_fr, name_en, slot_minutes, identity_proof, channel, booking_mode, allocation_order)
              values (${p.id}, ${p.id}, ${p.id}, 30, 'passport', 'appointment', ${p.mode}, 'lottery')`.execute(db);
    await sql`insert into counter (id, site_id, name) values (${counter}, ${SITE_ID}, ${counter})`.execute(db);
    // The site receives the procedure every day (requests check it), from a date past the
    // slot horizon: the scheduler's materialisation adds no slot of its own.
    await sql`insert into opening_rule (counter_id, procedure_id, weekdays, valid_from, windows, slot_minutes)
              values (${counter}, ${p.id}, '{1,2,3,4,5,6,7}', ${addDays(today, 400)}, ${JSON.stringify([{ start: '09:00', end: '17:00' }])}::jsonb, 30)`.execute(
      db,
    );
    const shapes: Array<Omit<ScenarioSlot, 'id'>> = [];
    const rows = Array.from({ length: p.slots }, (_, i) => {
      const localDate = addDays(today, FIRST_SLOT_DAY + Math.floor(i / SLOTS_PER_DAY));
      const minutes = 9 * 60 + (i % SLOTS_PER_DAY) * 30;
      const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      const startsAt = wallClockInstant(localDate, time, TIME_ZONE);
      if (localDate > lastSlotDate) lastSlotDate = localDate;
      shapes.push({
        weekday: isoWeekday(localDate),
        halfDay: minutes < 12 * 60 ? 'am' : 'pm',
      });
      return {
        site_id: SITE_ID,
        counter_id: counter,
        procedure_id: p.id,
        starts_at: startsAt,
        ends_at: new Date(startsAt.getTime() + 30 * 60_000),
        local_date: localDate,
        released_at: NOT_YET,
      };
    });
    const inserted = rows.length ? await db.insertInto('slot').values(rows).returning('id').execute() : [];
    slots[p.id] = inserted.map((r, i) => ({ id: r.id, ...shapes[i]! }));
  }
  await sql`analyze`.execute(db);
  return { today, lastSlotDate, slots };
}

/**
 * The server's own Kysely driver for PGlite, captured when startServer opens the database: a
 * second Kysely over the same driver shares its connection queue, so a draw transaction and
 * the server's statements never interleave.
 */
const pgliteDrivers: Driver[] = [];
const createPgliteDriver = PgliteDialect.prototype.createDriver;
PgliteDialect.prototype.createDriver = function capture(this: PgliteDialect): Driver {
  const driver = createPgliteDriver.call(this);
  pgliteDrivers.push(driver);
  return driver;
};

function sharedPgliteDatabase(): OpenDatabase {
  const driver = pgliteDrivers.at(-1);
  if (!driver) throw new Error('the server opened no PGlite database');
  const shared: Driver = {
    init: async () => {},
    acquireConnection: () => driver.acquireConnection(),
    beginTransaction: (c, s) => driver.beginTransaction(c, s),
    commitTransaction: (c) => driver.commitTransaction(c),
    rollbackTransaction: (c) => driver.rollbackTransaction(c),
    releaseConnection: (c) => driver.releaseConnection(c),
    // The server closes its database itself.
    destroy: async () => {},
  };
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => shared,
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (k) => new PostgresIntrospector(k),
    },
  });
  return { db, engine: 'pglite', close: async () => {} };
}

async function writeVerifications(db: Kysely<Database>, secret: string, emails: readonly string[]) {
  const hasher = createHasher(secret);
  const createdAt = new Date();
  const expiresAt = new Date(createdAt.getTime() + EMAIL_CODE_MAX_TTL_MINUTES * 60_000);
  const proofs = emails.map(() => ({ booking: randomUUID(), request: randomUUID() }));
  const rows = emails.flatMap((email, i) =>
    (['booking', 'request'] as const).map((purpose) => {
      const id = proofs[i]![purpose];
      return {
        id,
        email: normaliseVerifiedEmail(email),
        email_key: emailKey(email),
        purpose,
        code_hash: emailCodeDigest(hasher, id, EMAIL_CODE),
        max_attempts: 5,
        created_at: createdAt,
        expires_at: expiresAt,
      };
    }),
  );
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('email_verification')
      .values(rows.slice(i, i + 500))
      .execute();
  return proofs;
}

async function release(db: Kysely<Database>, procedureId: string, slotIds: string[] | undefined): Promise<number> {
  const only = slotIds ? sql`and id = any(${slotIds}::uuid[])` : sql``;
  const result =
    await sql`update slot set released_at = now() where procedure_id = ${procedureId} and released_at > now() ${only}`.execute(
      db,
    );
  return Number(result.numAffectedRows ?? 0);
}

async function draw(
  draws: DrawUseCases,
  db: Kysely<Database>,
  flow: FlowFeatures,
  procedureId: string,
): Promise<DrawOutcome> {
  if (flow.slotsOpenedByDraws && flow.availableSince) {
    // The tick comes a collection window after the slots became free.
    await sql`update slot set available_since = least(available_since, now() - ${COLLECTION_WINDOW}::interval),
                              released_at = least(released_at, now() - ${COLLECTION_WINDOW}::interval)
               where procedure_id = ${procedureId} and released_at <= now() and opened_at is null`.execute(db);
  }
  try {
    const report = await draws.runDrawForTick(
      { prefectureId: PREFECTURE_ID, procedureId, tick: new Date(), trigger: 'manual' },
      { notify: false },
    );
    if (report.status !== 'drawn') return { status: 'not-drawn', reason: report.status };
    let openedSlots: number | null = null;
    if (flow.slotsOpenedByDraws) {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from slot where procedure_id = ${procedureId} and opened_at is not null`.execute(db);
      openedSlots = Number(rows[0]?.n ?? 0);
    }
    return {
      status: 'drawn',
      requests: report.requestsCount,
      slots: report.slotsCount,
      assigned: report.assignedCount,
      openedSlots,
    };
  } catch (error) {
    // The old flow draws only procedures in 'allocation' mode.
    const code = (error as { code?: string }).code;
    if (code) return { status: 'not-drawn', reason: code };
    throw error;
  }
}

async function main(): Promise<void> {
  const start = JSON.parse(process.argv[2] ?? '{}') as ScalpingStart;
  const config = benchConfig(start);
  const logger = createLogger(config);

  const setup = await prepareDatabase(config, logger);
  const flow = await flowFeatures(setup.db);
  const scenario = await createScenario(setup.db, start.procedures, flow);
  await setup.close();
  // The jobs in this process too (draw scheduler, offer expiry, emails), as `serve` ran them
  // before it had workers: the rounds stay what they were measured as.
  let server: RunningServer | null = await startServer(config, logger, { jobs: true });
  await server.ready;
  const database = config.database.kind === 'postgres' ? openPostgres(config.database.url, 4) : sharedPgliteDatabase();
  const { db } = database;
  // Draw ticks through the production composition, on this process's own connection.
  const ports = createPorts(config, db, logger);
  const draws = createFeatures(ports, config, { devOutboxDir: null }).draws.useCases;
  send({ type: 'ready', url: server.url, ...scenario, flow });

  async function answer(m: ToServer): Promise<FromServer> {
    switch (m.type) {
      case 'verifications':
        return {
          type: 'verifications',
          id: m.id,
          proofs: await writeVerifications(db, start.identityKeySecret, m.emails),
        };
      case 'release':
        return { type: 'released', id: m.id, count: await release(db, m.procedureId, m.slotIds) };
      case 'draw':
        return { type: 'drawn', id: m.id, outcome: await draw(draws, db, flow, m.procedureId) };
      case 'holders': {
        const { rows } = await sql<{ id: string; email: string | null }>`
          select s.id, a.email from slot s left join appointment a on a.slot_id = s.id and a.status <> 'cancelled'
           where s.id = any(${m.slotIds}::uuid[])`.execute(db);
        return { type: 'holders', id: m.id, holders: Object.fromEntries(rows.map((r) => [r.id, r.email])) };
      }
      case 'appointments': {
        const { rows } = await sql<{ procedure_id: string; email: string }>`
          select procedure_id, email from appointment where status in ('booked', 'arrived') and procedure_id = any(${m.procedureIds}::text[])`.execute(
          db,
        );
        const emails: Record<string, string[]> = Object.fromEntries(m.procedureIds.map((p) => [p, []]));
        for (const r of rows) emails[r.procedure_id]!.push(r.email);
        return { type: 'appointments', id: m.id, emails };
      }
      case 'integrity': {
        const double = await sql<{ n: number }>`${sql.raw(DOUBLE_BOOKINGS_SQL)}`.execute(db);
        const hidden = await sql<{ n: number }>`
          select count(*)::int as n from appointment a join slot s on s.id = a.slot_id where a.status <> 'cancelled' and s.released_at > now()`.execute(
          db,
        );
        return {
          type: 'integrity',
          id: m.id,
          doubleBookings: Number(double.rows[0]?.n ?? -1),
          appointmentsOnUnreleasedSlots: Number(hidden.rows[0]?.n ?? -1),
        };
      }
      case 'close':
        await ports.close();
        await database.close();
        if (server) await server.close();
        server = null;
        return { type: 'closed', id: m.id };
    }
  }

  process.on('message', (m: ToServer) => {
    answer(m).then(
      (reply) => {
        send(reply);
        if (reply.type === 'closed') process.disconnect();
      },
      (error: unknown) => send({ type: 'error', id: m.id, message: (error as Error).stack ?? String(error) }),
    );
  });
}

main().catch((error: unknown) => {
  send({ type: 'error', id: null, message: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
