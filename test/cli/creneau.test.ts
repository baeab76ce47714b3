// The `creneau` command as a user runs it: a real process, a real port, a real database.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import {
  BIN,
  baseEnv,
  bookFirstFreeSlot,
  createPostgresDatabase,
  listeningUrl,
  outboxDrained,
  startCreneau,
} from '../support/creneau-process.ts';
import { assertPostgresReachable, postgresSkipReason } from '../support/databases.ts';
import { codeFromMail, startTestSmtpServer } from '../support/smtp.ts';

const run = promisify(execFile);

/** Starts `creneau serve …`, waits for its "listening" log line, returns its URL and a stop function. */
async function serve(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ url: string; stop: () => Promise<number | null>; logs: () => string }> {
  const server = startCreneau(['serve', ...args], env);
  // A first embedded start migrates and seeds the demo: minutes on a busy machine.
  return { url: await listeningUrl(server, 300_000), stop: () => server.stop(), logs: server.logs };
}

/** The code of the newest .eml in the outbox sent to `email`. */
async function codeFromOutbox(outbox: string, email: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    for (const file of readdirSync(outbox, { withFileTypes: true }).filter((f) => f.name.endsWith('.eml'))) {
      const mail = await simpleParser(readFileSync(join(outbox, file.name)));
      if (
        mail.text?.includes(email) ||
        (Array.isArray(mail.to) ? mail.to : [mail.to]).some((t) => t?.text.includes(email))
      )
        return codeFromMail(mail);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${email} in ${outbox}`);
}

describe('creneau command', () => {
  it('prints its help with serve, worker, migrate and seed, the same from the build and from the sources', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help'], { env: baseEnv });
    for (const command of ['serve', 'worker', 'migrate', 'seed']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
    const fromSources = await run(process.execPath, [BIN, '--help'], {
      env: { ...baseEnv, CRENEAU_FROM_SOURCES: '1' },
    });
    assert.equal(fromSources.stdout, stdout);
  });

  it('refuses an invalid configuration with a clear message and exit code 2', async () => {
    await assert.rejects(
      run(process.execPath, [BIN, 'migrate'], { env: { ...baseEnv, PORT: 'eighty' } }),
      (e: any) => e.code === 2 && /PORT/.test(e.stderr),
    );
  });

  it('refuses `worker` on the embedded database (one process: serve runs its jobs) with exit code 2', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'creneau-cli-worker-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    await assert.rejects(
      run(process.execPath, [BIN, 'worker'], { env: { ...baseEnv, DATA_DIR: dataDir } }),
      (e: any) => e.code === 2 && /needs PostgreSQL \(DATABASE_URL\)/.test(e.stderr),
    );
  });

  it('serves the demo on a first start with the embedded database, warning that it does not fsync', {
    timeout: 600_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'creneau-cli-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await serve({ DATA_DIR: dataDir });
    try {
      const health = await (await fetch(`${server.url}/health`)).json();
      assert.deepEqual([health.status, health.engine], ['ok', 'pglite']);
      assert.match(server.logs(), /does not fsync/);
      assert.match(
        server.logs(),
        /background jobs started: [^"\n]*, autovacuum/,
        'embedded: the one process runs the jobs, and keeps its tables up as autovacuum would',
      );
      // The demo agents' generated credentials, printed once; the generated secrets, kept 0600.
      assert.match(
        server.logs(),
        /Demo agents created[\s\S]*admin@demo\.creneau\.fr \(admin\)\n\s+password: \S{12,}\n\s+TOTP: otpauth:\/\/totp\//,
      );
      assert.equal(statSync(join(dataDir, 'secrets.json')).mode & 0o777, 0o600);
      const prefecture = await (await fetch(`${server.url}/api/prefectures/93`)).json();
      assert.ok(prefecture.sites.length >= 4);
      // Without SMTP_URL, mail is written as .eml files under DATA_DIR/outbox.
      assert.equal(
        (await bookFirstFreeSlot(server.url, (email) => codeFromOutbox(join(dataDir, 'outbox'), email))).status,
        201,
      );
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('migrates, seeds and serves on PostgreSQL; --with-worker delivers the emails from its own process', {
    timeout: 900_000,
    skip: postgresSkipReason(),
  }, async () => {
    assertPostgresReachable();
    const database = await createPostgresDatabase('creneau_cli');
    const smtp = await startTestSmtpServer();
    after(() => smtp.close());
    // The generated development secrets live in DATA_DIR: migrate, seed and serve share them.
    const dataDir = mkdtempSync(join(tmpdir(), 'creneau-cli-pg-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { DATABASE_URL: database.url, SMTP_URL: smtp.url, DATA_DIR: dataDir };
    try {
      await run(process.execPath, [BIN, 'migrate'], { env: { ...baseEnv, ...env } });
      await run(process.execPath, [BIN, 'seed', '--demo'], { env: { ...baseEnv, ...env } });
      // Without --processes: as many HTTP processes as cores, plus the jobs in one more.
      const server = await serve(env, ['--with-worker']);
      try {
        const health = await (await fetch(`${server.url}/health`)).json();
        assert.deepEqual([health.status, health.engine], ['ok', 'postgres']);
        assert.doesNotMatch(server.logs(), /does not fsync/);
        assert.match(server.logs(), /"jobs":"(one more process|in this process)"/);
        const readCode = async (email: string) =>
          codeFromMail(await smtp.waitForMessage((m) => m.recipients.includes(email), 60_000));
        await outboxDrained(database.url, 400_000);
        const booking = await bookFirstFreeSlot(server.url, readCode);
        assert.equal(booking.status, 201);
        const confirmation = await smtp.waitForMessage(
          (m) => m.recipients.includes(booking.email) && /Rendez-vous confirmé/.test(m.parsed.subject ?? ''),
          60_000,
        );
        assert.ok(confirmation.parsed.attachments.some((a) => a.contentType === 'text/calendar'));
      } finally {
        assert.equal(await server.stop(), 0);
      }
    } finally {
      await database.drop();
    }
  });
});
