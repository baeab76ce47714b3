// Composition root: reads the configuration, opens the database, wires adapters into the
// use cases and starts what runs in the background. Nothing else builds dependencies.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { isDatabaseUnavailable } from './adapters/db/connection-errors.ts';
import { type OpenDatabase, openPglite, openPostgres, ping, syncSettings } from './adapters/db/database.ts';
import { vacuumStaleTables } from './adapters/db/embedded-autovacuum.ts';
import { migrateToLatest } from './adapters/db/migrate.ts';
import { createOutboxAnnouncer, listenForOutbox } from './adapters/db/outbox-notifications.ts';
import { waitForDatabase } from './adapters/db/wait-for-database.ts';
import { loadOrCreateGeneratedSecrets } from './adapters/generated-secrets.ts';
import { throttledErrorReporter } from './adapters/redis.ts';
import { systemClock } from './adapters/system-clock.ts';
import { materialiseSlots } from './app/catalogue/materialise-slots.ts';
import type { AppContext } from './app/shared/context.ts';
import { startPeriodicJob } from './app/shared/periodic-job.ts';
import { createFeatures, type FeatureOptions, type Features, upkeepOf } from './composition/create-features.ts';
import { createPorts, openSharedRedis, type PortOptions } from './composition/create-ports.ts';
import { type Config, ConfigError, completeConfig, isDemoMode, loadConfig } from './config.ts';
import { type CreatedDemoAgent, demoAgentsBanner, hasCatalogue, seedDemo } from './demo/demo-seed.ts';
import { appContextOf } from './features/app-context.ts';
import { devOutboxDirOf } from './features/dev-outbox.ts';
import type { Ports } from './features/ports.ts';
import type { RateLimitOptions } from './http/rate-limit.ts';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export { devOutboxDirOf, systemClock };

/**
 * The configuration every entry point runs with: the environment, and outside production the
 * secrets it leaves out, generated once into DATA_DIR/secrets.json (adapters/generated-secrets.ts).
 */
export function configFromEnvironment(env?: NodeJS.ProcessEnv): Config {
  return completeConfig(loadConfig(env), loadOrCreateGeneratedSecrets);
}

/** `destination`: standard output by default; a command whose output is its answer (`--json`) logs to standard error. */
export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    // Secrets and personal data never reach the logs, even when a request is logged whole.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["idempotency-key"]',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export async function openDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  if (config.database.kind === 'postgres') {
    // A lost connection is survived (the pool opens new ones); say so, at most every 10 s.
    const onConnectionError = throttledErrorReporter(
      (err) => logger.warn({ err }, 'database connection lost: requests answer 503 until it is back'),
      systemClock,
    );
    return openPostgres(config.database.url, config.database.poolSize, { onConnectionError });
  }
  logger.warn(
    { dataDir: config.database.dataDir },
    'Embedded PGlite database: it does not fsync, so a crash can lose recent bookings. Use it for evaluation or a small single site; set DATABASE_URL to PostgreSQL in production.',
  );
  return openPglite(config.database.dataDir);
}

/** Migrates the database and applies the caps from the configuration. */
async function migrateDatabase(config: Config, database: OpenDatabase, logger: Logger): Promise<void> {
  const migrations = await migrateToLatest(database.db);
  for (const m of migrations.results ?? []) logger.info({ migration: m.migrationName, status: m.status }, 'migration');
  await syncSettings(database.db, { maxActiveAppointmentsPerEmail: config.booking.maxActivePerEmail });
}

/**
 * Migrates once the database answers: retried with backoff while it is unreachable (logged),
 * thrown on a fault waiting will not cure (a failing migration, a wrong password), or when
 * `signal` aborts. What `serve`, its cluster's primary and `worker` all do at start.
 */
