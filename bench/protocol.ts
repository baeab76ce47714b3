// Messages between the benchmark driver (bench/booking.ts) and the server process it forks
// for each engine (bench/server.ts), and the booking's SQL for the raw-SQL ceilings.
// Slot ids of the pgbench batches are deterministic so that a pgbench script can name them:
// BENCH_UUID_PREFIX + 12 digits; so are the ids of the email verifications pgbench spends
// (BENCH_VERIFICATION_PREFIX + 12 digits).
import type { Engine } from '../src/adapters/db/database.ts';

export const BENCH_UUID_PREFIX = '00000000-0000-4000-8000-';
export const benchSlotUuid = (n: number): string => `${BENCH_UUID_PREFIX}${String(n).padStart(12, '0')}`;
export const BENCH_VERIFICATION_PREFIX = '00000000-0000-4000-9000-';
export const benchVerificationUuid = (n: number): string =>
  `${BENCH_VERIFICATION_PREFIX}${String(n).padStart(12, '0')}`;
/** Email of the raw-SQL verification n (pgbench and PGlite's ceiling): one distinct applicant per transaction. */
export const rawEmail = (n: number | string): string => `raw.${n}@example.org`;

/** Slot batches, each on its own counters (`bench-<batch>-<n>`), so they can be counted apart. */
export type Batch = 'warmup' | 'w1' | 'w2' | 'pgbench' | 'pgbenchpool';

/** Offsets of the pgbench batches' deterministic ids (slots and verifications alike). */
export const PGBENCH_OFFSETS = { pgbench: 0, pgbenchpool: 100_000 } as const;

export interface ServerStart {
  engine: Engine;
  /** PostgreSQL: URL of the fresh benchmark database. */
  databaseUrl?: string;
  /** PGlite: DATA_DIR of the fresh instance (the database lives in DATA_DIR/pglite). */
  dataDir?: string;
  poolSize?: number;
  /**
   * Run the background jobs (outbox delivery, draws, upkeep) in the server process, as
   * `serve --with-worker --processes 1` does (and as `serve` did before issue 14). Default: as
   * `serve` does now — none on PostgreSQL, always on PGlite.
   */
  withWorker?: boolean;
  logLevel: string;
  /** IDENTITY_KEY_SECRET given to the server: the driver needs it to digest the email codes it presets. */
  identityKeySecret: string;
  slots: { warmup: number; w1: number; pgbench: number };
  /**
   * One email verification per HTTP attempt, written in SQL before the server starts, as
   * POST /api/email-verifications would (purpose "booking", keyed digest of `code`, 10 minutes):
   * verification i (1-based) is for the address applicantEmail(tag, i).
   */
  verifications: { tag: string; count: number; code: string };
  /** Verifications for each raw-SQL batch (ids benchVerificationUuid(offset + n), n in 1..count). */
  rawVerifications: number;
  /**
   * The filing storm: one email verification (purpose "request") per filing attempt, for
   * filerEmail(tag, i), and as many raw-SQL verifications for the filing's pgbench ceiling
   * (ids benchVerificationUuid(FILING_OFFSET + n), address rawEmail(FILING_OFFSET + n)).
   */
  filings: number;
  /**
   * Extra environment for the server (e.g. the lead's `--processes N` once `creneau serve`
   * has it): merged last into the configuration bench/server.ts builds.
   */
  env?: Record<string, string>;
  /** The calendar benchmark's sites and slots (bench/calendar-scenario.ts), of the same procedure. */
  calendar?: { sites: number; days: number; countersPerSite: number };
}

/** What the calendar benchmark polls: GET /api/slots?procedureId=…&siteIds=…&from=…&to=… */
export interface CalendarScenario {
  siteIds: string[];
  from: string;
  to: string;
  slots: number;
}

/** The address of the i-th HTTP filer (1-based) of a run. */
export const filerEmail = (tag: string, i: number): string => `filer.${tag}.${i}@example.org`;
/** The filing storm's procedure and its site: filed for, never booked (see bench/server.ts). */
export const FILING_PROCEDURE_ID = 'bench-request';
export const BENCH_PREFECTURE_ID = '93';
export const BENCH_SITE_ID = 'bench-site';
/** Offset of the filing ceiling's verification ids. */
export const FILING_OFFSET = 200_000;

/** The address of the i-th HTTP applicant (1-based) of a run. */
export const applicantEmail = (tag: string, i: number): string => `bot.${tag}.${i}@example.org`;

