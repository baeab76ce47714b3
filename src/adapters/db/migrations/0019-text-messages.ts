// Text messages (issue 15, "Text messages").
//   * outbox.channel: 'email' (every row before this migration) or 'sms', whose recipient is a
//     phone number normalised like appointment.phone (migration 0018); the CHECK keeps an SMS
//     row from ever carrying an address, and an email row from carrying a number;
//   * sms_opt_out: the numbers that answered STOP, by keyed digest only (HMAC under the
//     identity secret: the table names nobody); an opted-out number is sent nothing;
//   * sms_daily_count: one counter row per number and (Paris) day, `CHECK (sent <= cap)`, as
//     email_quota does for bookings: the worker counts each SMS before it goes, and the
//     database refuses the one past the cap (e.g. the 6th of a day with SMS_DAILY_LIMIT=5),
//     so nobody can use us to flood a number, however many instances send.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox add column channel text not null default 'email' check (channel in ('email', 'sms'))`.execute(
    db,
  );
  await sql`alter table outbox add constraint outbox_sms_recipient_shape
    check (channel <> 'sms' or recipient ~ '^(0[1-9][0-9]{8}|\\+[1-9][0-9]{7,14})$')`.execute(db);
  await sql`
    create table sms_opt_out (
      phone_key text primary key check (length(phone_key) between 16 and 128),
      opted_out_at timestamptz not null
    )`.execute(db);
  await sql`
    create table sms_daily_count (
      phone_key text not null check (length(phone_key) between 16 and 128),
      day date not null,
      sent integer not null check (sent >= 1),
      cap integer not null check (cap >= 1),
      primary key (phone_key, day),
      constraint sms_daily_count_within_cap check (sent <= cap)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists sms_daily_count`.execute(db);
  await sql`drop table if exists sms_opt_out`.execute(db);
  await sql`alter table outbox drop constraint if exists outbox_sms_recipient_shape`.execute(db);
  await sql`alter table outbox drop column if exists channel`.execute(db);
}
