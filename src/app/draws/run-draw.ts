// Runs the draw of one prefecture, procedure and tick, in ONE transaction:
//   1. insert the draw row for (prefecture, procedure, tick) — the unique constraint
//      draw_once_per_tick elects one instance: a concurrent instance blocks on the row until
//      the first commits, then finds the conflict and does nothing;
//   2. serialise with any other draw of the same queue (another tick at the same moment);
//   3. read the waiting requests (priority class from their VERIFIED urgency date at the
//      tick's local date, batch = the day each entered the queue; not those that declined an
//      offer since the previous draw) and the free slots that have been available for a full
//      collection window (domain/draw-schedule.ts), far enough ahead to be offered;
//   4. take the tick's commitment (made ahead by the scheduler; for a manual draw, or a tick
//      the scheduler did not see coming, one made now — the page says it was not in advance),
//      put the requests under their pseudonyms for this draw, and run the pure algorithm
//      (domain/allocation-draw.ts: class, batch, seeded lottery) on them with the seed
//      SHA-256(secret ‖ closing digest) (domain/draw-commitment.ts); the offers go to the
//      requests behind the pseudonyms;
//   5. write the offers (a waiting request with a pending offer is offered: migration 0026); then the slots nobody took:
//        - if nobody waits in the queue any more (demand is met), every free slot that waited
//          a full window opens to first-come booking — at this instant, the draw's, never at
//          the instant of its release or cancellation;
//        - if people still wait (their preferences did not fit these slots), nothing opens:
//          the slots wait for later draws, and those too soon to be offered (under 3 h: see
//          offer-rules.ts) are given to NOBODY. A first-come race for a scarce slot is exactly
//          what speed wins, and a slot freed late on purpose ("cancel, then take it for a
//          customer where it reappears") must not reappear anywhere someone can take it
//          first — online, by phone or at the head of the counter's line (the simulator
//          measured each of these hand-offs: docs/SIMULATOR.md). The cost is the slots
//          genuinely cancelled less than 3 hours ahead;
//      store the digests, the counts and the gzipped input snapshot, from which
//      `creneau draw replay` reruns the draw;
//   6. write the offer emails to the outbox (delivered after the commit by the worker).
import type { TransformOptions } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate } from 'node:timers/promises';
import { createGzip, type ZlibOptions } from 'node:zlib';
import { type DrawInput, type DrawRequest, type DrawSlot, runSeededDraw } from '../../domain/allocation-draw.ts';
import { commitmentOf, drawSecretOf, drawSeedOf, pseudonymise } from '../../domain/draw-commitment.ts';
import { collectionWindowMs, type DrawTrigger, freedCollectionWindowMs } from '../../domain/draw-schedule.ts';
import { encodeDrawSnapshot } from '../../domain/draw-snapshot.ts';
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import { earliestOfferableStart, halfDayOf, offerDeadline } from '../../domain/offer-rules.ts';
import { epochDayOf, priorityClassOf } from '../../domain/priority.ts';
import type {
  DrawProcedure,
  DrawRepositories,
  FreeSlotForDraw,
  NewOffer,
  WaitingRequest,
} from '../../ports/draw-store.ts';
import { offerMadeNotifications } from '../notifications/notifications.ts';
import type { AllocationContext } from './allocation-context.ts';

export interface RunDrawInput {
  prefectureId: string;
  procedureId: string;
  tick: Date;
  trigger: DrawTrigger;
}

export interface RunDrawOptions {
  /** Write the offer emails to the outbox (default true; benchmarks turn it off). */
  notify?: boolean;
}

export interface DrawTimings {
  /** Waiting requests and free slots read. */
  readMs: number;
  /** The algorithm and its digests. */
  assignMs: number;
  /** Offers and request statuses written, the snapshot compressed meanwhile, draw row completed, commit. */
  writeMs: number;
}

