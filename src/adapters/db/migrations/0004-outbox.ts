// The transactional outbox, and the language of each applicant.
//
// A message is a row written in the same transaction as what it announces (a booking, a
// cancellation, an offer…): if that transaction rolls back, there is no message; if it
// commits, the message exists and a worker delivers it (app/notifications/deliver-outbox.ts), whatever
// happens to the process in between. The invariants, as constraints:
//   * one message per event (outbox_dedupe_key_key): e.g. one confirmation per appointment,
//     one reminder per appointment and version ('appointment-reminder:<id>:<reschedules>');
//   * a message is sent at most once as far as the database knows: only the holder of the
//     current claim (claim_token) marks it sent, and a sent message has its sent_at;
//   * a claimed message has a token and a lease (claimed_until), nothing else has either.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['appointment', 'allocation_request']) {
    await sql`alter table ${sql.table(table)} add column language text not null default 'fr' check (language in ('fr', 'en'))`.execute(
      db,
    );
  }

  await sql`
    create table outbox (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind ~ '^[a-z]+(-[a-z]+)*$'),
      recipient text not null check (length(recipient) between 3 and 254),
      language text not null check (language in ('fr', 'en')),
      payload jsonb not null,
      dedupe_key text not null unique,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'cancelled')),
      deliver_after timestamptz not null,
      next_attempt_at timestamptz not null,
      attempts integer not null default 0 check (attempts >= 0),
      claimed_until timestamptz,
      claim_token uuid,
      sent_at timestamptz,
      last_error text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((status = 'sent') = (sent_at is not null)),
      check ((claim_token is null) = (claimed_until is null)),
      check (status = 'pending' or claim_token is null)
    )`.execute(db);
  // What the workers poll: pending messages by due time (the claim adds the lease test).
  await sql`create index outbox_due on outbox (next_attempt_at) where status = 'pending'`.execute(db);
  // What the upkeep purges: finished messages by age.
  await sql`create index outbox_finished on outbox (updated_at) where status <> 'pending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists outbox`.execute(db);
  for (const table of ['allocation_request', 'appointment']) {
    await sql`alter table ${sql.table(table)} drop column if exists language`.execute(db);
  }
}
