// The full draw on a database: read the waiting requests and the free slots, assign, write
// the offers — `runDrawForTick` (src/app/draws/run-draw.ts), exactly as the scheduler runs it,
// in one transaction, through the production composition (createPorts, createFeatures).
//
//   node --import tsx bench/draw-db.ts [--engine postgres|pglite] [--requests N] [--slots N]
//        [--notify] [--batch N] [--fresh] [--json FILE] [--keep]
//
// `measureDbDraw(options)` is also exported for bench/draw.ts (its dbDrawMs figure).
//
// Data, generated inside the database (INSERT … SELECT generate_series, seeded with setseed so
// that two runs draw the same data), in the shape bench/draw.ts uses in memory:
//   * 20 sites of prefecture 93, 23 counters each; slots every 15 minutes 08:30–12:00 and
//     13:30–16:30 on the weekdays of the next 60 days (starting the day after tomorrow,
//     Europe/Paris), released a day ago, up to --slots;
//   * --requests waiting requests: 10 % with an expired permit (class 0), 20 % expiring within
//     30 days (class 1), 70 % without urgency; filed over the last 180 days; 3 distinct sites
//     each, 2 to 5 weekdays of Monday–Friday, the morning, the afternoon or both.
// On PostgreSQL the seeded database is kept as a template (creneau_bench_draw_tpl_…, named
// after the size, the day and the migrations) and each run draws on a copy of it: seeding a
// million requests takes minutes, copying it seconds. --fresh seeds again.
// Figures (milliseconds, wall time, this process and the database on one machine):
//   dbDrawMs  — the whole runDrawForTick call: claim + read + assign + write + commit;
//   readMs    — claim of the tick and the two reads (requests, free slots), rows parsed;
//   assignMs  — runDraw and its digests (the snapshot is compressed during the writes);
//   writeMs   — offers written (their requests are offered by them), leftovers, draw row completed, commit;
//   phases    — each call the draw makes to its store, in order, with the time spent in this
//               process before it (`gapMs`: the assignment before offers.record, the end of
//               the snapshot's compression before draws.finish), and the commit;
//   seedMs    — generating the data (not part of the draw; 0 when a template was copied).
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { type Db, openPglite, openPostgres } from '../src/adapters/db/database.ts';
import { createDrawStore } from '../src/adapters/db/draw-store.ts';
import { MIGRATION_NAMES, migrateToLatest } from '../src/adapters/db/migrate.ts';
import { createFeatures } from '../src/composition/create-features.ts';
import { createPorts } from '../src/composition/create-ports.ts';
import { completeConfig, loadConfig } from '../src/config.ts';
import type { Ports } from '../src/features/ports.ts';
import type { DrawRepositories, DrawStore } from '../src/ports/draw-store.ts';

const BENCH_SECRET = 'bench-identity-secret-0123456789abcdef';

export interface DbDrawOptions {
  engine?: 'postgres' | 'pglite';
  /** Server to create a scratch database on (default: TEST_DATABASE_URL, DATABASE_URL, local). */
  postgresUrl?: string;
  requests: number;
  slots: number;
  /** Write the offer emails to the outbox too (the scheduler does; off by default, as before). */
  notify?: boolean;
  /** Rows per statement of the draw store (its default when absent). */
  batchSize?: number;
  /** Seed again even if a template of this size and day exists (PostgreSQL). */
  fresh?: boolean;
  /** Keep the scratch database (its name is in the result). */
  keepDatabase?: boolean;
  log?: (line: string) => void;
}

/** One call of the draw to its store, in order. */
export interface DrawPhase {
  name: string;
  ms: number;
  /** Time spent in this process since the previous call ended (the assignment, the snapshot…). */
  gapMs: number;
}

export interface DbDrawResult {
  engine: 'postgres' | 'pglite';
  requests: number;
  slots: number;
  /** Free slots the draw saw, and offers it made. */
  slotsDrawn: number;
  assigned: number;
  messagesQueued: number;
  batchSize: number | null;
  dbDrawMs: number;
  readMs: number;
  assignMs: number;
  writeMs: number;
  phases: DrawPhase[];
  seedMs: number;
  snapshotMb: number;
  database: string;
}

const DEFAULT_URL =
  process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SITES = 20;
