// What an applicant sees of their request: its facts and preferences, its priority class,
// where it stands in its queue with an estimated wait, and the pending offer if a draw made
// one. The estimate comes from recent capacity — the slots the queue's draws served over the
// last 28 days — and is 'unknown' when there is no such history.

import type { HalfDay } from '../../domain/allocation-draw.ts';
import { DomainError } from '../../domain/errors.ts';
import { isHeldAt } from '../../domain/fraud-signals.ts';
import { localDateOf } from '../../domain/local-time.ts';
import { priorityClassOf, type UrgencySource, type UrgencyStatus, verifiedUrgencyDate } from '../../domain/priority.ts';
import {
  CAPACITY_WINDOW_DAYS,
  type ClassCount,
  LIVE_REQUEST_STATUSES,
  type RequestStatus,
  type Standing,
  standingOf,
} from '../../domain/request-rules.ts';
import type { Procedure } from '../../ports/booking-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { AllocationRequest, RequestReader } from '../../ports/request-store.ts';
import type { RequestContext } from './request-context.ts';

const DAY_MS = 86_400_000;

/**
 * The pending offer inside a request's view: the slot and the deadline. The offer's own, full
 * view (site, local times, what is left) is OfferView in app/offers/offer-view.ts.
 */
export interface PendingOfferView {
  slotId: string;
  siteId: string;
  startsAt: string;
  endsAt: string;
  /** Answer before this instant, or the slot goes back to the draw. */
  expiresAt: string;
  extended: boolean;
}

/** The JSON-safe picture of a request (idempotent replays store and give it back unchanged). */
export interface RequestView {
  reference: string;
  status: RequestStatus;
  prefectureId: string;
  procedureId: string;
  filedAt: string;
  updatedAt: string;
  closedAt: string | null;
  preferences: { siteIds: string[]; weekdays: number[]; halfDays: HalfDay[] };
  urgencyDate: string | null;
  /** Where the date comes from, and whether it counts yet (a declared date waits for an agent's review). */
  urgency: { source: UrgencySource | null; status: UrgencyStatus };
  /** The batch: the day the request entered the queue (earlier batches are drawn first). */
  queuedOn: string;
  applicant: { surname: string; givenNames: string; birthDate: string; nationality: string; email: string };
  /** 0 = permit or récépissé expired, then expiring soon, then the rest (see domain/priority.ts). */
  priorityClass: number;
  /** Where the request stands while it waits; null in any other status. */
  standing: Standing | null;
  /** The offer awaiting an answer, if any. */
  offer: PendingOfferView | null;
  /** Being checked by an agent (a fraud signal's hold): out of the draws, its place kept, until `heldUntil` at the latest. */
  check: { heldUntil: string } | null;
}

/** The settings of the request's procedure that its standing depends on. */
export type QueueSettings = Pick<Procedure, 'allocation'>;

/** Priority class of a request today, in its prefecture's time zone: from its verified urgency only. */
export function priorityOf(
  request: Pick<AllocationRequest, 'urgencyDate' | 'urgencyStatus' | 'timeZone'>,
  procedure: QueueSettings,
  now: Date,
): number {
  return priorityClassOf({
    urgencyDate: verifiedUrgencyDate(request),
    today: localDateOf(now, request.timeZone),
    soonDays: procedure.allocation.urgentWithinDays,
  });
}

/** Builds the view; reads go through `reader` (the pool, or the caller's transaction). */
export async function describeRequest(
  deps: { clock: Clock },
  reader: RequestReader,
  request: AllocationRequest,
  procedure: QueueSettings,
): Promise<RequestView> {
  const now = deps.clock.now();
  const today = localDateOf(now, request.timeZone);
  const classOf = (urgencyDate: string | null) =>
    priorityClassOf({ urgencyDate, today, soonDays: procedure.allocation.urgentWithinDays });
  const priorityClass = classOf(verifiedUrgencyDate(request));

  let standing: Standing | null = null;
  if (request.status === 'waiting') {
    const { groups, capacity } = await reader.queueStanding(
      request,
      new Date(now.getTime() - CAPACITY_WINDOW_DAYS * DAY_MS),
    );
    const classes: ClassCount[] = groups.map((g) => ({
      priorityClass: classOf(g.urgencyDate),
      waiting: g.waiting,
      inEarlierBatches: g.inEarlierBatches,
      inSameBatch: g.inSameBatch,
    }));
    standing = standingOf({
      priorityClass,
      classes,
      slotsServed: capacity.slotsServed,
      windowDays: CAPACITY_WINDOW_DAYS,
    });
  }
  const offer = request.status === 'offered' ? await reader.pendingOffer(request.id) : null;

  return {
    reference: request.reference,
    status: request.status,
    prefectureId: request.prefectureId,
    procedureId: request.procedureId,
    filedAt: request.filedAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
    closedAt: request.closedAt?.toISOString() ?? null,
    preferences: { siteIds: request.siteIds, weekdays: request.weekdays, halfDays: request.halfDays },
    urgencyDate: request.urgencyDate,
    urgency: { source: request.urgencySource, status: request.urgencyStatus },
    queuedOn: request.queuedOn,
    applicant: {
      surname: request.surname,
      givenNames: request.givenNames,
      birthDate: request.birthDate,
      nationality: request.nationality,
      email: request.email,
    },
    priorityClass,
    standing,
    check:
      LIVE_REQUEST_STATUSES.includes(request.status) && isHeldAt(request.reviewState, request.holdLapsesAt, now)
        ? { heldUntil: request.holdLapsesAt!.toISOString() }
        : null,
    offer: offer && {
      slotId: offer.slotId,
      siteId: offer.siteId,
      startsAt: offer.startsAt.toISOString(),
      endsAt: offer.endsAt.toISOString(),
      expiresAt: offer.expiresAt.toISOString(),
      extended: offer.extended,
    },
  };
}

/** The request a management token opens and its procedure (read, not locked); REQUEST_NOT_FOUND otherwise. */
export async function findRequestOfToken(
  ctx: RequestContext,
  managementToken: string,
): Promise<{ request: AllocationRequest; procedure: Procedure }> {
  const request = await ctx.requests.findRequestByToken(ctx.hasher.tokenDigest(managementToken));
  if (!request) throw new DomainError('REQUEST_NOT_FOUND');
  const procedure = await ctx.store.getProcedure(request.procedureId);
  if (!procedure) throw new DomainError('REQUEST_NOT_FOUND');
  return { request, procedure };
}

export async function viewRequest(ctx: RequestContext, managementToken: string): Promise<RequestView> {
  const { request, procedure } = await findRequestOfToken(ctx, managementToken);
  return describeRequest(ctx, ctx.requests, request, procedure);
}
