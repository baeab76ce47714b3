// Public numbers (issue 17): the pressure from automation a prefecture sees itself — requests
// held for a fraud check in the week (domain/fraud-signals.ts, migration 0023) and those
// refused after it — beside the national refused proofs of work and rate-limited requests.
// Weeks computed before this migration keep 0: nothing was held before the signals existed.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table public_statistics_week
      add column fraud_held integer not null default 0 check (fraud_held >= 0),
      add column fraud_refused integer not null default 0 check (fraud_refused >= 0)`.execute(db);
}
