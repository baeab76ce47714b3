// Fraud signals (issue 16 §3): what makes a request look like part of a reseller's fleet,
// scored with the reasons in words. Pure: the store counts the facts as events happen
// (filing, cancellation, an ignored offer, a counter outcome), this turns them into a score.
//
// Every signal is a count over a window, compared with two thresholds: at `from` it adds
// `points`, at `strong` it adds `strongPoints` instead. A request whose score reaches
// `holdScore` is held out of draws until an agent clears or refuses it — or until the hold
// lapses after `holdHours`, so that a genuine person is never kept out by an agent's silence.
// A held request keeps its batch and its days of waiting: a lapse or a clearance costs it
// nothing but the draws it missed.
//
// Why these defaults (README "Why these thresholds: the fraud simulation", figures from
// `npm run bench:fraud -- --seed 1 --json fraud.json`, src/sim/fraud-report.ts): no signal
// that genuine people produce together holds them — a family of up to six on one phone and
// one device, a university's or a foreign provider's email domain, a mobile operator's shared
// addresses (CGNAT), a namesake, one counter refusal on a shared network each stay under the
// hold score alone; a fleet's own domain with its phone numbers, or counter refusals piling
// up on what its requests share, hold it. A legal-aid office filing from its own phone,
// computer and domain looks like a fleet and is held: an agent clears it.
import ipaddr from 'ipaddr.js';

export const FRAUD_SIGNAL_KINDS = [
  'network_burst',
  'email_domain_crowd',
  'shared_phone',
  'shared_device',
  'likely_duplicate',
  'churn',
  'ignored_offers',
  'identity_refused',
  'no_shows',
] as const;
export type FraudSignalKind = (typeof FRAUD_SIGNAL_KINDS)[number];

/** The counts behind the signals of one request, as the store finds them at an event. */
export interface RequestFacts {
  /** Requests filed online from the request's network (IPv4 /24, IPv6 /64) in the last 24 hours, itself included; 0 when filed by an agent. */
  network_burst: number;
  /** Identity documents with a request or appointment under the email's domain in the last 30 days, itself included; 0 for a large public provider (publicEmailDomain). */
  email_domain_crowd: number;
  /** Identity documents with a request or appointment giving the same phone number in the last 90 days, itself included; 0 without a number. */
  shared_phone: number;
  /** Identity documents filed online from the same device (a first-party cookie) in the last 30 days, itself included; 0 without one. */
  shared_device: number;
  /** Other identity documents with the same names and birth date (domain/duplicate-rules.ts). */
  likely_duplicate: number;
  /** Withdrawals and cancellations of the identity document in the last 90 days. */
  churn: number;
  /** Offers the identity document's requests let expire unanswered in the last 180 days. */
  ignored_offers: number;
  /** Appointments refused at a counter because the person was not the one convoked, sharing this request's identity document, email, phone or network, in the last 180 days. */
  identity_refused: number;
  /** No-shows of the identity document in the last 180 days. */
  no_shows: number;
}

/**
 * The counts stop here: past it, a count reads "200 or more". Under a fleet's storm every filing
 * shares its network and names with thousands of others; counting them all made each filing
 * cost the database 15 ms (BENCHMARKS.md, "the fraud signals' cost"). No rule needs more:
 * signalRulesProblem refuses a threshold above it.
 */
export const FRAUD_COUNT_CAP = 200;

export interface SignalRule {
  from: number;
  points: number;
  strong: number;
  strongPoints: number;
}
export type SignalRules = Record<FraudSignalKind, SignalRule>;

export interface FraudThresholds {
  rules: SignalRules;
  /** A score at or above it holds the request. */
  holdScore: number;
  /** Hours an agent has to decide before the hold lapses. */
  holdHours: number;
}

export const DEFAULT_FRAUD_THRESHOLDS: FraudThresholds = {
  rules: {
    // A mobile operator's CGNAT or a legal-aid office files tens a day from one /24: weak, even strong.
    network_burst: { from: 20, points: 20, strong: 100, strongPoints: 35 },
    // Public providers are not counted, but a university, an employer or a foreign provider the
    // list does not know gathers hundreds of people a month: never enough alone.
    email_domain_crowd: { from: 10, points: 25, strong: 50, strongPoints: 35 },
    // A parent files for a partner and up to four children: 6 on one phone or device is ordinary.
    shared_phone: { from: 7, points: 20, strong: 15, strongPoints: 30 },
    // A library's or France Services' public computer is shared too: weaker than a phone.
    shared_device: { from: 7, points: 10, strong: 15, strongPoints: 20 },
    // Frequent names and "1 January" birth dates make namesakes: weak.
    likely_duplicate: { from: 1, points: 30, strong: 3, strongPoints: 45 },
    churn: { from: 3, points: 15, strong: 6, strongPoints: 30 },
    ignored_offers: { from: 2, points: 15, strong: 4, strongPoints: 30 },
    // Verified by an agent at a counter, but counted over a shared phone or network too: one
    // refusal (a clerical error on a CGNAT /24) is weak; five are a fleet's made-up identities.
    identity_refused: { from: 1, points: 20, strong: 5, strongPoints: 100 },
    no_shows: { from: 2, points: 10, strong: 4, strongPoints: 20 },
  },
  holdScore: 60,
  holdHours: 72,
};