export interface ServerReady {
  type: 'ready';
  url: string;
  procedureId: string;
  poolSize: number | null;
  slotIds: { warmup: string[]; w1: string[]; w2: string };
  /** verificationIds[i - 1] is the verification of applicantEmail(tag, i). */
  verificationIds: string[];
  /** filingVerificationIds[i - 1] is the verification (purpose "request") of filerEmail(tag, i). */
  filingVerificationIds: string[];
  /** When the verifications were written: they expire 10 minutes later. */
  verificationsCreatedAt: number;
  /** Offset of the first deterministic id of each pgbench batch (id = benchSlotUuid(offset + n), n in 1..count). */
  pgbenchOffsets: { pgbench: number; pgbenchpool: number };
  calendar?: CalendarScenario;
}

export interface Verification {
  /** Slots holding more than one live appointment, over the whole database. */
  doubleBookings: number;
  /** Live appointments and slots per batch. */
  batches: Record<string, { slots: number; appointments: number; distinctSlots: number }>;
  /** Email verifications consumed without a live appointment of their address (must be 0). */
  codesSpentWithoutBooking: number;
  /** Live appointments whose address has no consumed verification (must be 0). */
  bookingsWithoutSpentCode: number;
  /** Requests filed by the filing storm's filers (warm-up included). */
  filingRequests: number;
}

export interface ServerVerified extends Verification {
  type: 'verified';
  rssMb: number;
  heapUsedMb: number;
}

/** PGlite's raw-SQL ceiling: `transactions` booking transactions run one after the other in the server process. */
export interface RawSqlRun {
  type: 'raw';
  /** The booking's statements (bookingStatementsSql) or the filing's (filingStatementsSql). */
  kind: 'booking' | 'filing';
  transactions: number;
  slots: number;
}
export interface RawSqlDone {
  type: 'rawDone';
  tps: number;
  transactions: number;
  bookings: number;
}

/**
 * A measured window of a storm: 'start' before its first request, 'stop' after its last
 * answer. With `profileFile`, the server's CPU is profiled over the window (V8 inspector) and
 * the profile written there.
 */
export type MeasureRequest =
  | { type: 'measure'; action: 'start'; profileFile?: string }
  | { type: 'measure'; action: 'stop' };
export interface Measured {
  type: 'measured';
  /** process.cpuUsage() of the server over the window (user + system), in seconds. */
  cpuSeconds: number;
  /** Round trips to the database over the window: PostgreSQL Sync and simple Query messages; PGlite calls. */
  roundTrips: number;
  /** The distinct statement texts sent over the window, with their count (the first 60). */
  statements: Array<{ text: string; count: number }>;
  profileFile?: string;
}

/**
 * Before the filing storm: the server stops, the filers' email codes are made fresh (they live
 * 10 minutes, and W1 may have taken most of them on a busy machine), the server starts again.
 */
export interface FilingCodesRenewed {
  type: 'renewed';
  url: string;
  codesCreatedAt: number;
}

export type ToServer =
  | { type: 'verify' }
  | { type: 'close' }
  | { type: 'renew-filing-codes' }
  | RawSqlRun
  | MeasureRequest;
export type FromServer =
  | ServerReady
  | ServerVerified
  | RawSqlDone
  | Measured
  | FilingCodesRenewed
  | { type: 'closed' }
  | { type: 'error'; message: string };

/**
 * The booking's statements in raw SQL, as the app sends them for an online booking without
 * Idempotency-Key (src/app/book-slot.ts, src/adapters/db/booking-store.ts and
 * email-verification-store.ts): the email-code check (one statement, on its own), then in one
 * transaction the INSERT … SELECT from the slot if it is open, released and ahead (a lost race
 * does nothing: ON CONFLICT on the one-live-appointment-per-slot index; the FK checks and the
 * email-quota trigger fire) and, when it inserted, the consumption of the code.
 *
 * What differs from the app: the values it computes in JavaScript (reference, identity key,
 * token digest) are drawn by gen_random_uuid(), ids and addresses are built from the pgbench
 * variables, the code digest of verification v is 'bench-code-v' (the app's is an HMAC
 * computed in JavaScript, compared the same way), and `now()` stands for the app's clock
 * parameter. `n` (slot number), `v` (verification number) and `client` are SQL expressions:
 * pgbench variables (:n, :v, :client_id) or literals. The insert also returns `won`, which the
 * app reads from the returned id, for pgbench's \if.
 */
