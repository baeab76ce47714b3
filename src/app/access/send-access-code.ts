// Step 1 of the way back in: reference + birth date → a code to the address on file.
// The answer is the same whether or not the reference exists and the birth date matches (a
// verification id either way; a made-up one opens nothing), so it cannot be used to learn
// who has an appointment. Limits: per reference (domain/access-rules.ts), then the usual
// per-IP and per-address limits of email codes (app/applicants/send-email-code.ts). The email is
// sent after the answer: waiting for the mail relay only when there is someone to write to
// would tell, by the time the answer takes, which reference and birth date match.
import { ACCESS_CODES_PER_REFERENCE_PER_HOUR, accessLimiterKey, accessMatches } from '../../domain/access-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Language } from '../../domain/language.ts';
import { verificationIdFromRandomBytes } from '../../domain/one-time-code.ts';
import { emailCodeTtlMinutes } from '../applicants/email-verification.ts';
import { assertWithinSendLimits, type EmailCodeSent, sendEmailCode } from '../applicants/send-email-code.ts';
import type { AccessContext } from './access-context.ts';

export interface SendAccessCodeInput {
  /** Normalised (domain/booking-reference.ts normaliseReference). */
  reference: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  ip: string;
  route: string;
  language: Language;
}

const HOUR_SECONDS = 3600;

export async function sendAccessCode(ctx: AccessContext, input: SendAccessCodeInput): Promise<EmailCodeSent> {
  const verdict = await ctx.limiter.hit(
    accessLimiterKey(input.reference),
    ACCESS_CODES_PER_REFERENCE_PER_HOUR,
    HOUR_SECONDS,
  );
  if (!verdict.allowed) {
    ctx.securityEvents.record({
      ip: input.ip,
      route: input.route,
      reason: 'email_code_send_limited',
      details: { limit: 'reference', purpose: 'access' },
    });
    throw new DomainError('EMAIL_CODE_SEND_LIMITED', undefined, { retryAfterSeconds: verdict.retryAfterSeconds });
  }
  const holder = await ctx.access.findHolder(input.reference);
  const send = { purpose: 'access' as const, ip: input.ip, route: input.route, language: input.language };
  if (holder?.email && accessMatches(holder, input.birthDate))
    return sendEmailCode(ctx, { ...send, email: holder.email }, { sendAfterAnswer: true });
  // Nothing to send, but the IP pays as for a send, and the answer is an id like a real one,
  // for a code that will never come.
  await assertWithinSendLimits(ctx, { ...send, email: '' }, null);
  return {
    verificationId: verificationIdFromRandomBytes(ctx.secrets.randomBytes(16)),
    expiresAt: new Date(ctx.clock.now().getTime() + emailCodeTtlMinutes(ctx.emailCodes) * 60_000),
  };
}
