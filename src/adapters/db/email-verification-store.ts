// Kysely implementation of the email-code store, the same on PostgreSQL and PGlite.
import { sql, type Transaction } from 'kysely';
import { parseVerificationId } from '../../domain/one-time-code.ts';
import type { EmailCodeAttempt, EmailCodeVerdict, EmailVerificationStore } from '../../ports/email-verification-store.ts';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

/** The verification a try or a consumption may touch: this id, address and action, not expired, not consumed, tries left. */
function liveVerification(db: Db | Transaction<Database>, id: string, a: EmailCodeAttempt) {
  return db
    .updateTable('email_verification')
    .where('id', '=', id)
    .where('email', '=', a.email)
    .where('purpose', '=', a.purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', a.now)
    .where('attempts', '<', sql<number>`max_attempts`);
}

/**
 * Counts the try and judges it in ONE statement, so concurrent wrong tries are all counted
 * (each UPDATE waits for the row lock of the previous one and re-reads `attempts`) and
 * `attempts` never passes `max_attempts`. A right code does not use up a try.
 */
export async function checkEmailCode(db: Db | Transaction<Database>, attempt: EmailCodeAttempt): Promise<EmailCodeVerdict> {
  // A malformed id would be a uuid cast error in SQL; it simply matches nothing.
  const id = parseVerificationId(attempt.verificationId);
  if (!id) return 'unusable';
  const row = await liveVerification(db, id, attempt)
    .set({ attempts: sql<number>`attempts + (case when code_hash = ${attempt.codeHash} then 0 else 1 end)` })
    .returning(sql<boolean>`code_hash = ${attempt.codeHash}`.as('ok'))
    .executeTakeFirst();
  if (!row) return 'unusable';
  return row.ok ? 'right' : 'wrong';
}

/**
 * Consumes the verification if it is still live and the digest matches. Pass the booking's
 * Kysely transaction: the consumption then commits or rolls back with the booking.
 */
export async function consumeEmailVerification(db: Db | Transaction<Database>, attempt: EmailCodeAttempt): Promise<boolean> {
  const id = parseVerificationId(attempt.verificationId);
  if (!id) return false;
  const row = await liveVerification(db, id, attempt)
    .where('code_hash', '=', attempt.codeHash)
    .set({ consumed_at: attempt.now })
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export function createEmailVerificationStore(db: Db): EmailVerificationStore {
  return {
    async insertEmailVerification(v) {
      await db
        .insertInto('email_verification')
        .values({
          id: v.id, email: v.email, email_key: v.emailKey, purpose: v.purpose, code_hash: v.codeHash,
          max_attempts: v.maxAttempts, created_at: v.createdAt, expires_at: v.expiresAt,
        })
        .execute();
    },
    checkEmailCode: (attempt) => checkEmailCode(db, attempt),
    consumeEmailVerification: (attempt) => consumeEmailVerification(db, attempt),
    async purgeEmailVerifications(before) {
      const result = await db.deleteFrom('email_verification').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
