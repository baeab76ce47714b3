// Sends a one-time code that proves an email address before a booking, a request or a
// reschedule. Sending is limited per address and per IP (Créneau must not be usable to
// flood an inbox), and the answer is the same for every address: it tells nothing about
// whether the address has appointments. The message is in the language of the page that
// asked for it, and sent at once (not through the outbox: the applicant is waiting for it).
import { DomainError } from '../../domain/errors.ts';
import { emailKey } from '../../domain/identity.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../domain/language.ts';
import {
  drawCode,
  type EmailCodePurpose,
  normaliseVerifiedEmail,
  verificationIdFromRandomBytes,
} from '../../domain/one-time-code.ts';
import { clientAddressOf } from '../../domain/pow-difficulty.ts';
import { emailCodeMessage } from '../notifications/messages/email-code-message.ts';
import { type EmailCodeDeps, emailCodeDigest, emailCodeTtlMinutes, emailHashForEvents } from './email-verification.ts';

export interface SendEmailCodeInput {
  email: string;
  purpose: EmailCodePurpose;
  ip: string;
  /** For the security event of a refusal. */
  route?: string;
  /** The language of the message (French by default). */
  language?: Language | undefined;
}

export interface EmailCodeSent {
  /** To send back with the code; it alone is worth nothing. */
  verificationId: string;
  expiresAt: Date;
}

const HOUR_SECONDS = 3600;

/**
 * Counts one send on the IP, then on the address; refuses past either limit (IP first, so a
 * flood from one IP does not use up the address's allowance). Returns the keys counted.
 * Without an address key (`null`: a send that will not happen, app/access/send-access-code.ts)
 * only the IP is counted, as a real send would count it.
 */
export async function assertWithinSendLimits(
  deps: Pick<EmailCodeDeps, 'limiter' | 'securityEvents' | 'hasher' | 'emailCodes'>,
  input: SendEmailCodeInput,
  key: string | null,
): Promise<string[]> {
  const limits = [
    { scope: 'ip', key: `email-code:ip:${clientAddressOf(input.ip)}`, limit: deps.emailCodes.sendsPerIpPerHour },
    ...(key === null
      ? []
      : [{ scope: 'email', key: `email-code:email:${key}`, limit: deps.emailCodes.sendsPerEmailPerHour }]),
  ] as const;
  const counted: string[] = [];
  for (const { scope, key: limiterKey, limit } of limits) {
    const verdict = await deps.limiter.hit(limiterKey, limit, HOUR_SECONDS);
    counted.push(limiterKey);
    if (verdict.allowed) continue;
    deps.securityEvents.record({
      ip: input.ip,
      route: input.route ?? '/api/email-verifications',
      reason: 'email_code_send_limited',
      emailHash: emailHashForEvents(deps.hasher, input.email),
      details: { limit: scope, purpose: input.purpose },
    });
    // The same answer whichever limit was reached.
    throw new DomainError('EMAIL_CODE_SEND_LIMITED', undefined, { retryAfterSeconds: verdict.retryAfterSeconds });
  }
  return counted;
}

export interface SendEmailCodeOptions {
  /**
   * Answer once the code is stored, and send the email after (its failure gives the sends back,
   * as an awaited one does). For an answer that must take as long whether or not anything is
   * sent (app/access/send-access-code.ts): the relay's round trip would tell them apart.
   */
  sendAfterAnswer?: boolean;
}

export async function sendEmailCode(
  deps: EmailCodeDeps,
  input: SendEmailCodeInput,
  options: SendEmailCodeOptions = {},
): Promise<EmailCodeSent> {
  const email = normaliseVerifiedEmail(input.email);
  const key = emailKey(email);
  const counted = await assertWithinSendLimits(deps, input, key);
  // A send that failed on our side (database or relay down) sent nothing: it costs the person
  // none of their hourly sends, so retrying through an outage never locks them out.
  const giveBack = () => Promise.all(counted.map((k) => deps.limiter.release(k)));

  const now = deps.clock.now();
  const ttlMinutes = emailCodeTtlMinutes(deps.emailCodes);
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000);
  const verificationId = verificationIdFromRandomBytes(deps.secrets.randomBytes(16));
  const code = drawCode((count) => deps.secrets.randomBytes(count));
  try {
    await deps.emailVerifications.insertEmailVerification({
      id: verificationId,
      email,
      emailKey: key,
      purpose: input.purpose,
      codeHash: emailCodeDigest(deps.hasher, verificationId, code),
      maxAttempts: deps.emailCodes.maxAttempts,
      createdAt: now,
      expiresAt,
    });
  } catch (error) {
    await giveBack();
    throw error;
  }
  const sending = deps.mailer.send(
    emailCodeMessage({
      to: input.email.trim(),
      code,
      purpose: input.purpose,
      ttlMinutes,
      maxAttempts: deps.emailCodes.maxAttempts,
      language: input.language ?? DEFAULT_LANGUAGE,
    }),
  );
  if (options.sendAfterAnswer) {
    // Nobody waits for this send: a failure only gives the sends back (the person asks again).
    sending.catch(giveBack).catch(() => undefined);
    return { verificationId, expiresAt };
  }
  try {
    await sending;
  } catch (error) {
    await giveBack();
    // The row stays, unusable without the code, and expires on its own.
    const unavailable = new DomainError(
      'SERVICE_UNAVAILABLE',
      'The email could not be sent right now; try again in a few minutes.',
    );
    unavailable.cause = error;
    throw unavailable;
  }
  return { verificationId, expiresAt };
}
