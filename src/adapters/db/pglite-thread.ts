// The embedded database on a thread of its own (node:worker_threads): PGlite's statements run
// there, so that a long one (a calendar's recomputation, the upkeep's slot inserts: tens to
// hundreds of milliseconds) never holds the thread that answers requests, and the two threads
// share the cores. Each exchange of protocol messages is one message each way; the dialect
// (pglite-dialect.ts) is the same as on one thread. The program: pglite-thread-program.ts,
// through bin/thread.js (the build when there is one, else the sources, as bin/creneau.js).
import { Worker } from 'node:worker_threads';
import { type messages as backend, types } from '@electric-sql/pglite';
import { type OpenDatabase, PGLITE_PARSERS, type PgliteStart, wrapPgliteEngine } from './database.ts';
import type { PgliteEngine } from './pglite-dialect.ts';

type ErrorFields = Record<string, unknown> & { message: string };
type ArrayType = { oid: number; typarray: number };

/** What the thread is asked, and what it answers (pglite-thread-program.ts). */
export type EngineRequest = { id: number; kind: 'exchange'; messages: Uint8Array } | { id: number; kind: 'close' };
export type EngineReply =
  | { ready: { arrayTypes: ArrayType[] } }
  | { failed: ErrorFields }
  | { id: number; messages: backend.BackendMessage[] }
  | { id: number; error: ErrorFields }
  | { id: number; closed: true };

const LAUNCHER = new URL('../../../bin/thread.js', import.meta.url);

/** The engine's error as thrown on its thread: the dialect and the stores read its `code` and `constraint`. */
const errorOf = (fields: ErrorFields): Error => Object.assign(new Error(fields.message), fields);

/** PGlite's parsers and serializers as its instance builds them: its defaults, ours, and one per array type of the database. */
function typeHandlers(arrayTypes: readonly ArrayType[]) {
  const parsers: Record<number, (text: string, typeId: number) => unknown> = { ...types.parsers, ...PGLITE_PARSERS };
  const serializers: Record<number, (value: unknown) => string> = { ...types.serializers };
  for (const { oid, typarray } of arrayTypes) {
    serializers[typarray] = (value) => types.arraySerializer(value, serializers[oid], typarray);
    parsers[typarray] = (text) => types.arrayParser(text, parsers[oid] as types.Parser, typarray);
  }
  return { parsers, serializers };
}

export async function startPgliteThread(start: PgliteStart): Promise<PgliteEngine> {
  // No inherited flags: under tests' `--import tsx` the thread would load tsx before bin/thread.js loads the build.
  const worker = new Worker(LAUNCHER, { execArgv: [], workerData: { entry: 'pglite-thread', start } });
  const pending = new Map<number, { resolve: (reply: EngineReply) => void; reject: (error: Error) => void }>();
  let stopped: Error | null = null;
  let nextId = 0;
  const ready = new Promise<ArrayType[]>((resolve, reject) => {
    const stop = (error: Error) => {
      stopped ??= error;
      reject(error);
      for (const { reject: refuse } of pending.values()) refuse(error);
      pending.clear();
    };
    worker.on('message', (reply: EngineReply) => {
      if ('ready' in reply) return resolve(reply.ready.arrayTypes);
      if ('failed' in reply) return reject(errorOf(reply.failed));
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ('error' in reply) waiting.reject(errorOf(reply.error));
      else waiting.resolve(reply);
    });
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`EMBEDDED_DATABASE_STOPPED: the database thread exited (${code})`)));
  });
  const ask = (request: EngineRequest, transfer: ArrayBuffer[] = []): Promise<EngineReply> => {
    if (stopped) return Promise.reject(stopped);
    return new Promise((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      worker.postMessage(request, transfer);
    });
  };

  let arrayTypes: ArrayType[];
  try {
    arrayTypes = await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const { parsers, serializers } = typeHandlers(arrayTypes);
  let queue: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | null = null;
  return {
    runExclusive<T>(work: () => Promise<T>): Promise<T> {
      const run = queue.then(work);
      queue = run.catch(() => {});
      return run;
    },
    async exchange(messages) {
      // A copy of its own, handed over rather than copied again (a small Buffer shares a pool).
      const bytes = new Uint8Array(messages);
      const reply = await ask({ id: nextId++, kind: 'exchange', messages: bytes }, [bytes.buffer]);
      return 'messages' in reply ? reply.messages : [];
    },
    parsers,
    serializers,
    close() {
      closing ??= (async () => {
        if (!stopped) await ask({ id: nextId++, kind: 'close' }).catch(() => {});
        await worker.terminate();
      })();
      return closing;
    },
  };
}

/** Kysely over PGlite on a thread of its own. */
export async function openPgliteOnThread(dataDir?: string): Promise<OpenDatabase> {
  return wrapPgliteEngine(await startPgliteThread(dataDir ? { dataDir } : {}));
}
