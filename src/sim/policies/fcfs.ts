// First come, first served: a released or freed slot goes to whoever books it first.
//   fcfs           — direct booking with no protection at all;
//   fcfsProtected  — Créneau's direct booking as built: one appointment per identity and
//                    procedure, registry check of AGDREF procedures, 2 live bookings per
//                    email, proof of work, rate limits per IP (see bots.ts for their cost).
//
// The race. Each time slots appear (the 08:00 release, a cancellation, a reseller dropping
// unsold stock), the bots' booking lands after their latency (milliseconds to seconds) and a
// person's after they next look (people still looking check a few times a day; some watch
// the release minute) plus the minutes of the form. The earliest booking wins.
//
// The resellers. They book every slot they can sell (orders from customers first, then
// stock under invented identities), hand a stock slot to a buyer by cancelling it and
// rebooking it in the buyer's name at once (the "cancel-and-rebook hand-off"), and drop
// what they could not sell the day before. Customers are the applicants who went to a
// reseller at once (rented identity) or after failing on their own for a while.
import type { Applicant } from '../arrivals.ts';
import { botBookingAt, botProfile } from '../bots.ts';
import { EventQueue } from '../event-queue.ts';
import { FAKE, Ledger } from '../ledger.ts';
import { MinHeap } from '../min-heap.ts';
import type { Random } from '../random.ts';
import type { Slot } from '../slots.ts';
import { DAY, HOUR } from '../time.ts';
import type { World } from '../world.ts';
import {
  type PolicyRun,
  type ProgressCallback,
  scheduleArrivals,
  scheduleDays,
  scheduleReleases,
} from './policy-run.ts';
import { humanBookingAt, Seekers, watcherBookingTimes } from './seekers.ts';

/** A person does not book a slot starting within the hour. */
const MIN_BOOKING_LEAD = HOUR;

/** One market per kind of procedure: registry-checked, or passport only. */
interface Market {
  seekers: Seekers;
  /** Customers waiting for the reseller to deliver, first come first served. */
  orders: number[];
  ordersHead: number;
  /** Slots the bots hold under invented identities, earliest first. */
  stock: MinHeap<Slot>;
}

