// The booking storm of the fault run (bench/chaos.ts): concurrent applicants, each a fresh
// person with a fresh address, going through the public API as a browser does — a proof of
// work, an email code read from the mail, then the booking with an Idempotency-Key — against
// either instance. A refused connection, a timeout, a 503 or any other 5xx is retried (on
// either instance) with the same key and the same body until the attempt's deadline; that is
// what the Idempotency-Key is for.
import { randomUUID } from 'node:crypto';
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { Pool } from 'undici';
import { codeFromMail } from '../test/support/smtp.ts';
import type { MailSink } from './chaos-smtp.ts';
import { makeApplicant, type Rng, rngOf, sleep } from './scalping-client.ts';

export interface Target {
  name: string;
  url: string;
  /** Replaced when the script closes every connection to the instance. */
  pool: Pool;
  /** Requests sent to this instance and not yet answered or failed. */
  inFlight: Set<SentRequest>;
  /** A connection to it failed lately: prefer the other instance until then (ms epoch). */
  avoidUntil: number;
  /** When this instance answered 201 to a booking (ms epoch). */
  bookedAt: number[];
}

export interface SentRequest {
  route: string;
  settled: { status: number } | { error: string } | null;
}

export interface Acknowledged {
  reference: string;
  email: string;
  /** When the 201 arrived (ms epoch). */
  at: number;
  instance: string;
}

export interface StormOptions {
  clients: number;
  /** How long one attempt keeps retrying before it gives up (ms). */
  retryMs: number;
  seed: number;
  /** Prefix of every applicant's email: `chaos<run>.<n>@example.org`. */
  tag: string;
}

type Answer = { status: number; body: any; retryAfterMs: number | null } | { error: string };

const REQUEST_TIMEOUT_MS = 30_000;

function retryable(answer: Answer): boolean {
  return 'error' in answer || answer.status >= 500;
}

/** What one attempt came to: `booked`, a refusal (`409 SLOT_TAKEN`), or `gave up …`. */
type AttemptOutcome = string;

export class Storm {
  attempts = 0;
  requests = 0;
  /** 5xx other than 503, by "route status". */
  readonly serverErrors = new Map<string, number>();
  /** Answers and failures by "route status code" or "route error". */
  readonly answers = new Map<string, number>();
  readonly outcomes = new Map<AttemptOutcome, number>();
  readonly acknowledged: Acknowledged[] = [];
  private stopping = false;
  private running: Promise<void>[] = [];
  private readonly rng: Rng;

  constructor(
    readonly targets: Target[],
    private readonly mail: MailSink,
    private readonly slots: Set<string>,
    private readonly options: StormOptions,
  ) {
    this.rng = rngOf(options.seed);
  }

  get serverErrorCount(): number {
    return [...this.serverErrors.values()].reduce((a, b) => a + b, 0);
  }

  start(): void {
    this.running = Array.from({ length: this.options.clients }, () => this.client());
  }

