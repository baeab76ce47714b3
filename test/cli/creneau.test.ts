// The `creneau` command as a user runs it: a real process, a real port, a real database.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { assertPostgresReachable, postgresSkipReason, postgresUrl } from '../support/databases.ts';

const BIN = new URL('../../bin/creneau.js', import.meta.url).pathname;
const run = promisify(execFile);
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', SLOT_HORIZON_DAYS: '14' };

/** Starts `creneau serve`, waits for its "listening" log line, returns its URL and a stop function. */
async function serve(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<number | null>; logs: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...baseEnv, HOST: '127.0.0.1', PORT: '0', ...env } });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Créneau listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace(/ — .*/, ''));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return {
    url,
    logs: () => output,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

async function bookFirstFreeSlot(url: string) {
  const today = new Date().toISOString().slice(0, 10);
  const in14 = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  const slots = await (await fetch(`${url}/api/slots?procedureId=premiere-demande&siteIds=bobigny&from=${today}&to=${in14}`)).json();
  assert.ok(slots.slots.length > 0, 'the demo has free slots');
  return fetch(`${url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      slotId: slots.slots[0].slotId,
      applicant: { surname: 'Martin', givenNames: 'Léa', birthDate: '1995-02-03', nationality: 'BRA', email: `lea.${randomBytes(3).toString('hex')}@example.org`, passportNumber: 'FX1234567' },
    }),
  });
}

describe('creneau command', () => {
  it('prints its help with serve, migrate and seed', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help'], { env: baseEnv });
    for (const command of ['serve', 'migrate', 'seed']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
  });

  it('refuses an invalid configuration with a clear message and exit code 2', async () => {
    await assert.rejects(run(process.execPath, [BIN, 'migrate'], { env: { ...baseEnv, PORT: 'eighty' } }), (e: any) => e.code === 2 && /PORT/.test(e.stderr));
  });

  it('serves the demo on a first start with the embedded database, warning that it does not fsync', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'creneau-cli-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await serve({ DATA_DIR: dataDir });
    try {
      const health = await (await fetch(`${server.url}/health`)).json();
      assert.deepEqual([health.status, health.engine], ['ok', 'pglite']);
      assert.match(server.logs(), /does not fsync/);
      const prefecture = await (await fetch(`${server.url}/api/prefectures/93`)).json();
      assert.ok(prefecture.sites.length >= 4);
      assert.equal((await bookFirstFreeSlot(server.url)).status, 201);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('migrates, seeds and serves on PostgreSQL', { timeout: 180_000, skip: postgresSkipReason() }, async () => {
    assertPostgresReachable();
    const adminUrl = postgresUrl;
    const name = `creneau_cli_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const env = { DATABASE_URL: url.toString() };
    try {
      await run(process.execPath, [BIN, 'migrate'], { env: { ...baseEnv, ...env } });
      await run(process.execPath, [BIN, 'seed', '--demo'], { env: { ...baseEnv, ...env } });
      const server = await serve(env);
      try {
        const health = await (await fetch(`${server.url}/health`)).json();
        assert.deepEqual([health.status, health.engine], ['ok', 'postgres']);
        assert.doesNotMatch(server.logs(), /does not fsync/);
        assert.equal((await bookFirstFreeSlot(server.url)).status, 201);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
