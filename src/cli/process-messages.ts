// What the primary of `creneau serve --processes N` and its children tell each other over
// node:cluster's IPC channel. The primary migrates once; every child waits for its word.
import cluster from 'node:cluster';

/** Primary → child. */
export interface MigratedMessage {
  creneau: 'migrated';
}

/** Child → primary: `hello` asks whether the database is migrated yet; the others report progress. */
export type ChildMessage =
  | { creneau: 'hello' }
  | { creneau: 'listening'; url: string }
  | { creneau: 'serving' }
  | { creneau: 'working' };

export const isChildMessage = (message: unknown): message is ChildMessage =>
  typeof message === 'object' && message !== null && 'creneau' in message;

/** Whether this process is a child of `serve --processes N`. */
export const isSupervisedChild = (): boolean => cluster.isWorker;

export function tellPrimary(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * In a child: settles once the primary says the database is migrated. The listener is set
 * before asking (`hello`), so the answer cannot come before anyone listens for it.
 */
export function migratedByPrimary(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if ((message as Partial<MigratedMessage> | null)?.creneau !== 'migrated') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    tellPrimary({ creneau: 'hello' });
  });
}
