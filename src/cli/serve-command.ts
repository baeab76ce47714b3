// `creneau serve` and `creneau worker`: which process answers requests and which runs the
// background jobs (upkeep, draws, offer expiry, emails).
//   serve                      N HTTP processes on one port (N: --processes, default the cores);
//                              on PostgreSQL no jobs: run `creneau worker` beside it
//   serve --with-worker        the same, plus the jobs in one more process (in the same process when N = 1)
//   worker                     the jobs only, no HTTP
//   on the embedded database   one process, which runs the jobs itself (PGlite cannot be shared)
import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { configFromEnvironment, createLogger, startServer, startWorker } from '../main.ts';
import { isSupervisedChild, migratedByPrimary, tellPrimary } from './process-messages.ts';
import { type ProcessPlan, runPrimary } from './serve-processes.ts';

const MAX_PROCESSES = 64;

function processCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PROCESSES)
    throw new InvalidArgumentError(`a whole number from 1 to ${MAX_PROCESSES}`);
  return n;
}

/**
 * How many HTTP processes, and where the jobs run, said once in the log: one process on the
 * embedded database; without Redis, several processes each count the limits on their own.
 */
export function planProcesses(
  config: Config,
  options: { processes?: number; withWorker?: boolean },
  logger: Logger,
): ProcessPlan {
  if (config.database.kind === 'pglite') {
    if ((options.processes ?? 1) > 1)
      logger.warn(
        { requested: options.processes },
        'embedded database: one process only (PGlite cannot be shared between processes); set DATABASE_URL to PostgreSQL for more',
      );
    logger.info('embedded database: the background jobs (upkeep, draws, emails) run in this process');
    return { processes: 1, withWorker: true };
  }
  const processes = options.processes ?? availableParallelism();
  const withWorker = options.withWorker === true;
  if (processes > 1 && !config.redisUrl)
    logger.warn(
      { processes },
      'REDIS_URL is not set: each process counts rate limits and attempt budgets (email codes, registry checks, agent log-ins) on its own, so a client gets up to that many times each budget; set REDIS_URL to share them (proof-of-work replays are refused across processes either way)',
    );
  const jobProcesses = withWorker && processes > 1 ? 1 : 0;
  logger.info(
    {
      processes,
      jobs: withWorker ? (processes > 1 ? 'one more process' : 'in this process') : 'none (run `creneau worker`)',
      poolSizePerProcess: config.database.poolSize,
      databaseConnectionsAtMost: config.database.poolSize * (processes + jobProcesses),
    },
    'processes',
  );
  return { processes, withWorker };
}

/** Once `ready` settles, `onReady`; a fault waiting cannot cure exits 1; SIGTERM or SIGINT close gracefully and exit 0. */
function runUntilStopped(
  logger: Logger,
  running: { ready: Promise<void>; close(): Promise<void> },
  onReady: () => void,
): void {
  let stopping = false;
  running.ready.then(onReady, async (err: unknown) => {
    if (stopping) return;
    logger.fatal(
      { err },
      'cannot start: the database refused the migrations or the connection (waiting would not help)',
    );
    await running.close().catch(() => {});
    process.exit(1);
  });
  // Graceful: Fastify stops accepting and finishes the requests in flight; the jobs finish
  // what they hold (the outbox releases what it has not tried); then the database closes.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function serveInThisProcess(config: Config, logger: Logger, withWorker: boolean): Promise<void> {
  const server = await startServer(config, logger, { jobs: withWorker });
  // The port is open at once (/health, /ready); the line below says every route is served.
  runUntilStopped(logger, server, () => {
    logger.info(`Créneau listening on ${server.url} — API docs at ${server.url}/docs`);
    if (!server.jobs)
      logger.info('no background jobs in this process: emails, draws and upkeep need a `creneau worker`');
  });
}

/** One of the HTTP processes of `serve --processes N`: the primary migrates, this one serves. */
async function serveAsChild(config: Config, logger: Logger): Promise<void> {
  const server = await startServer(config, logger, { jobs: false, migrated: migratedByPrimary() });
  tellPrimary({ creneau: 'listening', url: server.url });
  runUntilStopped(logger, server, () => tellPrimary({ creneau: 'serving' }));
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'start the HTTP server (migrates the database first, waiting for it if need be; seeds the demo on the first embedded start)',
    )
    .option(
      '--processes <n>',
      'HTTP processes sharing the port (default: the number of cores; always 1 on the embedded database)',
      processCount,
    )
    .option(
      '--with-worker',
      'also run the background jobs (upkeep, draws, offer expiry, emails), in one more process (in this one with --processes 1); always on with the embedded database',
    )
    .action(async (options: { processes?: number; withWorker?: boolean }) => {
      const config = configFromEnvironment();
      const logger = createLogger(config);
      if (isSupervisedChild()) return serveAsChild(config, logger);
      const plan = planProcesses(config, options, logger);
      if (plan.processes === 1) return serveInThisProcess(config, logger, plan.withWorker);
      process.exit(await runPrimary(config, logger, plan));
    });

  program
    .command('worker')
    .description(
      'run the background jobs only, no HTTP: upkeep, draw scheduler, offer expiry, email delivery (PostgreSQL; as many as you like)',
    )
    .action(async () => {
      const config = configFromEnvironment();
      const logger = createLogger(config);
      const supervised = isSupervisedChild();
      const worker = await startWorker(config, logger, supervised ? { migrated: migratedByPrimary() } : {});
      runUntilStopped(logger, worker, () => {
        logger.info('Créneau worker running');
        if (supervised) tellPrimary({ creneau: 'working' });
      });
    });
}
