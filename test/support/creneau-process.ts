// The `creneau` command as a user runs it, for the CLI suites: a real process (its output
// kept), a PostgreSQL database of the test's own, and the online journey of a booking.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import pg from 'pg';
import { asAdmin, dropPostgres, postgresUrl } from './databases.ts';

export const BIN = new URL('../../bin/creneau.js', import.meta.url).pathname;
export const baseEnv = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  LOG_LEVEL: 'info',
  SLOT_HORIZON_DAYS: '14',
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` gives a value (a generous deadline, not a timing assertion); a throw counts as not yet. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export interface CreneauProcess {
  child: ChildProcessWithoutNullStreams;
  logs(): string;
  /** Resolves with the first match of `pattern` in the output (rejects after `timeoutMs` or if the process exits). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `creneau <args…>` with HOST 127.0.0.1 and a free port unless `env` says otherwise. */
export function startCreneau(args: string[], env: Record<string, string>): CreneauProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...baseEnv, HOST: '127.0.0.1', PORT: '0', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    logs: () => output,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`);
        await sleep(50);
      }
    },
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** The URL in the "Créneau listening on …" line (logged once every route is served). */
export async function listeningUrl(server: CreneauProcess, timeoutMs = 90_000): Promise<string> {
  return (await server.waitFor(/Créneau listening on (http:\/\/[0-9.:]+)/, timeoutMs))[1]!;
}

/** A fresh database on the local PostgreSQL server, dropped by `drop()`. */
export async function createPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await asAdmin((admin) => admin.query(`create database ${name}`));
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropPostgres(name) };
}

/**
 * Waits until no message is due in the outbox of `databaseUrl`: the demo's first draws offer
 * hundreds of slots, and a message written after them would wait its turn behind them.
 */
export async function outboxDrained(databaseUrl: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query(
        "select count(*)::int as due from outbox where status = 'pending' and next_attempt_at <= now()",
      );
      if (rows[0].due === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0].due} messages still due after ${timeoutMs} ms`);
      await sleep(500);
    }
  } finally {
    await client.end();
  }
}

/** The online journey a browser makes on the demo: proof of work, email code (read from the mail), booking. */
export async function bookFirstFreeSlot(url: string, readCode: (email: string) => Promise<string>) {
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
  const response = await post('/api/bookings', {
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
  return Object.assign(response, { email });
}