export function bookingStatementsSql(
  n: string,
  v: string,
  client: string,
): { check: string; held: string; insert: string; consume: string } {
  const verification = `id = ('${BENCH_VERIFICATION_PREFIX}' || lpad(${v}::text, 12, '0'))::uuid
   AND email = 'raw.' || ${v} || '@example.org' AND purpose = 'booking'
   AND consumed_at IS NULL AND expires_at > now() AND attempts < max_attempts`;
  const codeHash = `('bench-code-' || ${v})`;
  return {
    held: `SELECT exists (SELECT 1 FROM appointment a
  WHERE a.slot_id = ('${BENCH_UUID_PREFIX}' || lpad(${n}::text, 12, '0'))::uuid AND a.status <> 'cancelled') AS held`,
    check: `WITH wrong AS (
  UPDATE email_verification SET attempts = attempts + 1
   WHERE ${verification} AND code_hash <> ${codeHash}
  RETURNING id
)
SELECT EXISTS (SELECT 1 FROM wrong) AS wrong,
       EXISTS (SELECT 1 FROM email_verification WHERE ${verification} AND code_hash = ${codeHash}) AS right`,
    insert: `WITH bookable AS (
  SELECT s.id, s.procedure_id, s.site_id, s.starts_at, s.ends_at, p.time_zone
    FROM slot s JOIN site si ON si.id = s.site_id JOIN prefecture p ON p.id = si.prefecture_id
   WHERE s.id = ('${BENCH_UUID_PREFIX}' || lpad(${n}::text, 12, '0'))::uuid
     AND s.procedure_id = 'bench-passport' AND s.status = 'open' AND s.released_at <= now() AND s.starts_at > now()
), inserted AS (
  INSERT INTO appointment (reference, slot_id, procedure_id, site_id, surname, given_names, birth_date, nationality,
                           email, email_key, agdref_number, passport_number, identity_key, management_token_hash, channel)
  SELECT gen_random_uuid()::text, id, procedure_id, site_id, 'Diallo', 'Aminata', '1990-04-12'::date, 'SEN',
         'raw.' || ${v} || '@example.org', 'raw.' || ${v} || '@example.org', NULL,
         'P' || ${client} || 'X' || ${v}, gen_random_uuid()::text, gen_random_uuid()::text, 'online'
    FROM bookable
  ON CONFLICT (slot_id) WHERE status <> 'cancelled' DO NOTHING
  RETURNING id, reference, status, slot_id, procedure_id, site_id, surname, given_names, birth_date, nationality, email,
            reschedule_count, created_at
)
SELECT b.id IS NOT NULL AS bookable, a.id, a.reference, a.status, a.slot_id, a.procedure_id, a.site_id, b.starts_at,
       b.ends_at, b.time_zone, a.surname, a.given_names, a.birth_date, a.nationality, a.email, a.reschedule_count,
       a.created_at, a.id IS NOT NULL AS won
  FROM (SELECT 1) one LEFT JOIN bookable b ON true LEFT JOIN inserted a ON true`,
    consume: `UPDATE email_verification SET consumed_at = now()
 WHERE ${verification} AND code_hash = ${codeHash}
RETURNING id`,
  };
}

/**
 * The pgbench script: one booking per transaction, on a random slot of the batch, with the
 * client's next verification (pgbench keeps `k` per client between transactions; it starts at
 * 0 with -D k=0). `perClient` transactions per client, so verification numbers never repeat.
 */
export function pgbenchScript(offset: number, slots: number, perClient: number): string {
  const { check, held, insert, consume } = bookingStatementsSql(':n', ':v', ':client_id');
  return `\\set k :k + 1
\\set v ${offset} + :client_id * ${perClient} + :k
\\set n random(${offset + 1}, ${offset + slots})
${check};
${held} \\gset
\\if :held
\\else
BEGIN;
${insert} \\gset
\\if :won
${consume};
\\endif
COMMIT;
\\endif
`;
}

export const DOUBLE_BOOKINGS_SQL =
  "select count(*)::int as n from (select slot_id from appointment where status <> 'cancelled' group by slot_id having count(*) > 1) d";

export const BATCH_COUNTS_SQL = `
  select split_part(s.counter_id, '-', 2) as batch,
         count(distinct s.id)::int as slots,
         count(a.id)::int as appointments,
         count(distinct a.slot_id)::int as distinct_slots
    from slot s
    left join appointment a on a.slot_id = s.id and a.status <> 'cancelled'
   where s.counter_id like 'bench-%'
   group by 1`;

