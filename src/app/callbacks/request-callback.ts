// "Be called back": a person leaves a phone number, the language they want and a few words
// on their situation; an agent of the prefecture calls them back and books or files a
// request on their behalf (the channel the Conseil d'État requires besides the online one).
//
// No proof of work here — the people who use this form may have no JavaScript — so the
// flood protection is the strict per-IP rate limit at the HTTP edge and the database's
// one-open-call-back-per-number-and-prefecture index. A repeated request answers exactly
// like the first: nothing tells whether a number is already queued.
import {
  type CallbackLanguage,
  isCallbackLanguage,
  normalisePhoneNumber,
  normaliseSituation,
  SITUATION_MAX_LENGTH,
  situationLength,
} from '../../domain/callback-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { CallbackStore } from '../../ports/callback-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { SecretGenerator } from '../../ports/secrets.ts';
import { drawReference } from '../applicants/applicant-checks.ts';

export interface CallbackContext {
  store: Pick<BookingStore, 'getPrefecture'>;
  callbacks: CallbackStore;
  clock: Clock;
  secrets: SecretGenerator;
}

export interface CallbackInput {
  prefectureId: string;
  phone: string;
  language: string;
  situation: string;
}

export interface CallbackFieldError {
  path: 'prefectureId' | 'phone' | 'language' | 'situation';
  message: string;
}

/** Every field's problem at once (a form shows them all), or the values as stored. */
function checkCallbackInput(input: CallbackInput): {
  errors: CallbackFieldError[];
  phone: string | null;
  language: CallbackLanguage | null;
  situation: string;
} {
  const errors: CallbackFieldError[] = [];
  const phone = normalisePhoneNumber(input.phone);
  if (!phone)
    errors.push({ path: 'phone', message: 'a French number (10 digits) or an international one (+ and country code)' });
  const language = isCallbackLanguage(input.language) ? input.language : null;
  if (!language) errors.push({ path: 'language', message: 'one of the languages offered' });
  const situation = normaliseSituation(input.situation);
  const length = situationLength(situation);
  if (length === 0 || length > SITUATION_MAX_LENGTH)
    errors.push({ path: 'situation', message: `1 to ${SITUATION_MAX_LENGTH} characters` });
  return { errors, phone, language, situation };
}

/**
 * Queues the call-back; `stored` is false when the number was already waiting for a call from
 * this prefecture, and `reference` is then that call-back's — said the same way either way.
 */
export async function requestCallback(
  ctx: CallbackContext,
  input: CallbackInput,
): Promise<{ stored: boolean; reference: string }> {
  const checked = checkCallbackInput(input);
  const prefecture = await ctx.store.getPrefecture(input.prefectureId);
  if (!prefecture) checked.errors.unshift({ path: 'prefectureId', message: 'a prefecture served by Créneau' });
  if (checked.errors.length > 0 || !checked.phone || !checked.language) {
    throw new DomainError('VALIDATION_FAILED', 'Some fields are missing or invalid.', { errors: checked.errors });
  }
  const reference = drawReference(ctx);
  const queued = await ctx.callbacks.insertCallbackRequest({
    prefectureId: input.prefectureId,
    phone: checked.phone,
    language: checked.language,
    situation: checked.situation,
    createdAt: ctx.clock.now(),
    reference,
  });
  return { stored: queued.stored, reference: queued.reference ?? reference };
}
