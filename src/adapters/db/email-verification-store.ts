// Kysely implementation of the email-code store, the same on PostgreSQL and PGlite.
import type { ExpressionBuilder, Transaction } from 'kysely';
import { type EmailCodePurpose, parseVerificationId } from '../../domain/one-time-code.ts';
import type {
  EmailCodeAttempt,
  EmailCodeVerdict,
  EmailVerificationStore,
} from '../../ports/email-verification-store.ts';
import { type Db, precompiled } from './database.ts';
import type { Database } from './schema.ts';

/** The arguments of the two statements below, with a valid verification id. */
interface CodeArgs {
  id: string;
  email: string;
  purpose: EmailCodePurpose;
  codeHash: string;
  now: Date;
}
const PLACEHOLDERS: CodeArgs = {
  id: '\0id',
  email: '\0email',
  purpose: '\0purpose' as EmailCodePurpose,
  codeHash: '\0codeHash',
  now: new Date(0),
};

/** The verification a try or a consumption may touch: this id, address and action, not expired, not consumed, tries left. */
const isLive = (eb: ExpressionBuilder<Database, 'email_verification'>, a: CodeArgs) =>
  eb.and([
    eb('id', '=', a.id),
    eb('email', '=', a.email),
    eb('purpose', '=', a.purpose),
    eb('consumed_at', 'is', null),
    eb('expires_at', '>', a.now),
    eb('attempts', '<', eb.ref('max_attempts')),
  ]);

/**
 * Counts a wrong try and judges the code in ONE statement: concurrent wrong tries are all
 * counted (each UPDATE waits for the row lock of the previous one and re-reads `attempts`),
 * and `attempts` never passes `max_attempts`. A right code uses up no try and writes nothing:
 * its check is a read, so it costs no row version, no WAL and no commit flush — the booking
 * that follows consumes it in its own transaction.
 */
const judgeCode = precompiled(
  (qb, a) =>
    qb
      .with('wrong', (w) =>
        w
          .updateTable('email_verification')
          .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
          .where((eb) => isLive(eb, a))
          .where('code_hash', '<>', a.codeHash)
          .returning('id'),
      )
      .selectNoFrom((eb) => [
        eb.exists(eb.selectFrom('wrong').select('id')).as('wrong'),
        eb
          .exists(
            eb
              .selectFrom('email_verification')
              .select('id')
              .where((v) => isLive(v, a))
              .where('code_hash', '=', a.codeHash),
          )
          .as('right'),
      ]),
  PLACEHOLDERS,
);

/** Consumes a live verification whose digest matches. */
const consumeCode = precompiled(
  (qb, a) =>
    qb
      .updateTable('email_verification')
      .set({ consumed_at: a.now })
      .where((eb) => isLive(eb, a))
      .where('code_hash', '=', a.codeHash)
      .returning('id'),
  PLACEHOLDERS,
);

/** The statements' arguments; null for a malformed id, which matches nothing (in SQL it would be a uuid cast error). */
function codeArgs(attempt: EmailCodeAttempt): CodeArgs | null {
  const id = parseVerificationId(attempt.verificationId);
  return id
    ? { id, email: attempt.email, purpose: attempt.purpose, codeHash: attempt.codeHash, now: attempt.now }
    : null;
}

/** One statement: counts the try unless the code is right, and tells which (see judgeCode). */
export async function checkEmailCode(
  db: Db | Transaction<Database>,
  attempt: EmailCodeAttempt,
): Promise<EmailCodeVerdict> {
  const args = codeArgs(attempt);
  if (!args) return 'unusable';
  const [row] = (await judgeCode(db, args)).rows;
  if (row?.right) return 'right';
  return row?.wrong ? 'wrong' : 'unusable';
}

/**
 * Consumes the verification if it is still live and the digest matches. Pass the booking's
 * Kysely transaction: the consumption then commits or rolls back with the booking.
 */
export async function consumeEmailVerification(
  db: Db | Transaction<Database>,
  attempt: EmailCodeAttempt,
): Promise<boolean> {
  const args = codeArgs(attempt);
  if (!args) return false;
  return (await consumeCode(db, args)).rows.length > 0;
}

export function createEmailVerificationStore(db: Db): EmailVerificationStore {
  return {
    async spendTryOnRegistryCheck(attempt) {
      const args = codeArgs(attempt);
      if (!args) return false;
      const row = await db
        .updateTable('email_verification')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), identity_key: attempt.identityKey }))
        .where((eb) => isLive(eb, args))
        .where('code_hash', '=', args.codeHash)
        .where((eb) => eb.or([eb('identity_key', 'is', null), eb('identity_key', '=', attempt.identityKey)]))
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async refundRegistryCheckTry(verificationId) {
      const id = parseVerificationId(verificationId);
      if (!id) return;
      await db
        .updateTable('email_verification')
        .set((eb) => ({ attempts: eb('attempts', '-', 1) }))
        .where('id', '=', id)
        .where('attempts', '>', 0)
        .where('consumed_at', 'is', null)
        .execute();
    },
    async insertEmailVerification(v) {
      await db
        .insertInto('email_verification')
        .values({
          id: v.id,
          email: v.email,
          email_key: v.emailKey,
          purpose: v.purpose,
          code_hash: v.codeHash,
          max_attempts: v.maxAttempts,
          created_at: v.createdAt,
          expires_at: v.expiresAt,
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
