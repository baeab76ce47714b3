// A draw turns up to a million waiting requests into offered ones (issue 14: a draw in
// seconds). The per-email cap's trigger (migration 0012) ran its function on every one of
// those rows, although 'waiting' → 'offered' keeps a request live and changes no count. It now
// fires only when a row enters or leaves the live statuses; the function, and so the cap, is
// unchanged.
import { type Kysely, sql } from 'kysely';

const LIVE = sql.raw(`('waiting', 'offered', 'paused')`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger allocation_request_email_quota on allocation_request`.execute(db);
  await sql`
    create trigger allocation_request_email_quota after insert on allocation_request
    for each row when (new.status in ${LIVE}) execute function allocation_request_track_email_quota()`.execute(db);
  await sql`
    create trigger allocation_request_email_quota_on_update after update of status on allocation_request
    for each row when ((old.status in ${LIVE}) is distinct from (new.status in ${LIVE}))
    execute function allocation_request_track_email_quota()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger allocation_request_email_quota_on_update on allocation_request`.execute(db);
  await sql`drop trigger allocation_request_email_quota on allocation_request`.execute(db);
  await sql`
    create trigger allocation_request_email_quota after insert or update of status on allocation_request
    for each row execute function allocation_request_track_email_quota()`.execute(db);
}