const COUNTERS = 23;
const PROCEDURE = 'bench-allocation';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The prefecture, its sites and counters, the procedure, the slots and the requests. */
async function seed(exec: (statement: string) => Promise<unknown>, options: DbDrawOptions): Promise<void> {
  await exec('select setseed(0.2026)');
  await exec(`insert into prefecture (id, name, time_zone) values ('93', 'Seine-Saint-Denis', 'Europe/Paris')`);
  await exec(`
    insert into site (id, prefecture_id, kind, name, address)
    select 'site-' || lpad(s::text, 2, '0'), '93', 'prefecture', 'Site ' || s, s || ' rue de la Préfecture' from generate_series(1, ${SITES}) s`);
  await exec(`
    insert into counter (id, site_id, name)
    select 'site-' || lpad(s::text, 2, '0') || '-c' || c, 'site-' || lpad(s::text, 2, '0'), 'Guichet ' || c
      from generate_series(1, ${SITES}) s, generate_series(1, ${COUNTERS}) c`);
  await exec(`
    insert into procedure (id, name_fr, name_en, slot_minutes, identity_proof, channel, booking_mode, allocation_order)
    values ('${PROCEDURE}', 'Titre de séjour', 'Residence permit', 15, 'passport', 'appointment', 'allocation', 'lottery')`);
  // Slots: weekdays of the next 60 days, 26 times a day, 23 counters at 20 sites, in start order,
  // released a day ago (past the 12-hour collection window of a daily draw).
  await exec(`
    insert into slot (site_id, counter_id, procedure_id, starts_at, ends_at, local_date, released_at)
    select site_id, counter_id, '${PROCEDURE}', starts_at, starts_at + interval '15 minutes', day, now() - interval '1 day'
      from (
        select 'site-' || lpad(s::text, 2, '0') as site_id, 'site-' || lpad(s::text, 2, '0') || '-c' || c as counter_id,
               d::date as day, ((d::date + t) at time zone 'Europe/Paris') as starts_at
          from generate_series(current_date + 2, current_date + 61, interval '1 day') d,
               unnest(array(select time '08:30' + q * interval '15 minutes' from generate_series(0, 13) q)
                   || array(select time '13:30' + q * interval '15 minutes' from generate_series(0, 11) q)) t,
               generate_series(1, ${SITES}) s, generate_series(1, ${COUNTERS}) c
         where extract(isodow from d) < 6
         order by starts_at, s, c
         limit ${options.slots}
      ) g`);
  // The identity triggers of allocation_request take one advisory lock per inserted row, more
  // than one transaction may hold for a million rows; the data is consistent by construction,
  // so the seeding session skips triggers (superuser only) and fills email_quota itself.
  await exec(`set session_replication_role = replica`);
  // Requests: sites s1 ≠ s2 ≠ s3 (s2 in s1+1…s1+9, s3 in s1+10…s1+18, modulo 20), weekdays a
  // random subset of 2 to 5 of Monday–Friday, half-days am / pm / both.
  await exec(`
    insert into allocation_request (reference, prefecture_id, procedure_id, site_ids, weekdays, half_days, urgency_date,
                                    urgency_source, urgency_status,
                                    surname, given_names, birth_date, nationality, email, email_key, passport_number,
                                    identity_key, management_token_hash, filed_at, queued_on)
    select 'B' || i, '93', '${PROCEDURE}',
           array['site-' || lpad((s1 + 1)::text, 2, '0'), 'site-' || lpad(((s1 + 1 + r2) % 20 + 1)::text, 2, '0'),
                 'site-' || lpad(((s1 + 10 + r3) % 20 + 1)::text, 2, '0')],
           (select array_agg(d order by d) from (select d from generate_series(1, 5) d order by md5(i::text || d::text) limit 2 + (i % 4)) w)::smallint[],
           case i % 3 when 0 then array['am'] when 1 then array['pm'] else array['am', 'pm'] end,
           case when u < 0.1 then current_date - (1 + i % 60) when u < 0.3 then current_date + (i % 30) end,
           case when u < 0.3 then 'registry' end, case when u < 0.3 then 'confirmed' else 'none' end,
           'Nom' || i, 'Prénom', date '1990-01-01', 'SEN', 'b' || i || '@example.org', 'b' || i || '@example.org', 'P' || i,
           'bench-identity-' || i, 'bench-token-' || i, filed, (filed at time zone 'Europe/Paris')::date
      from (select i, (random() * 19)::int as s1, (i / 20) % 9 as r2, (i / 180) % 9 as r3, random() as u,
                   now() - (random() * interval '180 days') as filed
              from generate_series(1, ${options.requests}) i) g`);
  await exec(`
    insert into email_quota (email_key, active, cap)
    select email_key, count(*)::int, greatest(count(*)::int, 100) from allocation_request group by email_key`);
  await exec(`set session_replication_role = origin`);
  await exec('vacuum analyze');
}

