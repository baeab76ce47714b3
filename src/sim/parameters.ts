// Every number of the model, in one place. docs/SIMULATOR.md gives the source or the reason
// for each; the comments here say what each one does. Change a value here and the three
// policies see the change together (they share the arrivals and the slot calendar).
import { DEFAULT_DRAW_SCHEDULE } from '../domain/draw-schedule.ts';
import { DEFAULT_SOON_DAYS } from '../domain/priority.ts';

export interface Range {
  min: number;
  max: number;
}

export interface SimParameters {
  supply: {
    /** Appointments a year at the prefecture (--scale). 150,000 = a large prefecture. */
    appointmentsPerYear: number;
    /** Share of slots (and of applicants) for procedures checked against the AGDREF
     *  registry (renewal, duplicate, handover); the rest are identified by passport only. */
    registryCheckedShare: number;
    /** Slots of a working day are released at this local time… */
    releaseAt: string;
    /** …this many working days ahead (10 = two weeks). */
    releaseLeadWorkingDays: number;
  };
  demand: {
    /** Applicants a year ÷ appointments a year: above 1, slots are scarce. */
    demandRatio: number;
    /** Shares of applicants whose permit or récépissé has expired, expires soon, or none. */
    urgencyMix: readonly [number, number, number];
    /** Expired: needs an appointment within this many days of arriving. */
    expiredDeadlineDays: number;
    /** Expiring: the permit expires this many days after the applicant arrives (a renewal
     *  is asked 2 to 4 months ahead); the appointment must come before. */
    expiringInDays: Range;
    /** Days an applicant keeps trying (or keeps a request open) before giving up. */
    patienceDays: Range;
    /** Share of appointments cancelled by their holder (plans change), at a uniform time
     *  between booking and the day before. */
    cancelShare: number;
  };
  humans: {
    /** Minutes from opening the booking page to a sent booking: reading, typing, email code. */
    formMinutes: { fcfs: Range; fcfsProtected: Range };
    /** Times a day a person still looking checks for free slots (while awake, 07:00–23:00). */
    checksPerDay: number;
    /** Share of people still looking who are at their screen at the release minute. */
    releaseWatcherShare: number;
    /** Delay before filing a request once the need arises, log-normal. */
    fileDelayMedianHours: number;
    /** Delay before answering an offer, log-normal (minutes to hours, a tail beyond a day). */
    responseMedianHours: number;
    responseSpread: number;
    /** Share of offers a person never sees (spam folder, no phone credit…). */
    offerIgnoreShare: number;
    /** Share of offers declined (the date does not suit). */
    offerDeclineShare: number;
    /** oneFlow: an ignored offer pauses the request; its owner reconfirms after this delay,
     *  log-normal (the pause email, read late), unless they have given up by then. */
    reconfirmMedianHours: number;
    /** oneFlow, passport procedures: days until an agent confirms a declared (true) urgency;
     *  until then it gives no priority. */
    urgencyReviewDays: number;
    /** oneFlow: share of people who take a short-notice offer they see in time: those who can
     *  come within hours — off work, childcare, the journey to the prefecture. The others
     *  decline (no fault). */
    shortNoticeAcceptShare: number;
  };
  market: {
    /** Share of applicants who go to a reseller at once and hand over their identity. */
    resellerIdentityShare: number;
    /** Share of the others who pay a reseller after failing on their own for a while… */
    payShare: number;
    /** …this many days (uniform). */
    payAfterDays: Range;
    /** A reseller sells a held slot until this many hours before it starts… */
    sellUntilHours: number;
    /** …and drops the unsold ones this many hours before (they go back on the calendar). */
    dumpBeforeHours: number;
  };
  bots: {
    /** Milliseconds from a slot appearing to a bot's booking landing, without protections. */
    latencyMs: Range;
    /** The same with Créneau's protections (email code fetched from their own mail server,
     *  proof of work solved ahead on a challenge fetched before the release). */
    protectedLatencyMs: Range;
    /** Residential proxy addresses the fleet rents (each gets its own rate-limit budget). */
    proxyAddresses: number;
    /** Email addresses on domains the fleet owns (each gets its own per-email cap). */
    emailAddresses: number;
    /** Native SHA-256 per second on one server core (proof of work). */
    hashesPerCoreSecond: number;
    /** oneFlow, made-up documents: requests under invented passport identities (no
     *  registry to refuse them), as a share of genuine applicants for passport procedures.
     *  Registry procedures take only real, rented identities. */
    fakeRequestShare: number;
    /** oneFlow, holding: share of the invented identities' offers confirmed, then cancelled
     *  (`handOffTiming`); the others are ignored (held until the deadline, which pauses the
     *  request — unless short-notice; the fleet reconfirms at once). */
    handOffShare: number;
    /** oneFlow: when an invented identity cancels the slot it won, aiming it at the fleet's
     *  first waiting customer. Since 2026-12-05 no timing reaches the customer: a freed slot
     *  goes to a draw among everyone waiting, or — freed too late to be offered while people
     *  wait — to nobody.
     *  'atOnce' (the default, the rational fleet): as soon as it is confirmed; late
     *  cancellations no longer pay, so the fleet stops timing them.
     *  'quietHour': at `quietHour` the next night. 'eveningBefore': at 19:00 the evening
     *  before the slot's day (drawn at 20:00, short-notice).
     *  'tooLateToOffer' (the saboteur): just after the latest instant at which the freed slot
     *  would still reach a draw in time to be offered — one freed collection window (1 h)
     *  before the last draw tick at least 3 h before the slot — so that its first draw finds
     *  it too soon to offer; for a slot before 10:00, the evening before after 19:00. It was
     *  the fleet's best hand-off while such slots went to the agents' reserve (phone, then
     *  counter); now it only wastes the slot (denial of inventory, OWASP OAT-021). */
    handOffTiming: 'atOnce' | 'quietHour' | 'eveningBefore' | 'tooLateToOffer';
    quietHour: string;
    /** oneFlow, declared urgency: the fleet declares an urgency on every passport request it
     *  files (true or not); only a true one is confirmed by an agent. */
    declaresUrgency: boolean;
    /** oneFlow, churn: share of the fleet's customer requests withdrawn and filed again after
     *  a daily draw passed them over (hoping for a better batch or class). */
    churnShare: number;
  };
  protections: {
    /** MAX_ACTIVE_APPOINTMENTS_PER_EMAIL. */
    maxActivePerEmail: number;
    /** RATE_LIMIT_SENSITIVE_PER_MINUTE: bookings per IP and minute. */
    sensitivePerMinute: number;
    /** POW_MAX_MAX_NUMBER: a challenge at the ceiling costs 0.75 × this many hashes. */
    powMaxNumber: number;
    /** Proofs of work per booking: one to send the email code, one to book. */
    proofsPerBooking: number;
  };
  allocation: {
    /** Daily draw time (Créneau's default draw schedule); production's daily schedules then
     *  tick every hour until 20:00 (domain/draw-schedule.ts, tickTimes): a draw at each. */
    dailyDrawAt: string;
    /** A released slot waits this long before its first draw (the collection window, 12 h
     *  for daily draws); a freed one (cancelled, declined, expired) this long at most 1 h
     *  (FREED_COLLECTION_MS). */
    collectionWindowHours: number;
    /** The slots a draw leaves without a taker (after their window). 'production' (run-draw.ts,
     *  settleLeftovers): if nobody waits in the queue any more, all of them open to first come
     *  at the draw instant; if people still wait, nothing opens — those too soon to be
     *  offered (starting within 3 h) are given to nobody, the others wait for later
     *  draws. 'openAlways': the
     *  rule before 2026-12-05, every leftover opens at the draw instant (a what-if). */
    leftovers: 'production' | 'openAlways';
    /** Hours an applicant has to confirm an offer (the deadline and which slots a draw may
     *  offer follow from it: domain/offer-rules.ts). */
    offerHours: number;
    /** A request may decline this many offers; the next decline closes it. */
    maxDeclines: number;
    /** The `churnLimit`-th withdrawal (or cancellation) within `churnWindowDays` for one
     *  identity and procedure starts `coolingOffDays` without filing. */
    churnLimit: number;
    churnWindowDays: number;
    coolingOffDays: number;
    /** "Expiring soon" (priority class 1) means within this many days. */
    urgentWithinDays: number;
  };
  measure: {
    /** Simulated before the measured weeks, so queues and markets are in their steady state. */
    warmUpWeeks: number;
    /** Simulated after, so that applicants of the last measured week meet their fate. */
    coolDownWeeks: number;
  };
}