export function migrateWhenReachable(
  config: Config,
  database: OpenDatabase,
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  return waitForDatabase(() => migrateDatabase(config, database, logger), {
    ...(signal ? { signal } : {}),
    onRetry: (err, delayMs) =>
      logger.warn(
        { err: { message: (err as Error).message, code: (err as { code?: unknown }).code } },
        `database not reachable, retrying in ${delayMs / 1000} s`,
      ),
  });
}

/** Opens and migrates the database and applies the caps from the configuration (the CLI's commands: they fail at once when it is down). */
export async function prepareDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  const database = await openDatabase(config, logger);
  await migrateDatabase(config, database, logger);
  return database;
}

/**
 * An instance's services, built once from the configuration: the ports
 * (src/composition/create-ports.ts), the features (src/composition/create-features.ts), the
 * booking context the demo seed uses, and the periodic upkeep.
 */
export interface Services {
  ports: Ports;
  features: Features;
  /** The booking context the demo seed writes its bookings and requests with (and tests theirs). */
  ctx: AppContext;
  rateLimits: RateLimitOptions;
  /** Periodic housekeeping: slots over the horizon, expired records purged. */
  upkeep(): Promise<void>;
  close(): Promise<void>;
}

/** The services of an instance: its ports over the shared Redis (when configured). */
export async function createServices(
  config: Config,
  database: OpenDatabase,
  logger: Logger,
  options: Omit<PortOptions, 'redis'> = {},
): Promise<Services> {
  const redis = await openSharedRedis(config, logger);
  const services = servicesOf(config, createPorts(config, database.db, logger, { ...options, redis }), logger);
  if (database.engine !== 'postgres') return services;
  // Other processes deliver too (`creneau worker`): tell them when this one commits messages.
  const announcer = createOutboxAnnouncer(database.db, {
    onError: throttledErrorReporter(
      (err) => logger.warn({ err }, 'outbox NOTIFY failed: the workers find the messages at their next poll'),
      systemClock,
    ),
  });
  const unsubscribe = services.ports.outbox.onCommitted(announcer.announce);
  return {
    ...services,
    async close() {
      unsubscribe();
      await announcer.close();
      await services.close();
    },
  };
}

/** The features over these ports (tests build their ports without Redis). */
export function servicesOf(config: Config, ports: Ports, logger: Logger, options: FeatureOptions = {}): Services {
  const features = createFeatures(ports, config, options);
  const { clock } = ports;

  return {
    ports,
    features,
    ctx: appContextOf(ports, config),
    rateLimits: ports.rateLimits,
    async upkeep() {
      const reports = await materialiseSlots({ schedules: ports.schedules, clock }, config.slots.horizonDays);
      const inserted = reports.reduce((n, r) => n + r.inserted, 0);
      logger.info({ inserted, skippedRules: reports.flatMap((r) => r.skippedRules) }, 'slots materialised');
      const purged = await upkeepOf(features.all);
      logger.info({ purged }, 'expired records purged');
    },
    close: () => ports.close(),
  };
}

/**
 * The demo agents' generated passwords and TOTP URIs, once, as a banner on the console; the
 * log line names the accounts only.
 */
export function printDemoAgents(
  created: readonly CreatedDemoAgent[],
  logger: Logger,
  write: (text: string) => void = (text) => process.stdout.write(text),
): void {
  if (created.length === 0) return;
  write(`${demoAgentsBanner(created)}\n`);
  logger.info(
    { agents: created.map((a) => a.email) },
    'demo agents created: their passwords and TOTP URIs are printed once above, and nowhere else',
  );
}

/**
 * The demo seed, on a first start in demo mode (never in production: demo data is fictitious,
 * and the demo mode opens /dev/outbox). Run by the process that migrated — `serve`, or the
 * primary of its processes — never by a worker. A failure is logged, not fatal.
 */
