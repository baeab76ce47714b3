// A way back in people can use (issue 15, Applicants 1): the booking or request reference and
// the birth date ask for a code sent to the address on file; the code (purpose 'access')
// opens the appointment or request on this device with a new management token.
// A call-back gets a reference too (Applicants 11), said on its confirmation and given to the
// agent who calls; null for call-backs queued before.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table email_verification drop constraint email_verification_purpose_check`.execute(db);
  await sql`
    alter table email_verification add constraint email_verification_purpose_check
      check (purpose in ('booking', 'request', 'reschedule', 'access'))`.execute(db);
  await sql`alter table callback_request add column reference text`.execute(db);
  await sql`create unique index callback_request_reference on callback_request (reference)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table callback_request drop column reference`.execute(db);
  await sql`delete from email_verification where purpose = 'access'`.execute(db);
  await sql`alter table email_verification drop constraint email_verification_purpose_check`.execute(db);
  await sql`
    alter table email_verification add constraint email_verification_purpose_check
      check (purpose in ('booking', 'request', 'reschedule'))`.execute(db);
}
