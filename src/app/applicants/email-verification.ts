// Checking and consuming an email one-time code, for the booking, request and reschedule
// flows. Every failure — unknown id, other address or action, wrong code, expired, consumed,
// out of tries — is the same EMAIL_CODE_INVALID, so nothing can be learnt about an address.
//
// Flow of an action protected by a code:
//   1. before the transaction: `const verified = await checkEmailCode(deps, { … })`
//      (a wrong try is counted at once, in its own statement, so it cannot be rolled back);
//   2. inside the action's transaction, after its writes succeeded:
//      `await consumeEmailCode(tx, verified, now)` — if the action is refused (slot taken),
//      the transaction rolls back and the person can retry with the same code.
import { DomainError } from '../../domain/errors.ts';
import { emailKey } from '../../domain/identity.ts';
import {
  EMAIL_CODE_MAX_TTL_MINUTES,
  type EmailCodePurpose,
  normaliseCodeInput,
  normaliseVerifiedEmail,
  parseVerificationId,
} from '../../domain/one-time-code.ts';
import type { AttemptLimiter } from '../../ports/attempt-limiter.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EmailVerificationConsumer, EmailVerificationStore } from '../../ports/email-verification-store.ts';
import type { Mailer } from '../../ports/mailer.ts';
import type { Hasher, SecretGenerator } from '../../ports/secrets.ts';
import type { SecurityEventLog } from '../../ports/security-events.ts';

/** The shape of config.emailCodes. */
export interface EmailCodePolicy {
  ttlMinutes: number;
  maxAttempts: number;
  sendsPerEmailPerHour: number;
  sendsPerIpPerHour: number;
}

export interface EmailCodeDeps {
  emailVerifications: EmailVerificationStore;
  mailer: Mailer;
  limiter: AttemptLimiter;
  securityEvents: SecurityEventLog;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
  emailCodes: EmailCodePolicy;
}

/** Proof that a code was right, to hand to consumeEmailCode inside the action's transaction. */
export interface VerifiedEmailCode {
  verificationId: string;
  email: string;
  purpose: EmailCodePurpose;
  codeHash: string;
}

export interface CheckEmailCodeInput {
  verificationId: string;
  /** The address the action will use (the booking's applicant email): it must be the one the code was sent to. */
  email: string;
  purpose: EmailCodePurpose;
  /** As typed: "1234 5678", "1234-5678" and "12345678" are the same code. */
  code: string;
  /** For the security event of a refusal. */
  ip: string | null;
  route: string;
}

/** Never more than 10 minutes, whatever the configuration says. */
export function emailCodeTtlMinutes(policy: Pick<EmailCodePolicy, 'ttlMinutes'>): number {
  return Math.min(policy.ttlMinutes, EMAIL_CODE_MAX_TTL_MINUTES);
}

/**
 * Keyed (HMAC, server secret) digest of a code, bound to its verification: with only 10^8
 * codes, an unkeyed hash would be reversed in a second by anyone reading the table.
 * The "email-code:" prefix keeps it apart from identity keys made with the same secret.
 */
export function emailCodeDigest(hasher: Hasher, verificationId: string, code: string): string {
  return hasher.identityKey(`email-code:${verificationId}:${code}`);
}

/** Keyed hash of an address for security events: the address itself is never logged. */
export function emailHashForEvents(hasher: Hasher, email: string): string {
  return hasher.identityKey(`email:${emailKey(email)}`);
}

/**
 * Counts the try and tells whether the code is right (one statement, see the store).
 * Returns the proof to consume in the action's transaction; throws EMAIL_CODE_INVALID otherwise.
 */
export async function checkEmailCode(
  deps: Pick<EmailCodeDeps, 'emailVerifications' | 'securityEvents' | 'clock' | 'hasher'>,
  input: CheckEmailCodeInput,
): Promise<VerifiedEmailCode> {
  const verificationId = parseVerificationId(input.verificationId.trim());
  const code = normaliseCodeInput(input.code);
  const email = normaliseVerifiedEmail(input.email);
  const refuse = (verdict: string): never => {
    deps.securityEvents.record({
      ip: input.ip,
      route: input.route,
      reason: 'email_code_invalid',
      emailHash: emailHashForEvents(deps.hasher, email),
      details: { purpose: input.purpose, verdict },
    });
    throw new DomainError('EMAIL_CODE_INVALID');
  };
  // A malformed id or code cannot be right; it is refused without touching the database
  // (and without using up a try: it gives a guesser nothing).
  if (!verificationId) return refuse('malformed_id');
  if (!code) return refuse('malformed_code');
  const codeHash = emailCodeDigest(deps.hasher, verificationId, code);
  const verdict = await deps.emailVerifications.checkEmailCode({
    verificationId,
    email,
    purpose: input.purpose,
    codeHash,
    now: deps.clock.now(),
  });
  if (verdict !== 'right') return refuse(verdict);
  return { verificationId, email, purpose: input.purpose, codeHash };
}

/**
 * Uses the code up. Call it with the transaction of the action (it implements
 * EmailVerificationConsumer), after the action's writes: the code is consumed only if the
 * action commits. Throws EMAIL_CODE_INVALID when it was consumed meanwhile (a concurrent
 * use of the same code), expired, or ran out of tries — which rolls the action back.
 */
export async function consumeEmailCode(
  consumer: EmailVerificationConsumer,
  verified: VerifiedEmailCode,
  now: Date,
): Promise<void> {
  const consumed = await consumer.consumeEmailVerification({ ...verified, now });
  if (!consumed) throw new DomainError('EMAIL_CODE_INVALID');
}

/**
 * Before a registry check made with a right code: spends one of the code's tries and binds
 * the code to the identity checked (`identityKey`, the keyed AGDREF number), the first one
 * checked with it. A right code otherwise spends no try, so without this one code paid for
 * as many registry probes as the per-address limits allowed (issue 12 §6). A code bound to
 * another identity, or out of tries, is refused like any unusable code — EMAIL_CODE_INVALID,
 * which says nothing about the identity — and the registry is not asked.
 */
export async function spendTryOnRegistryCheck(
  deps: Pick<EmailCodeDeps, 'emailVerifications' | 'securityEvents' | 'clock' | 'hasher'>,
  verified: VerifiedEmailCode,
  identityKey: string,
  origin: { ip: string | null; route: string },
): Promise<void> {
  const spent = await deps.emailVerifications.spendTryOnRegistryCheck({
    ...verified,
    identityKey,
    now: deps.clock.now(),
  });
  if (spent) return;
  deps.securityEvents.record({
    ip: origin.ip,
    route: origin.route,
    reason: 'email_code_invalid',
    identityKey,
    emailHash: emailHashForEvents(deps.hasher, verified.email),
    details: { purpose: verified.purpose, verdict: 'other_identity_or_no_tries' },
  });
  throw new DomainError('EMAIL_CODE_INVALID');
}