export function runFcfs(
  world: World,
  random: Random,
  mode: 'fcfs' | 'fcfsProtected',
  onDay?: ProgressCallback,
): PolicyRun {
  const { params, applicants } = world;
  const bots = botProfile(mode, params);
  const form = params.humans.formMinutes[mode];
  const sellUntil = params.market.sellUntilHours * HOUR;
  const queue = new EventQueue();
  const ledger = new Ledger(world.slots, applicants);
  const handOffs = { attempted: 0, succeeded: 0 };
  const handOffPending = new Uint8Array(world.slots.length);

  const newMarket = (): Market => ({
    seekers: new Seekers(),
    orders: [],
    ordersHead: 0,
    stock: new MinHeap((a, b) => a.startsAt < b.startsAt),
  });
  const registryMarket = newMarket();
  const passportMarket = newMarket();
  const marketOf = (x: { registryChecked: boolean }): Market => (x.registryChecked ? registryMarket : passportMarket);
  const pendingOrders = (market: Market) => market.orders.length - market.ordersHead;

  // --- What the bots want -------------------------------------------------------------

  /** Bots book a slot they can still sell: for a waiting customer, else as stock — stock
   *  needs an invented identity, which a registry check refuses. */
  function botsWant(slot: Slot, now: number): boolean {
    if (slot.startsAt - now < sellUntil) return false;
    if (bots.maxLiveBookings !== null && ledger.liveResellerBookings >= bots.maxLiveBookings) return false;
    return pendingOrders(marketOf(slot)) > 0 || !slot.registryChecked || bots.inventsRegistryIdentities;
  }

  function botClaim(slot: Slot): void {
    const now = queue.now;
    if (!botsWant(slot, now)) return open(slot, now, false);
    const market = marketOf(slot);
    if (pendingOrders(market) > 0) {
      const customer = market.orders[market.ordersHead++]!;
      ledger.book(slot, customer, true, now);
      if (handOffPending[slot.index] === 1) handOffs.succeeded++;
      handOffPending[slot.index] = 0;
      booked(applicants[customer]!, slot);
      return;
    }
    handOffPending[slot.index] = 0;
    ledger.book(slot, FAKE, true, now);
    market.stock.push(slot);
    // Unsold by then: dropped back on the calendar, where anyone may book it.
    queue.schedule(slot.startsAt - params.market.dumpBeforeHours * HOUR, () => {
      if (ledger.slotHolder[slot.index] !== FAKE) return;
      ledger.cancel(slot, queue.now);
      open(slot, queue.now, true);
    });
  }

  // --- What people do -------------------------------------------------------------------

  function humanClaim(slot: Slot): void {
    const market = marketOf(slot);
    const person = market.seekers.pick(random);
    if (person === undefined) return open(slot, queue.now, true);
    handOffPending[slot.index] = 0;
    market.seekers.remove(person);
    ledger.book(slot, person, false, queue.now);
    booked(applicants[person]!, slot);
  }

  /** A slot is free from `from`: schedule whichever booking lands first. */
  function open(slot: Slot, from: number, botsMayTake: boolean): void {
    const market = marketOf(slot);
    const botAt = botsMayTake && botsWant(slot, from) ? botBookingAt(bots, from, 0, random) : Infinity;
    const humanAt = humanBookingAt(market.seekers, from, params, form, random);
    const at = Math.min(botAt, humanAt);
    if (at < slot.startsAt - MIN_BOOKING_LEAD) {
      queue.schedule(at, () => (at === botAt ? botClaim(slot) : humanClaim(slot)));
    } else if (market.seekers.size === 0 && from + HOUR < slot.startsAt - MIN_BOOKING_LEAD) {
      queue.schedule(from + HOUR, () => open(slot, queue.now, botsMayTake)); // look again later
    }
  }

  function booked(applicant: Applicant, slot: Slot): void {
    if (!applicant.cancels) return;
    const now = queue.now;
    const latest = slot.startsAt - DAY;
    if (latest <= now) return;
    queue.schedule(Math.round(now + applicant.cancelPoint * (latest - now)), () => {
      ledger.cancel(slot, queue.now);
      open(slot, queue.now, true);
    });
  }

  /** The applicant pays a reseller: from stock at once (hand-off), or at the next chance. */
  function placeOrder(applicant: Applicant): void {
    const market = marketOf(applicant);
    market.seekers.remove(applicant.index);
    market.orders.push(applicant.index);
    const now = queue.now;
    for (let slot = market.stock.pop(); slot !== undefined; slot = market.stock.pop()) {
      if (ledger.slotHolder[slot.index] !== FAKE) continue; // already dropped
      if (slot.startsAt - now < sellUntil) continue; // too late to sell: will be dropped
      // Cancel and rebook in the buyer's name: the bot knows the instant, nobody else does.
      handOffs.attempted++;
      handOffPending[slot.index] = 1;
      ledger.cancel(slot, now);
      open(slot, now, true);
      return;
    }
  }

  function arrive(applicant: Applicant): void {
    if (applicant.rentsIdentity) return placeOrder(applicant);
    const market = marketOf(applicant);
    market.seekers.add(applicant.index);
    // Whichever comes first ends the search on their own: paying a reseller, or giving up.
    if (applicant.paysAt !== null && applicant.paysAt < applicant.givesUpAt) {
      queue.schedule(applicant.paysAt, () => {
        if (market.seekers.has(applicant.index)) placeOrder(applicant);
      });
    } else {
      queue.schedule(applicant.givesUpAt, () => market.seekers.remove(applicant.index));
    }
  }

  // --- The 08:00 release race -------------------------------------------------------------

  function release(slots: Slot[]): void {
    const now = queue.now;
    for (const market of [registryMarket, passportMarket]) {
      const released = slots.filter((slot) => marketOf(slot) === market).sort((a, b) => a.startsAt - b.startsAt);
      if (released.length === 0) continue;
      const first = released[0]!;
      // How many the bots go for: all they can sell or stock, within their live-booking cap.
      let botCount = 0;
      if (botsWant(first, now)) {
        const canStock = !first.registryChecked || bots.inventsRegistryIdentities;
        botCount = canStock ? released.length : Math.min(released.length, pendingOrders(market));
        if (bots.maxLiveBookings !== null)
          botCount = Math.min(botCount, bots.maxLiveBookings - ledger.liveResellerBookings);
      }
      const botTimes: number[] = [];
      for (let k = 0; k < botCount; k++) botTimes.push(botBookingAt(bots, now, k, random));
      botTimes.sort((a, b) => a - b);
      // The people at their screens at 08:00: only the fastest can matter.
      const humanTimes = watcherBookingTimes(market.seekers, now, released.length, params, form, random);

      let b = 0;
      let h = 0;
      for (const slot of released) {
        const botNext = botTimes[b] ?? Infinity;
        const humanNext = humanTimes[h] ?? Infinity;
        if (botNext === Infinity && humanNext === Infinity) open(slot, now, false);
        else if (botNext <= humanNext) {
          b++;
          queue.schedule(botNext, () => botClaim(slot));
        } else {
          h++;
          queue.schedule(humanNext, () => humanClaim(slot));
        }
      }
    }
  }

  // --- The run ----------------------------------------------------------------------------

  scheduleReleases(world, queue, release);
  scheduleArrivals(world, queue, arrive);
  scheduleDays(world, queue, ledger, onDay);
  queue.runUntil(world.horizon);
  return { ledger, extras: { handOffs, bots } };
}