export async function seedDemoOnFirstStart(
  config: Config,
  services: Services,
  database: OpenDatabase,
  logger: Logger,
): Promise<void> {
  if (!isDemoMode(config)) return;
  try {
    if (await hasCatalogue(database.db)) return;
    logger.info('First start: seeding the demo data (Seine-Saint-Denis)');
    const { createdAgents, ...report } = await seedDemo(database.db, services.ctx, {
      horizonDays: config.slots.horizonDays,
      agents: services.features.agents.useCases,
    });
    logger.info({ report }, 'demo data seeded');
    printDemoAgents(createdAgents, logger);
  } catch (err) {
    logger.error({ err }, 'demo seed failed: `creneau seed --demo` adds what is missing');
  }
}

/** What runs in the background once the database is ready; stopped by stop(). */
export interface BackgroundJobs {
  stop(): Promise<void>;
}

/**
 * The background jobs: the upkeep, the draw scheduler (draws and offer expiry), the outbox
 * worker (rendering and sending the emails) and, on the embedded database, its autovacuum.
 * Run by `creneau worker`, by `serve --with-worker`, and by `serve` on the embedded database.
 * Each of them logs its failures and tries again
 * later: a database outage while they run is never fatal. Any number of processes may run
 * them at once: the database elects who draws, claims share the outbox, the upkeep is
 * idempotent.
 */
export async function startJobs(
  config: Config,
  services: Services,
  database: OpenDatabase,
  logger: Logger,
): Promise<BackgroundJobs> {
  // Running the upkeep on several instances at once is harmless: inserts skip existing
  // slots, deletes are idempotent.
  let upkeepRun: Promise<void> | null = null;
  const upkeep = () => {
    upkeepRun ??= services
      .upkeep()
      .catch((err: unknown) => logger.error({ err }, 'periodic upkeep failed'))
      .finally(() => {
        upkeepRun = null;
      });
    return upkeepRun;
  };
  await upkeep();
  const timer = setInterval(upkeep, config.slots.materialiseIntervalMinutes * 60_000);
  timer.unref();

  // Draws and offer expiry, every minute on every instance: the database elects who draws.
  const scheduler = services.features.draws.useCases.startDrawScheduler({
    intervalMs: 60_000,
    onReport: (report) => {
      for (const draw of report.draws) if (draw.status === 'drawn') logger.info({ draw }, 'draw');
      if (report.expiry.expired > 0) logger.info({ expiry: report.expiry }, 'offers expired');
      for (const f of report.failures)
        logger.error({ err: f.error, prefectureId: f.prefectureId, procedureId: f.procedureId }, 'draw failed');
    },
    onError: (err) => logger.error({ err }, 'draw scheduler failed'),
  });
  void scheduler.runNow();

  // Public numbers: every 5 minutes on every instance, computed by the first of each hour.
  const weeklyFigures = services.features.statistics.useCases.startWeeklyFiguresJob({
    intervalMs: 5 * 60_000,
    onReport: (report) => {
      if (report.status === 'computed') logger.info({ weeklyFigures: report }, 'public figures computed');
    },
    onError: (err) => logger.error({ err }, 'public figures job failed'),
  });
  void weeklyFigures.runNow();

  // Emails: every process running the jobs delivers the outbox (claims share the work), every
  // OUTBOX_POLL_SECONDS, right after this process commits a message, and, on PostgreSQL, as soon as
  // another process announces one (NOTIFY: adapters/db/outbox-notifications.ts).
  const outboxWorker = services.features.notifications.useCases.startOutboxWorker({
    intervalMs: config.mail.pollIntervalMs,
    onReport: (report) => {
      logger.info(
        {
          claimed: report.claimed,
          sent: report.sent,
          retried: report.failures.filter((f) => f.retryAt).length,
          deferred: report.deferred,
          released: report.released,
        },
        'outbox delivered',
      );
      for (const f of report.failures) {
        if (f.retryAt)
          logger.warn(
            { outboxId: f.id, kind: f.kind, attempts: f.attempts, retryAt: f.retryAt, error: f.error },
            'email not sent, will retry',
          );
        else
          logger.error(
            { outboxId: f.id, kind: f.kind, attempts: f.attempts, error: f.error },
            'email given up after its last attempt',
          );
      }
      if (report.lostClaims > 0)
        logger.warn(
          { lostClaims: report.lostClaims },
          'emails sent after their claim was taken over (lease ran out) or the message cancelled: a second copy carries the same Message-ID',
        );
    },
    onError: (err) => logger.error({ err }, 'outbox delivery failed'),
  });
  void outboxWorker.runNow();

  // The embedded database has no autovacuum of its own: its statistics (and so its plans) would
  // stay those of its first day. Every 10 seconds, as its launcher would (embedded-autovacuum.ts).
  const autovacuum =
    database.engine === 'pglite'
      ? startPeriodicJob(() => vacuumStaleTables(database.db), {
          intervalMs: 10_000,
          onReport: (report) => {
            if (report.vacuumed.length + report.analyzed.length > 0)
              logger.debug({ autovacuum: report }, 'tables kept up');
          },
          onError: (err) => logger.error({ err }, 'embedded autovacuum failed'),
        })
      : null;
  void autovacuum?.runNow();
  const listener =
    config.database.kind === 'postgres'
      ? listenForOutbox(config.database.url, outboxWorker.nudge, {
          onError: throttledErrorReporter(
            (err) =>
              logger.warn(
                { err },
                `outbox LISTEN connection lost: polling every ${config.mail.pollIntervalMs / 1000} s until it is back`,
              ),
            systemClock,
          ),
          onListening: () => logger.debug('listening for outbox notifications'),
        })
      : null;
  logger.info(
    { listening: listener !== null },
    `background jobs started: upkeep, draw scheduler, public figures, outbox delivery${autovacuum ? ', autovacuum' : ''}`,
  );

  return {
    async stop() {
      clearInterval(timer);
      await listener?.close();
      await scheduler.stop();
      await weeklyFigures.stop();
      await outboxWorker.stop();
      await autovacuum?.stop();
      await upkeepRun;
    },
  };
}