/**
 * The draw store with each call timed: which statement of the draw costs what, without a line
 * of instrumentation in the use case.
 */
function timedDrawStore(store: DrawStore, calls: { name: string; started: number; ended: number }[]): DrawStore {
  const timed = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const started = performance.now();
          try {
            return await value.apply(object, args);
          } finally {
            calls.push({ name: `${name}.${String(key)}`, started, ended: performance.now() });
          }
        };
      },
    });
  return {
    ...store,
    transaction: async (work) => {
      const result = await store.transaction((repos) =>
        work(
          Object.fromEntries(
            Object.entries(repos).map(([name, repo]) => [name, timed(name, repo as object)]),
          ) as unknown as DrawRepositories,
        ),
      );
      calls.push({ name: 'commit', started: calls.at(-1)?.ended ?? performance.now(), ended: performance.now() });
      return result;
    },
  };
}

/** The name of the seeded template: the size, the day (the data is relative to now()) and the migrations. */
function templateName(options: DbDrawOptions): string {
  const schema = createHash('sha256').update(MIGRATION_NAMES.join(',')).digest('hex').slice(0, 8);
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `creneau_bench_draw_tpl_${options.requests}_${options.slots}_${day}_${schema}`;
}

/** A PostgreSQL database holding the seeded data: a copy of the template, seeded first if need be. */
async function seededPostgres(
  serverUrl: string,
  options: DbDrawOptions,
  log: (line: string) => void,
): Promise<{ name: string; seedMs: number }> {
  const template = templateName(options);
  const name = `creneau_bench_draw_${randomBytes(4).toString('hex')}`;
  const exists = await withClient(serverUrl, async (c) => {
    if (options.fresh) await c.query(`drop database if exists ${template} with (force)`);
    return (await c.query('select 1 from pg_database where datname = $1', [template])).rowCount === 1;
  });
  let seedMs = 0;
  if (!exists) {
    log(
      `seeding ${options.requests.toLocaleString('en')} requests and up to ${options.slots.toLocaleString('en')} slots in ${template}…`,
    );
    const started = performance.now();
    const building = `${template}_building`;
    await withClient(serverUrl, async (c) => {
      await c.query(`drop database if exists ${building} with (force)`);
      await c.query(`create database ${building}`);
    });
    const database = openPostgres(databaseUrl(serverUrl, building), 2);
    try {
      await migrateToLatest(database.db);
    } finally {
      await database.close();
    }
    await withClient(databaseUrl(serverUrl, building), (c) => seed((statement) => c.query(statement), options));
    await withClient(serverUrl, (c) => c.query(`alter database ${building} rename to ${template}`));
    seedMs = Math.round(performance.now() - started);
    log(`seeded in ${(seedMs / 1000).toFixed(1)} s`);
  }
  await withClient(serverUrl, (c) => c.query(`create database ${name} template ${template}`));
  return { name, seedMs };
}

