// The primary of `creneau serve --processes N` (node:cluster): it serves nothing itself. It
// forks N HTTP processes that share one port (the primary accepts the connections and hands
// them out in turn), and with --with-worker one `creneau worker` process for the background
// jobs; it migrates the database once (and seeds the demo on a first start) while they wait
// for its word, restarts a process that dies, with a backoff, and stops them all gracefully on
// SIGTERM or SIGINT.
//
// The children fork at once, before the migration, so the port answers /health and /ready
// (503 elsewhere) while the database is not there yet, as a single `serve` does.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createServices, migrateWhenReachable, openDatabase, seedDemoOnFirstStart } from '../main.ts';
import { type ChildMessage, isChildMessage, type MigratedMessage } from './process-messages.ts';

type Role = 'http' | 'worker';

interface Slot {
  role: Role;
  worker: Worker | null;
  /** Reported up once at least (listening, or jobs started): a later death is restarted, an earlier one is fatal. */
  everUp: boolean;
  /** Deaths in a row of processes that lived less than STABLE_MS. */
  quickDeaths: number;
  startedAt: number;
  restart: NodeJS.Timeout | null;
}

/** A process that lived this long is healthy: the next restart after its death is immediate (1 s). */
const STABLE_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;

/** 1 s after a death, doubling with each quick death in a row up to 30 s. */
export function restartDelayMs(quickDeaths: number): number {
  return Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** Math.max(0, quickDeaths - 1));
}

export interface ProcessPlan {
  processes: number;
  withWorker: boolean;
}

/** Runs the primary until SIGTERM or SIGINT; resolves with the exit code. */
export function runPrimary(config: Config, logger: Logger, plan: ProcessPlan): Promise<number> {
  const slots: Slot[] = [
    ...Array.from({ length: plan.processes }, () => 'http' as const),
    ...(plan.withWorker ? (['worker'] as const) : []),
  ].map((role) => ({ role, worker: null, everUp: false, quickDeaths: 0, startedAt: 0, restart: null }));
  let migrated = false;
  let stopping = false;
  let exitCode = 0;
  let url: string | null = null;
  const serving = new Set<Slot>();
  let announced = false;
  let seeded = false;
  const closing = new AbortController();
  let finished: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finished = resolve;
  });

  const tell = (slot: Slot, message: MigratedMessage) => {
    if (slot.worker?.isConnected()) slot.worker.send(message);
  };

  const announceWhenServing = () => {
    const http = slots.filter((s) => s.role === 'http');
    if (announced || !seeded || !url || !http.every((s) => serving.has(s))) return;
    announced = true;
    logger.info(
      { processes: plan.processes, pids: http.map((s) => s.worker?.process.pid), withWorker: plan.withWorker },
      `Créneau listening on ${url} — API docs at ${url}/docs`,
    );
  };

  const onMessage = (slot: Slot, message: ChildMessage) => {
    switch (message.creneau) {
      case 'hello':
        if (migrated) tell(slot, { creneau: 'migrated' });
        return;
      case 'listening':
        slot.everUp = true;
        url ??= message.url;
        return;
      case 'serving':
        serving.add(slot);
        announceWhenServing();
        return;
      case 'working':
        slot.everUp = true;
        return;
    }
  };

  const start = (slot: Slot) => {
    slot.restart = null;
    if (stopping) return;
    // The same command line for every child, by role: `serve` (HTTP) or `worker` (jobs).
    cluster.setupPrimary({ args: [slot.role === 'http' ? 'serve' : 'worker'] });
    const worker = cluster.fork();
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.on('message', (message: unknown) => {
      if (isChildMessage(message)) onMessage(slot, message);
    });
    worker.on('exit', (code, signal) => onExit(slot, worker, code, signal));
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: string | null) => {
    if (slot.worker !== worker) return;
    slot.worker = null;
    serving.delete(slot);
    const pid = worker.process.pid;
    if (stopping) {
      // Killed by the SIGTERM it was sent before it set its own handler: still starting, nothing in flight.
      if (code !== 0 && signal !== 'SIGTERM') exitCode = 1;
      if (slots.every((s) => s.worker === null)) finished(exitCode);
      return;
    }
    if (!slot.everUp) {
      logger.fatal({ role: slot.role, pid, code, signal }, 'a process failed to start: stopping');
      exitCode = 1;
      void stop('start failure');
      return;
    }
    const lived = Date.now() - slot.startedAt;
    slot.quickDeaths = lived < STABLE_MS ? slot.quickDeaths + 1 : 1;
    const delay = restartDelayMs(slot.quickDeaths);
    logger.error(
      { role: slot.role, pid, code, signal, livedMs: lived, restartInMs: delay },
      'a process died unexpectedly: starting another',
    );
    slot.restart = setTimeout(() => start(slot), delay);
  };

  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    closing.abort();
    logger.info({ reason }, 'shutting down: every process finishes its requests in flight, then exits');
    for (const slot of slots) {
      if (slot.restart) clearTimeout(slot.restart);
      slot.restart = null;
      // Each child's own SIGTERM handler stops accepting, finishes its requests and closes.
      slot.worker?.process.kill('SIGTERM');
    }
    if (slots.every((s) => s.worker === null)) finished(exitCode);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  for (const slot of slots) start(slot);

  // Migrations run here, once; then every child (and each one started later) is told.
  void (async () => {
    const database = await openDatabase(config, logger);
    try {
      await migrateWhenReachable(config, database, logger, closing.signal);
      migrated = true;
      for (const slot of slots) tell(slot, { creneau: 'migrated' });
      const services = await createServices(config, database, logger);
      try {
        await seedDemoOnFirstStart(config, services, database, logger);
      } finally {
        await services.close();
      }
      seeded = true;
      announceWhenServing();
    } catch (err) {
      if (stopping) return;
      logger.fatal(
        { err },
        'cannot start: the database refused the migrations or the connection (waiting would not help)',
      );
      exitCode = 1;
      void stop('migration failure');
    } finally {
      await database.close().catch(() => {});
    }
  })();

  return done;
}
