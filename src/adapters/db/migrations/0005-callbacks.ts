// Call-back requests left on the contact page for the agents of a prefecture. The
// invariants, as constraints:
//   * a phone number has at most one open ('to_call') call-back per prefecture
//     (callback_request_one_open_per_phone): the form cannot flood the agents' queue — a
//     second one is answered like the first and stores nothing;
//   * the situation is short (500 characters), the status one of four.
// The agents read the queue oldest first, per prefecture and status (callback_request_queue).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table callback_request (
      id uuid primary key default gen_random_uuid(),
      prefecture_id text not null references prefecture(id),
      phone text not null check (phone ~ '^(0[1-9][0-9]{8}|\\+[1-9][0-9]{7,14})$'),
      language text not null check (language ~ '^([a-z]{2}|other)$'),
      situation text not null check (char_length(situation) between 1 and 500),
      status text not null default 'to_call' check (status in ('to_call', 'called', 'resolved', 'unreachable')),
      assigned_agent text,
      notes text not null default '',
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`create unique index callback_request_one_open_per_phone on callback_request (prefecture_id, phone) where status = 'to_call'`.execute(
    db,
  );
  await sql`create index callback_request_queue on callback_request (prefecture_id, status, created_at, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists callback_request`.execute(db);
}
