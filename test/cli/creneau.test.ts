// The `creneau` command as a user runs it: a real process, a real port, a real database.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { assertPostgresReachable, postgresSkipReason, postgresUrl } from '../support/databases.ts';
import { codeFromMail, startTestSmtpServer } from '../support/smtp.ts';

const BIN = new URL('../../bin/creneau.js', import.meta.url).pathname;
const run = promisify(execFile);
const baseEnv = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  LOG_LEVEL: 'info',
  SLOT_HORIZON_DAYS: '14',
};

/** Starts `creneau serve`, waits for its "listening" log line, returns its URL and a stop function. */
async function serve(
  env: Record<string, string>,
): Promise<{ url: string; stop: () => Promise<number | null>; logs: () => string }> {
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

/** The online journey a browser makes: proof of work, email code (read from the mail), booking. */
async function bookFirstFreeSlot(url: string, readCode: (email: string) => Promise<string>) {
  const today = new Date().toISOString().slice(0, 10);
  const in14 = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  // The demo's two faces: a scarce queue where everything is drawn (nothing open), a calm one whose draws opened its slots.
  const scarce = await (
    await fetch(`${url}/api/slots?procedureId=premiere-demande&siteIds=bobigny&from=${today}&to=${in14}`)
  ).json();
  assert.equal(scarce.slots.length, 0, 'first applications are all drawn among requests');
  const slots = await (
    await fetch(`${url}/api/slots?procedureId=etudiant&siteIds=antenne-villetaneuse&from=${today}&to=${in14}`)
  ).json();
  assert.ok(slots.slots.length > 0, 'the demo has open slots in its calm queues');
  const solve = async () => {
    const challenge = await (await fetch(`${url}/api/pow/challenge`)).json();
    const solution = await solveChallenge({ challenge, deriveKey, timeout: 30_000 });
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  };
  const email = `lea.${randomBytes(3).toString('hex')}@example.org`;
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const verification = await post('/api/email-verifications', { email, purpose: 'booking', altcha: await solve() });
  assert.equal(verification.status, 202);
  const { verificationId } = await verification.json();
  return post('/api/bookings', {
    slotId: slots.slots[0].slotId,
    applicant: {
      surname: 'Martin',
      givenNames: 'Léa',
      birthDate: '1995-02-03',
      nationality: 'BRA',
      email,
      passportNumber: 'FX1234567',
    },
    emailVerification: { verificationId, code: await readCode(email) },
    altcha: await solve(),
  });
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
  it('prints its help with serve, migrate and seed', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help'], { env: baseEnv });
    for (const command of ['serve', 'migrate', 'seed']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
  });

  it('refuses an invalid configuration with a clear message and exit code 2', async () => {
    await assert.rejects(
      run(process.execPath, [BIN, 'migrate'], { env: { ...baseEnv, PORT: 'eighty' } }),
      (e: any) => e.code === 2 && /PORT/.test(e.stderr),
    );
  });

  it('serves the demo on a first start with the embedded database, warning that it does not fsync', {
    timeout: 180_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'creneau-cli-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await serve({ DATA_DIR: dataDir });
    try {
      const health = await (await fetch(`${server.url}/health`)).json();
      assert.deepEqual([health.status, health.engine], ['ok', 'pglite']);
      assert.match(server.logs(), /does not fsync/);
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

  it('migrates, seeds and serves on PostgreSQL', { timeout: 180_000, skip: postgresSkipReason() }, async () => {
    assertPostgresReachable();
    const adminUrl = postgresUrl;
    const name = `creneau_cli_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const smtp = await startTestSmtpServer();
    after(() => smtp.close());
    // The generated development secrets live in DATA_DIR: migrate, seed and serve share them.
    const dataDir = mkdtempSync(join(tmpdir(), 'creneau-cli-pg-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { DATABASE_URL: url.toString(), SMTP_URL: smtp.url, DATA_DIR: dataDir };
    try {
      await run(process.execPath, [BIN, 'migrate'], { env: { ...baseEnv, ...env } });
      await run(process.execPath, [BIN, 'seed', '--demo'], { env: { ...baseEnv, ...env } });
      const server = await serve(env);
      try {
        const health = await (await fetch(`${server.url}/health`)).json();
        assert.deepEqual([health.status, health.engine], ['ok', 'postgres']);
        assert.doesNotMatch(server.logs(), /does not fsync/);
        const readCode = async (email: string) =>
          codeFromMail(await smtp.waitForMessage((m) => m.recipients.includes(email)));
        assert.equal((await bookFirstFreeSlot(server.url, readCode)).status, 201);
      } finally {
        assert.equal(await server.stop(), 0);
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
