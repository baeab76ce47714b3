// The embedded database's thread (pglite-thread.ts starts it through bin/thread.js): PGlite
// on this thread, one protocol exchange at a time, in the order asked.
import { parentPort, workerData } from 'node:worker_threads';
import { createPglite, type PgliteStart } from './database.ts';
import { engineOf } from './pglite-dialect.ts';
import type { EngineReply, EngineRequest } from './pglite-thread.ts';

const port = parentPort!;
const { start } = workerData as { start: PgliteStart };

/** Own fields of the engine's error (code, constraint, detail…), which cross a thread as plain data. */
const errorFields = (error: unknown) =>
  error instanceof Error
    ? { ...Object.fromEntries(Object.entries(error)), message: error.message }
    : { message: String(error) };

try {
  const pglite = await createPglite(start);
  const engine = engineOf(pglite);
  // The array types PGlite found at its start: the other side builds the same parsers.
  const { rows: arrayTypes } = await pglite.query<{ oid: number; typarray: number }>(
    `select b.oid, b.typarray from pg_catalog.pg_type a
       left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A' group by b.oid, b.typarray order by b.oid`,
  );
  let queue = Promise.resolve();
  port.on('message', (request: EngineRequest) => {
    queue = queue.then(async () => {
      let reply: EngineReply;
      if (request.kind === 'close') {
        await engine.close();
        reply = { id: request.id, closed: true };
      } else
        try {
          reply = { id: request.id, messages: await engine.exchange(request.messages) };
        } catch (error) {
          reply = { id: request.id, error: errorFields(error) };
        }
      port.postMessage(reply);
    });
  });
  port.postMessage({ ready: { arrayTypes } } satisfies EngineReply);
} catch (error) {
  port.postMessage({ failed: errorFields(error) } satisfies EngineReply);
}
