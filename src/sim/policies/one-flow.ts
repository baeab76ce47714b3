// oneFlow — Créneau's flow since issue 11 ("speed and lies buy nothing"), with the production
// draw (runDraw, src/domain/allocation-draw.ts) and the production offer deadlines
// (domain/offer-rules.ts):
//   * one request per identity and procedure; it waits in a batch — the day it entered the
//     queue (filed, or back after a decline or a reconfirmation);
//   * a draw every day at 07:00, then every hour until 20:00 (domain/draw-schedule.ts),
//     orders requests by (priority class, batch, lottery) and gives each its earliest free
//     slot; the lottery, not the filing instant, orders one batch;
//   * every slot goes to a draw first: a released one after its collection window (12 h), a
//     freed one (a cancellation, a decline, an ignored offer) after at most 1 h; a draw
//     offers every slot starting at least 3 h later; an offer for a slot starting within
//     26 h is SHORT-NOTICE: declining or ignoring it costs nothing (no decline counted, no
//     pause, the request keeps its batch), and people take it only if they can come at such
//     notice (`shortNoticeAcceptShare`); a request that declined an offer since the previous
//     draw sits the next one out (still waiting);
//   * the slots a draw leaves without a taker (production: run-draw.ts, settleLeftovers):
//       - if nobody waits in the queue any more, all of them open to first come at that
//         draw instant: people looking at the list and bots race;
//       - if people still wait, nothing opens: the others wait for the next draws, and those
//         too soon to be offered (starting within 3 h) are given to NOBODY — no counter, no
//         phone, no online opening (they would open only at a later draw that finds nobody
//         waiting). The cost is the slots genuinely cancelled late.
// Priority: registry procedures read the permit's expiry in the registry (verified);
// passport procedures take a declared urgency, which gives no priority until an agent
// confirms it — agents confirm only a true one. An ignored offer pauses the request until its
// owner reconfirms (back in today's batch); the third decline closes it. The third withdrawal
// within 30 days starts 7 days of cooling off.
//
// The fleet, at its best (every strategy a parameter, docs/SIMULATOR.md):
//   * rented real identities: it files the customer's request within a second, confirms
//     offers at once, and books open slots for its customers as soon as they open — also for
//     people who hire it later, after failing on their own for a while;
//   * made-up documents (passport procedures only: no registry to refuse an invented
//     passport): requests under invented identities; their offers are held (ignored, then
//     reconfirmed) or confirmed and then cancelled to hand the slot to a customer;
//   * the hand-off (`handOffTiming`): no timing makes the freed slot reach the fleet's
//     customer — every freed slot goes to a draw among everyone waiting, or to nobody when
//     too late to be offered. The rational fleet ('atOnce', the default) lets go of an
//     invented identity's win at once; 'quietHour' and 'eveningBefore' cancel at other
//     instants (no better); 'tooLateToOffer' — the best hand-off against the rules before
//     2026-12-05 (the counter, the phone, the opening) — now only WASTES the slot: a
//     saboteur's denial of inventory (OWASP OAT-021), kept as a variant to measure the waste;
//   * declared urgency on every passport request (only true urgencies are confirmed);
//   * churn: withdraw and refile a customer's request after a draw passed it over.
import { type DrawRequest, type DrawSlot, runDraw } from '../../domain/allocation-draw.ts';
import { FREED_COLLECTION_MS, tickTimes } from '../../domain/draw-schedule.ts';
import { earliestOfferableStart, isShortNotice, offerDeadline } from '../../domain/offer-rules.ts';
import { epochDayOf, PRIORITY_NORMAL, priorityClassOf } from '../../domain/priority.ts';
import type { RequestStatus } from '../../domain/request-rules.ts';
import type { Applicant } from '../arrivals.ts';
import { botBookingAt, botProfile } from '../bots.ts';
import { EventQueue } from '../event-queue.ts';
import { FAKE, Ledger } from '../ledger.ts';
import type { StrategyCounts } from '../metrics.ts';
import type { Random } from '../random.ts';
import type { Slot } from '../slots.ts';
import { calendarDate, DAY, dayOf, HOUR, SECOND, timeOfDay } from '../time.ts';
import type { World } from '../world.ts';
import {
  type PolicyRun,
  type ProgressCallback,
  scheduleArrivals,
  scheduleDays,
  scheduleReleases,
} from './policy-run.ts';
import { humanBookingAt, Seekers, watcherBookingTimes } from './seekers.ts';

