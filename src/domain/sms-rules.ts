// Text messages: how long they may be, which day a number's limit counts, what an inbound
// message asks.
//
// Length: at most two segments. A text made only of GSM 03.38 characters (the default
// alphabet and its extension table, each extension character taking two septets) goes in
// two concatenated segments of 153 septets (306); one character outside it (ê, ç, «, an
// emoji) switches the whole text to UCS-2: two segments of 67 UTF-16 units (134).

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';
const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export const MAX_SMS_SEGMENTS = 2;
/** 2 × 153 septets. */
export const MAX_GSM7_LENGTH = 306;
/** 2 × 67 UTF-16 units. */
export const MAX_UCS2_LENGTH = 134;

export interface SmsLength {
  encoding: 'gsm7' | 'ucs2';
  /** Septets (GSM-7, an extension character counting two) or UTF-16 units (UCS-2). */
  units: number;
  segments: number;
}

/** "Bonjour" → gsm7, 7 units, 1 segment; "Rendez-vous confirmé à 09h00 ✓" → ucs2. */
export function smsLength(text: string): SmsLength {
  let septets = 0;
  for (const char of text) {
    if (BASIC.has(char)) septets += 1;
    else if (EXTENSION.has(char)) septets += 2;
    else {
      const units = text.length;
      return { encoding: 'ucs2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: 'gsm7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

const LOOKALIKES: Readonly<Record<string, string>> = {
  '\u2019': "'",
  '\u2018': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u202f': ' ',
};

/**
 * The text in GSM-7 only, so that one "î" in a site's name does not halve the room (UCS-2):
 * a character outside the alphabet loses its accent ("Saint-Benoît" → "Saint-Benoit",
 * "ç" → "c"; é, è, à, ù stay: they are in it), typographic marks become plain ones
 * (’ → ', « » → ", … → ...), anything else becomes "?".
 */
export function toGsm7(text: string): string {
  let out = '';
  // Composed first: a name typed on some systems arrives as "i" + a combining accent.
  for (const char of text.normalize('NFC')) {
    if (BASIC.has(char) || EXTENSION.has(char)) out += char;
    else if (LOOKALIKES[char] !== undefined) out += LOOKALIKES[char];
    else {
      const bare = char.normalize('NFD').replace(/\p{M}/gu, '');
      out += bare !== '' && [...bare].every((c) => BASIC.has(c)) ? bare : '?';
    }
  }
  return out;
}

export const fitsInTwoSegments = (text: string): boolean => smsLength(text).segments <= MAX_SMS_SEGMENTS;

/** Default number of text messages to one number in one day (SMS_DAILY_LIMIT). */
export const DEFAULT_SMS_DAILY_LIMIT = 5;

/** The day a number's limit counts: the calendar day in metropolitan France ("2026-06-01"). */
export function smsDay(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** The material the opt-out and the daily counter key a number by (HMAC'd by the Hasher). */
export const smsPhoneMaterial = (phone: string): string => `sms-phone:${phone}`;

/**
 * What an inbound text asks: "STOP" (any case, surrounding spaces and punctuation, also
 * "STOP SMS", "Arrêt", "UNSUBSCRIBE") opts out, "START" opts back in; anything else is
 * ignored (nobody reads this number).
 */
export function inboundSmsIntent(text: string): 'stop' | 'start' | 'none' {
  const word = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .trim()
    .toUpperCase()
    .replace(/[^A-Z ]/g, '')
    .trim();
  if (/^(STOP|ARRET|UNSUBSCRIBE|DESABONNER)\b/.test(word)) return 'stop';
  if (/^(START|UNSTOP|SUBSCRIBE)\b/.test(word)) return 'start';
  return 'none';
}

/**
 * Overseas numbers written in the national form: their first four digits → the country code
 * they are dialled with from abroad (ARCEP's plan; Mayotte shares La Réunion's +262).
 */
const OVERSEAS_PREFIXES: Readonly<Record<string, string>> = {
  '0590': '590',
  '0690': '590',
  '0691': '590',
  '0594': '594',
  '0694': '594',
  '0596': '596',
  '0696': '596',
  '0697': '596',
  '0262': '262',
  '0263': '262',
  '0692': '262',
  '0693': '262',
  '0269': '262',
  '0639': '262',
};

/**
 * A stored number (domain/callback-rules.ts normalisePhoneNumber) in E.164, as gateways take
 * it: "0612345678" → "+33612345678", "0694123456" → "+594694123456", "+221771234567" as is.
 */
export function internationalNumber(phone: string): string {
  if (phone.startsWith('+')) return phone;
  const overseas = OVERSEAS_PREFIXES[phone.slice(0, 4)];
  return overseas ? `+${overseas}${phone.slice(1)}` : `+33${phone.slice(1)}`;
}
