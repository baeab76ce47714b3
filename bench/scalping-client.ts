// The outside world of the scalping benchmark: the server process it talks to over IPC
// (time: releases and draw ticks), and the applicants — bots and humans — who use only the
// public HTTP API, each request from its own network address (X-Forwarded-For behind the
// trusted proxy), with proofs of work solved in advance and email codes read from their own
// inboxes (written by the server process, see scalping-server.ts).
import { type ChildProcess, fork } from 'node:child_process';
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { Pool } from 'undici';
import {
  type DrawOutcome,
  EMAIL_CODE,
  type EmailProofs,
  type FromServer,
  PREFECTURE_ID,
  type ScalpingStart,
  type ServerReady,
  SITE_ID,
  type ToServer,
} from './scalping-protocol.ts';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

// ---------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32): a round replays from its seed.

export type Rng = () => number;

export function rngOf(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const uniform = (rng: Rng, min: number, max: number) => min + (max - min) * rng();

export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// The server process

type Request = ToServer extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

export class ScalpingServer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: FromServer) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: ServerReady,
  ) {}

  static async start(start: ScalpingStart, log: (line: string) => void): Promise<ScalpingServer> {
    const child = fork(new URL('./scalping-server.ts', import.meta.url).pathname, [JSON.stringify(start)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n'))
        if (line.trim()) log(`[${start.engine} server] ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
    });
    const ready = await new Promise<ServerReady>((resolve, reject) => {
      child.once('message', (m: FromServer) =>
        m.type === 'ready'
          ? resolve(m)
          : reject(new Error(`${start.engine} server did not start: ${m.type === 'error' ? m.message : m.type}`)),
      );
      child.once('exit', (code) => reject(new Error(`${start.engine} server exited (${code})`)));
    });
    const server = new ScalpingServer(child, ready);
    child.on('message', (m: FromServer) => {
      if (m.type === 'ready') return;
      const id = m.id;
      if (id === null) {
        log(`[${start.engine} server] ${m.type === 'error' ? m.message : m.type}`);
        return;
      }
      const waiter = server.pending.get(id);
      server.pending.delete(id);
      if (m.type === 'error') waiter?.reject(new Error(m.message));
      else waiter?.resolve(m);
    });
    child.on('exit', (code, signal) => {
      for (const w of server.pending.values()) w.reject(new Error(`server exited (${code ?? signal})`));
      server.pending.clear();
    });
    return server;
  }

  private ask<T extends FromServer['type']>(message: Request, expect: T): Promise<Extract<FromServer, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (m) =>
          m.type === expect
            ? resolve(m as Extract<FromServer, { type: T }>)
            : reject(new Error(`expected ${expect}, got ${m.type}`)),
        reject,
      });
      this.child.send({ ...message, id } as ToServer);
    });
  }

  async verifications(emails: string[]): Promise<EmailProofs[]> {
    return (await this.ask({ type: 'verifications', emails }, 'verifications')).proofs;
  }
  async release(procedureId: string, slotIds?: string[]): Promise<number> {
    return (await this.ask({ type: 'release', procedureId, ...(slotIds ? { slotIds } : {}) }, 'released')).count;
  }
  async draw(procedureId: string): Promise<DrawOutcome> {
    return (await this.ask({ type: 'draw', procedureId }, 'drawn')).outcome;
  }
  async holders(slotIds: string[]): Promise<Record<string, string | null>> {
    return (await this.ask({ type: 'holders', slotIds }, 'holders')).holders;
  }
  async appointments(procedureIds: string[]): Promise<Record<string, string[]>> {
    return (await this.ask({ type: 'appointments', procedureIds }, 'appointments')).emails;
  }
  async integrity() {
    const { doubleBookings, appointmentsOnUnreleasedSlots } = await this.ask({ type: 'integrity' }, 'integrity');
    return { doubleBookings, appointmentsOnUnreleasedSlots };
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.ask({ type: 'close' }, 'closed').catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP: every request from a fresh address

export interface Answer {
  status: number;
  code: string | null;
  body: any;
}

export class Api {
  /** Requests by "METHOD route status code", to see what the server answered. */
  readonly answers = new Map<string, number>();
  /** Milliseconds from sending to the whole answer, by "METHOD route". */
  readonly latencies = new Map<string, number[]>();
  private ip: number;
  readonly pool: Pool;

  constructor(
    url: string,
    private readonly documentCountry: boolean,
    connections = 64,
  ) {
    this.pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
    // 10.0.0.0/8, from a random place: a rerun within the rate limits' minute gets other addresses.
    this.ip = Math.floor(Math.random() * 2 ** 23);
  }

  private nextAddress(): string {
    const n = this.ip++ % 2 ** 24;
    return `10.${n >>> 16}.${(n >>> 8) & 255}.${n & 255}`;
  }

  async call(method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string } = {}): Promise<Answer> {
    const sent = performance.now();
    const headers: Record<string, string> = { 'x-forwarded-for': this.nextAddress() };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await this.pool.request({
      method,
      path,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.body.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const code =
      res.statusCode >= 400 && body && typeof body === 'object' && typeof body.code === 'string'
        ? (body.code as string)
        : null;
    const route = path.split('?')[0];
    const key = `${method} ${route} ${res.statusCode}${code ? ` ${code}` : ''}`;
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
    const lat = `${method} ${route}`;
    (this.latencies.get(lat) ?? this.latencies.set(lat, []).get(lat)!).push(performance.now() - sent);
    return { status: res.statusCode, code, body };
  }

  /** The applicant as the API takes it: the issuing country only where the server knows the field. */
  applicantBody(a: Applicant) {
    const { documentCountry, ...rest } = a;
    return this.documentCountry && documentCountry ? { ...rest, documentCountry } : rest;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Proofs of work, solved in advance (a challenge lives 5 minutes; one solution per POST)

const POW_MAX_AGE_MS = 4 * 60_000;

export class PowStock {
  private stock: Array<{ payload: string; at: number }> = [];
  solved = 0;
  solvedOnDemand = 0;
  solveMs = 0;

  constructor(private readonly api: Api) {}

  private async solveOne(): Promise<string> {
    const started = performance.now();
    const res = await this.api.call('GET', '/api/pow/challenge');
    if (res.status !== 200) throw new Error(`/api/pow/challenge answered ${res.status}`);
    const challenge = res.body as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey, timeout: 30_000 });
    if (!solution) throw new Error('no proof-of-work solution found');
    this.solved++;
    this.solveMs += performance.now() - started;
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  }

  /** Solves until `count` fresh solutions are in stock. */
  async fill(count: number): Promise<void> {
    this.stock = this.stock.filter((s) => Date.now() - s.at < POW_MAX_AGE_MS);
    let missing = count - this.stock.length;
    await Promise.all(
      Array.from({ length: Math.min(8, Math.max(0, missing)) }, async () => {
        while (missing > 0) {
          missing--;
          this.stock.push({ payload: await this.solveOne(), at: Date.now() });
        }
      }),
    );
  }

  async take(): Promise<string> {
    while (this.stock.length > 0) {
      const s = this.stock.pop()!;
      if (Date.now() - s.at < POW_MAX_AGE_MS) return s.payload;
    }
    this.solvedOnDemand++;
    return this.solveOne();
  }
}

// ---------------------------------------------------------------------------------------------
// Applicants

export interface Applicant {
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  email: string;
  passportNumber: string;
  /** Issuing country of the passport (the new flow's field), when it differs from the nationality. */
  documentCountry?: string;
}

export interface Preferences {
  siteIds: string[];
  weekdays: number[];
  halfDays: Array<'am' | 'pm'>;
}
export const ANY_TIME: Preferences = { siteIds: [SITE_ID], weekdays: [1, 2, 3, 4, 5, 6, 7], halfDays: ['am', 'pm'] };

export type Kind = 'bot' | 'human';

export interface Agent {
  name: string;
  kind: Kind;
  applicant: Applicant;
  proofs: EmailProofs;
  /** Management token of the request, then of the appointment. */
  token: string | null;
  state: 'idle' | 'requested' | 'booked';
  slotId: string | null;
  /** How the appointment was obtained. */
  via: 'booking' | 'offer' | null;
  requestTried: boolean;
  /** Every refusal, "POST /api/bookings 409 SLOT_TAKEN". */
  refusals: string[];
  /** POSTs answered 201 (an appointment or a request accepted). */
  accepted: number;
}

const SURNAMES = [
  'Diallo',
  'Traoré',
  'Nguyen',
  'Haddad',
  'Kouassi',
  'Benali',
  'Popescu',
  'Silva',
  'Mensah',
  'Sow',
  'Rahman',
  'Okafor',
];
const GIVEN_NAMES = [
  'Aminata',
  'Moussa',
  'Linh',
  'Karim',
  'Awa',
  'Yasmine',
  'Ion',
  'Ana',
  'Kwame',
  'Fatou',
  'Imran',
  'Chinedu',
];
export const NATIONALITIES = ['SEN', 'MLI', 'VNM', 'DZA', 'CIV', 'MAR', 'ROU', 'BRA', 'GHA', 'GIN', 'BGD', 'NGA'];

const pick = <T>(items: readonly T[], rng: Rng): T => items[Math.floor(rng() * items.length)]!;

export function makeApplicant(tag: string, n: number, rng: Rng): Applicant {
  const year = 1960 + Math.floor(rng() * 45);
  const month = 1 + Math.floor(rng() * 12);
  const day = 1 + Math.floor(rng() * 28);
  return {
    surname: pick(SURNAMES, rng),
    givenNames: pick(GIVEN_NAMES, rng),
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    nationality: pick(NATIONALITIES, rng),
    email: `${tag}.${n}@example.org`,
    passportNumber: `P${tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}${String(n).padStart(5, '0')}`,
  };
}

export const newAgent = (name: string, kind: Kind, applicant: Applicant): Agent => ({
  name,
  kind,
  applicant,
  proofs: { booking: '', request: '' },
  token: null,
  state: 'idle',
  slotId: null,
  via: null,
  requestTried: false,
  refusals: [],
  accepted: 0,
});

/** Writes every agent's email codes (their inboxes) before they act. */
export async function giveInboxes(server: ScalpingServer, agents: readonly Agent[]): Promise<void> {
  const proofs = await server.verifications(agents.map((a) => a.applicant.email));
  agents.forEach((a, i) => {
    a.proofs = proofs[i]!;
  });
}

/** What the applicants do, through the public API only. */
export class Public {
  constructor(
    readonly api: Api,
    readonly pow: PowStock,
    private readonly ready: ServerReady,
  ) {}

  async listSlots(procedureId: string): Promise<string[]> {
    const q = new URLSearchParams({
      procedureId,
      siteIds: SITE_ID,
      from: this.ready.today,
      to: this.ready.lastSlotDate,
    });
    const res = await this.api.call('GET', `/api/slots?${q}`);
    if (res.status !== 200) return [];
    return (res.body.slots as Array<{ slotId: string }>).map((s) => s.slotId);
  }

  private refused(agent: Agent, what: string, res: Answer): void {
    agent.refusals.push(`${what} ${res.status}${res.code ? ` ${res.code}` : ''}`);
  }

  async book(agent: Agent, slotId: string): Promise<Answer> {
    const res = await this.api.call('POST', '/api/bookings', {
      body: {
        slotId,
        altcha: await this.pow.take(),
        emailVerification: { verificationId: agent.proofs.booking, code: EMAIL_CODE },
        applicant: this.api.applicantBody(agent.applicant),
      },
    });
    if (res.status === 201) {
      agent.accepted++;
      agent.token = res.body.managementToken;
      agent.state = 'booked';
      agent.slotId = res.body.appointment.slotId;
      agent.via = 'booking';
    } else this.refused(agent, 'booking', res);
    return res;
  }

  async fileRequest(
    agent: Agent,
    procedureId: string,
    preferences: Preferences,
    urgencyDate?: string,
  ): Promise<Answer> {
    agent.requestTried = true;
    const res = await this.api.call('POST', '/api/requests', {
      body: {
        prefectureId: PREFECTURE_ID,
        procedureId,
        preferences,
        ...(urgencyDate ? { urgencyDate } : {}),
        altcha: await this.pow.take(),
        emailVerification: { verificationId: agent.proofs.request, code: EMAIL_CODE },
        applicant: this.api.applicantBody(agent.applicant),
      },
    });
    if (res.status === 201) {
      agent.accepted++;
      agent.token = res.body.managementToken;
      agent.state = 'requested';
    } else this.refused(agent, 'request', res);
    return res;
  }

  /** Looks at the request's offer and confirms it; true when the agent now holds an appointment. */
  async takeOffer(agent: Agent): Promise<boolean> {
    if (agent.state !== 'requested' || !agent.token) return agent.state === 'booked';
    const offer = await this.api.call('GET', '/api/request/offer', { token: agent.token });
    if (offer.status !== 200 || offer.body.status !== 'pending') return false;
    const res = await this.api.call('POST', '/api/request/offer/confirm', { token: agent.token });
    if (res.status !== 200) {
      this.refused(agent, 'confirm', res);
      return false;
    }
    agent.state = 'booked';
    agent.slotId = res.body.appointment.slotId;
    agent.via = 'offer';
    return true;
  }

  async cancel(agent: Agent): Promise<Answer> {
    const res = await this.api.call('POST', '/api/appointment/cancel', { token: agent.token! });
    if (res.status === 200) {
      agent.state = 'idle';
      agent.slotId = null;
    } else this.refused(agent, 'cancel', res);
    return res;
  }

  /**
   * Trying to get an appointment the way the public API allows: book a listed slot (up to
   * three of them, in random order, when others take them first); when none is listed, file a
   * request (once); when requests are not taken either, look again after `pace()` ms, until
   * `deadline` (performance.now()). Stops at a booking or a filed request.
   * `teamPosition`: a reseller's bots share out the listed slots (the n-th bot tries the n-th
   * slot first) instead of racing each other for the same ones.
   */
  async seek(
    agent: Agent,
    procedureId: string,
    options: {
      deadline: number;
      pace: () => number;
      rng: Rng;
      preferences?: Preferences;
      urgencyDate?: string;
      teamPosition?: number;
    },
  ): Promise<void> {
    for (;;) {
      const listed = await this.listSlots(procedureId);
      const own =
        options.teamPosition !== undefined && listed.length > 0 ? listed[options.teamPosition % listed.length]! : null;
      const order = own
        ? [
            own,
            ...shuffle(
              listed.filter((id) => id !== own),
              options.rng,
            ),
          ]
        : shuffle(listed, options.rng);
      /** Refused for who the person is (identity, one per person), not for a lost race: looking again changes nothing. */
      let refusedForGood = false;
      for (const slotId of order.slice(0, 3)) {
        const res = await this.book(agent, slotId);
        if (res.status === 201) return;
        refusedForGood = res.status === 409 && res.code !== 'SLOT_TAKEN' && res.code !== 'SLOT_UNAVAILABLE';
        if (refusedForGood) break;
      }
      if (!agent.requestTried) {
        const res = await this.fileRequest(agent, procedureId, options.preferences ?? ANY_TIME, options.urgencyDate);
        if (res.status === 201) return;
      }
      if (refusedForGood || performance.now() >= options.deadline) return;
      await sleep(Math.min(options.pace(), options.deadline - performance.now()));
    }
  }
}
