// The full draw on PostgreSQL: read the waiting requests and the free slots, assign, write
// the offers — `runDrawForTick` (src/app/run-draw.ts), exactly as the scheduler runs it, in
// one transaction, without the offer emails.
//
//   node --import tsx bench/draw-db.ts [--requests N] [--slots N] [--order fifo|lottery] [--json FILE] [--keep]
//
// `measureDbDraw(options)` is also exported for bench/draw.ts (its dbDrawMs figure).
//
// Data, generated inside PostgreSQL (INSERT … SELECT generate_series, seeded with setseed so
// that two runs draw the same data), in the shape bench/draw.ts uses in memory:
//   * 20 sites of prefecture 93, 23 counters each; slots every 15 minutes 08:30–12:00 and
//     13:30–16:30 on the weekdays of the next 60 days (starting the day after tomorrow,
//     Europe/Paris), released an hour ago, up to --slots;
//   * --requests waiting requests: 10 % with an expired permit (class 0), 20 % expiring within
//     30 days (class 1), 70 % without urgency; filed over the last 180 days; 3 distinct sites
//     each, 2 to 5 weekdays of Monday–Friday, the morning, the afternoon or both.
// Figures (milliseconds, wall time, this process and the PostgreSQL server on one machine):
//   dbDrawMs  — the whole runDrawForTick call: claim + read + assign + write + commit;
//   readMs    — claim of the tick and the two reads (requests, free slots), rows parsed;
//   assignMs  — runDraw, its digests, and the gzipped input snapshot;
//   writeMs   — offers inserted, requests turned 'offered', draw row completed, commit;
//   seedMs    — generating the data (not part of the draw).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { openPostgres } from '../src/adapters/db/database.ts';
import { migrateToLatest } from '../src/adapters/db/migrate.ts';
import { createFeatures } from '../src/composition/create-features.ts';
import { createPorts } from '../src/composition/create-ports.ts';
import { completeConfig, loadConfig } from '../src/config.ts';
import type { Ports } from '../src/features/ports.ts';

const BENCH_SECRET = 'bench-identity-secret-0123456789abcdef';

export interface DbDrawOptions {
  /** Server to create a scratch database on (default: TEST_DATABASE_URL, DATABASE_URL, local). */
  postgresUrl?: string;
  requests: number;
  slots: number;
  order?: 'fifo' | 'lottery';
  /** Keep the scratch database (its name is in the result). */
  keepDatabase?: boolean;
  log?: (line: string) => void;
}

