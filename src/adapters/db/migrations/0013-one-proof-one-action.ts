// One proof of work pays for one action, one email code for a bounded number of registry
// checks (issue 12 §1 and §6):
//   * http_idempotency: the answer of each request sent with an Idempotency-Key on a route a
//     proof of work guards, kept 24 h. The key (its digest) is the primary key, so of any
//     number of simultaneous claims exactly one inserts the row; the others read it and are
//     answered from it: the stored answer for the very same request (route, body fingerprint,
//     client), IDEMPOTENCY_KEY_REUSED for any other, IDEMPOTENCY_IN_PROGRESS while `status`
//     is null. A claim left without an answer past its lease (a crashed instance) may be taken
//     over by the same request.
//   * email_verification.identity_key: the identity (keyed AGDREF number) a code was first
//     checked against in the registry; the code serves that identity only.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table http_idempotency (
      key_digest text primary key,
      client_digest text not null,
      route text not null,
      fingerprint text not null,
      claimed_at timestamptz not null,
      created_at timestamptz not null,
      status integer check (status between 100 and 599),
      content_type text,
      body text,
      check ((status is null) = (body is null))
    )`.execute(db);
  await sql`create index http_idempotency_created on http_idempotency (created_at)`.execute(db);

  await sql`alter table email_verification add column identity_key text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table email_verification drop column if exists identity_key`.execute(db);
  await sql`drop table if exists http_idempotency`.execute(db);
}
