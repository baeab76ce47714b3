// A PostgreSQL server of the test's own, to stop and start at will: a cluster made by initdb in
// a temporary directory, on a free port of 127.0.0.1 — never the machine's main server.
// Debian's binaries (/usr/lib/postgresql/<version>/bin); as root, they run as the `postgres`
// user (initdb refuses root) through runuser.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest installed server's bin directory, or null. */
function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Why no throwaway cluster can be made here, or false. */
export function throwawayPostgresSkipReason(): string | false {
  if (!postgresBinDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
  if (userInfo().uid === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser'))
    return 'running as root without runuser';
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  port: number;
  /** Starts it, unless it runs. */
  start(): Promise<void>;
  /** Stops it, unless it is stopped. `immediate`: a crash as seen from the clients (connections cut, recovery at the next start). */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Stops the server if it runs and deletes the cluster. */
  destroy(): Promise<void>;
}

/** initdb, then starts it (unless `start: false`). A few seconds. */
export async function createThrowawayPostgres(options: { start?: boolean } = {}): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  const dir = mkdtempSync(join(tmpdir(), 'creneau-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot)
    chownSync(
      dir,
      Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
      Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
    );
  const pgCommand = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const dataDir = join(dir, 'data');
  await pgCommand('initdb', [
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  const port = await freePort();
  // Fast and small: no fsync (nothing here must survive the machine), few connections.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB`;
  let running = false;
  const postgres: ThrowawayPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      if (running) return;
      await pgCommand('pg_ctl', [
        '-D',
        dataDir,
        '-o',
        serverOptions,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        'start',
      ]);
      running = true;
    },
    async stop(mode = 'immediate') {
      if (!running) return;
      await pgCommand('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await postgres.stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.start !== false) await postgres.start();
  return postgres;
}
