// Fraud signals, held requests and their review (issue 16, part 3; domain/fraud-signals.ts).
//   * allocation_request and appointment keep what the signals count, for that purpose only
//     (domain/retention.ts clears the network and the device digest after 6 months): the
//     filing/booking network (IPv4 /24 or IPv6 /64, never the address), a keyed digest of the
//     first-party device cookie, the private email domain (null for a public provider);
//   * a request's review state: 'none' → 'held' (score at or above the threshold) → 'cleared'
//     (by an agent, or by the lapse of the hold) or 'refused' (closed); the score and its
//     reasons, the kinds a clearance covered, who decided, when and why;
//   * an appointment's score (flagged on the review list, never held) and the counter's
//     "identity refused" outcome;
//   * fraud_observation: every score above zero as it was computed (signals over time, a
//     case's evidence).
// A hold needs no job to lapse: the draw reads "held and lapses_at > now" as held.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table allocation_request
      add column network text check (network is null or length(network) <= 50),
      add column device_digest text check (device_digest is null or length(device_digest) <= 128),
      add column email_domain text check (email_domain is null or length(email_domain) <= 255),
      add column review_state text not null default 'none' check (review_state in ('none', 'held', 'cleared', 'refused')),
      add column held_at timestamptz,
      add column lapses_at timestamptz,
      add column fraud_score integer not null default 0 check (fraud_score >= 0),
      add column fraud_reasons jsonb not null default '[]',
      add column cleared_kinds text[] not null default '{}',
      add column review_decided_by uuid references agent(id),
      add column review_decided_at timestamptz,
      add column review_reason text check (review_reason is null or length(review_reason) between 1 and 1000),
      add constraint allocation_request_hold_shape
        check (review_state <> 'held' or (held_at is not null and lapses_at > held_at)),
      add constraint allocation_request_decision_shape
        check (review_state not in ('cleared', 'refused') or (review_decided_at is not null and review_reason is not null))`.execute(
    db,
  );
  await sql`
    alter table appointment
      add column network text check (network is null or length(network) <= 50),
      add column device_digest text check (device_digest is null or length(device_digest) <= 128),
      add column email_domain text check (email_domain is null or length(email_domain) <= 255),
      add column fraud_score integer not null default 0 check (fraud_score >= 0),
      add column fraud_reasons jsonb not null default '[]',
      add column identity_refused_at timestamptz,
      add column identity_refused_by uuid references agent(id)`.execute(db);

  // The counts of domain/fraud-signals.ts RequestFacts, each over its window (phones: the
  // indexes of migration 0018).
  await sql`create index allocation_request_network on allocation_request (network, filed_at) where network is not null`.execute(
    db,
  );
  await sql`create index allocation_request_device on allocation_request (device_digest, filed_at) where device_digest is not null`.execute(
    db,
  );
  await sql`create index allocation_request_email_domain on allocation_request (email_domain, filed_at) where email_domain is not null`.execute(
    db,
  );
  await sql`create index allocation_request_identity on allocation_request (identity_key)`.execute(db);
  await sql`create index allocation_request_birth_date on allocation_request (birth_date)`.execute(db);
  await sql`create index allocation_request_review on allocation_request (prefecture_id, review_state, lapses_at) where review_state <> 'none'`.execute(
    db,
  );
  await sql`create index appointment_network on appointment (network, created_at) where network is not null`.execute(
    db,
  );
  await sql`create index appointment_device on appointment (device_digest, created_at) where device_digest is not null`.execute(
    db,
  );
  await sql`create index appointment_email_domain on appointment (email_domain, created_at) where email_domain is not null`.execute(
    db,
  );
  await sql`create index appointment_identity on appointment (identity_key)`.execute(db);
  await sql`create index appointment_birth_date on appointment (birth_date)`.execute(db);
  await sql`create index appointment_identity_refused on appointment (identity_refused_at) where identity_refused_at is not null`.execute(
    db,
  );
  await sql`create index appointment_no_show on appointment (identity_key, no_show_at) where no_show_at is not null`.execute(
    db,
  );

  await sql`
    create table fraud_observation (
      id bigint generated always as identity primary key,
      prefecture_id text not null references prefecture(id),
      request_id uuid references allocation_request(id) on delete cascade,
      appointment_id uuid references appointment(id) on delete cascade,
      at timestamptz not null,
      event text not null check (event in ('filed', 'booked', 'churn', 'ignored_offer', 'no_show', 'identity_refused')),
      score integer not null check (score > 0),
      reasons jsonb not null,
      held boolean not null default false,
      check (num_nonnulls(request_id, appointment_id) = 1)
    )`.execute(db);
  await sql`create index fraud_observation_prefecture on fraud_observation (prefecture_id, at)`.execute(db);
  await sql`create index fraud_observation_request on fraud_observation (request_id, at) where request_id is not null`.execute(
    db,
  );
  await sql`create index fraud_observation_appointment on fraud_observation (appointment_id, at) where appointment_id is not null`.execute(
    db,
  );
}
