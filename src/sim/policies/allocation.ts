// Request first, then allocation — Créneau's design. An applicant files one request (one
// per identity and procedure); released and returned slots are assigned by runDraw (the
// production draw, src/domain/allocation-draw.ts): priority class first, then filing order.
// Draws run every day at 07:00 and right after each 08:00 release. The rules are the
// production ones: the priority class follows the permit's expiry day by day
// (domain/priority.ts); an offer is nominative and must be confirmed within 48 hours, never
// later than 2 h before the slot, and only slots at least 26 h ahead are offered; a decline
// sits one draw out, the first is free, later ones count like ignored offers, and two
// counted offers close the request (domain/offer-rules.ts). Declined, ignored and cancelled
// slots go back to the next draw — never to a public race.
//
// What the resellers can still do here, all modelled:
//   * rent a customer's real identity and file the request for them: the bot files within
//     a second and confirms offers at once, but the draw does not look at speed beyond the
//     filing order, so the customer gets the slot they would have got by filing themselves
//     a few hours later;
//   * file requests under invented passport identities and hold the offers unanswered
//     until the deadline ("holding offers"): the slot comes back 48 h later;
//   * confirm such an offer and cancel it just before the next draw, hoping a customer is
//     first in line ("cancel-and-rebook hand-off"): it goes to whoever the draw puts first.
// An invented identity cannot come to the counter (the convocation is nominative and the
// identity is checked there), so a slot it holds is worth nothing to anyone.
import { runDraw, type DrawRequest, type DrawSlot } from '../../domain/allocation-draw.ts';
import { afterDecline, afterIgnore, earliestOfferableStart, offerDeadline } from '../../domain/offer-rules.ts';
import { PRIORITY_NORMAL, priorityClassOf } from '../../domain/priority.ts';
import type { Applicant } from '../arrivals.ts';
import { botBookingAt, botProfile } from '../bots.ts';
import { EventQueue } from '../event-queue.ts';
import { FAKE, Ledger } from '../ledger.ts';
import { MinHeap } from '../min-heap.ts';
import type { Random } from '../random.ts';
import type { Slot } from '../slots.ts';
import { DAY, HOUR, calendarDate, timeOfDay } from '../time.ts';
import type { World } from '../world.ts';
import { scheduleArrivals, scheduleDays, scheduleReleases, type PolicyRun, type ProgressCallback } from './policy-run.ts';

type RequestKind = 'human' | 'customer' | 'fake';

interface Request {
  id: string;
  kind: RequestKind;
  /** null for a bot's invented identity. */
  applicant: Applicant | null;
  registryChecked: boolean;
  priorityClass: number;
  /** Place in the waiting line: the filing instant (FIFO). */
  place: number;
  status: 'waiting' | 'offered' | 'booked' | 'closed';
  /** Its live entry in a waiting line (older entries, left by a change of class, are skipped). */
  entry: LineEntry | null;
  /** Declined an offer: sits the next draw out. */
  sitsOut: boolean;
  offer: Slot | null;
  declinedCount: number;
  ignoredCount: number;
}

interface LineEntry {
  request: Request;
}

interface Market {
  /** Waiting lines by priority class (0, 1, 2), in draw order. */
  lines: MinHeap<LineEntry>[];
  /** Released or returned slots waiting for a draw. */
  pool: Set<Slot>;
}

// One site, and every request accepts every working day and half-day: the simulator is
// about who gets slots, not about preferences.
const SITE = 'prefecture';
const WORKING_DAYS: readonly number[] = [1, 2, 3, 4, 5];
const HALF_DAYS = ['am', 'pm'] as const;

