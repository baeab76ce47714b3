// Public numbers benchmark: `npm run bench:statistics -- [--appointments N] [--requests-per-page N]`.
//
// Seeds a year of one large prefecture on PostgreSQL (TEST_DATABASE_URL, else the local
// server), in a fresh database dropped afterwards: 10 sites, 5 procedures, slots every few
// minutes over the last 365 days and the next 14 (one in 11 never taken), N appointments
// (default 150,000: four in five through a confirmed offer of a draw, with their requests
// filed 5 to 64 days before; one in five on an open slot), 20,000 requests still waiting, a
// draw per procedure and day, declared and confirmed urgencies, and 50,000 security events.
// The rows are written with SQL (triggers off for the seed only: session_replication_role).
// Then it
//   1. runs the weekly-figures job once as on a first start (the whole year: 53 weeks), and
//      once more as every hour does (the current and previous weeks) — wall time of each;
//   2. starts the server as `creneau serve` does and times --requests-per-page sequential
//      GETs of the prefecture's page (all procedures), of one procedure's page and of the
//      prefecture's CSV, each after 5 warm-up requests: p50 and p99 in ms.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { configFromEnvironment, createLogger, createServices, prepareDatabase, startServer } from '../src/main.ts';

const { values: args } = parseArgs({
  options: {
    appointments: { type: 'string', default: '150000' },
    'requests-per-page': { type: 'string', default: '200' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log('Usage: npm run bench:statistics -- [--appointments N] [--requests-per-page N]');
  process.exit(0);
}
const APPOINTMENTS = Number(args.appointments);
const PER_PAGE = Number(args['requests-per-page']);
if (!(Number.isInteger(APPOINTMENTS) && APPOINTMENTS >= 1000) || !(Number.isInteger(PER_PAGE) && PER_PAGE >= 1)) {
  console.error('--appointments must be ≥ 1000 and --requests-per-page ≥ 1');
  process.exit(2);
}

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `creneau_bench_stats_${process.pid}_${randomBytes(3).toString('hex')}`;
const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};
async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
const ms = (n: number) => Math.round(n * 10) / 10;

async function timeGets(url: string, count: number): Promise<{ p50: number; p99: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < 5; i++) await (await fetch(url)).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    times.push(performance.now() - start);
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  return { p50: ms(percentile(times, 0.5)), p99: ms(percentile(times, 0.99)), bytes };
}

async function main(): Promise<void> {
  await admin(`create database ${name}`);
  // Production, as deployed (templates compiled once), with secrets made for the run.
  const config = configFromEnvironment({
    NODE_ENV: 'production',
    IDENTITY_KEY_SECRET: randomBytes(32).toString('base64url'),
    POW_HMAC_KEY: randomBytes(32).toString('base64url'),
    CONVOCATION_SIGNING_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    DATABASE_URL: withDatabase(serverUrl, name),
    SEED_DEMO_ON_FIRST_START: 'false',
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_SENSITIVE_PER_MINUTE: '100000',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger(config);
  const database = await prepareDatabase(config, logger);
  try {
    const slots = Math.round(APPOINTMENTS * 1.1);
    const seedStart = performance.now();
    await database.db.transaction().execute(async (trx) => {
      const run = (q: ReturnType<typeof sql>) => q.execute(trx);
      await run(sql`set local session_replication_role = replica`);
      await run(sql`insert into prefecture (id, name, time_zone) values ('93', 'Seine-Saint-Denis', 'Europe/Paris')`);
      await run(sql`insert into site (id, prefecture_id, kind, name, address)
        select 'bs-' || i, '93', 'prefecture', 'Site ' || i, '1 rue' from generate_series(1, 10) i`);
      await run(
        sql`insert into counter (id, site_id, name) select 'bc-' || i, 'bs-' || i, 'Guichet' from generate_series(1, 10) i`,
      );
      await run(sql`insert into procedure (id, name_fr, name_en, slot_minutes, identity_proof, channel)
        select 'bench-proc-' || i, 'Démarche ' || i, 'Procedure ' || i, 30, 'passport', 'appointment' from generate_series(1, 5) i`);
      // Slots evenly over [now - 365 days, now + 14 days]; one in five opened by a draw.
      await run(sql`create temp table s on commit drop as
        select i, gen_random_uuid() as id, now() - interval '365 days' + make_interval(secs => i * (379 * 86400.0 / ${slots})) as t
        from generate_series(1, ${slots}::int) i`);
      await run(sql`insert into slot (id, site_id, counter_id, procedure_id, starts_at, ends_at, local_date, released_at, available_since, opened_at)
        select id, 'bs-' || (1 + i % 10), 'bc-' || (1 + i % 10), 'bench-proc-' || (1 + i % 5), t, t + interval '30 min',
          timezone('Europe/Paris', t)::date, t - interval '30 days', t - interval '30 days',
          case when i % 5 = 0 then t - interval '29 days' end
        from s`);
      // Appointments on all but one slot in 11 (up to N).
      await run(sql`create temp table a on commit drop as
        select s.i, s.id as slot_id, s.t, gen_random_uuid() as appointment_id, gen_random_uuid() as request_id,
          case when s.i % 5 = 0 then s.t - interval '29 days' + interval '1 hour' * (s.i % 100)
               else s.t - interval '1 day' * (2 + s.i % 20) end as created_at
        from s where s.i % 11 <> 0 order by s.i limit ${APPOINTMENTS}`);
      await run(sql`insert into appointment (id, reference, slot_id, procedure_id, site_id, status, surname, given_names,
          birth_date, nationality, email, email_key, passport_number, identity_key, management_token_hash, created_at, updated_at)
        select appointment_id, 'B' || i, slot_id, 'bench-proc-' || (1 + i % 5), 'bs-' || (1 + i % 10),
          case when t > now() then 'booked' when i % 20 = 0 then 'no_show' else 'served' end,
          'X', 'Y', '1990-01-01', 'MLI', 'b' || i || '@x.test', 'ek' || i, 'P' || i, 'ik' || i, 'th' || i, created_at, created_at
        from a`);
      await run(sql`insert into draw (id, prefecture_id, procedure_id, tick, trigger, allocation_order, seed, input_digest,
          result_digest, input_snapshot, requests_count, slots_count, assigned_count, started_at, finished_at)
        select gen_random_uuid(), '93', 'bench-proc-' || p, date_trunc('day', now()) - interval '1 day' * d + interval '5 hours',
          'daily', 'fifo', 's', 'i', 'r', '\\x00', 0, 0, 0, now(), now()
        from generate_series(0, 379) d, generate_series(1, 5) p`);
      await run(sql`insert into allocation_request (id, reference, prefecture_id, procedure_id, status, site_ids, surname,
          given_names, birth_date, nationality, email, email_key, passport_number, identity_key, management_token_hash,
          filed_at, updated_at, queued_on, urgency_date, urgency_source, urgency_status)
        select request_id, 'R' || i, '93', 'bench-proc-' || (1 + i % 5), 'booked', array['bs-' || (1 + i % 10)], 'X', 'Y',
          '1990-01-01', 'MLI', 'r' || i || '@x.test', 'rk' || i, 'Q' || i, 'rik' || i, 'rth' || i,
          created_at - interval '1 day' * (5 + i % 60), created_at, timezone('Europe/Paris', created_at)::date,
          case when i % 10 = 1 then timezone('Europe/Paris', t)::date + (i % 9) - 2 when i % 50 = 3 then timezone('Europe/Paris', t)::date end,
          case when i % 10 = 1 then 'registry' when i % 50 = 3 then 'declared' end,
          case when i % 10 = 1 then 'confirmed' when i % 50 = 3 then (case when i % 100 = 3 then 'refused' else 'confirmed' end) else 'none' end
        from a where i % 5 <> 0`);
      await run(sql`insert into offer (draw_id, request_id, slot_id, status, expires_at, created_at, decided_at, appointment_id)
        select (select id from draw limit 1), request_id, slot_id, 'confirmed', created_at + interval '2 days', created_at, created_at, appointment_id
        from a where i % 5 <> 0`);
      await run(sql`insert into allocation_request (reference, prefecture_id, procedure_id, status, site_ids, surname,
          given_names, birth_date, nationality, email, email_key, passport_number, identity_key, management_token_hash,
          filed_at, updated_at, queued_on)
        select 'W' || i, '93', 'bench-proc-' || (1 + i % 5), 'waiting', array['bs-1'], 'X', 'Y', '1990-01-01', 'MLI',
          'w' || i || '@x.test', 'wk' || i, 'W' || i, 'wik' || i, 'wth' || i,
          now() - interval '1 hour' * (i % 1440), now(), timezone('Europe/Paris', now())::date
        from generate_series(1, 20000) i`);
      await run(sql`insert into security_event (at, ip, route, reason)
        select now() - interval '1 minute' * (i * 10), '203.0.113.9', 'bench', case when i % 3 = 0 then 'rate_limited' else 'pow_invalid' end
        from generate_series(1, 50000) i`);
    });
    await sql`analyze`.execute(database.db);
    const seedMs = performance.now() - seedStart;

    const services = await createServices(config, database, logger);
    const job = services.features.statistics.useCases.computeWeeklyFigures;
    let start = performance.now();
    const first = await job();
    const firstMs = performance.now() - start;
    await database.db.deleteFrom('public_statistics_run').execute();
    start = performance.now();
    const hourly = await job();
    const hourlyMs = performance.now() - start;
    await services.close();

    const server = await startServer(config, logger, { jobs: false });
    await server.ready;
    const page = await timeGets(`${server.url}/statistiques/93`, PER_PAGE);
    const procedurePage = await timeGets(`${server.url}/statistiques/93?procedure=bench-proc-1`, PER_PAGE);
    const csv = await timeGets(`${server.url}/donnees/statistiques/93.csv`, PER_PAGE);
    await server.close();

    const figures = {
      engine: 'postgres',
      appointments: APPOINTMENTS,
      slots,
      seedMs: Math.round(seedMs),
      jobFirstRunMs: Math.round(firstMs),
      jobFirstRunWeeks: first.weeks,
      jobHourlyRunMs: Math.round(hourlyMs),
      jobHourlyRunWeeks: hourly.weeks,
      pageAllProcedures: page,
      pageOneProcedure: procedurePage,
      csv,
      requestsPerPage: PER_PAGE,
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    };
    console.log(JSON.stringify(figures, null, 2));
    console.log(
      `statistics page (all procedures): p50 ${page.p50} ms, p99 ${page.p99} ms over ${PER_PAGE} requests — ` +
        `${APPOINTMENTS.toLocaleString('en')} appointments, job: first run ${figures.jobFirstRunMs} ms (53 weeks), hourly ${figures.jobHourlyRunMs} ms`,
    );
  } finally {
    await database.close();
    await admin(`drop database if exists ${name}`);
  }
}

await main();
