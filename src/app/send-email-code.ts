// Sends a one-time code that proves an email address before a booking, a request or a
// reschedule. Sending is limited per address and per IP (Créneau must not be usable to
// flood an inbox), and the answer is the same for every address: it tells nothing about
// whether the address has appointments.
import { DomainError } from '../domain/errors.ts';
import { emailKey } from '../domain/identity.ts';
import {
  drawCode, formatCode, normaliseVerifiedEmail, verificationIdFromRandomBytes, type EmailCodePurpose,
} from '../domain/one-time-code.ts';
import type { MailMessage } from '../ports/mailer.ts';
import { emailCodeDigest, emailCodeTtlMinutes, emailHashForEvents, type EmailCodeDeps } from './email-verification.ts';

export interface SendEmailCodeInput {
  email: string;
  purpose: EmailCodePurpose;
  ip: string;
  /** For the security event of a refusal. */
  route?: string;
}

export interface EmailCodeSent {
  /** To send back with the code; it alone is worth nothing. */
  verificationId: string;
  expiresAt: Date;
}

const HOUR_SECONDS = 3600;

const PURPOSE_TEXT: Record<EmailCodePurpose, { fr: string; en: string }> = {
  booking: { fr: 'prendre votre rendez-vous', en: 'book your appointment' },
  request: { fr: 'déposer votre demande de rendez-vous', en: 'file your appointment request' },
  reschedule: { fr: 'déplacer votre rendez-vous', en: 'move your appointment' },
};

/** The bilingual message: French first, then English. */
export function emailCodeMessage(to: string, code: string, purpose: EmailCodePurpose, ttlMinutes: number): MailMessage {
  const shown = formatCode(code);
  const what = PURPOSE_TEXT[purpose];
  const text = [
    'Bonjour,',
    '',
    `Votre code Créneau est : ${shown}`,
    '',
    `Saisissez-le pour confirmer votre adresse électronique et ${what.fr}.`,
    `Il est valable ${ttlMinutes} minutes et ne sert qu'une seule fois. Après 5 essais erronés, demandez un nouveau code.`,
    '',
    'Si vous n\'avez rien demandé, ignorez ce message : sans ce code, personne ne peut utiliser votre adresse.',
    'Ne communiquez ce code à personne : la préfecture ne vous le demandera jamais.',
    '',
    '— English below —',
    '',
    'Hello,',
    '',
    `Your Créneau code is: ${shown}`,
    '',
    `Enter it to confirm your email address and ${what.en}.`,
    `It is valid for ${ttlMinutes} minutes and can be used once. After 5 wrong tries, ask for a new code.`,
    '',
    'If you did not ask for it, ignore this message: without this code, nobody can use your address.',
    'Do not share this code with anyone: the prefecture will never ask you for it.',
    '',
    'Créneau',
  ].join('\n');
  return { to, subject: `Votre code Créneau / Your Créneau code: ${shown}`, text };
}

/** Counts one send on the IP, then on the address; refuses past either limit (IP first, so a flood from one IP does not use up the address's allowance). */
async function assertWithinSendLimits(deps: EmailCodeDeps, input: SendEmailCodeInput, key: string): Promise<void> {
  const limits = [
    { scope: 'ip', key: `email-code:ip:${input.ip}`, limit: deps.emailCodes.sendsPerIpPerHour },
    { scope: 'email', key: `email-code:email:${key}`, limit: deps.emailCodes.sendsPerEmailPerHour },
  ] as const;
  for (const { scope, key: limiterKey, limit } of limits) {
    const verdict = await deps.limiter.hit(limiterKey, limit, HOUR_SECONDS);
    if (verdict.allowed) continue;
    deps.securityEvents.record({
      ip: input.ip, route: input.route ?? '/api/email-verifications', reason: 'email_code_send_limited',
      emailHash: emailHashForEvents(deps.hasher, input.email), details: { limit: scope, purpose: input.purpose },
    });
    // The same answer whichever limit was reached.
    throw new DomainError('EMAIL_CODE_SEND_LIMITED', undefined, { retryAfterSeconds: verdict.retryAfterSeconds });
  }
}

export async function sendEmailCode(deps: EmailCodeDeps, input: SendEmailCodeInput): Promise<EmailCodeSent> {
  const email = normaliseVerifiedEmail(input.email);
  const key = emailKey(email);
  await assertWithinSendLimits(deps, input, key);

  const now = deps.clock.now();
  const ttlMinutes = emailCodeTtlMinutes(deps.emailCodes);
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000);
  const verificationId = verificationIdFromRandomBytes(deps.secrets.randomBytes(16));
  const code = drawCode((count) => deps.secrets.randomBytes(count));
  await deps.emailVerifications.insertEmailVerification({
    id: verificationId, email, emailKey: key, purpose: input.purpose,
    codeHash: emailCodeDigest(deps.hasher, verificationId, code),
    maxAttempts: deps.emailCodes.maxAttempts, createdAt: now, expiresAt,
  });
  try {
    await deps.mailer.send(emailCodeMessage(input.email.trim(), code, input.purpose, ttlMinutes));
  } catch (error) {
    // The row stays, unusable without the code, and expires on its own.
    const unavailable = new DomainError('SERVICE_UNAVAILABLE', 'The email could not be sent right now; try again in a few minutes.');
    unavailable.cause = error;
    throw unavailable;
  }
  return { verificationId, expiresAt };
}
