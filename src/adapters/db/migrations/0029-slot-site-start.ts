// The slots of one site at one instant (issue 14, the booking storm): a booking attempt asks
// whether every counter of its time is taken (findSlot's `held`) and, when it books, takes any
// free counter of that time (insertAppointment's `bookable`). Both found those slots through
// slot_site_day (site, local date) and filtered the whole day: 1,600 slots a day at the
// benchmark's site, about 1.3 and 1.7 ms of PostgreSQL per attempt, more than the rest of the
// attempt together (pg_stat_statements). Over every status: `bookable` reads the status as a
// parameter, which a generic plan cannot match with a partial index.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index slot_site_start on slot (site_id, starts_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index slot_site_start`.execute(db);
}
