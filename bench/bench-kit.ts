// What the benchmarks that start a real server share (bench/booking.ts, bench/calendar.ts):
// the server process (bench/server.ts, forked), fresh PostgreSQL databases, keep-alive sockets,
// the applicants' credentials (a solved proof of work and a preset email verification each),
// percentiles and the console.
import { type ChildProcess, fork } from 'node:child_process';
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import pg from 'pg';
import type { Pool } from 'undici';
import {
  applicantEmail,
  type FromServer,
  filerEmail,
  type ServerReady,
  type ServerStart,
  type ServerVerified,
  type ToServer,
} from './protocol.ts';

export class ServerProcess {
  private waiting: Array<(m: FromServer) => void> = [];
  get pid(): number | undefined {
    return this.child.pid;
  }

  private constructor(
    private readonly child: ChildProcess,
    label: string,
  ) {
    child.on('message', (m: FromServer) => {
      if (m.type === 'error') {
        console.error(`[${label} server] ${m.message}`);
      }
      this.waiting.shift()?.(m);
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n'))
        if (line.trim()) console.error(`[${label} server] ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w({ type: 'error', message: `server exited (${code ?? signal})` });
    });
  }

  /** `cpuProfileDir`: write a V8 CPU profile of the server there. */
  static async start(
    start: ServerStart,
    cpuProfileDir?: string,
  ): Promise<{ server: ServerProcess; ready: ServerReady }> {
    const execArgv = ['--import', 'tsx'];
    if (cpuProfileDir)
      execArgv.push(
        '--cpu-prof',
        `--cpu-prof-dir=${cpuProfileDir}`,
        `--cpu-prof-name=server-${start.engine}-${Date.now()}.cpuprofile`,
      );
    const child = fork(new URL('./server.ts', import.meta.url).pathname, [JSON.stringify(start)], {
      execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const server = new ServerProcess(child, start.engine);
    const ready = await server.next();
    if (ready.type !== 'ready')
      throw new Error(`${start.engine} server did not start: ${ready.type === 'error' ? ready.message : ready.type}`);
    return { server, ready };
  }

  private next(): Promise<FromServer> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async request(message: ToServer): Promise<FromServer> {
    const reply = this.next();
    this.child.send(message);
    return reply;
  }

  async verify(): Promise<ServerVerified> {
    const m = await this.request({ type: 'verify' });
    if (m.type !== 'verified') throw new Error(`verification failed: ${m.type === 'error' ? m.message : m.type}`);
    return m;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.request({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The code of every preset email verification (each is digested with its own id, as the app does). */
export const EMAIL_CODE = '2468 1357';

/** What one attempt needs besides its slot: a distinct applicant, their email proof, a solved challenge. */
export interface Credentials {
  email: string;
  passportNumber: string;
  verificationId: string;
  altcha: string;
}

/**
 * Credentials for attempts first..first+count-1 (1-based over the whole run, matching the
 * verifications the server wrote): a distinct applicant each (distinct passport, so a distinct
 * identity; distinct email), and a freshly solved proof-of-work challenge each.
 */
export async function credentials(
  pool: Pool,
  tag: string,
  verificationIds: readonly string[],
  first: number,
  count: number,
  who: 'booker' | 'filer' = 'booker',
): Promise<Credentials[]> {
  const solutions = await solvedChallenges(pool, count);
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const verificationId = verificationIds[i - 1];
    if (!verificationId) throw new Error(`no email verification for attempt ${i}`);
    return {
      email: who === 'booker' ? applicantEmail(tag, i) : filerEmail(tag, i),
      passportNumber: `${who === 'booker' ? 'B' : 'F'}${tag.toUpperCase()}${String(i).padStart(7, '0')}`,
      verificationId,
      altcha: solutions[k]!,
    };
  });
}

/**
 * `count` proof-of-work solutions: challenges fetched from the server (50 requests at a time)
 * and solved with altcha-lib, as the ALTCHA widget does and test/support/http.ts solvedPow.
 */
export async function solvedChallenges(pool: Pool, count: number): Promise<string[]> {
  const solutions: string[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(50, count) }, async () => {
      while (next < count) {
        const k = next++;
        const res = await pool.request({ method: 'GET', path: '/api/pow/challenge' });
        if (res.statusCode !== 200)
          throw new Error(`/api/pow/challenge answered ${res.statusCode}: ${await res.body.text()}`);
        const challenge = (await res.body.json()) as Challenge;
        const solution = await solveChallenge({ challenge, deriveKey, timeout: 30_000 });
        if (!solution) throw new Error('no proof-of-work solution found');
        solutions[k] = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
      }
    }),
  );
  return solutions;
}

/** What every protected request carries: the proof of work, the email proof, the applicant. */
export function provenApplicant(c: Credentials) {
  return {
    altcha: c.altcha,
    emailVerification: { verificationId: c.verificationId, code: EMAIL_CODE },
    applicant: {
      surname: 'Diallo',
      givenNames: 'Aminata',
      birthDate: '1990-04-12',
      nationality: 'SEN',
      email: c.email,
      passportNumber: c.passportNumber,
    },
  };
}

/** A booking request body: the applicant, their email proof and their proof of work. */
export function bookingBody(slotId: string, c: Credentials): string {
  return JSON.stringify({ slotId, ...provenApplicant(c) });
}

export const HEADERS = { 'content-type': 'application/json' };

/** Opens `connections` keep-alive sockets before the measured part starts. */
export async function openConnections(pool: Pool, connections: number): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const res = await pool.request({ method: 'GET', path: '/health' });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`/health answered ${res.statusCode}`);
    }),
  );
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

export function log(message: string): void {
  console.error(`[bench] ${message}`);
}

export const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `--server-env NAME=value` (repeatable): extra environment for the server process. */
export function serverEnvOf(pairs: readonly string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (pairs ?? []).map((kv) => {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`--server-env ${kv}: expected NAME=value`);
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
}