async function countSlots(db: Db): Promise<number> {
  const row = await db
    .selectFrom('slot')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function measureDbDraw(options: DbDrawOptions): Promise<DbDrawResult> {
  const log = options.log ?? (() => {});
  const engine = options.engine ?? 'postgres';
  const serverUrl = options.postgresUrl ?? DEFAULT_URL;
  let name = 'pglite (in memory)';
  let seedMs = 0;
  let database: Awaited<ReturnType<typeof openPglite>>;
  if (engine === 'postgres') {
    ({ name, seedMs } = await seededPostgres(serverUrl, options, log));
    database = openPostgres(databaseUrl(serverUrl, name), 4);
  } else {
    database = await openPglite();
    await migrateToLatest(database.db);
    log(
      `seeding ${options.requests.toLocaleString('en')} requests and up to ${options.slots.toLocaleString('en')} slots in PGlite…`,
    );
    const started = performance.now();
    const { sql } = await import('kysely');
    await seed((statement) => sql.raw(statement).execute(database.db), options);
    seedMs = Math.round(performance.now() - started);
    log(`seeded in ${(seedMs / 1000).toFixed(1)} s`);
  }
  let ports: Ports | null = null;
  try {
    const slots = await countSlots(database.db);
    log(`${slots.toLocaleString('en')} slots; drawing…`);
    // The draw through the production composition (createPorts, createFeatures), its store timed.
    const config = completeConfig(
      loadConfig({
        NODE_ENV: 'test',
        ...(engine === 'postgres' ? { DATABASE_URL: databaseUrl(serverUrl, name) } : {}),
        IDENTITY_KEY_SECRET: BENCH_SECRET,
        POW_HMAC_KEY: BENCH_SECRET,
      }),
      () => {
        throw new Error('the bench configuration names every secret');
      },
    );
    const calls: { name: string; started: number; ended: number }[] = [];
    const built = createPorts(config, database.db, pino({ level: 'silent' }));
    ports = built;
    const draws = timedDrawStore(
      options.batchSize ? createDrawStore(database.db, { batchSize: options.batchSize }) : built.draws,
      calls,
    );
    const features = createFeatures({ ...built, draws }, config, { devOutboxDir: null });
    const started = performance.now();
    const report = await features.draws.useCases.runDrawForTick(
      { prefectureId: '93', procedureId: PROCEDURE, tick: new Date(), trigger: 'manual' },
      { notify: options.notify ?? false },
    );
    const dbDrawMs = Math.round(performance.now() - started);
    if (report.status !== 'drawn') throw new Error('the tick was already drawn');
    let previous = started;
    const phases = calls
      .filter((c) => c.started >= started)
      .map((c) => {
        const phase = { name: c.name, ms: Math.round(c.ended - c.started), gapMs: Math.round(c.started - previous) };
        previous = c.ended;
        return phase;
      });
    return {
      engine,
      requests: report.requestsCount,
      slots,
      slotsDrawn: report.slotsCount,
      assigned: report.assignedCount,
      messagesQueued: report.messagesQueued,
      batchSize: options.batchSize ?? null,
      dbDrawMs,
      readMs: Math.round(report.timings.readMs),
      assignMs: Math.round(report.timings.assignMs),
      writeMs: Math.round(report.timings.writeMs),
      phases,
      seedMs,
      snapshotMb: Math.round((report.snapshotBytes / 1048576) * 10) / 10,
      database: name,
    };
  } finally {
    await ports?.close();
    await database.close();
    if (engine === 'postgres' && !options.keepDatabase)
      await withClient(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  }
}

/** The phases as lines: "offers.record  12,345 ms  (after 1,234 ms in this process)". */
export function describePhases(phases: readonly DrawPhase[]): string {
  return phases
    .map(
      (p) =>
        `  ${p.name.padEnd(26)} ${p.ms.toLocaleString('en').padStart(8)} ms` +
        (p.gapMs >= 10 ? `   (after ${p.gapMs.toLocaleString('en')} ms in this process)` : ''),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------
// Standalone

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: args } = parseArgs({
    options: {
      engine: { type: 'string', default: 'postgres' },
      requests: { type: 'string', default: '1000000' },
      slots: { type: 'string', default: '500000' },
      notify: { type: 'boolean', default: false },
      batch: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (args.engine !== 'postgres' && args.engine !== 'pglite') throw new Error('--engine is postgres or pglite');
  const result = await measureDbDraw({
    engine: args.engine,
    requests: Number(args.requests),
    slots: Number(args.slots),
    notify: args.notify,
    ...(args.batch ? { batchSize: Number(args.batch) } : {}),
    fresh: args.fresh,
    keepDatabase: args.keep,
    log: (line) => console.error(line),
  });
  console.log(
    `${result.engine}: dbDrawMs ${result.dbDrawMs}  (read ${result.readMs}, assign ${result.assignMs}, write ${result.writeMs})`,
  );
  console.log(describePhases(result.phases));
  console.log(
    `${result.requests.toLocaleString('en')} requests, ${result.slotsDrawn.toLocaleString('en')} free slots, ${result.assigned.toLocaleString('en')} offers, ` +
      `${result.messagesQueued.toLocaleString('en')} emails, snapshot ${result.snapshotMb} MB, ${cpus().length} CPUs, ` +
      `load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}` +
      (result.seedMs > 0 ? `; seeding took ${(result.seedMs / 1000).toFixed(1)} s` : '; data copied from the template'),
  );
  if (args.json)
    writeFileSync(
      args.json,
      `${JSON.stringify({ ...result, date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, node: process.version, loadAverage: loadavg() } }, null, 2)}\n`,
    );
}