export function runAllocation(world: World, random: Random, seed: number, onDay?: ProgressCallback): PolicyRun {
  const { params } = world;
  const bots = botProfile('allocation', params);
  const { humans, allocation } = params;
  const OFFERABLE_FROM = earliestOfferableStart(new Date(0), allocation.offerHours).getTime();
  const queue = new EventQueue();
  const ledger = new Ledger(world.slots, world.applicants);
  const handOffs = { attempted: 0, succeeded: 0 };
  const handOffPending = new Uint8Array(world.slots.length);
  const dailyDraw = timeOfDay(allocation.dailyDrawAt);

  // Same order as runDraw's FIFO: place, then id in JavaScript string order.
  const inLineOrder = ({ request: a }: LineEntry, { request: b }: LineEntry) => a.place < b.place || (a.place === b.place && a.id < b.id);
  const newMarket = (): Market => ({ lines: [0, 1, 2].map(() => new MinHeap(inLineOrder)), pool: new Set() });
  const registryMarket = newMarket();
  const passportMarket = newMarket();
  const marketOf = (x: { registryChecked: boolean }) => (x.registryChecked ? registryMarket : passportMarket);

  function wait(request: Request): void {
    request.status = 'waiting';
    request.offer = null;
    const entry = { request };
    request.entry = entry;
    marketOf(request).lines[request.priorityClass]!.push(entry);
  }

  /** After an offer went unanswered or was declined: closed, or back in line with its place. */
  function afterOffer(request: Request, outcome: { status: 'waiting' | 'closed'; declinedCount: number; ignoredCount: number }): void {
    request.declinedCount = outcome.declinedCount;
    request.ignoredCount = outcome.ignoredCount;
    if (outcome.status === 'closed' || gaveUp(request)) request.status = 'closed';
    else wait(request);
  }

  /** The class follows the expiry: re-read it the day the permit becomes "expiring soon"
   *  and the day after it expires (the request moves to the new class's line). */
  function followExpiry(request: Request, expiresAt: number): void {
    reclassify(request, expiresAt);
    const expiryDay = Math.floor(expiresAt / DAY);
    for (const day of [expiryDay - allocation.urgentWithinDays, expiryDay + 1]) {
      if (day * DAY > queue.now) queue.schedule(day * DAY, () => reclassify(request, expiresAt));
    }
  }

  function reclassify(request: Request, expiresAt: number): void {
    const priorityClass = priorityClassOf({ urgencyDate: calendarDate(expiresAt), today: calendarDate(queue.now), soonDays: allocation.urgentWithinDays });
    if (priorityClass === request.priorityClass) return;
    request.priorityClass = priorityClass;
    if (request.status === 'waiting' && request.entry !== null) wait(request);
  }

  function file(request: Request): void {
    const applicant = request.applicant;
    if (applicant?.expiresAt != null) followExpiry(request, applicant.expiresAt);
    wait(request);
  }

  /** A person withdraws once past their patience; checked when it matters (a draw reaching
   *  them, an offer coming back) rather than with an event per person. */
  function gaveUp(request: Request): boolean {
    return request.applicant !== null && queue.now >= request.applicant.givesUpAt;
  }

  // --- The draw -------------------------------------------------------------------------

  /** The first `count` waiting requests in draw order (priority class, then place), and
   *  those met on the way that sit this draw out. Every request accepts every slot, so the
   *  draw gives the `count` slots to exactly these: passing only them to runDraw gives the
   *  same assignment as passing the whole line, at a fraction of the cost. */
  function firstInLine(market: Market, count: number): { chosen: Request[]; sittingOut: Request[] } {
    const chosen: Request[] = [];
    const sittingOut: Request[] = [];
    for (const line of market.lines) {
      while (chosen.length < count && line.size > 0) {
        const entry = line.pop()!;
        const request = entry.request;
        if (request.status !== 'waiting' || request.entry !== entry) continue; // stale entry
        request.entry = null;
        if (gaveUp(request)) {
          request.status = 'closed';
          continue;
        }
        if (request.sitsOut) sittingOut.push(request);
        else chosen.push(request);
      }
    }
    return { chosen, sittingOut };
  }

  function draw(market: Market, label: string): void {
    const now = queue.now;
    const slots: Slot[] = [];
    for (const slot of market.pool) {
      // Too close to offer fairly: it stays with the counter and phone channel — empty here.
      if (slot.startsAt < now + OFFERABLE_FROM) market.pool.delete(slot);
      else slots.push(slot);
    }
    if (slots.length === 0) return;
    const { chosen: requests, sittingOut } = firstInLine(market, slots.length);
    for (const request of sittingOut) {
      request.sitsOut = false;
      wait(request);
    }
    if (requests.length === 0) return;
    const requestById = new Map(requests.map((r) => [r.id, r]));
    const slotById = new Map(slots.map((s) => [`s${s.index}`, s]));
    const result = runDraw({
      requests: requests.map((r): DrawRequest => ({
        id: r.id, priorityClass: r.priorityClass, filedAt: r.place, siteIds: [SITE], weekdays: WORKING_DAYS, halfDays: HALF_DAYS,
      })),
      slots: slots.map((s): DrawSlot => ({ id: `s${s.index}`, siteId: SITE, startsAt: s.startsAt, weekday: s.weekday, halfDay: s.halfDay })),
      order: 'fifo',
      seed: `${seed}/${label}/${now}`,
    });
    for (const { requestId, slotId } of result.assignments) {
      offer(requestById.get(requestId)!, slotById.get(slotId)!);
    }
    for (const request of requests) if (request.status === 'waiting') wait(request); // none, in practice
  }

  // --- Offers -------------------------------------------------------------------------------

  function offer(request: Request, slot: Slot): void {
    const now = queue.now;
    marketOf(slot).pool.delete(slot);
    request.status = 'offered';
    request.offer = slot;
    if (handOffPending[slot.index] === 1) {
      handOffPending[slot.index] = 0;
      if (request.kind === 'customer') handOffs.succeeded++;
    }
    const deadline = offerDeadline(new Date(now), allocation.offerHours, new Date(slot.startsAt)).getTime();
    queue.schedule(deadline, () => {
      if (request.offer !== slot || request.status !== 'offered') return;
      marketOf(slot).pool.add(slot);
      afterOffer(request, afterIgnore(request, allocation.maxIgnoredOffers));
    });

    if (request.kind === 'customer') {
      answerBy(deadline, botBookingAt(bots, now, 0, random), () => confirm(request, slot));
    } else if (request.kind === 'fake') {
      if (random.chance(params.bots.handOffShare)) answerBy(deadline, botBookingAt(bots, now, 0, random), () => confirm(request, slot));
      // else: held unanswered until the deadline.
    } else {
      const choice = random.float();
      const at = Math.round(now + random.logNormal(humans.responseMedianHours * HOUR, humans.responseSpread));
      if (choice < humans.offerIgnoreShare) return; // never seen
      if (choice < humans.offerIgnoreShare + humans.offerDeclineShare) answerBy(deadline, at, () => decline(request, slot));
      else answerBy(deadline, at, () => confirm(request, slot));
    }
  }

  /** An answer counts only before the deadline; a late one is an ignored offer. */
  function answerBy(deadline: number, at: number, answer: () => void): void {
    if (at < deadline) queue.schedule(at, answer);
  }

  function decline(request: Request, slot: Slot): void {
    if (request.offer !== slot || request.status !== 'offered') return;
    marketOf(slot).pool.add(slot);
    request.sitsOut = true; // else, still first in line, it would be offered the same slot
    afterOffer(request, afterDecline(request, allocation.maxIgnoredOffers));
  }

  function confirm(request: Request, slot: Slot): void {
    if (request.offer !== slot || request.status !== 'offered') return;
    const now = queue.now;
    request.status = 'booked';
    const applicant = request.applicant;
    ledger.book(slot, applicant === null ? FAKE : applicant.index, request.kind !== 'human', now);
    if (applicant === null) {
      // The hand-off: cancel a minute before the next daily draw, hoping a customer is first.
      const nextDraw = (Math.floor((now - dailyDraw) / DAY) + 1) * DAY + dailyDraw - 60_000;
      if (nextDraw + OFFERABLE_FROM < slot.startsAt) {
        queue.schedule(nextDraw, () => {
          handOffs.attempted++;
          handOffPending[slot.index] = 1;
          cancel(slot);
        });
      }
      return;
    }
    if (!applicant.cancels) return;
    const latest = slot.startsAt - DAY;
    if (latest > now) queue.schedule(Math.round(now + applicant.cancelPoint * (latest - now)), () => cancel(slot));
  }

  /** A cancelled slot goes back to the next draw. */
  function cancel(slot: Slot): void {
    ledger.cancel(slot, queue.now);
    marketOf(slot).pool.add(slot);
  }

  // --- Requests -------------------------------------------------------------------------------

  const newRequest = (id: string, kind: RequestKind, applicant: Applicant | null, registryChecked: boolean): Request => ({
    id, kind, applicant, registryChecked, priorityClass: PRIORITY_NORMAL,
    place: queue.now, status: 'waiting', entry: null, sitsOut: false, offer: null, declinedCount: 0, ignoredCount: 0,
  });

  function arrive(applicant: Applicant): void {
    // A reseller files within a second of being hired; a person takes minutes to hours.
    const kind: RequestKind = applicant.rentsIdentity ? 'customer' : 'human';
    const filedAt = kind === 'customer' ? botBookingAt(bots, applicant.arrivesAt, 0, random) : applicant.arrivesAt + applicant.fileDelay;
    queue.schedule(filedAt, () => file(newRequest(`a${applicant.index}`, kind, applicant, applicant.registryChecked)));
  }

  /** Invented passport identities (registry procedures refuse them), with no urgency (it
   *  comes from the registry's dates): a Poisson stream of their own. */
  function scheduleFakeRequests(): void {
    const { supply, demand } = params;
    const perDay = ((supply.appointmentsPerYear * demand.demandRatio) / 365) * (1 - supply.registryCheckedShare) * params.bots.fakeRequestShare;
    if (perDay <= 0) return;
    let count = 0;
    const next = (from: number): void => {
      const at = Math.round(from + random.exponential(DAY / perDay));
      if (at >= world.horizon) return;
      queue.schedule(at, () => {
        file(newRequest(`f${count++}`, 'fake', null, false));
        next(at);
      });
    };
    next(0);
  }

  // --- The run ----------------------------------------------------------------------------

  scheduleReleases(world, queue, (slots) => {
    for (const slot of slots) marketOf(slot).pool.add(slot);
    draw(registryMarket, 'registry');
    draw(passportMarket, 'passport');
  });
  for (let at = dailyDraw; at < world.horizon; at += DAY) {
    queue.schedule(at, () => {
      draw(registryMarket, 'registry');
      draw(passportMarket, 'passport');
    });
  }
  scheduleArrivals(world, queue, arrive);
  scheduleFakeRequests();
  scheduleDays(world, queue, ledger, onDay);
  queue.runUntil(world.horizon);
  return { ledger, extras: { handOffs, bots } };
}
