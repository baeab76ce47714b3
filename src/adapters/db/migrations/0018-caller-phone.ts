// Agents find and call people (issue 15, Agents 1 and 2).
//   * appointment.phone / allocation_request.phone: the caller's number, normalised like a
//     call-back's (domain/callback-rules.ts normalisePhoneNumber: "0612345678" or
//     "+221771234567"); the CHECK keeps any other spelling out, so an exact search finds it;
//   * appointment_phone_unless_email: a phone or counter booking of someone without email
//     has a number (the agent must be able to call them: a closure, a move). NOT VALID: rows
//     written before this migration keep their shape; every new or changed row is checked;
//   * indexes for the agents' exact searches by phone and by email key (requests had none).
import { type Kysely, sql } from 'kysely';

const PHONE_SHAPE = sql.raw(`phone ~ '^(0[1-9][0-9]{8}|\\+[1-9][0-9]{7,14})$'`);

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['appointment', 'allocation_request']) {
    await sql`alter table ${sql.table(table)} add column phone text constraint ${sql.raw(`${table}_phone_shape`)} check (${PHONE_SHAPE})`.execute(
      db,
    );
    await sql`create index ${sql.raw(`${table}_phone`)} on ${sql.table(table)} (phone) where phone is not null`.execute(
      db,
    );
  }
  await sql`alter table appointment add constraint appointment_phone_unless_email
    check (email is not null or phone is not null or channel = 'online') not valid`.execute(db);
  await sql`create index allocation_request_email_key on allocation_request (email_key)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists allocation_request_email_key`.execute(db);
  await sql`alter table appointment drop constraint if exists appointment_phone_unless_email`.execute(db);
  for (const table of ['appointment', 'allocation_request']) {
    await sql`alter table ${sql.table(table)} drop column if exists phone`.execute(db);
  }
}
