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
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
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