type RequestKind = 'human' | 'customer' | 'fake';

interface Request {
  id: string;
  kind: RequestKind;
  /** null for an invented identity. */
  applicant: Applicant | null;
  market: Market;
  priorityClass: number;
  /** Days since 1970-01-01 of the day it entered the queue. */
  batch: number;
  /** The production statuses but 'withdrawn': the model marks every exit without a booking 'closed'. */
  status: Exclude<RequestStatus, 'withdrawn'>;
  offer: Slot | null;
  /** Its offer is short-notice: declining or ignoring it costs nothing. */
  shortNotice: boolean;
  declines: number;
  /** Its last decline: it sits out the next draw (still waiting). */
  lastDeclineAt: number;
  /** Instants of its owner's withdrawals (churn), for the cooling-off rule. */
  withdrawals: number[];
  /** Stops at this instant if still without appointment (people give up; the fleet drops an
   *  invented identity after as long). */
  givesUpAt: number;
}

interface Market {
  label: string;
  /** Waiting requests: lines[class] maps batch → its requests. */
  lines: Map<number, Set<Request>>[];
  /** The batches present in each class, ascending. */
  batches: number[][];
  /** Requests waiting (in `lines`): production opens leftovers only when there are none. */
  waiting: number;
  /** The previous draw's instant: a request that declined since sits the next one out. */
  previousDrawAt: number;
  /** Free released slots waiting for a draw. */
  pool: Set<Slot>;
  /** Slots opened to first come. */
  open: Set<Slot>;
  /** People watching the open slots (their request waiting or paused). */
  seekers: Seekers;
  /** Live requests the fleet books open slots for (its customers), in hiring order. */
  orders: Set<Request>;
}

// One site, and every request accepts every working day and half-day: the simulator is
// about who gets slots, not about preferences.
const SITE = 'prefecture';
const WORKING_DAYS: readonly number[] = [1, 2, 3, 4, 5];
const HALF_DAYS = ['am', 'pm'] as const;
/** Nobody books a slot starting within the hour. */
const MIN_BOOKING_LEAD = HOUR;