/** A code is spent only with a booking, and every booking spent one (each applicant has one verification). */
export const CODE_CHECKS_SQL = `
  select (select count(*)::int from email_verification v
           where v.consumed_at is not null and v.purpose = 'booking'
             and not exists (select 1 from appointment a where a.email_key = v.email_key and a.status <> 'cancelled')) as spent_without_booking,
         (select count(*)::int from appointment a
           where a.status <> 'cancelled'
             and not exists (select 1 from email_verification v where v.email_key = a.email_key and v.consumed_at is not null)) as booking_without_code,
         (select count(*)::int from allocation_request r where r.email like 'filer.%') as filing_requests`;

/**
 * The filing's statements in raw SQL, in the order the app sends them for one online request
 * without Idempotency-Key (src/http/proof-of-work-guard.ts, src/app/requests/file-request.ts
 * and the stores): the proof-of-work replay insert, the email-code check, the catalogue read
 * (one statement), then in one transaction the churn read, the request insert (read back in the same
 * statement), the code's consumption, the fraud signals (the lock, the counts, the score and
 * its observation: fraudSignalsSql), the acknowledgement's and the hold's outbox rows, and the
 * standing of the answer (the queue's groups and its recent capacity, one statement).
 * `v` is a SQL expression (a pgbench variable or a literal). What the app computes in
 * JavaScript (reference, keys, digests, the challenge key) is drawn by gen_random_uuid() here.
 * Kept in step with the app by hand: the storm's statements are printed by the benchmark (and
 * written in full beside a --cpu-prof profile) to compare.
 */