/** How a process starts once it listens (serve) or at once (worker), and how that start is undone. */
interface Startup {
  /** Settles once migrated (here or by the primary), `onMigrated` done and the jobs, if any, started. */
  ready: Promise<void>;
  /** Stops waiting for the database, and waits for the start to settle. */
  abort(): Promise<void>;
  stopJobs(): Promise<void>;
}

function startWhenMigrated(
  config: Config,
  services: Services,
  database: OpenDatabase,
  logger: Logger,
  options: { migrated?: Promise<void>; jobs: boolean; onMigrated?: () => Promise<void> },
): Startup {
  const closing = new AbortController();
  let background: BackgroundJobs | null = null;
  const ready = (async () => {
    if (options.migrated) await options.migrated;
    else await migrateWhenReachable(config, database, logger, closing.signal);
    closing.signal.throwIfAborted();
    await options.onMigrated?.();
    if (!options.jobs) return;
    const running = await startJobs(config, services, database, logger);
    if (closing.signal.aborted) {
      await running.stop();
      throw new Error('closed before the background jobs started');
    }
    background = running;
  })();
  // A caller that never looks at `ready` must not see an unhandled rejection.
  ready.catch(() => {});
  return {
    ready,
    async abort() {
      closing.abort();
      await ready.catch(() => {});
    },
    stopJobs: async () => {
      await background?.stop();
    },
  };
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /**
   * Settles once the database is migrated (every route served from then on; until then 503
   * but /health and /ready) and, if this process runs them, the background jobs have started.
   * Rejects on a fault waiting will not cure (a failing migration, a wrong password), or on
   * close().
   */
  ready: Promise<void>;
  /** Whether this process runs the background jobs. */
  jobs: boolean;
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * Run the background jobs in this process too (`serve --with-worker`). Default: only on the
   * embedded database, where they always run here (PGlite is one process: nobody else can).
   */
  jobs?: boolean;
  /**
   * Settles once another process (the primary of `serve --processes N`) has migrated the
   * database; this process then neither migrates nor seeds. Default: this process does both.
   */
  migrated?: Promise<void>;
}

