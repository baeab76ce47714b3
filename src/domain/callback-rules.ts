// Call-back requests: people who cannot (or would rather not) use the online forms leave a
// phone number, and an agent of the prefecture calls them back to book or file a request
// on their behalf. The rules of what may be left, pure.

/** What an agent did with the call-back; only 'to_call' is open. */
export const CALLBACK_STATUSES = ['to_call', 'called', 'resolved', 'unreachable'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/** The languages a caller may ask for (the agents' usual ones), and 'other' (said in the situation). */
export const CALLBACK_LANGUAGES = ['fr', 'en', 'ar', 'es', 'pt', 'ru', 'uk', 'tr', 'zh', 'other'] as const;
export type CallbackLanguage = (typeof CALLBACK_LANGUAGES)[number];

export const isCallbackLanguage = (value: unknown): value is CallbackLanguage =>
  typeof value === 'string' && (CALLBACK_LANGUAGES as readonly string[]).includes(value);

/** In characters (code points), as the database's char_length counts them. */
export const SITUATION_MAX_LENGTH = 500;

/** The situation as stored: trimmed, line ends as \n, control characters other than line feeds removed. */
export function normaliseSituation(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
    .trim();
}

export const situationLength = (text: string): number => [...text].length;

/**
 * A phone number an agent in France can dial, or null. French numbers are kept in their
 * national form (ten digits: overseas départements too, which are dialled the same way from
 * France), others in international form.
 *
 *   "06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678" → "0612345678"
 *   "0594 39 45 10"                                        → "0594394510"
 *   "+221 77 123 45 67", "00221771234567"                  → "+221771234567"
 *   "12345", "+33 6 12", "06 12 34 56 7a"                  → null
 */
export function normalisePhoneNumber(raw: string): string | null {
  const compact = raw.replace(/[\s.\-()/\u00a0]/g, '');
  const international = /^(?:\+|00)([0-9]+)$/.exec(compact);
  if (international) {
    const digits = international[1]!;
    if (digits.startsWith('33')) return /^33[1-9][0-9]{8}$/.test(digits) ? `0${digits.slice(2)}` : null;
    // E.164: a country code (no leading 0) and at most 15 digits in all.
    return /^[1-9][0-9]{7,14}$/.test(digits) ? `+${digits}` : null;
  }
  return /^0[1-9][0-9]{8}$/.test(compact) ? compact : null;
}

// ---------------------------------------------------------------------------
// The agents' queue (issue 6 §5)
// ---------------------------------------------------------------------------

/** The longest note an agent may add to a call-back (what was said, when to call again). */
export const CALLBACK_NOTE_MAX_LENGTH = 1000;

/** The note as stored: like a situation (trimmed, no control characters but line feeds). */
export const normaliseCallbackNote = normaliseSituation;

export const isCallbackStatus = (value: unknown): value is CallbackStatus =>
  typeof value === 'string' && (CALLBACK_STATUSES as readonly string[]).includes(value);

/** A call-back nobody has to act on any more: only these are ever purged. */
export const isClosedCallbackStatus = (status: CallbackStatus): boolean =>
  status === 'resolved' || status === 'unreachable';

// Retention: a call-back holds a phone number, a language and a few words on a person's
// situation — personal data kept only as long as the call needs it (GDPR art. 5(1)(e)).
// Once resolved or unreachable, it stays 90 days after its last change: long enough for the
// person to call back about it ("you called me last month") and for a supervisor to review
// the quarter, not longer. Open ones ('to_call', 'called') are never purged: someone still
// has to act. Example: resolved on 1 March at 10:00 → purged from 30 May 10:00 on.
export const CALLBACK_RETENTION_DAYS = 90;

/** Closed call-backs last changed before this instant are purged. */
export function callbackPurgeCutoff(now: Date): Date {
  return new Date(now.getTime() - CALLBACK_RETENTION_DAYS * 86_400_000);
}

/**
 * How long a call-back has waited, in the largest whole unit an agent reads at a glance:
 * under an hour in minutes, under two days in hours, then in days.
 *   created 08:00, now 08:42 → { value: 42, unit: 'minutes' }
 *   created Mon 08:00, now Tue 14:00 → { value: 30, unit: 'hours' }
 *   created Mon 08:00, now Thu 09:00 → { value: 3, unit: 'days' }
 */
export function callbackAge(createdAt: Date, now: Date): { value: number; unit: 'minutes' | 'hours' | 'days' } {
  const minutes = Math.max(0, Math.floor((now.getTime() - createdAt.getTime()) / 60_000));
  if (minutes < 60) return { value: minutes, unit: 'minutes' };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { value: hours, unit: 'hours' };
  return { value: Math.floor(hours / 24), unit: 'days' };
}

/**
 * A stored number as an agent reads it out: French ones in pairs, others as stored.
 *   "0612345678" → "06 12 34 56 78";  "+221771234567" → "+221771234567"
 */
export function displayPhoneNumber(phone: string): string {
  return /^0[1-9][0-9]{8}$/.test(phone) ? phone.replace(/(\d{2})(?=\d)/g, '$1 ') : phone;
}