export interface FraudReason {
  kind: FraudSignalKind;
  count: number;
  points: number;
}
export interface FraudScore {
  score: number;
  /** Strongest first; only the signals that added points. */
  reasons: FraudReason[];
}

/** The score of a request's facts: the sum of the points of every signal at or above its threshold. */
export function scoreRequest(facts: RequestFacts, rules: SignalRules = DEFAULT_FRAUD_THRESHOLDS.rules): FraudScore {
  const reasons: FraudReason[] = [];
  for (const kind of FRAUD_SIGNAL_KINDS) {
    const count = facts[kind];
    const rule = rules[kind];
    const points = count >= rule.strong ? rule.strongPoints : count >= rule.from ? rule.points : 0;
    if (points > 0) reasons.push({ kind, count, points });
  }
  reasons.sort(
    (a, b) => b.points - a.points || FRAUD_SIGNAL_KINDS.indexOf(a.kind) - FRAUD_SIGNAL_KINDS.indexOf(b.kind),
  );
  return { score: reasons.reduce((sum, r) => sum + r.points, 0), reasons };
}

export type ReviewState = 'none' | 'held' | 'cleared' | 'refused';

/**
 * Whether a new score holds the request. A request cleared by an agent is held again only
 * for a kind of signal it did not have when cleared — the same evidence is not judged twice.
 * A refused or already held request is not held (again).
 */
export function shouldHold(
  score: FraudScore,
  state: ReviewState,
  clearedKinds: readonly FraudSignalKind[],
  holdScore: number = DEFAULT_FRAUD_THRESHOLDS.holdScore,
): boolean {
  if (state === 'held' || state === 'refused' || score.score < holdScore) return false;
  if (state === 'none') return true;
  return score.reasons.some((r) => !clearedKinds.includes(r.kind));
}

/** When a hold placed at `heldAt` lapses without a decision. */
export function holdLapsesAt(heldAt: Date, holdHours: number = DEFAULT_FRAUD_THRESHOLDS.holdHours): Date {
  return new Date(heldAt.getTime() + holdHours * 3_600_000);
}

// `n`: the count as it reads ("200 or more" at the cap).
const REASON_WORDS: Record<FraudSignalKind, { fr: (n: string) => string; en: (n: string) => string }> = {
  network_burst: {
    fr: (n) => `${n} demandes déposées depuis le même réseau en 24 heures`,
    en: (n) => `${n} requests filed from the same network within 24 hours`,
  },
  email_domain_crowd: {
    fr: (n) => `${n} personnes avec une adresse du même domaine de messagerie en 30 jours`,
    en: (n) => `${n} people with an address at the same email domain within 30 days`,
  },
  shared_phone: {
    fr: (n) => `${n} personnes ont donné le même numéro de téléphone en 90 jours`,
    en: (n) => `${n} people gave the same phone number within 90 days`,
  },
  shared_device: {
    fr: (n) => `${n} personnes ont déposé une demande depuis le même appareil en 30 jours`,
    en: (n) => `${n} people filed from the same device within 30 days`,
  },
  likely_duplicate: {
    fr: (n) => `mêmes nom, prénoms et date de naissance que ${n} autre(s) pièce(s) d'identité`,
    en: (n) => `same names and birth date as ${n} other identity document(s)`,
  },
  churn: {
    fr: (n) => `${n} retraits ou annulations en 90 jours`,
    en: (n) => `${n} withdrawals or cancellations within 90 days`,
  },
  ignored_offers: {
    fr: (n) => `${n} propositions laissées sans réponse en 180 jours`,
    en: (n) => `${n} offers left unanswered within 180 days`,
  },
  identity_refused: {
    fr: (n) => `${n} rendez-vous refusé(s) au guichet : la personne présente n'était pas la personne convoquée`,
    en: (n) => `${n} appointment(s) refused at the counter: the person present was not the one convoked`,
  },
  no_shows: {
    fr: (n) => `${n} absences à un rendez-vous en 180 jours`,
    en: (n) => `${n} missed appointments within 180 days`,
  },
};

const OR_MORE = { fr: 'ou plus', en: 'or more' } as const;

/** A reason in words, for the review list and the evidence pack; a count at the cap reads "200 or more". */
export function reasonInWords(reason: FraudReason, language: 'fr' | 'en'): string {
  const count = reason.count < FRAUD_COUNT_CAP ? String(reason.count) : `${reason.count} ${OR_MORE[language]}`;
  return REASON_WORDS[reason.kind][language](count);
}

