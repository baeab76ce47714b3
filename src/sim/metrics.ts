// What a policy run is judged on. Slots are counted when they start inside the measured
// window; applicants when they arrive inside it (their fate may be settled later: the run
// goes on for a cool-down). "On their own" means without paying a reseller.
import type { BotProfile } from './bots.ts';
import { FAKE, FREE, type Ledger } from './ledger.ts';
import { DAY } from './time.ts';
import type { World } from './world.ts';

export interface PolicyMetrics {
  /** Share of the measured slots that end with resellers: booked for a paying customer,
   *  or still held by a bot under an invented identity when the appointment starts. */
  resellerShare: number;
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
  /** Slots a bot freed to pass them to a customer, and how many reached one. */
  handOffs: { attempted: number; succeeded: number };
  bots: BotProfile & { peakLiveBookings: number; emailAddressesNeeded: number };
}

export interface RunExtras {
  handOffs: { attempted: number; succeeded: number };
  bots: BotProfile;
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
  return {
    resellerShare: share(resellerSlots, slots),
    humanSuccessRate: share(onTheirOwn, applicants),
    medianDaysToAppointment: days.length === 0 ? null : round(median(days), 1),
    urgentServedInTime: share(urgentInTime, urgent),
    wastedSlots: wasted,
    paidRate: share(paid, applicants),
    servedRate: share(served, applicants),
    slots,
    applicants,
    handOffs: extras.handOffs,
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