export type DrawRunReport =
  | {
      status: 'drawn';
      drawId: string;
      prefectureId: string;
      procedureId: string;
      tick: Date;
      trigger: DrawTrigger;
      seed: string;
      commitment: string;
      /** Whether the commitment was made before the tick (false: a manual draw, committed at the draw). */
      committedInAdvance: boolean;
      closingDigest: string;
      requestsCount: number;
      slotsCount: number;
      assignedCount: number;
      /** Assignments whose request left the queue during the draw (recorded as withdrawn offers). */
      withdrawnCount: number;
      /** Slots left without a taker, opened to first-come booking by this draw (only when nobody waits any more). */
      openedCount: number;
      /** Slots too soon to be offered while people wait: given to nobody. */
      lateUnusedCount: number;
      inputDigest: string;
      resultDigest: string;
      snapshotBytes: number;
      timings: DrawTimings;
      /** Offer emails written to the outbox. */
      messagesQueued: number;
    }
  | { status: 'already-drawn'; prefectureId: string; procedureId: string; tick: Date; trigger: DrawTrigger };

/** The draw's view of the requests: each one's priority class on the tick's local date. */
export function toDrawRequests(
  requests: readonly WaitingRequest[],
  drawDate: string,
  procedure: Pick<DrawProcedure, 'urgentWithinDays'>,
): DrawRequest[] {
  // Many requests share a batch day: convert each once.
  // Many requests share an urgency date: classify each date once.
  const classes = new Map<string | null, number>();
  const classOf = (urgencyDate: string | null) => {
    let priorityClass = classes.get(urgencyDate);
    if (priorityClass === undefined) {
      priorityClass = priorityClassOf({ urgencyDate, today: drawDate, soonDays: procedure.urgentWithinDays });
      classes.set(urgencyDate, priorityClass);
    }
    return priorityClass;
  };
  const batches = new Map<string, number>();
  const batchOf = (queuedOn: string) => {
    let batch = batches.get(queuedOn);
    if (batch === undefined) batches.set(queuedOn, (batch = epochDayOf(queuedOn, 'queuedOn')));
    return batch;
  };
  return requests.map((request) => toDrawRequest(request, classOf(request.urgencyDate), batchOf(request.queuedOn)));
}

function toDrawRequest(request: WaitingRequest, priorityClass: number, batch: number): DrawRequest {
  return {
    id: request.id,
    priorityClass,
    batch,
    siteIds: request.siteIds,
    weekdays: request.weekdays,
    halfDays: request.halfDays,
  };
}

export function toDrawSlot(slot: FreeSlotForDraw): DrawSlot {
  return {
    id: slot.id,
    siteId: slot.siteId,
    startsAt: slot.startsAt.getTime(),
    weekday: slot.localWeekday,
    halfDay: halfDayOf(slot.localMinuteOfDay),
  };
}

/**
 * The stored snapshot: gzip of the draw's input (domain/draw-snapshot.ts). Asynchronous: the
 * text is encoded a chunk at a time and compressed on libuv's thread pool, so that for a
 * million requests (≈120 MB of text → ≈35 MB, seconds of work) it runs while the database
 * writes the offers, not before.
 */
export async function snapshotOf(input: DrawInput): Promise<Buffer> {
  const parts: Buffer[] = [];
  // Level 3: about twice as fast as the default level 6, for a tenth more bytes. One chunk is
  // encoded per turn of the event loop and up to 1 MiB of text waits for the compressor, so
  // that this thread encodes while the pool compresses (with the stream defaults they took
  // turns): a million requests in 1.5 s instead of 1.9 when a core is free, as after the
  // offers are written; the same CPU time either way.
  const options: ZlibOptions & TransformOptions = { level: 3, chunkSize: 1 << 16, writableHighWaterMark: 1 << 20 };
  await pipeline(oneChunkPerTurn(encodeDrawSnapshot(input)), createGzip(options), async (compressed) => {
    for await (const part of compressed) parts.push(part as Buffer);
  });
  return Buffer.concat(parts);
}

async function* oneChunkPerTurn(chunks: Iterable<string>): AsyncGenerator<string> {
  for (const chunk of chunks) {
    yield chunk;
    await setImmediate(); // lets the compressor's callbacks run between two chunks
  }
}

