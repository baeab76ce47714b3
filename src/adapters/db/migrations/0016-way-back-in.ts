// A way back in people can use (issue 15, Applicants 1): the booking or request reference and
// the birth date ask for a code sent to the address on file; the code (purpose 'access')
// opens the appointment or request on this device with a new management token.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table email_verification drop constraint email_verification_purpose_check`.execute(db);
  await sql`
    alter table email_verification add constraint email_verification_purpose_check
      check (purpose in ('booking', 'request', 'reschedule', 'access'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from email_verification where purpose = 'access'`.execute(db);
  await sql`alter table email_verification drop constraint email_verification_purpose_check`.execute(db);
  await sql`
    alter table email_verification add constraint email_verification_purpose_check
      check (purpose in ('booking', 'request', 'reschedule'))`.execute(db);
}
