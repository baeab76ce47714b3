// Composition root: reads the configuration, opens the database, wires adapters into the
// use cases and starts what runs in the background. Nothing else builds dependencies.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { createHasher, cryptoSecrets } from './adapters/crypto-secrets.ts';
import { createBookingStore } from './adapters/db/booking-store.ts';
import { openPglite, openPostgres, ping, syncSettings, type OpenDatabase } from './adapters/db/database.ts';
import { hasCatalogue, seedDemo } from './adapters/db/demo-seed.ts';
import { migrateToLatest } from './adapters/db/migrate.ts';
import { createScheduleStore } from './adapters/db/schedule-store.ts';
import type { AppContext } from './app/context.ts';
import { materialiseSlots } from './app/materialise-slots.ts';
import { purgeIdempotencyRecords } from './app/purge-idempotency-records.ts';
import type { Config } from './config.ts';
import { buildServer } from './http/server.ts';
import type { Clock } from './ports/clock.ts';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export const systemClock: Clock = { now: () => new Date() };

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    // Secrets and personal data never reach the logs, even when a request is logged whole.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
  });
}

export async function openDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  if (config.database.kind === 'postgres') return openPostgres(config.database.url, config.database.poolSize);
  logger.warn(
    { dataDir: config.database.dataDir },
    'Embedded PGlite database: it does not fsync, so a crash can lose recent bookings. Use it for evaluation or a small single site; set DATABASE_URL to PostgreSQL in production.',
  );
  return openPglite(config.database.dataDir);
}

/** Opens and migrates the database and applies the caps from the configuration. */
export async function prepareDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  const database = await openDatabase(config, logger);
  const migrations = await migrateToLatest(database.db);
  for (const m of migrations.results ?? []) logger.info({ migration: m.migrationName, status: m.status }, 'migration');
  await syncSettings(database.db, { maxActiveAppointmentsPerEmail: config.booking.maxActivePerEmail });
  return database;
}

export function createAppContext(config: Config, database: OpenDatabase, clock: Clock = systemClock): AppContext {
  return {
    store: createBookingStore(database.db),
    clock,
    secrets: cryptoSecrets,
    hasher: createHasher(config.identityKeySecret),
    policy: { maxReschedules: config.booking.maxReschedules },
  };
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger(config)): Promise<RunningServer> {
  const database = await prepareDatabase(config, logger);
  const ctx = createAppContext(config, database);

  if (config.seedDemoOnFirstStart && !(await hasCatalogue(database.db))) {
    logger.info('First start: seeding the demo data (Seine-Saint-Denis)');
    const report = await seedDemo(database.db, ctx, { horizonDays: config.slots.horizonDays });
    logger.info({ report }, 'demo data seeded');
  }

  // Periodic upkeep: slots kept materialised over the rolling horizon, expired idempotency
  // records purged. Running it on several instances at once is harmless (inserts skip
  // existing slots, deletes are idempotent).
  const upkeep = async () => {
    try {
      const reports = await materialiseSlots({ schedules: createScheduleStore(database.db), clock: ctx.clock }, config.slots.horizonDays);
      const inserted = reports.reduce((n, r) => n + r.inserted, 0);
      logger.info({ inserted, skippedRules: reports.flatMap((r) => r.skippedRules) }, 'slots materialised');
      const purged = await purgeIdempotencyRecords(ctx);
      if (purged > 0) logger.info({ purged }, 'expired idempotency records purged');
    } catch (err) {
      logger.error({ err }, 'periodic upkeep failed');
    }
  };
  await upkeep();
  const timer = setInterval(upkeep, config.slots.materialiseIntervalMinutes * 60_000);
  timer.unref();

  const app = await buildServer({
    ctx,
    logger,
    trustProxy: config.trustProxy,
    version: VERSION,
    health: async () => ({ database: (await ping(database.db)) ? 'up' : 'down', engine: database.engine }),
  });
  const url = await app.listen({ host: config.host, port: config.port });
  return {
    app,
    url,
    async close() {
      clearInterval(timer);
      await app.close();
      await database.close();
    },
  };
}
