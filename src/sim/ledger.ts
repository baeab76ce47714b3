// Who holds which slot, for one policy run. Every booking and cancellation goes through
// here, and the ledger refuses a slot given twice, an applicant holding two slots, or a
// slot booked after it started: the invariants hold by construction, and the tests read the
// final state to prove it.
import type { Applicant } from './arrivals.ts';
import type { Slot } from './slots.ts';

/** No holder. */
export const FREE = -1;
/** Held by a bot under an invented identity (nobody will come). */
export const FAKE = -2;

export interface Holder {
  /** An applicant index, or FAKE. */
  holder: number;
  /** Obtained through a reseller (a customer who paid, or a bot's own hold). */
  viaReseller: boolean;
}

export class Ledger {
  /** Current holder of each slot (applicant index, FREE or FAKE). */
  readonly slotHolder: Int32Array;
  readonly slotViaReseller: Uint8Array;
  /** Current slot of each applicant, or FREE. */
  readonly applicantSlot: Int32Array;
  /** Start of the first appointment an applicant got on their own / through a reseller (NaN: none). */
  readonly firstFreeStart: Float64Array;
  readonly firstPaidStart: Float64Array;
  /** Live bookings held by the resellers' fleet (fake holds and customers' bookings). */
  liveResellerBookings = 0;
  peakResellerBookings = 0;

  constructor(slots: readonly Slot[], applicants: readonly Applicant[]) {
    this.slotHolder = new Int32Array(slots.length).fill(FREE);
    this.slotViaReseller = new Uint8Array(slots.length);
    this.applicantSlot = new Int32Array(applicants.length).fill(FREE);
    this.firstFreeStart = new Float64Array(applicants.length).fill(Number.NaN);
    this.firstPaidStart = new Float64Array(applicants.length).fill(Number.NaN);
  }

  isFree(slot: Slot): boolean {
    return this.slotHolder[slot.index] === FREE;
  }

  book(slot: Slot, holder: number, viaReseller: boolean, now: number): void {
    if (this.slotHolder[slot.index] !== FREE) throw new Error(`slot ${slot.index} given twice`);
    if (slot.startsAt <= now) throw new Error(`slot ${slot.index} booked after it started`);
    if (holder !== FAKE) {
      if (this.applicantSlot[holder] !== FREE) throw new Error(`applicant ${holder} holds two slots`);
      this.applicantSlot[holder] = slot.index;
      const first = viaReseller ? this.firstPaidStart : this.firstFreeStart;
      if (Number.isNaN(first[holder]!)) first[holder] = slot.startsAt;
    }
    this.slotHolder[slot.index] = holder;
    this.slotViaReseller[slot.index] = viaReseller ? 1 : 0;
    if (viaReseller) {
      this.liveResellerBookings++;
      this.peakResellerBookings = Math.max(this.peakResellerBookings, this.liveResellerBookings);
    }
  }

  /** Cancels the booking of `slot` (it must be held and not yet started). */
  cancel(slot: Slot, now: number): void {
    const holder = this.slotHolder[slot.index]!;
    if (holder === FREE) throw new Error(`slot ${slot.index} is not booked`);
    if (slot.startsAt <= now) throw new Error(`slot ${slot.index} cancelled after it started`);
    if (holder !== FAKE) this.applicantSlot[holder] = FREE;
    if (this.slotViaReseller[slot.index] === 1) this.liveResellerBookings--;
    this.slotHolder[slot.index] = FREE;
    this.slotViaReseller[slot.index] = 0;
  }

  /** Live reseller bookings drop when their appointment has passed. */
  appointmentPassed(slot: Slot): void {
    if (this.slotViaReseller[slot.index] === 1) this.liveResellerBookings--;
  }
}