export function runOneFlow(world: World, random: Random, seed: number, onDay?: ProgressCallback): PolicyRun {
  const { params, applicants } = world;
  const bots = botProfile('oneFlow', params);
  const { humans, allocation } = params;
  const form = humans.formMinutes.fcfsProtected; // the same protections guard the open slots
  const OFFERABLE_FROM = earliestOfferableStart(new Date(0), allocation.offerHours).getTime();
  /** Collection windows: a released slot's, and a freed one's (at most an hour). */
  const WINDOW = allocation.collectionWindowHours * HOUR;
  const FREED_WINDOW = Math.min(WINDOW, FREED_COLLECTION_MS);
  /** The day's draw ticks (07:00, 08:00, … 20:00), as times of day. */
  const TICKS = tickTimes({ dailyAt: allocation.dailyDrawAt, cadence: null }).map(timeOfDay);
  const dailyDraw = TICKS[0]!;
  const quietHour = timeOfDay(params.bots.quietHour);
  const queue = new EventQueue();
  const ledger = new Ledger(world.slots, applicants);
  const handOffs = { attempted: 0, succeeded: 0 };
  const strategies: StrategyCounts = {
    fakeRequests: 0,
    falseUrgencyDeclared: 0,
    urgencyConfirmed: 0,
    churns: 0,
    coolingOffs: 0,
    offersIgnored: 0,
    declinesClosing: 0,
    shortNoticeOffers: 0,
    shortNoticeConfirmed: 0,
    openingDraws: 0,
    openedSlots: 0,
    openSlotsToFleet: 0,
    openSlotsToPeople: 0,
    lateUnusedSlots: 0,
    lateUnusedFreedByFleet: 0,
  };
  /** Slots already counted as too late to be offered while people waited (each counted once,
   *  as production counts them at every draw that finds them). */
  const lateUnused = new Uint8Array(world.slots.length);
  /** Slots an invented identity freed (a hand-off or a saboteur's cancellation) since they were
   *  last booked: their waste is the fleet's doing. */
  const freedByFleet = new Uint8Array(world.slots.length);
  /** When each free slot last became free (release, cancellation, decline, ignored offer). */
  const availableSince = new Float64Array(world.slots.length);
  /** The customer a hand-off aims the slot at (until someone gets it), and those aimed at. */
  const handOffTarget = new Map<number, Request>();
  const aimed = new Set<Request>();

  const batchOf = (t: number) => epochDayOf(calendarDate(t));
  const newMarket = (label: string): Market => ({
    label,
    lines: [0, 1, 2].map(() => new Map()),
    batches: [[], [], []],
    waiting: 0,
    previousDrawAt: -Infinity,
    pool: new Set(),
    open: new Set(),
    seekers: new Seekers(),
    orders: new Set(),
  });
  const registryMarket = newMarket('registry');
  const passportMarket = newMarket('passport');
  const marketOf = (x: { registryChecked: boolean }) => (x.registryChecked ? registryMarket : passportMarket);
  const isLive = (r: Request) => r.status === 'waiting' || r.status === 'paused' || r.status === 'offered';
  const gaveUp = (r: Request) => queue.now >= r.givesUpAt;

  // --- The waiting line -----------------------------------------------------------------

  function enqueue(request: Request): void {
    const { market, priorityClass, batch } = request;
    request.status = 'waiting';
    request.offer = null;
    let group = market.lines[priorityClass]!.get(batch);
    if (group === undefined) {
      group = new Set();
      market.lines[priorityClass]!.set(batch, group);
      const batches = market.batches[priorityClass]!;
      let at = batches.length;
      while (at > 0 && batches[at - 1]! > batch) at--;
      batches.splice(at, 0, batch);
    }
    group.add(request);
    market.waiting++;
    if (request.kind === 'human' && !market.orders.has(request)) market.seekers.add(request.applicant!.index);
  }

  function dequeue(request: Request): void {
    const { market, priorityClass, batch } = request;
    const group = market.lines[priorityClass]!.get(batch);
    if (group === undefined || !group.delete(request)) return;
    market.waiting--;
    if (group.size === 0) {
      market.lines[priorityClass]!.delete(batch);
      const batches = market.batches[priorityClass]!;
      batches.splice(batches.indexOf(batch), 1);
    }
  }

  /** Leaves the queue for good (booked, closed, given up). */
  function retire(request: Request, status: 'booked' | 'closed'): void {
    if (request.status === 'waiting') dequeue(request);
    request.status = status;
    request.offer = null;
    request.market.orders.delete(request);
    if (request.applicant !== null) request.market.seekers.remove(request.applicant.index);
  }

  /** Back in the queue in today's batch (a decline, a reconfirmation, a refiling). */
  function requeueToday(request: Request): void {
    if (request.status === 'waiting') dequeue(request);
    request.batch = batchOf(queue.now);
    enqueue(request);
  }

  /** Back in the queue in its own batch (a short-notice offer declined or ignored: no fault). */
  function requeueKeepingBatch(request: Request): void {
    if (gaveUp(request)) return retire(request, 'closed');
    enqueue(request);
  }

  // --- Priority ----------------------------------------------------------------------------

  /** The class follows the expiry day by day, once the urgency counts (registry, or confirmed). */
  function followExpiry(request: Request, expiresAt: number): void {
    reclassify(request, expiresAt);
    const expiryDay = Math.floor(expiresAt / DAY);
    for (const day of [expiryDay - allocation.urgentWithinDays, expiryDay + 1]) {
      if (day * DAY > queue.now) queue.schedule(day * DAY, () => reclassify(request, expiresAt));
    }
  }

  function reclassify(request: Request, expiresAt: number): void {
    const priorityClass = priorityClassOf({
      urgencyDate: calendarDate(expiresAt),
      today: calendarDate(queue.now),
      soonDays: allocation.urgentWithinDays,
    });
    if (priorityClass === request.priorityClass) return;
    const waiting = request.status === 'waiting';
    if (waiting) dequeue(request);
    request.priorityClass = priorityClass;
    if (waiting) enqueue(request);
  }

  function file(request: Request): void {
    const expiresAt = request.applicant?.expiresAt ?? null;
    const declares = expiresAt !== null || (request.kind !== 'human' && params.bots.declaresUrgency);
    enqueue(request);
    if (request.kind === 'customer') request.market.orders.add(request);
    queue.schedule(Math.max(queue.now, request.givesUpAt), () => {
      if (request.status === 'waiting' || request.status === 'paused') retire(request, 'closed');
    });
    if (request.market === registryMarket) {
      if (expiresAt !== null) followExpiry(request, expiresAt); // the registry's date, verified
      return;
    }
    if (!declares) return;
    if (expiresAt === null) {
      strategies.falseUrgencyDeclared++; // pending for ever: an agent confirms only a true urgency
      return;
    }
    queue.schedule(queue.now + humans.urgencyReviewDays * DAY, () => {
      if (!isLive(request)) return;
      strategies.urgencyConfirmed++;
      followExpiry(request, expiresAt);
    });
  }

  // --- The draw ------------------------------------------------------------------------------

  /** Whole (class, batch) groups in draw order until they hold at least `count` requests:
   *  every request accepts every slot, so the draw gives the slots to these alone, and
   *  runDraw's lottery settles the last group — the same assignment as the whole line.
   *  (Requests leave the line when their owner gives up: an event at `givesUpAt`.) */
  function firstGroups(market: Market, count: number): Request[] {
    const chosen: Request[] = [];
    const previousDraw = market.previousDrawAt;
    for (let c = 0; c < market.lines.length && chosen.length < count; c++) {
      for (const batch of market.batches[c]!) {
        for (const request of market.lines[c]!.get(batch)!) {
          if (request.lastDeclineAt <= previousDraw) chosen.push(request); // else it sits this draw out (production: declined after the previous draw started)
        }
        if (chosen.length >= count) break;
      }
    }
    return chosen;
  }

  function draw(market: Market, daily: boolean): void {
    const now = queue.now;
    const offerable: Slot[] = [];
    const tooSoon: Slot[] = [];
    for (const slot of market.pool) {
      if (slot.startsAt <= now) {
        market.pool.delete(slot); // started: nobody can have it any more
        dropHandOff(slot);
        continue;
      }
      const since = availableSince[slot.index]!;
      // Still in its collection window: a released slot's, or a freed one's (production: a
      // slot available since after its release was freed).
      if (since > now - (since > slot.releasedAt ? FREED_WINDOW : WINDOW)) continue;
      if (slot.startsAt >= now + OFFERABLE_FROM) offerable.push(slot);
      else tooSoon.push(slot);
    }
    const unassigned = new Set(offerable);
    const passedOver: Request[] = [];
    if (offerable.length > 0) {
      const requests = firstGroups(market, offerable.length);
      if (requests.length > 0) {
        const requestById = new Map(requests.map((r) => [r.id, r]));
        const slotById = new Map(offerable.map((s) => [`s${s.index}`, s]));
        const result = runDraw({
          requests: requests.map(
            (r): DrawRequest => ({
              id: r.id,
              priorityClass: r.priorityClass,
              batch: r.batch,
              siteIds: [SITE],
              weekdays: WORKING_DAYS,
              halfDays: HALF_DAYS,
            }),
          ),
          slots: offerable.map(
            (s): DrawSlot => ({
              id: `s${s.index}`,
              siteId: SITE,
              startsAt: s.startsAt,
              weekday: s.weekday,
              halfDay: s.halfDay,
            }),
          ),
          seed: `${seed}/${market.label}/${now}`,
        });
        for (const { requestId, slotId } of result.assignments) {
          const slot = slotById.get(slotId)!;
          unassigned.delete(slot);
          offer(requestById.get(requestId)!, slot);
        }
      }
    }
    // The fleet sees only that its customer got no offer today (at the daily draw).
    if (daily)
      for (const request of market.orders)
        if (request.status === 'waiting' && request.kind === 'customer') passedOver.push(request);
    for (const slot of offerable) if (!unassigned.has(slot)) market.pool.delete(slot);
    market.previousDrawAt = now;
    settleLeftovers(market, [...unassigned], tooSoon);
    churn(passedOver);
  }

  /** The production rule (run-draw.ts, settleLeftovers): open everything only when nobody
   *  waits any more; otherwise nothing opens — the too-soon slots are given to nobody (they
   *  stay free, and would open only at a later draw that finds nobody waiting), the others
   *  stay for the next draws. */
  function settleLeftovers(market: Market, unassigned: Slot[], tooSoon: Slot[]): void {
    if (market.waiting === 0 || allocation.leftovers === 'openAlways') {
      const opening = [...unassigned, ...tooSoon].sort((a, b) => a.startsAt - b.startsAt);
      for (const slot of opening) market.pool.delete(slot);
      if (opening.length > 0) strategies.openingDraws++;
      openToFirstCome(market, opening);
      return;
    }
    for (const slot of tooSoon) {
      if (lateUnused[slot.index] === 1) continue;
      lateUnused[slot.index] = 1;
      strategies.lateUnusedSlots++;
      if (freedByFleet[slot.index] === 1) strategies.lateUnusedFreedByFleet++;
    }
  }

  // --- Offers ----------------------------------------------------------------------------------

  function offer(request: Request, slot: Slot): void {
    const now = queue.now;
    dequeue(request);
    request.status = 'offered';
    request.offer = slot;
    const shortNotice = isShortNotice({ createdAt: new Date(now), slotStartsAt: new Date(slot.startsAt) });
    request.shortNotice = shortNotice;
    if (shortNotice) strategies.shortNoticeOffers++;
    if (request.applicant !== null) request.market.seekers.remove(request.applicant.index);
    settleHandOff(slot, request);
    const deadline = offerDeadline(new Date(now), allocation.offerHours, new Date(slot.startsAt)).getTime();
    queue.schedule(deadline, () => {
      if (request.offer !== slot || request.status !== 'offered') return;
      strategies.offersIgnored++;
      free(slot);
      if (request.shortNotice) {
        request.status = 'waiting'; // no fault: it waits again, in its batch
        request.offer = null;
        requeueKeepingBatch(request);
      } else {
        pause(request);
      }
    });

    if (request.kind === 'customer') {
      answerBy(deadline, botBookingAt(bots, now, 0, random), () => confirm(request, slot));
    } else if (request.kind === 'fake') {
      // Holding: confirm (to cancel later: a hand-off), or ignore until the deadline.
      if (random.chance(params.bots.handOffShare))
        answerBy(deadline, botBookingAt(bots, now, 0, random), () => confirm(request, slot));
    } else {
      const choice = random.float();
      const at = Math.round(now + random.logNormal(humans.responseMedianHours * HOUR, humans.responseSpread));
      if (choice < humans.offerIgnoreShare) return; // never seen
      if (shortNotice) {
        // Seen in time: taken by those who can come at such notice, declined by the others.
        const canCome = random.chance(humans.shortNoticeAcceptShare);
        answerBy(deadline, at, () => (canCome ? confirm(request, slot) : decline(request, slot)));
      } else if (choice < humans.offerIgnoreShare + humans.offerDeclineShare) {
        answerBy(deadline, at, () => decline(request, slot));
      } else {
        answerBy(deadline, at, () => confirm(request, slot));
      }
    }
  }

  /** An answer counts only before the deadline; a late one is an ignored offer. */
  function answerBy(deadline: number, at: number, answer: () => void): void {
    if (at < deadline) queue.schedule(at, answer);
  }

  /** An ignored offer pauses the request until its owner reconfirms (back in today's batch). */
  function pause(request: Request): void {
    request.status = 'paused';
    request.offer = null;
    if (request.kind === 'human' && !request.market.orders.has(request))
      request.market.seekers.add(request.applicant!.index);
    const at =
      request.kind === 'human'
        ? Math.round(queue.now + random.logNormal(humans.reconfirmMedianHours * HOUR, humans.responseSpread))
        : botBookingAt(bots, queue.now, 0, random); // the fleet reconfirms at once
    if (at >= request.givesUpAt) return; // never reconfirmed: gone with its owner's patience
    queue.schedule(at, () => {
      if (request.status === 'paused') requeueToday(request);
    });
  }

  function decline(request: Request, slot: Slot): void {
    if (request.offer !== slot || request.status !== 'offered') return;
    free(slot);
    request.lastDeclineAt = queue.now; // it sits the next draw out, short-notice or not
    if (request.shortNotice) {
      request.status = 'waiting'; // no fault: no decline counted, its batch kept
      request.offer = null;
      return requeueKeepingBatch(request);
    }
    request.declines++;
    if (request.declines > allocation.maxDeclines) {
      strategies.declinesClosing++;
      retire(request, 'closed');
    } else if (gaveUp(request)) {
      retire(request, 'closed');
    } else {
      requeueToday(request);
    }
  }

  function confirm(request: Request, slot: Slot): void {
    if (request.offer !== slot || request.status !== 'offered') return;
    if (request.shortNotice) strategies.shortNoticeConfirmed++;
    book(request, slot, request.kind !== 'human');
  }

  /** `request` gets `slot` (an offer confirmed, or an open slot booked). */
  function book(request: Request, slot: Slot, viaReseller: boolean): void {
    const now = queue.now;
    retire(request, 'booked');
    const applicant = request.applicant;
    ledger.book(slot, applicant === null ? FAKE : applicant.index, viaReseller, now);
    if (applicant === null) return planHandOff(request.market, slot);
    if (!applicant.cancels) return;
    const latest = slot.startsAt - DAY;
    if (latest > now) queue.schedule(Math.round(now + applicant.cancelPoint * (latest - now)), () => cancel(slot));
  }

  /** A freed slot goes to a draw first, after its collection window. */
  function free(slot: Slot): void {
    availableSince[slot.index] = queue.now;
    freedByFleet[slot.index] = 0;
    marketOf(slot).pool.add(slot);
  }

  function cancel(slot: Slot): void {
    ledger.cancel(slot, queue.now);
    free(slot);
  }

  // --- The hand-off ------------------------------------------------------------------------------

  /** An invented identity holds a slot: cancel it, as timed (`handOffTiming`), aiming it at
   *  the fleet's first waiting customer. */
  function planHandOff(market: Market, slot: Slot): void {
    const now = queue.now;
    const timing = params.bots.handOffTiming;
    let at: number;
    if (timing === 'atOnce') {
      at = now + 1;
    } else if (timing === 'quietHour') {
      at = dayOf(now - quietHour) * DAY + DAY + quietHour; // the next quiet hour
    } else if (timing === 'eveningBefore') {
      // One collection window before the daily draw of the slot's own day (19:00 the evening
      // before): until 2026-12-05 that draw could not offer it, and settled it at its instant.
      at = dayOf(slot.startsAt) * DAY + dailyDraw - WINDOW;
    } else {
      // Just too late for the last tick that could still offer it (≥ 3 h before the slot):
      // its first draw, at the next tick, finds it too soon to offer. Until 2026-12-05 that
      // draw gave it to the agents' reserve (phone, then counter) at an instant the fleet
      // knew; now, people waiting, it is given to nobody: a saboteur's waste.
      at = latestTickAtOrBefore(slot.startsAt - OFFERABLE_FROM) - FREED_WINDOW + SECOND;
    }
    if (at <= now || at >= slot.startsAt - MIN_BOOKING_LEAD) at = now + 1; // no better instant: at once
    queue.schedule(at, () => {
      if (ledger.slotHolder[slot.index] !== FAKE) return;
      const customer = firstOrder(market);
      if (customer !== undefined) {
        handOffs.attempted++;
        handOffTarget.set(slot.index, customer);
        aimed.add(customer);
      }
      cancel(slot); // with no customer waiting, the worthless hold is dropped all the same
      freedByFleet[slot.index] = 1;
    });
  }

  /** The last draw tick at or before `t`. */
  function latestTickAtOrBefore(t: number): number {
    for (let day = dayOf(t); ; day--) {
      for (let i = TICKS.length - 1; i >= 0; i--) if (day * DAY + TICKS[i]! <= t) return day * DAY + TICKS[i]!;
    }
  }

  /** The slot reached `taker`: a hand-off succeeds only if it is the customer it was aimed at. */
  function settleHandOff(slot: Slot, taker: Request): void {
    const target = handOffTarget.get(slot.index);
    if (target === undefined) return;
    handOffTarget.delete(slot.index);
    aimed.delete(target);
    if (target === taker) handOffs.succeeded++;
  }

  /** A hand-off whose slot nobody will take any more (it started free): it has failed. */
  function dropHandOff(slot: Slot): void {
    const target = handOffTarget.get(slot.index);
    if (target === undefined) return;
    handOffTarget.delete(slot.index);
    aimed.delete(target);
  }

  // --- First come, for the slots no draw placed ---------------------------------------------

  /** The customer an open slot is booked for: the one a hand-off aimed it at, else the
   *  first in hiring order whose request is waiting or paused and who is not the aim of
   *  another hand-off (the fleet routes each slot to its own buyer). */
  function firstOrder(market: Market, aimedAt?: Request): Request | undefined {
    const available = (r: Request) => r.status === 'waiting' || r.status === 'paused';
    if (aimedAt !== undefined && market.orders.has(aimedAt) && available(aimedAt)) return aimedAt;
    for (const request of market.orders) if (available(request) && !aimed.has(request)) return request;
    return undefined;
  }

  function openToFirstCome(market: Market, slots: Slot[]): void {
    if (slots.length === 0) return;
    const now = queue.now;
    let waitingOrders = 0;
    for (const request of market.orders)
      if (request.status === 'waiting' || request.status === 'paused') waitingOrders++;
    const watcherTimes = watcherBookingTimes(market.seekers, now, slots.length, params, form, random);
    let botsSent = 0;
    let watchersUsed = 0;
    for (const slot of slots) {
      strategies.openedSlots++;
      market.open.add(slot);
      // The fleet polls the list: its booking lands first, for a customer, when it has one.
      const botAt = botsSent < waitingOrders ? botBookingAt(bots, now, botsSent, random) : Infinity;
      const humanAt = Math.min(
        watcherTimes[watchersUsed] ?? Infinity,
        humanBookingAt(market.seekers, now, params, form, random),
      );
      if (botAt <= humanAt) botsSent++;
      else if (watcherTimes[watchersUsed] === humanAt) watchersUsed++;
      race(slot, Math.min(botAt, humanAt), botAt <= humanAt);
    }
  }

  function race(slot: Slot, at: number, fleet: boolean): void {
    if (at >= slot.startsAt - MIN_BOOKING_LEAD) return; // nobody in time: it stays empty
    queue.schedule(at, () => (fleet ? fleetTakes(slot) : personTakes(slot)));
  }

  function fleetTakes(slot: Slot): void {
    const market = marketOf(slot);
    if (!market.open.has(slot)) return;
    const customer = firstOrder(market, handOffTarget.get(slot.index));
    if (customer === undefined)
      return race(slot, humanBookingAt(market.seekers, queue.now, params, form, random), false);
    market.open.delete(slot);
    strategies.openSlotsToFleet++;
    settleHandOff(slot, customer);
    book(customer, slot, true);
  }

  function personTakes(slot: Slot): void {
    const market = marketOf(slot);
    if (!market.open.has(slot)) return;
    const person = market.seekers.pick(random);
    if (person === undefined) return;
    const request = requestOf[person]!;
    market.open.delete(slot);
    strategies.openSlotsToPeople++;
    settleHandOff(slot, request);
    book(request, slot, false);
  }

  // --- Customers, churn ----------------------------------------------------------------------

  /** A person who pays a reseller after failing on their own: the fleet books open slots for
   *  them from now on (their request stays theirs: the draw does not know). */
  function hire(request: Request): void {
    if (request.status !== 'waiting' && request.status !== 'paused') return;
    const market = request.market;
    market.orders.add(request);
    market.seekers.remove(request.applicant!.index);
    const now = queue.now;
    for (const slot of market.open) {
      if (slot.startsAt - now > MIN_BOOKING_LEAD + bots.latencyMs.max)
        return race(slot, botBookingAt(bots, now, 0, random), true);
    }
  }

  /** Withdraw and refile the fleet's customers a draw passed over: the refiled request joins
   *  today's batch; the third withdrawal within the window starts the cooling-off. */
  function churn(passedOver: Request[]): void {
    if (params.bots.churnShare <= 0) return;
    const now = queue.now;
    for (const request of passedOver) {
      if (!random.chance(params.bots.churnShare)) continue;
      strategies.churns++;
      request.withdrawals = request.withdrawals.filter((t) => t > now - allocation.churnWindowDays * DAY);
      request.withdrawals.push(now);
      if (request.withdrawals.length >= allocation.churnLimit) {
        strategies.coolingOffs++;
        dequeue(request);
        request.status = 'paused';
        request.withdrawals = [];
        queue.schedule(now + allocation.coolingOffDays * DAY, () => {
          if (request.status === 'paused' && !gaveUp(request)) requeueToday(request);
        });
      } else {
        requeueToday(request);
      }
    }
  }

  // --- Requests ---------------------------------------------------------------------------------

  const requestOf: Array<Request | undefined> = new Array(applicants.length);
  const newRequest = (
    id: string,
    kind: RequestKind,
    applicant: Applicant | null,
    market: Market,
    givesUpAt: number,
  ): Request => ({
    id,
    kind,
    applicant,
    market,
    priorityClass: PRIORITY_NORMAL,
    batch: batchOf(queue.now),
    status: 'waiting',
    offer: null,
    shortNotice: false,
    declines: 0,
    lastDeclineAt: -Infinity,
    withdrawals: [],
    givesUpAt,
  });

  function arrive(applicant: Applicant): void {
    // The fleet files within a second of being hired; a person takes minutes to hours.
    const kind: RequestKind = applicant.rentsIdentity ? 'customer' : 'human';
    const filedAt =
      kind === 'customer'
        ? botBookingAt(bots, applicant.arrivesAt, 0, random)
        : applicant.arrivesAt + applicant.fileDelay;
    queue.schedule(filedAt, () => {
      const request = newRequest(`a${applicant.index}`, kind, applicant, marketOf(applicant), applicant.givesUpAt);
      requestOf[applicant.index] = request;
      file(request);
    });
    if (kind === 'human' && applicant.paysAt !== null && applicant.paysAt < applicant.givesUpAt) {
      queue.schedule(Math.max(applicant.paysAt, filedAt), () => {
        const request = requestOf[applicant.index];
        if (request !== undefined) hire(request);
      });
    }
  }

  /** Invented passport identities (registry procedures refuse them): a Poisson stream. */
  function scheduleFakeRequests(): void {
    const { supply, demand } = params;
    const perDay =
      ((supply.appointmentsPerYear * demand.demandRatio) / 365) *
      (1 - supply.registryCheckedShare) *
      params.bots.fakeRequestShare;
    if (perDay <= 0) return;
    const { patienceDays } = demand;
    const next = (from: number): void => {
      const at = Math.round(from + random.exponential(DAY / perDay));
      if (at >= world.horizon) return;
      queue.schedule(at, () => {
        const lifetime = Math.round(random.between(patienceDays.min, patienceDays.max) * DAY);
        file(newRequest(`f${strategies.fakeRequests++}`, 'fake', null, passportMarket, at + lifetime));
        next(at);
      });
    };
    next(0);
  }

  // --- The run ------------------------------------------------------------------------------------

  scheduleReleases(world, queue, (slots) => {
    for (const slot of slots) free(slot);
  });
  // Production's daily schedule: the daily draw, then a draw every hour until 20:00.
  for (let day = 0; day * DAY < world.horizon; day++) {
    for (const time of TICKS) {
      const at = day * DAY + time;
      if (at >= world.horizon) break;
      const daily = time === dailyDraw;
      queue.schedule(at, () => {
        draw(registryMarket, daily);
        draw(passportMarket, daily);
      });
    }
  }
  scheduleArrivals(world, queue, arrive);
  scheduleFakeRequests();
  scheduleDays(world, queue, ledger, onDay);
  queue.runUntil(world.horizon);
  return { ledger, extras: { handOffs, bots, strategies } };
}