export function filingStatementsSql(v: string): {
  beforeTransaction: string[];
  churn: string;
  insert: string;
  inTransaction: string[];
} {
  const email = `'raw.' || ${v} || '@example.org'`;
  const verification = `id = ('${BENCH_VERIFICATION_PREFIX}' || lpad(${v}::text, 12, '0'))::uuid
   AND email = ${email} AND purpose = 'request'
   AND consumed_at IS NULL AND expires_at > now() AND attempts < max_attempts`;
  const codeHash = `('bench-code-' || ${v})`;
  const today = `(now() at time zone 'Europe/Paris')::date`;
  // The storm's filings come from 127.0.0.1 under one name: the signals count them, and hold them.
  const reference = `'RAW' || ${v}`;
  return {
    beforeTransaction: [
      `INSERT INTO pow_replay (challenge_key, owner, expires_at) VALUES (gen_random_uuid()::text, '', now() + interval '5 minutes')
  ON CONFLICT (challenge_key) DO NOTHING RETURNING challenge_key`,
      `WITH wrong AS (
  UPDATE email_verification SET attempts = attempts + 1 WHERE ${verification} AND code_hash <> ${codeHash} RETURNING id
)
SELECT EXISTS (SELECT 1 FROM wrong) AS wrong,
       EXISTS (SELECT 1 FROM email_verification WHERE ${verification} AND code_hash = ${codeHash}) AS right`,
      // The catalogue in one statement (src/adapters/db/request-catalogue.ts).
      `SELECT (SELECT to_json(obj) FROM (SELECT id, name_fr, name_en, description_fr, description_en, slot_minutes,
  identity_proof, channel, release_days_ahead, release_time, instructions_fr, instructions_en, registry_check,
  renewal_window_start_months, renewal_window_end_months, alternative_procedure_id, offer_hours, max_ignored_offers,
  max_declines, urgent_within_days FROM procedure WHERE id = '${FILING_PROCEDURE_ID}') AS obj) AS procedure,
  (SELECT to_json(obj) FROM (SELECT id, name, time_zone, phone FROM prefecture WHERE id = '${BENCH_PREFECTURE_ID}') AS obj) AS prefecture,
  (SELECT coalesce(json_agg(agg), '[]') FROM (SELECT id, prefecture_id, kind, name, address, phone, public_hours FROM site
    WHERE prefecture_id = '${BENCH_PREFECTURE_ID}' ORDER BY kind, name) AS agg) AS sites,
  (SELECT coalesce(json_agg(agg), '[]') FROM (SELECT s.id AS site_id, r.weekdays FROM opening_rule r
    JOIN counter c ON c.id = r.counter_id JOIN site s ON s.id = c.site_id JOIN prefecture p ON p.id = s.prefecture_id
    WHERE s.prefecture_id = '${BENCH_PREFECTURE_ID}' AND r.procedure_id = '${FILING_PROCEDURE_ID}' AND c.active
      AND (r.valid_until IS NULL OR r.valid_until >= (now() AT TIME ZONE p.time_zone)::date)) AS agg) AS rules`,
    ],
    churn: `SELECT at FROM churn_event WHERE identity_key = 'I' || ${v} AND procedure_id = '${FILING_PROCEDURE_ID}'
  AND at > now() - interval '30 days' ORDER BY at`,
    insert: `WITH r AS (
INSERT INTO allocation_request (reference, prefecture_id, procedure_id, site_ids, weekdays, half_days, urgency_date,
  urgency_source, urgency_status, queued_on, document_country, identity_attributes_hash, surname, given_names, birth_date,
  nationality, email, email_key, agdref_number, passport_number, identity_key, management_token_hash, channel, language,
  filed_at, updated_at, network, name_key)
VALUES (${reference}, '${BENCH_PREFECTURE_ID}', '${FILING_PROCEDURE_ID}', '{${BENCH_SITE_ID}}', '{1,2,3,4,5,6,7}',
  '{am,pm}', NULL, NULL, 'none', ${today}, 'SEN', gen_random_uuid()::text, 'Diallo', 'Aminata', '1990-04-12', 'SEN',
  ${email}, ${email}, NULL, 'R' || ${v}, gen_random_uuid()::text, gen_random_uuid()::text, 'online', 'fr', now(), now(),
  '127.0.0.0/24', 'AMINATA DIALLO|1990-04-12')
RETURNING id, reference, prefecture_id, procedure_id, status, site_ids, weekdays, half_days, urgency_date, surname,
  given_names, birth_date, nationality, email, declined_count, ignored_count, channel, filed_at, updated_at, closed_at,
  language, urgency_source, urgency_status, queued_on
)
SELECT r.id, r.reference, r.prefecture_id, r.procedure_id, r.status, r.site_ids, r.weekdays, r.half_days, r.urgency_date,
  r.surname, r.given_names, r.birth_date, r.nationality, r.email, r.declined_count, r.ignored_count, r.channel, r.filed_at,
  r.updated_at, r.closed_at, r.language, p.time_zone, r.urgency_source, r.urgency_status, r.queued_on
  FROM r JOIN prefecture p ON p.id = r.prefecture_id`,
    inTransaction: [
      `UPDATE email_verification SET consumed_at = now() WHERE ${verification} AND code_hash = ${codeHash} RETURNING id`,
      ...fraudSignalsSql(reference),
      `INSERT INTO outbox (kind, recipient, language, payload, dedupe_key, deliver_after, next_attempt_at, created_at, updated_at)
  SELECT k.kind, ${email}, 'fr', '{"requestReference":"R","givenNames":"Aminata","surname":"Diallo"}'::jsonb,
         k.kind || ':' || gen_random_uuid(), now(), now(), now(), now()
    FROM (VALUES ('request-filed'), ('request-held')) AS k(kind)
  ON CONFLICT (dedupe_key) DO NOTHING`,
      `WITH batches AS (
  SELECT urgency_date, queued_on, sum(waiting) AS waiting FROM queue_tally
   WHERE prefecture_id = '${BENCH_PREFECTURE_ID}' AND procedure_id = '${FILING_PROCEDURE_ID}'
   GROUP BY urgency_date, queued_on HAVING sum(waiting) <> 0
), groups AS (
  SELECT urgency_date, sum(waiting)::int AS waiting,
         coalesce(sum(waiting) FILTER (WHERE queued_on < ${today}), 0)::int AS earlier,
         coalesce(sum(waiting) FILTER (WHERE queued_on = ${today}), 0)::int AS same
    FROM batches GROUP BY urgency_date
), capacity AS (
  SELECT count(DISTINCT d.id)::int AS draws, (count(o.id) FILTER (WHERE o.status IN ('pending', 'confirmed')))::int AS served
    FROM draw d LEFT JOIN offer o ON o.draw_id = d.id
   WHERE d.prefecture_id = '${BENCH_PREFECTURE_ID}' AND d.procedure_id = '${FILING_PROCEDURE_ID}'
     AND d.finished_at >= now() - interval '28 days'
)
SELECT g.urgency_date, g.waiting, g.earlier, g.same, c.draws, c.served FROM capacity c LEFT JOIN groups g ON true`,
    ],
  };
}