export function defaultParameters(appointmentsPerYear = 150_000): SimParameters {
  return {
    supply: {
      appointmentsPerYear,
      registryCheckedShare: 0.5,
      releaseAt: '08:00',
      releaseLeadWorkingDays: 10,
    },
    demand: {
      demandRatio: 1.3,
      urgencyMix: [0.1, 0.3, 0.6],
      expiredDeadlineDays: 21,
      expiringInDays: { min: 60, max: 120 },
      patienceDays: { min: 60, max: 120 },
      cancelShare: 0.08,
    },
    humans: {
      formMinutes: { fcfs: { min: 1, max: 4 }, fcfsProtected: { min: 1.5, max: 6 } },
      checksPerDay: 3,
      releaseWatcherShare: 0.3,
      fileDelayMedianHours: 2,
      responseMedianHours: 3,
      responseSpread: 1.2,
      offerIgnoreShare: 0.05,
      offerDeclineShare: 0.05,
      reconfirmMedianHours: 24,
      urgencyReviewDays: 5,
      shortNoticeAcceptShare: 0.5,
    },
    market: {
      resellerIdentityShare: 0.1,
      payShare: 0.7,
      payAfterDays: { min: 7, max: 28 },
      sellUntilHours: 36,
      dumpBeforeHours: 30,
    },
    bots: {
      latencyMs: { min: 100, max: 800 },
      protectedLatencyMs: { min: 500, max: 3_000 },
      proxyAddresses: 1_000,
      emailAddresses: 20_000,
      hashesPerCoreSecond: 1_000_000,
      fakeRequestShare: 0.1,
      handOffShare: 1,
      handOffTiming: 'atOnce',
      quietHour: '03:00',
      declaresUrgency: true,
      churnShare: 0,
    },
    protections: {
      maxActivePerEmail: 2,
      sensitivePerMinute: 20,
      powMaxNumber: 1_000_000,
      proofsPerBooking: 2,
    },
    allocation: {
      dailyDrawAt: DEFAULT_DRAW_SCHEDULE.dailyAt,
      collectionWindowHours: 12,
      leftovers: 'production',
      offerHours: 48,
      maxDeclines: 2,
      churnLimit: 3,
      churnWindowDays: 30,
      coolingOffDays: 7,
      urgentWithinDays: DEFAULT_SOON_DAYS,
    },
    measure: {
      warmUpWeeks: 52,
      coolDownWeeks: 18,
    },
  };
}

/** Deep partial, for tests and experiments: `withOverrides(base, { bots: { latencyMs: … } })`. */
export type ParameterOverrides = { [K in keyof SimParameters]?: Partial<SimParameters[K]> };

export function withOverrides(base: SimParameters, overrides: ParameterOverrides = {}): SimParameters {
  const merged = { ...base } as Record<string, unknown>;
  for (const [group, values] of Object.entries(overrides)) {
    merged[group] = { ...(base as unknown as Record<string, object>)[group], ...values };
  }
  return merged as unknown as SimParameters;
}
