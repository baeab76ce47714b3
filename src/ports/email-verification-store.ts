// Storage of email one-time codes. The database decides every race: a try is counted and
// judged in one statement, and a code is consumed by one conditional UPDATE that runs in the
// transaction of the action it authorises (so a refused booking leaves the code usable).
import type { EmailCodePurpose } from '../domain/one-time-code.ts';

export interface NewEmailVerification {
  id: string;
  /** Normalised (trimmed, lower case): the address the code was sent to and is bound to. */
  email: string;
  emailKey: string;
  purpose: EmailCodePurpose;
  /** Keyed digest of the code, bound to `id`; the code itself is never stored. */
  codeHash: string;
  maxAttempts: number;
  createdAt: Date;
  expiresAt: Date;
}

/** What a code is checked against: the verification, the address, the action, the digest of what was typed. */
export interface EmailCodeAttempt {
  verificationId: string;
  email: string;
  purpose: EmailCodePurpose;
  codeHash: string;
  now: Date;
}

/**
 * 'right': the code matches a live verification (the try is not counted against it);
 * 'wrong': it does not, and the try was counted; 'unusable': no live verification matches
 * (unknown id, other address or action, expired, consumed, or out of tries).
 */
export type EmailCodeVerdict = 'right' | 'wrong' | 'unusable';

export interface EmailVerificationConsumer {
  /**
   * Marks the verification used if it is still live and the digest matches; false otherwise.
   * Call it inside the transaction of the action it authorises: if that transaction rolls
   * back, the code is usable again. Two concurrent consumers: the second waits for the
   * first to commit, then finds nothing to consume.
   */
  consumeEmailVerification(attempt: EmailCodeAttempt): Promise<boolean>;
}

/** A registry check about to be made with a right code: the identity it checks (keyed AGDREF number). */
export interface RegistryCheckAttempt extends EmailCodeAttempt {
  identityKey: string;
}

export interface EmailVerificationStore extends EmailVerificationConsumer {
  /**
   * One statement, before a registry check made with a right code: binds the verification to
   * the identity if it has none yet, and spends one of its tries — only if it is still live,
   * the digest matches, and it is bound to no other identity. False otherwise (the check must
   * not be made). Concurrent checks each spend a try, so at most max_attempts are ever made.
   */
  spendTryOnRegistryCheck(attempt: RegistryCheckAttempt): Promise<boolean>;
  /** Gives back the try of a registry check that passed or could not be made (registry down, limits). */
  refundRegistryCheckTry(verificationId: string): Promise<void>;
  insertEmailVerification(verification: NewEmailVerification): Promise<void>;
  /** One statement: counts the try unless the code is right, and tells which. Concurrent tries are all counted. */
  checkEmailCode(attempt: EmailCodeAttempt): Promise<EmailCodeVerdict>;
  /** Deletes verifications that expired before `before`; returns how many. */
  purgeEmailVerifications(before: Date): Promise<number>;
}