/** Whether a `serve` process runs the jobs: always on the embedded database, otherwise when asked. */
export function servesJobs(config: Config, options: Pick<ServeOptions, 'jobs'>): boolean {
  return config.database.kind === 'pglite' || options.jobs === true;
}

/**
 * Listens at once, then waits for the database (migrations retried with backoff while it is
 * unreachable, or the primary's word that it migrated), then seeds the demo on a first start
 * and starts the background jobs if this process runs them. A database outage later on is
 * ridden out: requests answer 503 with Retry-After while it lasts (http/problem.ts), the pool
 * reconnects by itself.
 */
export async function startServer(
  config: Config,
  logger: Logger = createLogger(config),
  options: ServeOptions = {},
): Promise<RunningServer> {
  const database = await openDatabase(config, logger);
  const services = await createServices(config, database, logger);
  const jobs = servesJobs(config, options);
  let started = false;

  // The HTTP layer is loaded here, not at the top: the worker and the CLI commands never load it.
  const [{ buildServer }, { warmAssets }] = await Promise.all([
    import('./http/server.ts'),
    import('./http/web/assets.ts'),
  ]);
  const app = await buildServer({
    clock: services.ports.clock,
    secrets: services.ports.secrets,
    features: services.features.all,
    backOffice: services.features.agents.backOffice,
    rateLimits: services.rateLimits,
    logger,
    trustProxy: config.trustProxy,
    version: VERSION,
    secureCookies: config.env === 'production',
    cacheTemplates: config.env === 'production',
    health: async () => ({ database: (await ping(database.db)) ? 'up' : 'down', engine: database.engine }),
    isDatabaseUnavailable,
    started: () => started,
  });
  const url = await app.listen({ host: config.host, port: config.port });
  // The stylesheet and script compressed now (about a second of brotli), not for the first visitor.
  if (config.env === 'production')
    warmAssets().catch((error: unknown) => logger.warn({ err: error }, 'assets not precompressed'));

  const startup = startWhenMigrated(config, services, database, logger, {
    ...options,
    jobs,
    // Migrated: every route is served from now on; the seed and the jobs (the upkeep may take
    // seconds) follow.
    onMigrated: async () => {
      started = true;
      if (!options.migrated) await seedDemoOnFirstStart(config, services, database, logger);
    },
  });

  return {
    app,
    url,
    ready: startup.ready,
    jobs,
    async close() {
      await startup.abort();
      await app.close();
      await startup.stopJobs();
      await services.close();
      await database.close();
    },
  };
}

export interface RunningWorker {
  /** Settles once the database is migrated and the jobs have started; rejects as RunningServer's does. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * `creneau worker`: the background jobs and no HTTP server, on PostgreSQL only (the embedded
 * database is one process: `serve` runs its jobs). Waits for the database and migrates as
 * `serve` does (or waits for the primary's word, as a `serve --with-worker` child).
 */
export async function startWorker(
  config: Config,
  logger: Logger = createLogger(config),
  options: Pick<ServeOptions, 'migrated'> = {},
): Promise<RunningWorker> {
  if (config.database.kind !== 'postgres')
    throw new ConfigError(
      'creneau worker needs PostgreSQL (DATABASE_URL): the embedded database is one process, and `creneau serve` runs its background jobs',
    );
  const database = await openDatabase(config, logger);
  const services = await createServices(config, database, logger);
  const startup = startWhenMigrated(config, services, database, logger, { ...options, jobs: true });
  return {
    ready: startup.ready,
    async close() {
      await startup.abort();
      await startup.stopJobs();
      await services.close();
      await database.close();
    },
  };
}