/**
 * The draw's assignments as offers, back from pseudonyms to requests by position (the draw's
 * input is `requests` and `slots` in order), listed in the order the requests were read — not
 * the draw's: the store then finds them page after page.
 */
function offersInReadOrder(
  result: Pick<ReturnType<typeof runSeededDraw>, 'assignments' | 'positions'>,
  requests: readonly WaitingRequest[],
  slots: readonly FreeSlotForDraw[],
  deadlineOf: (startsAt: Date) => Date,
): NewOffer[] {
  const { assignments, positions } = result;
  const assignmentOf = new Int32Array(requests.length).fill(-1);
  for (let k = 0; k < assignments.length; k++) assignmentOf[positions.requests[k]!] = k;
  const offers: NewOffer[] = [];
  assignmentOf.forEach((k, r) => {
    if (k >= 0)
      offers.push({
        requestId: requests[r]!.id,
        slotId: assignments[k]!.slotId,
        expiresAt: deadlineOf(slots[positions.slots[k]!]!.startsAt),
      });
  });
  return offers;
}

/** What a draw reads before its transaction, and writes in it. */
export type RunDrawContext = AllocationContext<
  'procedures' | 'prefectures' | 'queues',
  'draws' | 'requests' | 'slots' | 'offers' | 'outbox'
>;

// Durations for the report, measured (not the injected clock, which may stand still).
const elapsed = (since: number) => Math.round((performance.now() - since) * 10) / 10;

