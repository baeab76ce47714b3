// What a policy run is judged on. Slots are counted when they start inside the measured
// window; applicants when they arrive inside it (their fate may be settled later: the run
// goes on for a cool-down). "On their own" means without paying a reseller.
import type { BotProfile } from './bots.ts';
import { FAKE, FREE, type Ledger } from './ledger.ts';
import { DAY } from './time.ts';
import type { World } from './world.ts';

export interface PolicyMetrics {
  /** Share of the measured slots that end with resellers: obtained by the fleet for a
   *  customer (a request it filed, or a booking it landed), or still held by a bot under an
   *  invented identity when the appointment starts. */
  resellerShare: number;
  /** resellerShare ÷ the share of measured applicants who hand the fleet their identity at
   *  once (`resellerIdentityShare`): 1 = the fleet gets what its identities would get;
   *  above 1 = what speed, lies and tricks buy it. */
  speedAdvantage: number;
  /** Share of applicants who got an appointment on their own. */
  humanSuccessRate: number;
  /** Median days from arriving to the first appointment, over applicants who got one
   *  (on their own or paid); null when nobody did. */
  medianDaysToAppointment: number | null;
  /** Share of applicants with a deadline (classes 0 and 1) who got, on their own, an
   *  appointment starting on or before it. */
  urgentServedInTime: number;
  /** Measured slots nobody came to: never booked, or held by a bot's invented identity. */
  wastedSlots: number;
  /** Share of applicants who paid a reseller and got an appointment that way. */
  paidRate: number;
  /** Share of applicants who got an appointment by any means. */
  servedRate: number;
  slots: number;
  applicants: number;
  /** Slots a bot freed to pass them to a customer, and how many reached that customer. */
  handoffAttempts: number;
  handoffsSucceeded: number;
  /** oneFlow: what the fleet's strategies did (see policies/one-flow.ts). */
  strategies?: StrategyCounts;
  bots: BotProfile & { peakLiveBookings: number; emailAddressesNeeded: number };
}

export interface RunExtras {
  handOffs: { attempted: number; succeeded: number };
  bots: BotProfile;
  strategies?: StrategyCounts;
}

/** oneFlow: what the fleet tried and what the rules did with it, over the whole run. */
export interface StrategyCounts {
  /** Requests filed under invented passport identities. */
  fakeRequests: number;
  /** Urgencies declared without a real date (never confirmed), and true ones confirmed. */
  falseUrgencyDeclared: number;
  urgencyConfirmed: number;
  /** Withdrawals and refilings, and the cooling-offs they started. */
  churns: number;
  coolingOffs: number;
  /** Offers left unanswered (the request paused), requests closed by a third decline. */
  offersIgnored: number;
  declinesClosing: number;
  /** Short-notice offers (a slot starting within 26 h of the offer: declining or ignoring
   *  it costs nothing), and how many were confirmed. */
  shortNoticeOffers: number;
  shortNoticeConfirmed: number;
  /** Draws after which nobody waited any more (their leftovers opened to first come). */
  openingDraws: number;
  /** Slots a draw left without a taker, opened to first come, and who booked them. */
  openedSlots: number;
  openSlotsToFleet: number;
  openSlotsToPeople: number;
  /** Slots found too soon to be offered (starting within 3 h) by a draw while people
   *  waited: given to nobody (production since 2026-12-05), each counted once; and how many
   *  of them an invented identity had just freed (a hand-off, or a saboteur's late
   *  cancellation). */
  lateUnusedSlots: number;
  lateUnusedFreedByFleet: number;
}

/** Share of the measured applicants who hand their identity to a reseller at once. */
export function resellerIdentityShareOf(world: World): number {
  let applicants = 0;
  let renting = 0;
  for (const applicant of world.applicants) {
    if (!world.isMeasuredApplicant(applicant)) continue;
    applicants++;
    if (applicant.rentsIdentity) renting++;
  }
  return applicants === 0 ? 0 : round(renting / applicants);
}

export function measure(world: World, ledger: Ledger, extras: RunExtras): PolicyMetrics {
  let slots = 0;
  let resellerSlots = 0;
  let wasted = 0;
  for (const slot of world.slots) {
    if (!world.isMeasuredSlot(slot)) continue;
    slots++;
    const holder = ledger.slotHolder[slot.index]!;
    if (ledger.slotViaReseller[slot.index] === 1) resellerSlots++;
    if (holder === FREE || holder === FAKE) wasted++;
  }

  let applicants = 0;
  let onTheirOwn = 0;
  let paid = 0;
  let served = 0;
  let urgent = 0;
  let urgentInTime = 0;
  const days: number[] = [];
  for (const applicant of world.applicants) {
    if (!world.isMeasuredApplicant(applicant)) continue;
    applicants++;
    const free = ledger.firstFreeStart[applicant.index]!;
    const bought = ledger.firstPaidStart[applicant.index]!;
    const gotFree = !Number.isNaN(free);
    const gotPaid = !Number.isNaN(bought);
    if (gotFree) onTheirOwn++;
    if (gotPaid) paid++;
    if (gotFree || gotPaid) {
      served++;
      const first = Math.min(gotFree ? free : Infinity, gotPaid ? bought : Infinity);
      days.push((first - applicant.arrivesAt) / DAY);
    }
    if (applicant.deadlineAt !== null) {
      urgent++;
      if (gotFree && free <= applicant.deadlineAt) urgentInTime++;
    }
  }

  const share = (part: number, whole: number) => (whole === 0 ? 0 : round(part / whole));
  const cap = extras.bots.perEmailCap;
  const identityShare = resellerIdentityShareOf(world);
  return {
    resellerShare: share(resellerSlots, slots),
    speedAdvantage: identityShare === 0 ? 0 : round(share(resellerSlots, slots) / identityShare, 3),
    humanSuccessRate: share(onTheirOwn, applicants),
    medianDaysToAppointment: days.length === 0 ? null : round(median(days), 1),
    urgentServedInTime: share(urgentInTime, urgent),
    wastedSlots: wasted,
    paidRate: share(paid, applicants),
    servedRate: share(served, applicants),
    slots,
    applicants,
    handoffAttempts: extras.handOffs.attempted,
    handoffsSucceeded: extras.handOffs.succeeded,
    ...(extras.strategies ? { strategies: extras.strategies } : {}),
    bots: {
      ...extras.bots,
      cpuSecondsPerBooking: round(extras.bots.cpuSecondsPerBooking, 3),
      bookingsPerSecond: extras.bots.bookingsPerSecond === null ? null : round(extras.bots.bookingsPerSecond, 1),
      peakLiveBookings: ledger.peakResellerBookings,
      // The per-email cap only asks for more addresses: how many the peak needed.
      emailAddressesNeeded: cap === null ? 0 : Math.ceil(ledger.peakResellerBookings / cap),
    },
  };
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round = (value: number, digits = 4): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
