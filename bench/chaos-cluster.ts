// The parts the fault run (bench/chaos.ts) starts and breaks: a throwaway PostgreSQL cluster
// of its own (initdb in a temporary directory, on a free port — never the machine's main
// server), a Redis server of its own, and the real `creneau serve` processes.
//
// initdb refuses to run as root: as root, the cluster's commands run as the `postgres` user
// (runuser), in a directory that user owns.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { sleep } from './scalping-client.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout). */
function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0])
    throw new Error(
      'no PostgreSQL server binaries under /usr/lib/postgresql (Debian: apt-get install postgresql); or set PG_BIN',
    );
  return join(root, versions[0], 'bin');
}

/** Runs a PostgreSQL tool as the cluster's owner and waits for it; throws with its output on failure. */
function runAsOwner(tool: string, args: string[]): void {
  const command = isRoot() ? 'runuser' : tool;
  const fullArgs = isRoot() ? ['-u', 'postgres', '--', tool, ...args] : args;
  const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(
      `${tool} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
    );
}

export class ThrowawayPostgres {
  private constructor(
    private readonly bin: string,
    private readonly dataDir: string,
    private readonly logFile: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb in `dir/pg` (owned by postgres when run as root) and start it on a free port. */
  static async create(dir: string): Promise<ThrowawayPostgres> {
    const bin = postgresBinDir();
    const home = join(dir, 'pg');
    mkdirSync(home);
    if (isRoot()) {
      const { uid, gid } = postgresUser();
      chownSync(home, uid, gid);
    }
    const cluster = new ThrowawayPostgres(bin, join(home, 'data'), join(home, 'server.log'), await freePort());
    runAsOwner(join(bin, 'initdb'), [
      '-D',
      cluster.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    cluster.start();
    return cluster;
  }

  /** Starts the server and waits until it accepts connections (pg_ctl -w). */
  start(): void {
    // fsync off: an immediate stop kills the server processes, not the machine, so the WAL
    // already written to the kernel survives it; fsync would only slow a shared machine.
    const options = `-p ${this.port} -k ${join(this.dataDir, '..')} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    runAsOwner(join(this.bin, 'pg_ctl'), [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      this.logFile,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** `pg_ctl stop -m immediate`: every server process quits at once, as in a crash; recovery runs at the next start. */
  stopImmediately(): void {
    runAsOwner(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  /** Resolves once a connection and a query succeed. */
  async waitUntilAccepting(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('select 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(50);
      } finally {
        await client.end().catch(() => {});
      }
    }
  }

  /** Stops the server whatever its state (cleanup). */
  destroy(): void {
    try {
      runAsOwner(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
  }
}

function postgresUser(): { uid: number; gid: number } {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0 || group.status !== 0)
    throw new Error("running as root needs a `postgres` user for initdb (Debian's postgresql package creates it)");
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}

/** redis-server on a free port, without persistence. */
export class ThrowawayRedis {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ThrowawayRedis> {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      };
      child.stdout!.on('data', onData);
      child.once('error', (error) =>
        reject(new Error(`redis-server could not start: ${error.message} (Debian: apt-get install redis-server)`)),
      );
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
    child.stdout!.resume();
    child.stderr!.resume();
    return new ThrowawayRedis(child, port);
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** An exit the script did not cause. */
export interface Crash {
  instance: string;
  atSeconds: number;
  code: number | null;
  signal: string | null;
  /** The last lines the process logged (pino JSON, shortened). */
  lastLog: string[];
}

/**
 * One `node bin/creneau.js serve --processes 1 --with-worker` process, restartable. Its log goes to a file; the last
 * lines are kept for the report of a crash.
 */
export class Instance {
  child: ChildProcess | null = null;
  /** Set just before the script kills or stops the process, so its exit is not a crash. */
  private exitExpected = false;
  private readonly tail: string[] = [];
  private readonly log: WriteStream;
  starts = 0;
  lastExit: { code: number | null; signal: string | null; at: number } | null = null;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    logFile: string,
    private readonly onCrash: (
      instance: Instance,
      exit: { code: number | null; signal: string | null },
      lastLog: string[],
    ) => void,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    // Closed by the cleanup: a restart scheduled before it must not leave a process behind.
    if (this.log.writableEnded) return;
    this.exitExpected = false;
    this.starts++;
    // One process that also delivers the emails, as `serve` was before it had --processes and
    // workers: the faults (kill -9, SIGTERM) hit the very process that serves and sends.
    const child = spawn(process.execPath, ['bin/creneau.js', 'serve', '--processes', '1', '--with-worker'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      if (!this.log.writableEnded) this.log.write(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        this.tail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
        if (this.tail.length > 40) this.tail.shift();
      }
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      this.lastExit = { code, signal, at: Date.now() };
      // The error itself, without its stack frames.
      if (!this.exitExpected)
        this.onCrash(this, { code, signal }, this.tail.filter((line) => !/^\s+(at |\[\.\.\.)/.test(line)).slice(-8));
    });
  }

  /** Resolves with the exit code and signal once the current process has exited. */
  exited(): Promise<{ code: number | null; signal: string | null }> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return Promise.resolve({ code: child?.exitCode ?? null, signal: child?.signalCode ?? null });
    }
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Sends a signal the script means (kill -9, SIGTERM): the exit that follows is not a crash. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    this.exitExpected = true;
    this.child!.kill(signal);
  }

  /** Kills the process if it runs and refuses any later start. */
  close(): void {
    this.signal('SIGKILL');
    this.log.end();
  }
}
