// Public numbers (issue 17): weekly figures per prefecture, procedure and week, computed by a
// job (app/statistics/compute-weekly-figures.ts) so that a page reads at most 53 rows.
//   * public_statistics_week: one row per (prefecture, procedure or '*' for all of them,
//     Monday of the week in the prefecture's zone); raw figures, before the suppression rule
//     (domain/public-statistics.ts applies it when they are published). The job rewrites the
//     current and previous weeks at each run (an upsert: running it twice changes nothing);
//     older weeks stay as they were computed;
//   * public_statistics_pressure_week: refused proofs of work and rate-limited requests per
//     metropolitan week — security events name no prefecture, so these are national;
//   * public_statistics_run: one row per period (an hour by default): the instance that
//     inserts it runs the job, the others skip it (as draw_once_per_tick elects a drawer);
//   * indexes for the job's week-bounded reads on a year of a large prefecture.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table public_statistics_week (
      prefecture_id text not null references prefecture (id) on delete cascade,
      procedure_id text not null,
      week_start date not null check (extract(isodow from week_start) = 1),
      computed_at timestamptz not null,
      requests_booked integer not null default 0,
      wait_median_days double precision,
      wait_p90_days double precision,
      open_booked integer not null default 0,
      open_median_days double precision,
      open_p90_days double precision,
      requests_waiting integer not null default 0,
      waiting_age_median_days double precision,
      slots_offered integer not null default 0,
      slots_taken integer not null default 0,
      slots_open integer not null default 0,
      slots_unused integer not null default 0,
      urgent_cases integer not null default 0,
      urgent_served integer not null default 0,
      appointments_due integer not null default 0,
      no_shows integer not null default 0,
      draws integer not null default 0,
      urgency_held integer not null default 0,
      urgency_refused integer not null default 0,
      primary key (prefecture_id, procedure_id, week_start)
    )`.execute(db);
  await sql`
    create table public_statistics_pressure_week (
      week_start date primary key check (extract(isodow from week_start) = 1),
      computed_at timestamptz not null,
      pow_refused integer not null default 0,
      rate_limited integer not null default 0
    )`.execute(db);
  await sql`
    create table public_statistics_run (
      period text primary key,
      started_at timestamptz not null,
      finished_at timestamptz
    )`.execute(db);
  await sql`create index appointment_site_created on appointment (site_id, created_at)`.execute(db);
  await sql`create index allocation_request_prefecture_filed on allocation_request (prefecture_id, filed_at)`.execute(
    db,
  );
  await sql`create index allocation_request_prefecture_urgency on allocation_request (prefecture_id, urgency_date) where urgency_date is not null`.execute(
    db,
  );
  await sql`create index offer_appointment on offer (appointment_id) where appointment_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists offer_appointment`.execute(db);
  await sql`drop index if exists allocation_request_prefecture_urgency`.execute(db);
  await sql`drop index if exists allocation_request_prefecture_filed`.execute(db);
  await sql`drop index if exists appointment_site_created`.execute(db);
  await sql`drop table if exists public_statistics_run`.execute(db);
  await sql`drop table if exists public_statistics_pressure_week`.execute(db);
  await sql`drop table if exists public_statistics_week`.execute(db);
}
