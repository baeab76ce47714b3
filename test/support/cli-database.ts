// The `creneau` command run as an operator runs it — a process of its own — on a PostgreSQL
// database of its own, created and migrated (a copy of the migrated template) before the tests
// and dropped after (the CLI tests).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type OpenDatabase, openPostgres } from '../../src/adapters/db/database.ts';
import { BIN } from './creneau-process.ts';
import { assertPostgresReachable, createMigratedPostgres, dropPostgres, postgresUrl } from './databases.ts';

const run = promisify(execFile);

/** `prefix`: the database's and the data directory's name. */
export function cliOnOwnDatabase(prefix: string) {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix.replace(/_/g, '-')}-`));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
  };
  let database: OpenDatabase | undefined;
  return {
    dataDir,
    /** The command's exit code and what it printed (stdout, then stderr when it failed). */
    creneau: (...args: string[]) =>
      run(process.execPath, [BIN, ...args], { env }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: `${e.stdout}${e.stderr}` }),
      ),
    /** Creates and migrates the database; the tests' own connection to it. */
    async create(): Promise<OpenDatabase> {
      assertPostgresReachable();
      database = openPostgres(await createMigratedPostgres(name), 5);
      return database;
    },
    async drop(): Promise<void> {
      await database?.close();
      await dropPostgres(name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