export async function runDrawForTick(
  ctx: RunDrawContext,
  input: RunDrawInput,
  options: RunDrawOptions = {},
): Promise<DrawRunReport> {
  const procedure = await ctx.draws.procedures.get(input.procedureId);
  if (procedure?.channel !== 'appointment')
    throw new DomainError('PROCEDURE_NOT_FOUND', 'No procedure done by appointment with this id.', {
      procedureId: input.procedureId,
    });
  const timeZone = (await ctx.draws.prefectures.get(input.prefectureId))?.timeZone;
  if (!timeZone) throw new DomainError('PREFECTURE_NOT_FOUND', undefined, { prefectureId: input.prefectureId });
  const schedule = await ctx.draws.queues.get(input.prefectureId, input.procedureId);
  const cadence = { cadence: schedule?.cadence ?? null };
  const windowMs = collectionWindowMs(cadence);
  const freedWindowMs = freedCollectionWindowMs(cadence);
  // A tick without a commitment yet (a manual draw) gets one now, in a short transaction of its
  // own: chaining it locks the evidence chain's head, which the draw's must not hold for long.
  const freshSecret = drawSecretOf(ctx.secrets.randomBytes(32));
  const ensureCommitment = (tx: Pick<DrawRepositories, 'draws'>) =>
    tx.draws.ensure({
      prefectureId: input.prefectureId,
      procedureId: input.procedureId,
      tick: input.tick,
      secret: freshSecret,
      commitment: commitmentOf(freshSecret),
      committedAt: ctx.clock.now(),
    });
  await ctx.draws.transaction(ensureCommitment);
  const drawDate = localDateOf(input.tick, timeZone);

  const started = performance.now();
  let readMs = 0;
  let assignMs = 0;
  const outcome = await ctx.draws.transaction(async (tx) => {
    const drawId = await tx.draws.claimTick({
      prefectureId: input.prefectureId,
      procedureId: input.procedureId,
      tick: input.tick,
      trigger: input.trigger,
      seed: '', // known once the input is read (step 4)
      startedAt: ctx.clock.now(),
    });
    if (!drawId) return null;
    const commitment = await ensureCommitment(tx); // the one above, or the scheduler's before it
    await tx.draws.lockQueue(input.prefectureId, input.procedureId);
    // Read after the lock: a draw of the same queue that ran meanwhile has committed its offers.
    const now = ctx.clock.now();
    // A request that declined an offer since the previous draw of its queue sits this one
    // out (domain/offer-rules.ts): otherwise it would be offered the slot it just declined.
    const declinedSince = await tx.draws.previousStart(input.prefectureId, input.procedureId, drawId);
    // The tick, not the clock, bounds what is drawn: every instance computes the same window.
    const window = {
      tick: input.tick,
      availableBy: new Date(input.tick.getTime() - windowMs),
      freedBy: new Date(input.tick.getTime() - freedWindowMs),
      startsFrom: earliestOfferableStart(now, procedure.offerHours),
    };
    // Both read at once (the store may read the slots on a connection of their own). A request
    // held for a fraud check sits out until cleared or until its hold lapses (no job needed).
    const [requests, slots] = await Promise.all([
      tx.requests.waiting(input.prefectureId, input.procedureId, declinedSince, now),
      tx.slots.freeForDraw(input.prefectureId, input.procedureId, window),
    ]);
    readMs = elapsed(started);

    const assignStarted = performance.now();
    const pseudonymised = pseudonymise(toDrawRequests(requests, drawDate, procedure), commitment.secret);
    const drawSlots = slots.map(toDrawSlot);
    const result = runSeededDraw({ requests: pseudonymised, slots: drawSlots }, (closing) =>
      drawSeedOf(commitment.secret, closing),
    );
    const { seed, closingDigest } = result;
    const drawInput: DrawInput = { requests: pseudonymised, slots: drawSlots, seed };
    const snapshot = snapshotOf(drawInput); // awaited for the draw row, after the offers
    assignMs = elapsed(assignStarted);

    const offers = offersInReadOrder(result, requests, slots, (startsAt) =>
      offerDeadline(now, procedure.offerHours, startsAt),
    );
    const { pending } = await tx.offers.record(drawId, offers, now);
    const messages =
      options.notify === false
        ? []
        : (await tx.offers.notices(drawId)).flatMap((notice) => offerMadeNotifications(notice, now));
    await tx.outbox.enqueueMessages(messages, now);
    const leftovers = await tx.slots.settleLeftovers(drawId, input.prefectureId, input.procedureId, window, now);
    const openedCount = leftovers.opened;
    const inputSnapshot = await snapshot;
    await tx.draws.finish(drawId, {
      seed,
      commitment: commitment.commitment,
      secret: commitment.secret,
      committedAt: commitment.committedAt,
      closingDigest,
      inputDigest: result.inputDigest,
      resultDigest: result.resultDigest,
      inputSnapshot,
      requestsCount: requests.length,
      slotsCount: slots.length,
      assignedCount: result.assignments.length,
      openedCount,
      finishedAt: ctx.clock.now(),
    });
    return {
      drawId,
      seed,
      commitment,
      closingDigest,
      result,
      pendingCount: pending,
      requestsCount: requests.length,
      slotsCount: slots.length,
      openedCount,
      lateUnusedCount: leftovers.unused,
      snapshotBytes: inputSnapshot.length,
      messagesQueued: messages.length,
    };
  });
  if (!outcome)
    return {
      status: 'already-drawn',
      prefectureId: input.prefectureId,
      procedureId: input.procedureId,
      tick: input.tick,
      trigger: input.trigger,
    };
  const writeMs = Math.max(0, elapsed(started) - readMs - assignMs);
  return {
    status: 'drawn',
    drawId: outcome.drawId,
    prefectureId: input.prefectureId,
    procedureId: input.procedureId,
    tick: input.tick,
    trigger: input.trigger,
    seed: outcome.seed,
    commitment: outcome.commitment.commitment,
    committedInAdvance: outcome.commitment.committedAt < input.tick,
    closingDigest: outcome.closingDigest,
    requestsCount: outcome.requestsCount,
    slotsCount: outcome.slotsCount,
    assignedCount: outcome.result.assignments.length,
    withdrawnCount: outcome.result.assignments.length - outcome.pendingCount,
    openedCount: outcome.openedCount,
    lateUnusedCount: outcome.lateUnusedCount,
    inputDigest: outcome.result.inputDigest,
    resultDigest: outcome.result.resultDigest,
    snapshotBytes: outcome.snapshotBytes,
    timings: { readMs, assignMs, writeMs },
    messagesQueued: outcome.messagesQueued,
  };
}
