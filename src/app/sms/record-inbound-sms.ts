// What the SMS gateway forwards of the messages people send back: "STOP" opts their number
// out of every text message (kept as a keyed digest only), "START" opts it back in; anything
// else is ignored (nobody reads this number). The gateway proves itself with its key.
import { timingSafeEqual } from 'node:crypto';
import { normalisePhoneNumber } from '../../domain/callback-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { inboundSmsIntent, smsPhoneMaterial } from '../../domain/sms-rules.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Hasher } from '../../ports/secrets.ts';
import type { SmsGuard } from '../../ports/sms.ts';

export interface InboundSmsContext {
  guard: SmsGuard;
  hasher: Pick<Hasher, 'identityKey' | 'tokenDigest'>;
  clock: Clock;
  /** SMS_GATEWAY_KEY; null: no gateway, the route refuses every call. */
  gatewayKey: string | null;
}

export interface InboundSms {
  /** The bearer token the call presented. */
  key: string | null;
  /** The sender, as the gateway writes it ("+33612345678"). */
  from: string;
  text: string;
}

export type InboundSmsOutcome = 'opted-out' | 'opted-in' | 'ignored';

/** Same length digests, compared in constant time: the key's length does not leak either. */
function sameKey(ctx: InboundSmsContext, given: string | null): boolean {
  if (ctx.gatewayKey === null || given === null) return false;
  const a = Buffer.from(ctx.hasher.tokenDigest(given));
  const b = Buffer.from(ctx.hasher.tokenDigest(ctx.gatewayKey));
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function recordInboundSms(ctx: InboundSmsContext, input: InboundSms): Promise<InboundSmsOutcome> {
  if (!sameKey(ctx, input.key)) throw new DomainError('SMS_GATEWAY_KEY_INVALID');
  const intent = inboundSmsIntent(input.text);
  const phone = normalisePhoneNumber(input.from);
  if (intent === 'none' || phone === null) return 'ignored';
  const phoneKey = ctx.hasher.identityKey(smsPhoneMaterial(phone));
  if (intent === 'stop') {
    await ctx.guard.optOut(phoneKey, ctx.clock.now());
    return 'opted-out';
  }
  await ctx.guard.optIn(phoneKey);
  return 'opted-in';
}

/** A number given at booking with "no text messages" ticked: opted out like a STOP. */
export async function optOutOfTextMessages(
  ctx: Pick<InboundSmsContext, 'guard' | 'hasher' | 'clock'>,
  phone: string,
): Promise<void> {
  await ctx.guard.optOut(ctx.hasher.identityKey(smsPhoneMaterial(phone)), ctx.clock.now());
}