  /** No new attempts; resolves when those under way are over (answered or given up). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  private async client(): Promise<void> {
    while (!this.stopping && this.slots.size > 0) {
      const n = ++this.attempts;
      const outcome = await this.attempt(n).catch((error: Error) => `script error: ${error.message}`);
      this.count(this.outcomes, outcome);
    }
  }

  private pickTarget(): Target {
    const now = Date.now();
    const usable = this.targets.filter((t) => t.avoidUntil <= now);
    const from = usable.length > 0 ? usable : this.targets;
    return from[Math.floor(this.rng() * from.length)]!;
  }

  private pickSlot(): string | null {
    const ids = [...this.slots];
    return ids.length > 0 ? ids[Math.floor(this.rng() * ids.length)]! : null;
  }

  async call(
    target: Target,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const route = `${method} ${path}`;
    const sent: SentRequest = { route, settled: null };
    target.inFlight.add(sent);
    this.requests++;
    try {
      const res = await target.pool.request({
        method,
        path,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.body.text();
      let parsed: any = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text;
      }
      sent.settled = { status: res.statusCode };
      const code = res.statusCode >= 400 && typeof parsed?.code === 'string' ? ` ${parsed.code}` : '';
      this.count(this.answers, `${route} ${res.statusCode}${code}`);
      if (res.statusCode >= 500 && res.statusCode !== 503)
        this.count(this.serverErrors, `${route} ${res.statusCode}${code}`);
      const retryAfter = Number(res.headers['retry-after']);
      return {
        status: res.statusCode,
        body: parsed,
        retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : null,
      };
    } catch (error) {
      const name = (error as { code?: string }).code ?? (error as Error).name;
      sent.settled = { error: name };
      target.avoidUntil = Date.now() + 500;
      this.count(this.answers, `${route} ${name}`);
      return { error: name };
    } finally {
      target.inFlight.delete(sent);
    }
  }

  /** A solved challenge from `target` (any instance checks it: they share POW_HMAC_KEY). */
  private async proofOfWork(target: Target): Promise<string | Answer> {
    const res = await this.call(target, 'GET', '/api/pow/challenge');
    if ('error' in res || res.status !== 200) return res;
    const challenge = res.body as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey, timeout: 30_000 });
    if (!solution) throw new Error('no proof-of-work solution found');
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  }

  /** Waits before a retry: the answer's Retry-After (at most 2 s), else 200 ms. */
  private async backOff(answer: Answer): Promise<void> {
    const wait = 'error' in answer ? 200 : Math.min(answer.retryAfterMs ?? 200, 2000);
    await sleep(wait);
  }

  private async emailProof(
    email: string,
    deadline: number,
  ): Promise<{ verificationId: string; code: string } | AttemptOutcome> {
    for (;;) {
      if (Date.now() > deadline) return 'gave up: no email code before the deadline';
      const target = this.pickTarget();
      const altcha = await this.proofOfWork(target);
      if (typeof altcha !== 'string') {
        if (!retryable(altcha)) return `challenge ${'error' in altcha ? altcha.error : altcha.status}`;
        await this.backOff(altcha);
        continue;
      }
      const res = await this.call(target, 'POST', '/api/email-verifications', { email, purpose: 'booking', altcha });
      if ('error' in res || res.status !== 202) {
        if (!('error' in res) && !retryable(res))
          return `code ${res.status}${typeof res.body?.code === 'string' ? ` ${res.body.code}` : ''}`;
        await this.backOff(res);
        continue;
      }
      try {
        // Code messages are sent at once (not through the outbox): their Message-ID is not an outbox one.
        const mail = await this.mail.waitFor(
          (m) => m.recipients.includes(email) && !(m.parsed.messageId ?? '').startsWith('<outbox.'),
          Math.max(1000, Math.min(20_000, deadline - Date.now())),
        );
        return { verificationId: res.body.verificationId as string, code: codeFromMail(mail.parsed) };
      } catch {
        // Accepted but never mailed: ask again (a new verification).
      }
    }
  }

  private async attempt(n: number): Promise<AttemptOutcome> {
    const deadline = Date.now() + this.options.retryMs;
    const slotId = this.pickSlot();
    if (!slotId) return 'no slot left';
    const { documentCountry: _omitted, ...applicant } = makeApplicant(this.options.tag, n, this.rng);
    const proof = await this.emailProof(applicant.email, deadline);
    if (typeof proof === 'string') return proof;

    // One key, one body for every try of this booking.
    const headers = { 'idempotency-key': randomUUID() };
    let body: Record<string, unknown> | null = null;
    for (;;) {
      if (Date.now() > deadline) return 'gave up: booking not answered before the deadline';
      const target = this.pickTarget();
      if (!body) {
        const altcha = await this.proofOfWork(target);
        if (typeof altcha !== 'string') {
          if (!retryable(altcha)) return `challenge ${'error' in altcha ? altcha.error : altcha.status}`;
          await this.backOff(altcha);
          continue;
        }
        body = { slotId, applicant, emailVerification: proof, altcha };
      }
      const res = await this.call(target, 'POST', '/api/bookings', body, headers);
      if ('error' in res || res.status >= 500) {
        await this.backOff(res);
        continue;
      }
      if (res.status === 201) {
        const at = Date.now();
        target.bookedAt.push(at);
        this.acknowledged.push({
          reference: res.body.appointment.reference as string,
          email: applicant.email,
          at,
          instance: target.name,
        });
        this.slots.delete(slotId);
        return 'booked';
      }
      const code = typeof res.body?.code === 'string' ? res.body.code : '';
      if (code === 'SLOT_TAKEN' || code === 'SLOT_UNAVAILABLE') this.slots.delete(slotId);
      return `${res.status} ${code}`.trim();
    }
  }
}

export function newTarget(name: string, url: string, connections: number): Target {
  return {
    name,
    url,
    inFlight: new Set(),
    avoidUntil: 0,
    bookedAt: [],
    pool: new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 10_000, connectTimeout: 2000 }),
  };
}