export interface DbDrawResult {
  requests: number;
  slots: number;
  /** Free slots the draw saw, and offers it made. */
  slotsDrawn: number;
  assigned: number;
  order: 'fifo' | 'lottery';
  dbDrawMs: number;
  readMs: number;
  assignMs: number;
  writeMs: number;
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
async function seed(client: pg.Client, options: DbDrawOptions): Promise<void> {
  await client.query('select setseed(0.2026)');
  await client.query(`insert into prefecture (id, name, time_zone) values ('93', 'Seine-Saint-Denis', 'Europe/Paris')`);
  await client.query(`
    insert into site (id, prefecture_id, kind, name, address)
    select 'site-' || lpad(s::text, 2, '0'), '93', 'prefecture', 'Site ' || s, s || ' rue de la Préfecture' from generate_series(1, ${SITES}) s`);
  await client.query(`
    insert into counter (id, site_id, name)
    select 'site-' || lpad(s::text, 2, '0') || '-c' || c, 'site-' || lpad(s::text, 2, '0'), 'Guichet ' || c
      from generate_series(1, ${SITES}) s, generate_series(1, ${COUNTERS}) c`);
  await client.query(`
    insert into procedure (id, name_fr, name_en, slot_minutes, identity_proof, channel, booking_mode, allocation_order)
    values ('${PROCEDURE}', 'Titre de séjour', 'Residence permit', 15, 'passport', 'appointment', 'allocation', '${options.order ?? 'fifo'}')`);
  // Slots: weekdays of the next 60 days, 26 times a day, 23 counters at 20 sites, in start order,
  // released a day ago (past the 12-hour collection window of a daily draw).
  await client.query(`
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
  // so the seeding session skips triggers (superuser only).
  await client.query(`set session_replication_role = replica`);
  // Requests: sites s1 ≠ s2 ≠ s3 (s2 in s1+1…s1+9, s3 in s1+10…s1+18, modulo 20), weekdays a
  // random subset of 2 to 5 of Monday–Friday, half-days am / pm / both.
  await client.query(`
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
  await client.query(`set session_replication_role = origin`);
  await client.query('analyze');
}

export async function measureDbDraw(options: DbDrawOptions): Promise<DbDrawResult> {
  const log = options.log ?? (() => {});
  const serverUrl = options.postgresUrl ?? DEFAULT_URL;
  const name = `creneau_bench_draw_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`create database ${name}`));
  const url = databaseUrl(serverUrl, name);
  const database = openPostgres(url, 4);
  let ports: Ports | null = null;
  try {
    await migrateToLatest(database.db);
    log(
      `seeding ${options.requests.toLocaleString('en')} requests and up to ${options.slots.toLocaleString('en')} slots in ${name}…`,
    );
    const seedStarted = performance.now();
    await withClient(url, (c) => seed(c, options));
    const seedMs = Math.round(performance.now() - seedStarted);
    const slots = Number(
      (await withClient(url, (c) => c.query<{ n: string }>('select count(*) as n from slot'))).rows[0]!.n,
    );
    log(`seeded in ${(seedMs / 1000).toFixed(1)} s (${slots.toLocaleString('en')} slots); drawing…`);

    // The draw through the production composition (createPorts, createFeatures).
    const config = completeConfig(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: url,
        IDENTITY_KEY_SECRET: BENCH_SECRET,
        POW_HMAC_KEY: BENCH_SECRET,
      }),
      () => {
        throw new Error('the bench configuration names every secret');
      },
    );
    ports = createPorts(config, database.db, pino({ level: 'silent' }));
    const { draws } = createFeatures(ports, config, { devOutboxDir: null });
    const started = performance.now();
    const report = await draws.useCases.runDrawForTick(
      { prefectureId: '93', procedureId: PROCEDURE, tick: new Date(), trigger: 'manual' },
      { notify: false },
    );
    const dbDrawMs = Math.round(performance.now() - started);
    if (report.status !== 'drawn') throw new Error('the tick was already drawn');
    return {
      requests: report.requestsCount,
      slots,
      slotsDrawn: report.slotsCount,
      assigned: report.assignedCount,
      order: options.order ?? 'fifo',
      dbDrawMs,
      readMs: Math.round(report.timings.readMs),
      assignMs: Math.round(report.timings.assignMs),
      writeMs: Math.round(report.timings.writeMs),
      seedMs,
      snapshotMb: Math.round((report.snapshotBytes / 1048576) * 10) / 10,
      database: name,
    };
  } finally {
    await ports?.close();
    await database.close();
    if (!options.keepDatabase)
      await withClient(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  }
}

// ---------------------------------------------------------------------------------------
// Standalone

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: args } = parseArgs({
    options: {
      requests: { type: 'string', default: '1000000' },
      slots: { type: 'string', default: '500000' },
      order: { type: 'string', default: 'fifo' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const order = args.order === 'lottery' ? 'lottery' : 'fifo';
  const result = await measureDbDraw({
    requests: Number(args.requests),
    slots: Number(args.slots),
    order,
    keepDatabase: args.keep,
    log: (line) => console.error(line),
  });
  console.log(
    `dbDrawMs ${result.dbDrawMs}  (read ${result.readMs}, assign ${result.assignMs}, write ${result.writeMs})`,
  );
  console.log(
    `${result.requests.toLocaleString('en')} requests, ${result.slotsDrawn.toLocaleString('en')} free slots, ${result.assigned.toLocaleString('en')} offers, ` +
      `snapshot ${result.snapshotMb} MB, ${order}, ${cpus().length} CPUs; seeding took ${(result.seedMs / 1000).toFixed(1)} s`,
  );
  if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
}