// Large public providers: thousands of unrelated people share them, so their domain says
// nothing (a fleet on them meets the per-email cap instead).
const PUBLIC_EMAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'hotmail.com',
  'hotmail.fr',
  'outlook.com',
  'outlook.fr',
  'live.com',
  'live.fr',
  'msn.com',
  'yahoo.com',
  'yahoo.fr',
  'icloud.com',
  'me.com',
  'aol.com',
  'orange.fr',
  'wanadoo.fr',
  'free.fr',
  'sfr.fr',
  'neuf.fr',
  'bbox.fr',
  'laposte.net',
  'gmx.fr',
  'gmx.com',
  'proton.me',
  'protonmail.com',
  'yandex.ru',
  'mail.ru',
]);

/** The domain of an email address, lower-cased; null for a large public provider or no address. */
export function privateEmailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return null;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, '');
  if (!domain || PUBLIC_EMAIL_DOMAINS.has(domain)) return null;
  return domain;
}

/**
 * The network a client address belongs to, as the signals count it: IPv4 /24 ("203.0.113.0/24"),
 * IPv6 /64 ("2001:db8:0:1::/64"); an IPv4-mapped IPv6 address counts as IPv4. Null when absent
 * or not an address.
 */
export function networkOf(ip: string | null): string | null {
  const text = ip?.trim() ?? '';
  // Only dotted quads: ipaddr.isValid also takes "1.2.3" and hexadecimal forms no client sends.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipv4Network(ipaddr.IPv4.parse(text));
  if (!ipaddr.IPv6.isValid(text)) return null;
  const address = ipaddr.IPv6.parse(text);
  if (address.isIPv4MappedAddress()) return ipv4Network(address.toIPv4Address());
  return `${address.parts
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

function ipv4Network(address: ipaddr.IPv4): string {
  const [a, b, c] = address.octets;
  return `${a}.${b}.${c}.0/24`;
}

/** What made the store count again (fraud_observation.event). */
export const FRAUD_EVENTS = ['filed', 'booked', 'churn', 'ignored_offer', 'no_show', 'identity_refused'] as const;
export type FraudEvent = (typeof FRAUD_EVENTS)[number];

/**
 * Whether a request is out of the draws at `now`: held, and its hold has not lapsed. The draw's
 * query says the same in SQL (adapters/db/draws/requests.ts); no job has to end a hold.
 * Example: held at 2026-06-01T08:00Z for 72 h → held until 2026-06-04T07:59:59.999Z, back in the draws from 08:00Z.
 */
export function isHeldAt(state: ReviewState, lapsesAt: Date | null, now: Date): boolean {
  return state === 'held' && lapsesAt !== null && now.getTime() < lapsesAt.getTime();
}

/** The decisions an agent may take on a held request. */
export const HOLD_DECISIONS = ['cleared', 'refused'] as const;
export type HoldDecision = (typeof HOLD_DECISIONS)[number];
export const isHoldDecision = (value: unknown): value is HoldDecision => HOLD_DECISIONS.includes(value as HoldDecision);

/** A decision's reason, required for both (the audit says why), at most this long. */
export const HOLD_REASON_MAX_LENGTH = 1000;

/** The reason as stored: trimmed, inner runs of spaces kept; null when empty or too long (the caller says which). */
export function decisionReasonProblem(reason: string): 'reason_required' | 'reason_too_long' | null {
  const trimmed = reason.trim();
  if (trimmed === '') return 'reason_required';
  if (trimmed.length > HOLD_REASON_MAX_LENGTH) return 'reason_too_long';
  return null;
}

/** The kinds a clearance covers: the signals of the score it was given on (shouldHold then needs a new kind). */
export function clearedKindsOf(
  score: Pick<FraudScore, 'reasons'>,
  before: readonly FraudSignalKind[],
): FraudSignalKind[] {
  const kinds = new Set<FraudSignalKind>(before);
  for (const r of score.reasons) kinds.add(r.kind);
  return FRAUD_SIGNAL_KINDS.filter((k) => kinds.has(k));
}

/** Why a set of rules is unusable (a strong threshold below its first one, fewer strong points), or null. */
export function signalRulesProblem(rules: SignalRules): string | null {
  for (const kind of FRAUD_SIGNAL_KINDS) {
    const r = rules[kind];
    if (r.strong < r.from) return `${kind}: "strong" (${r.strong}) must not be below "from" (${r.from})`;
    if (r.strong > FRAUD_COUNT_CAP)
      return `${kind}: "strong" (${r.strong}) must not be above ${FRAUD_COUNT_CAP}, where the counts stop`;
    if (r.strongPoints < r.points)
      return `${kind}: "strongPoints" (${r.strongPoints}) must not be below "points" (${r.points})`;
  }
  return null;
}

// Reserved for documentation and tests (RFC 2606, RFC 6761): no mailbox there can receive the
// email code, so no real filing has one — the demo's fictitious people all do.
const RESERVED_EMAIL_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/;

/** The email domain the signals count: privateEmailDomain, except the reserved documentation domains (example.org…). */
export function countedEmailDomain(email: string | null): string | null {
  const domain = privateEmailDomain(email);
  return domain === null || RESERVED_EMAIL_DOMAIN.test(domain) ? null : domain;
}