/**
 * The fraud signals' statements of a filing (src/app/fraud/score-requests.ts scoreAndHold,
 * src/adapters/db/fraud-signals-store.ts): the request locked, its counts (capped at 200, over
 * at most 800 records), then its score written with its observation — the storm's filings are
 * held (a burst from one network and namesakes), so the write happens every time.
 */
function fraudSignalsSql(reference: string): string[] {
  const subject = `select identity_key, email_key, network, email_domain, phone, device_digest, name_key
    from allocation_request where reference = ${reference}`;
  const documents = (column: string, days: number) => `(select least(count(distinct k), 200)::int from (
     select x.identity_key as k from allocation_request x, s
      where s.${column} is not null and x.${column} = s.${column} and x.filed_at > now() - interval '${days} days' and x.filed_at <= now()
     union all
     select a.identity_key from appointment a, s
      where s.${column} is not null and a.${column} = s.${column} and a.created_at > now() - interval '${days} days' and a.created_at <= now()
     limit 800) counted)`;
  return [
    `SELECT r.id, r.reference, r.prefecture_id, p.name, p.time_zone, r.status, r.review_state, r.cleared_kinds, r.lapses_at,
  r.fraud_score, r.email, r.language, r.given_names, r.surname, pr.name_fr, pr.name_en
  FROM allocation_request r JOIN prefecture p ON p.id = r.prefecture_id JOIN procedure pr ON pr.id = r.procedure_id
 WHERE r.reference = ${reference} FOR UPDATE OF r`,
    `WITH s AS (${subject})
SELECT (select count(*)::int from (select 1 from allocation_request x, s where s.network is not null and x.network = s.network
          and x.channel = 'online' and x.filed_at > now() - interval '1 day' and x.filed_at <= now() limit 200) counted) as network_burst,
       ${documents('email_domain', 30)} as email_domain_crowd,
       ${documents('phone', 90)} as shared_phone,
       ${documents('device_digest', 30)} as shared_device,
       (select count(*)::int from churn_event c, s where c.identity_key = s.identity_key
          and c.at > now() - interval '90 days' and c.at <= now()) as churn,
       (select count(*)::int from offer o join allocation_request x on x.id = o.request_id, s
         where x.identity_key = s.identity_key and o.status = 'expired'
           and o.decided_at > now() - interval '180 days' and o.decided_at <= now()) as ignored_offers,
       (select count(*)::int from (select 1 from appointment a, s
         where a.identity_refused_at > now() - interval '180 days' and a.identity_refused_at <= now()
           and (a.identity_key = s.identity_key or a.email_key = s.email_key or a.phone = s.phone or a.network = s.network)
         limit 200) counted) as identity_refused,
       (select count(*)::int from appointment a, s where a.identity_key = s.identity_key
          and a.no_show_at > now() - interval '180 days' and a.no_show_at <= now()) as no_shows,
       (select least(count(distinct k), 200)::int from (
          select x.identity_key as k from allocation_request x, s
           where x.name_key = s.name_key and x.status in ('waiting', 'offered', 'paused') and x.identity_key <> s.identity_key
          union all
          select a.identity_key from appointment a, s
           where a.name_key = s.name_key and a.status in ('booked', 'arrived') and a.identity_key <> s.identity_key
          limit 800) counted) as likely_duplicate
  FROM s`,
    `WITH updated AS (
  UPDATE allocation_request SET fraud_score = 80,
         fraud_reasons = '[{"kind":"likely_duplicate","count":200,"points":45},{"kind":"network_burst","count":200,"points":35}]'::jsonb,
         review_state = 'held', held_at = now(), lapses_at = now() + interval '72 hours'
   WHERE reference = ${reference} RETURNING id, prefecture_id)
INSERT INTO fraud_observation (prefecture_id, request_id, at, event, score, reasons, held)
SELECT prefecture_id, id, now(), 'filed', 80,
       '[{"kind":"likely_duplicate","count":200,"points":45},{"kind":"network_burst","count":200,"points":35}]'::jsonb, true
  FROM updated`,
  ];
}

/** The pgbench script of the filing: one request per transaction, each with its own verification (see pgbenchScript). */
export function filingPgbenchScript(offset: number, perClient: number): string {
  const { beforeTransaction, churn, insert, inTransaction } = filingStatementsSql(':v');
  return `\\set k :k + 1
\\set v ${offset} + :client_id * ${perClient} + :k
${beforeTransaction.map((q) => `${q};`).join('\n')}
BEGIN;
${churn};
${insert};
${inTransaction.map((q) => `${q};`).join('\n')}
COMMIT;
`;
}
