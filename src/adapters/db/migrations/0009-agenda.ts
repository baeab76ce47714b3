// Agenda and check-in: who moved an appointment along at the counter, and when.
//   * checked_in_at / served_at / no_show_at: the instant of each step (null until it happens);
//   * status_changed_by / status_changed_at: the agent of the last step and its instant.
// The transitions themselves are guarded in the UPDATE ("where status = <from>", see
// agenda-store.ts): of two agents clicking at once, exactly one changes the row. The checks
// below keep the timestamps consistent with the status, whatever wrote them.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table appointment
      add column checked_in_at timestamptz,
      add column served_at timestamptz,
      add column no_show_at timestamptz,
      add column status_changed_by uuid references agent(id),
      add column status_changed_at timestamptz,
      add constraint appointment_served_after_check_in check (served_at is null or (checked_in_at is not null and served_at >= checked_in_at)),
      add constraint appointment_no_show_or_came check (no_show_at is null or checked_in_at is null)`.execute(db);
  // The day's agenda of a site: slots by site and local day (the search index covers open slots of one procedure only).
  await sql`create index slot_site_day on slot (site_id, local_date)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists slot_site_day`.execute(db);
  await sql`
    alter table appointment
      drop constraint if exists appointment_no_show_or_came,
      drop constraint if exists appointment_served_after_check_in,
      drop column if exists status_changed_at,
      drop column if exists status_changed_by,
      drop column if exists no_show_at,
      drop column if exists served_at,
      drop column if exists checked_in_at`.execute(db);
}
