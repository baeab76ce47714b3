// The fault run: `npm run chaos -- --json FILE` (BENCHMARKS.md, "Faults").
//
// Two real `creneau serve` processes in production mode share a PostgreSQL cluster and a
// Redis server that this script starts for itself (temporary directory, free ports), and mail
// to an SMTP server in this process. A booking storm goes through both instances while the
// script kills one with SIGKILL (and restarts it), stops PostgreSQL at once and starts it
// again, and finally stops the other instance with SIGTERM. Then it checks, in the database
// and in the mail received, that nothing acknowledged was lost, nothing booked twice, every
// booking confirmed once and in time, and it reports crashes and the time to recover.
//
// An instance that exits without being told to is a crash: it is counted, and restarted after
// 1, 2, 4… s (at most 8), as a service manager would, so the run goes on.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { outboxMessageId } from '../src/domain/outbox-rules.ts';
import { type Crash, freePort, Instance, ThrowawayPostgres, ThrowawayRedis } from './chaos-cluster.ts';
import { MailSink } from './chaos-smtp.ts';
import { newTarget, type SentRequest, Storm, type Target } from './chaos-storm.ts';
import { DOUBLE_BOOKINGS_SQL } from './protocol.ts';
import { sleep } from './scalping-client.ts';

const HELP = `npm run chaos -- [options]
  --json FILE              also write the report there
  --seconds N              length of the booking storm (default 120)
  --clients N              concurrent applicants (default 16)
  --db-outage-seconds N    how long PostgreSQL stays down (default 5)
  --retry-seconds N        how long one attempt retries before giving up (default 60)
  --drain-seconds N        after the storm, wait at most this long past the last booking for its email (default 125)
  --seed N                 applicants' random seed (default: random)
  --keep                   keep the temporary directory (logs of PostgreSQL and of each instance)`;

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    seconds: { type: 'string', default: '120' },
    clients: { type: 'string', default: '16' },
    'db-outage-seconds': { type: 'string', default: '5' },
    'retry-seconds': { type: 'string', default: '60' },
    'drain-seconds': { type: 'string', default: '125' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const positive = (name: keyof typeof args): number => {
  const n = Number(args[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const STORM_MS = positive('seconds') * 1000;
const CLIENTS = Math.round(positive('clients'));
const OUTAGE_MS = positive('db-outage-seconds') * 1000;
const RETRY_MS = positive('retry-seconds') * 1000;
const DRAIN_MS = positive('drain-seconds') * 1000;
const SEED = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
/** A confirmation later than this after its booking's acknowledgement is late. */
const LATE_MS = 2 * 60_000;
/** Procedures booked by passport (no registry to satisfy), whose free slots the run opens. */
const PROCEDURES = ['etudiant', 'passeport-talent', 'premiere-demande'];
const RUN = randomBytes(3).toString('hex');
const TAG = `chaos${RUN}`;

let stormStartedAt = Date.now();
const t = (at = Date.now()) => Math.round((at - stormStartedAt) / 100) / 10;
const log = (line: string) => console.error(`[chaos ${t()} s] ${line}`);
const timeline: Array<{ atSeconds: number; event: string }> = [];
const mark = (event: string) => {
  timeline.push({ atSeconds: t(), event });
  log(event);
};

// ---------------------------------------------------------------------------------------------
// Set-up

function productionSecrets(): Record<string, string> {
  return {
    IDENTITY_KEY_SECRET: randomBytes(32).toString('base64url'),
    POW_HMAC_KEY: randomBytes(32).toString('base64url'),
    CONVOCATION_SIGNING_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  };
}

/** `creneau seed --demo` in development mode (the demo never seeds production), then exits. */
function seedDemo(env: Record<string, string>): void {
  const result = spawnSync(process.execPath, ['bin/creneau.js', 'seed', '--demo'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`creneau seed --demo failed (${result.status}): ${result.stderr}${result.stdout}`);
}

/**
 * Opens to first-come booking every free slot of the passport procedures from three days
 * ahead (released, and as a draw that found nobody waiting leaves it), so the storm has
 * thousands of slots at any hour; the demo opens only its calm queues' released ones.
 */
async function openSlots(url: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `update slot s set released_at = least(released_at, now() - interval '1 minute'),
                         available_since = least(available_since, now() - interval '1 minute'),
                         opened_at = coalesce(opened_at, now() - interval '1 minute')
        where s.procedure_id = any($1) and s.status = 'open' and not s.reserved_for_agents
          and s.starts_at > now() + interval '3 days'
          and not exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
          and not exists (select 1 from offer o where o.slot_id = s.id and o.status = 'pending')
        returning s.id`,
      [PROCEDURES],
    );
    return new Set(rows.map((r) => r.id));
  } finally {
    await client.end();
  }
}

/** GET path until it answers 200; the time it did (ms epoch), or null after timeoutMs. */
async function pollUntilOk(target: Target, path: string, since: number, timeoutMs: number): Promise<number | null> {
  while (Date.now() - since < timeoutMs) {
    try {
      const res = await target.pool.request({ method: 'GET', path, headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.text();
      if (res.statusCode === 200) return Date.now();
    } catch {
      // Not listening (yet).
    }
    await sleep(100);
  }
  return null;
}

/** `/ready` where the server has one (readiness distinct from liveness), else `/health`. */
async function readinessPath(target: Target): Promise<string> {
  const res = await target.pool.request({ method: 'GET', path: '/ready' });
  await res.body.text();
  return res.statusCode === 404 ? '/health' : '/ready';
}

// ---------------------------------------------------------------------------------------------
// The run

interface Cleanup {
  name: string;
  run: () => unknown;
}
const cleanups: Cleanup[] = [];

let cleaning: Promise<void> | null = null;

/** Undoes the set-up, last first; once, however many times it is called (Ctrl-C during a failure). */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c.run();
      } catch (error) {
        log(`cleanup of ${c.name} failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}
// Whatever fails, the cluster, Redis and the instances do not outlive the run.
process.on('uncaughtException', (error) => {
  log(`uncaught: ${error.stack ?? error}`);
  void cleanUp().finally(() => process.exit(1));
});

async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'creneau-chaos-'));
  // The postgres user must reach its cluster's directory inside.
  chmodSync(dir, 0o711);
  cleanups.push({
    name: 'temporary directory',
    run: () => (args.keep ? log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })),
  });
  log(`temporary directory ${dir}`);

  const postgres = await ThrowawayPostgres.create(dir);
  cleanups.push({ name: 'PostgreSQL', run: () => postgres.destroy() });
  log(`PostgreSQL on port ${postgres.port}`);
  const redis = await ThrowawayRedis.start();
  cleanups.push({ name: 'Redis', run: () => redis.stop() });
  const smtp = await MailSink.start();
  cleanups.push({ name: 'SMTP', run: () => Promise.race([smtp.close(), sleep(2000)]) });

  const common = {
    ...productionSecrets(),
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    SMTP_URL: smtp.url,
    DATA_DIR: join(dir, 'data'),
    SLOT_HORIZON_DAYS: '120',
    SEED_DEMO_ON_FIRST_START: 'false',
  };
  seedDemo(common);
  const slots = await openSlots(postgres.url);
  const slotsOpened = slots.size;
  log(`demo seeded; ${slotsOpened} slots open to booking`);

  const crashes: Crash[] = [];
  let supervising = true;
  const consecutive = new Map<string, number>();
  const onCrash = (instance: Instance, exit: { code: number | null; signal: string | null }, lastLog: string[]) => {
    crashes.push({ instance: instance.name, atSeconds: t(), code: exit.code, signal: exit.signal, lastLog });
    mark(`instance ${instance.name} exited on its own (code ${exit.code}, signal ${exit.signal})`);
    if (!supervising) return;
    const n = (consecutive.get(instance.name) ?? 0) + 1;
    consecutive.set(instance.name, n);
    const delay = Math.min(8000, 1000 * 2 ** (n - 1));
    setTimeout(() => {
      if (!supervising || instance.running) return;
      mark(`restarting instance ${instance.name} after its crash (${delay / 1000} s later)`);
      instance.start();
    }, delay).unref();
  };

  const instances: Instance[] = [];
  for (const name of ['A', 'B']) {
    const port = await freePort();
    const instance = new Instance(
      name,
      port,
      {
        ...common,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'info',
        // The whole crowd comes from 127.0.0.1: per-address limits would turn the storm into 429s.
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_SENSITIVE_PER_MINUTE: '100000',
        EMAIL_CODE_SENDS_PER_IP_PER_HOUR: '10000',
        REGISTRY_ATTEMPTS_PER_IP_PER_HOUR: '10000',
        // The lowest difficulty allowed: the client's cost only; checking costs the same.
        POW_MIN_MAX_NUMBER: '1000',
        POW_MAX_MAX_NUMBER: '1000',
      },
      join(dir, `instance-${name}.log`),
      onCrash,
    );
    instances.push(instance);
    cleanups.push({
      name: `instance ${name}`,
      run: () => {
        supervising = false;
        instance.close();
      },
    });
  }
  const [a, b] = instances as [Instance, Instance];
  const targets = instances.map((i) => newTarget(i.name, i.url, CLIENTS + 4));
  cleanups.push({ name: 'HTTP pools', run: () => Promise.all(targets.map((tg) => tg.pool.destroy().catch(() => {}))) });
  const [ta, tb] = targets as [Target, Target];
  for (const i of instances) i.start();
  for (const tg of targets) {
    if ((await pollUntilOk(tg, '/health', Date.now(), 60_000)) === null)
      throw new Error(`instance ${tg.name} did not start (see --keep logs)`);
  }
  const ready = await readinessPath(ta);
  for (const tg of targets) {
    if ((await pollUntilOk(tg, ready, Date.now(), 60_000)) === null)
      throw new Error(`instance ${tg.name} not ready (see --keep logs)`);
  }
  log(`both instances up; readiness endpoint ${ready}`);

  const storm = new Storm(targets, smtp, slots, { clients: CLIENTS, retryMs: RETRY_MS, seed: SEED, tag: TAG });
  stormStartedAt = Date.now();
  mark(`storm: ${CLIENTS} clients for ${STORM_MS / 1000} s`);
  storm.start();
  const stormEnd = stormStartedAt + STORM_MS;
  const until = (fraction: number) => sleep(stormStartedAt + STORM_MS * fraction - Date.now());

  // 1. kill -9 of A, restarted 2 s later.
  await until(0.2);
  a.signal('SIGKILL');
  const killed = await a.exited();
  mark(`instance A killed (SIGKILL): ${killed.signal}`);
  await sleep(2000);
  a.start();
  mark('instance A restarted');
  const aBackAt = await pollUntilOk(ta, ready, Date.now(), 60_000);
  mark(aBackAt ? `instance A ready again (${ready})` : 'instance A not ready within 60 s');

  // 2. PostgreSQL stopped at once, started again after the outage.
  await until(0.45);
  const bookedBeforeOutage = storm.acknowledged.length;
  postgres.stopImmediately();
  const downAt = Date.now();
  mark('PostgreSQL stopped (pg_ctl stop -m immediate)');
  await sleep(OUTAGE_MS);
  postgres.start();
  await postgres.waitUntilAccepting();
  const upAt = Date.now();
  mark(`PostgreSQL accepting connections again (down ${((upAt - downAt) / 1000).toFixed(1)} s)`);
  const recovery = await Promise.all(
    targets.map(async (tg) => {
      const readyAt = await pollUntilOk(tg, ready, upAt, 60_000);
      const bookedAt = tg.bookedAt.find((at) => at >= upAt) ?? null;
      const first = [readyAt, bookedAt].filter((x): x is number => x !== null).sort((x, y) => x - y)[0] ?? null;
      const instance = tg.name;
      return {
        instance,
        seconds: first === null ? null : Math.round((first - upAt) / 100) / 10,
        readySeconds: readyAt === null ? null : Math.round((readyAt - upAt) / 100) / 10,
        // A crashed instance came back only because this script restarted it.
        crashedDuringOutage: crashes.some((c) => c.instance === instance && c.atSeconds >= t(downAt)),
      };
    }),
  );
  mark(
    `recovery: ${recovery.map((r) => `${r.instance} ${r.seconds ?? 'never'} s${r.crashedDuringOutage ? ' (after a crash and a restart)' : ''}`).join(', ')}`,
  );

  // 3. SIGTERM of B while requests are in flight: it must finish them and exit 0.
  await until(0.8);
  let inFlight: SentRequest[] = [...tb.inFlight];
  if (!b.running) mark('instance B is not running at SIGTERM time');
  const termAt = Date.now();
  b.signal('SIGTERM');
  mark(`instance B sent SIGTERM with ${inFlight.length} requests in flight`);
  let exit = await Promise.race([b.exited(), sleep(30_000).then(() => null)]);
  // Still up: is it waiting for the clients' idle keep-alive connections? Close them and see.
  let exitedOnlyOnceClientsClosedConnections = false;
  if (!exit) {
    mark('instance B still running 30 s after SIGTERM: the clients close their connections to it');
    const old = tb.pool;
    tb.pool = newTarget(tb.name, tb.url, CLIENTS + 4).pool;
    await old.destroy();
    exit = await Promise.race([b.exited(), sleep(15_000).then(() => null)]);
    exitedOnlyOnceClientsClosedConnections = exit !== null;
  }
  if (!exit) {
    b.signal('SIGKILL');
    mark('instance B still running 45 s after SIGTERM: killed');
  } else mark(`instance B exited (code ${exit.code}, signal ${exit.signal})`);
  const exitedAt = Date.now();
  while (inFlight.some((r) => r.settled === null)) await sleep(50);
  const sigterm = {
    instance: 'B',
    exitCode: exit?.code ?? null,
    signal: exit?.signal ?? null,
    secondsToExit: exit ? Math.round((exitedAt - termAt) / 100) / 10 : null,
    exitedOnlyOnceClientsClosedConnections,
    inFlightAtSignal: inFlight.length,
    inFlightAnswered: inFlight.filter((r) => r.settled && 'status' in r.settled).length,
    inFlightFailed: inFlight
      .filter((r) => r.settled && 'error' in r.settled)
      .map((r) => `${r.route} ${(r.settled as { error: string }).error}`),
    inFlightStatuses: tally(
      inFlight.map((r) => (r.settled && 'status' in r.settled ? `${r.route} ${r.settled.status}` : null)),
    ),
  };
  inFlight = [];

  await sleep(stormEnd - Date.now());
  mark('storm: no new attempts');
  await storm.stop();
  mark(`storm over: ${storm.attempts} attempts, ${storm.acknowledged.length} acknowledged`);

  // Emails: wait until every committed booking has its confirmation, or the drain ends.
  const lastAck = Math.max(...storm.acknowledged.map((x) => x.at), Date.now());
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  cleanups.push({ name: 'checking connection', run: () => db.end() });
  const confirmationsOf = async () =>
    (
      await db.query<{ id: string; recipient: string }>(
        "select id, recipient from outbox where kind = 'appointment-booked' and recipient like $1",
        [`${TAG}.%`],
      )
    ).rows;
  for (;;) {
    const rows = await confirmationsOf();
    const received = new Set(smtp.messages.map((m) => m.parsed.messageId));
    const missing = rows.filter((r) => !received.has(outboxMessageId(r.id))).length;
    if (missing === 0 || Date.now() > lastAck + DRAIN_MS) {
      mark(`mail drain over: ${missing} confirmations not received`);
      break;
    }
    await sleep(1000);
  }
  supervising = false;
  for (const i of instances) i.signal('SIGTERM');
  await Promise.all(instances.map((i) => Promise.race([i.exited(), sleep(20_000)])));

  // ---- Checks ----
  const committed = (
    await db.query<{ reference: string; email: string; created_at: Date }>(
      "select reference, email, created_at from appointment where email like $1 and status <> 'cancelled'",
      [`${TAG}.%`],
    )
  ).rows;
  const doubleSlots = (await db.query<{ n: number }>(DOUBLE_BOOKINGS_SQL)).rows[0]!.n;
  const doubleIdentities = (
    await db.query<{ n: number }>(
      "select count(*)::int as n from (select 1 from appointment where status in ('booked', 'arrived') group by identity_key, procedure_id having count(*) > 1) d",
    )
  ).rows[0]!.n;
  const outboxRows = (
    await db.query<{
      id: string;
      recipient: string;
      kind: string;
      status: string;
      created_at: Date;
      sent_at: Date | null;
      claimed_until: Date | null;
    }>('select id, recipient, kind, status, created_at, sent_at, claimed_until from outbox where recipient like $1', [
      `${TAG}.%`,
    ])
  ).rows;

  const copies = new Map<string, number[]>();
  for (const m of smtp.messages) {
    const id = m.parsed.messageId;
    if (id) (copies.get(id) ?? copies.set(id, []).get(id)!).push(m.at);
  }
  const ackByReference = new Map(storm.acknowledged.map((x) => [x.reference, x]));
  const committedReferences = new Set(committed.map((c) => c.reference));
  const confirmationIds = new Map<string, string[]>();
  for (const r of outboxRows) {
    if (r.kind === 'appointment-booked')
      (confirmationIds.get(r.recipient) ?? confirmationIds.set(r.recipient, []).get(r.recipient)!).push(
        outboxMessageId(r.id),
      );
  }
  let distinctConfirmations = 0;
  let withoutEmail = 0;
  let late = 0;
  for (const c of committed) {
    const received = (confirmationIds.get(c.email) ?? []).filter((id) => copies.has(id));
    distinctConfirmations += received.length;
    if (received.length === 0) withoutEmail++;
    const ackAt = ackByReference.get(c.reference)?.at ?? c.created_at.getTime();
    const firstArrival = Math.min(...received.map((id) => copies.get(id)![0]!));
    if (received.length > 0 && firstArrival - ackAt > LATE_MS) late++;
  }
  // Where a late confirmation waited: in the outbox (the server's side) or on its way here.
  const sentConfirmations = outboxRows.filter((r) => r.kind === 'appointment-booked' && r.sent_at);
  const confirmationDelays = {
    queuedToSentSeconds: spread(sentConfirmations.map((r) => r.sent_at!.getTime() - r.created_at.getTime())),
    sentToReceivedSeconds: spread(
      sentConfirmations.flatMap((r) => {
        const first = copies.get(outboxMessageId(r.id))?.[0];
        return first === undefined ? [] : [first - r.sent_at!.getTime()];
      }),
    ),
    acknowledgedToReceivedSeconds: spread(
      storm.acknowledged.flatMap((x) => {
        const first = Math.min(...(confirmationIds.get(x.email) ?? []).flatMap((id) => copies.get(id) ?? []));
        return Number.isFinite(first) ? [first - x.at] : [];
      }),
    ),
  };
  // Why a confirmation never came: its outbox row's state at the end ("pending, claimed for 9 more minutes").
  const checkedAt = Date.now();
  const notReceived = tally(
    outboxRows
      .filter((r) => r.kind === 'appointment-booked' && !copies.has(outboxMessageId(r.id)))
      .map(
        (r) =>
          `${r.status}${r.claimed_until && r.claimed_until.getTime() > checkedAt ? `, claimed for ${Math.ceil((r.claimed_until.getTime() - checkedAt) / 60_000)} more minutes` : ''}`,
      ),
  );
  const duplicateEmails = outboxRows.reduce(
    (n, r) => n + Math.max(0, (copies.get(outboxMessageId(r.id))?.length ?? 0) - 1),
    0,
  );
  const recoveries = recovery.map((r) => r.seconds);

  const report = {
    attempts: storm.attempts,
    acknowledged: storm.acknowledged.length,
    doubleBookings: doubleSlots + doubleIdentities,
    lostAcknowledged: storm.acknowledged.filter((x) => !committedReferences.has(x.reference)).length,
    emailsPerBooking:
      committed.length > 0 ? Math.round((distinctConfirmations / committed.length) * 1000) / 1000 : null,
    duplicateEmails,
    lateEmails: late,
    serverErrors: storm.serverErrorCount,
    crashes: crashes.length,
    // The slowest instance; null when one never came back.
    recoverySeconds: recoveries.some((s) => s === null) ? null : Math.max(...(recoveries as number[])),
    details: {
      committedBookings: committed.length,
      committedNotAcknowledged: committed.filter((c) => !ackByReference.has(c.reference)).length,
      bookingsWithoutEmail: withoutEmail,
      confirmationDelays,
      confirmationsNotReceived: notReceived,
      doubleBookedSlots: doubleSlots,
      identitiesBookedTwice: doubleIdentities,
      bookedBeforeOutage,
      outcomes: Object.fromEntries(storm.outcomes),
      requests: storm.requests,
      serverErrorsByRoute: Object.fromEntries(storm.serverErrors),
      answers: Object.fromEntries([...storm.answers].sort()),
      crashes,
      recovery,
      sigterm,
      databaseOutageSeconds: Math.round((upAt - downAt) / 100) / 10,
      timeline,
      settings: {
        seconds: STORM_MS / 1000,
        clients: CLIENTS,
        dbOutageSeconds: OUTAGE_MS / 1000,
        retrySeconds: RETRY_MS / 1000,
        drainSeconds: DRAIN_MS / 1000,
        seed: SEED,
        slotsOpened,
        readiness: ready,
        lateAfterSeconds: LATE_MS / 1000,
      },
      machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    },
  };
  return report;
}

/** Median, 95th percentile and maximum of durations in ms, in seconds. */
function spread(ms: number[]): { n: number; p50: number | null; p95: number | null; max: number | null } {
  const sorted = [...ms].sort((x, y) => x - y);
  const at = (q: number) =>
    sorted.length === 0
      ? null
      : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 100) / 10;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: at(1) };
}

function tally(keys: Array<string | null>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of keys) if (k) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

try {
  const report = await run();
  const text = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(text);
  if (args.json) writeFileSync(args.json, text);
  await cleanUp();
  process.exit(0);
} catch (error) {
  log(`failed: ${(error as Error).stack ?? error}`);
  await cleanUp();
  process.exit(1);
}
