// What a prefecture publishes of its draws (issue 16, part 1; domain/draw-commitment.ts):
//   - its list: the finished draws (commitment, revealed secret, counts, digests) and the
//     commitments to ticks not drawn yet (never their secrets);
//   - each draw's file (creneau-draw-publication/1): everything `creneau draw verify` needs to
//     recompute it alone — requests under pseudonyms, slots, and the offers the draw made, in
//     the order the requests chose;
//   - one pseudonym's place in a draw (the "check my place" form);
//   - the pseudonyms of the request a management token opens, one per draw of its queue while
//     it was filed (shown on /my-request: the request may have sat a draw out, paused or just
//     offered, and then the form says it was not in it).
import { gunzipSync } from 'node:zlib';
import { type DrawInput, runDraw } from '../../domain/allocation-draw.ts';
import {
  DRAW_PUBLICATION_FORMAT,
  type PublishedDraw,
  pseudonymOf,
  publishedRequest,
  publishedSlot,
} from '../../domain/draw-commitment.ts';
import { CATCH_UP_MS } from '../../domain/draw-schedule.ts';
import { decodeDrawSnapshot } from '../../domain/draw-snapshot.ts';
import { DomainError } from '../../domain/errors.ts';
import type { PublicCommitment, PublicDraw, StoredDraw } from '../../ports/draw-store.ts';
import type { AllocationContext } from './allocation-context.ts';
import { inChoosingOrder } from './replay-draw.ts';

/** Draws listed on a prefecture's page (the latest). */
export const PUBLIC_DRAWS_LIMIT = 50;
/** Pseudonyms listed on the applicant's page (the latest draws). */
export const PSEUDONYMS_LIMIT = 20;

type PublicContext = AllocationContext<'draws' | 'prefectures', never>;

/** A finished draw on the page: the secret only for a draw with a commitment (it is then revealed). */
export type ListedDraw = PublicDraw & { verifiable: boolean; committedInAdvance: boolean };

export interface PublicDrawList {
  prefecture: { id: string; name: string; timeZone: string };
  /** Names of the procedures the lists name, by id. */
  procedures: Record<string, { nameFr: string; nameEn: string }>;
  draws: ListedDraw[];
  upcoming: PublicCommitment[];
}

export async function listPublicDraws(
  ctx: AllocationContext<'draws' | 'prefectures' | 'procedures', never>,
  prefectureId: string,
): Promise<PublicDrawList> {
  const prefecture = await ctx.draws.prefectures.get(prefectureId);
  if (!prefecture) throw new DomainError('PREFECTURE_NOT_FOUND', undefined, { prefectureId });
  const [draws, upcoming] = await Promise.all([
    ctx.draws.draws.published(prefectureId, PUBLIC_DRAWS_LIMIT),
    // A tick not drawn within the scheduler's catch-up window never will be.
    ctx.draws.draws.upcomingCommitments(prefectureId, new Date(ctx.clock.now().getTime() - CATCH_UP_MS)),
  ]);
  const procedures: PublicDrawList['procedures'] = {};
  for (const id of new Set([...draws, ...upcoming].map((d) => d.procedureId))) {
    const procedure = await ctx.draws.procedures.get(id);
    procedures[id] = procedure ? { nameFr: procedure.nameFr, nameEn: procedure.nameEn } : { nameFr: id, nameEn: id };
  }
  return {
    prefecture: { id: prefecture.id, name: prefecture.name, timeZone: prefecture.timeZone },
    procedures,
    draws: draws.map((d) => ({
      ...d,
      verifiable: d.secret !== null,
      committedInAdvance: d.committedAt !== null && d.committedAt < d.tick,
    })),
    upcoming,
  };
}

/** A draw of this prefecture (any, when null) with a commitment, finished; DRAW_NOT_FOUND otherwise. */
async function verifiableDraw(ctx: PublicContext, prefectureId: string | null, drawId: string) {
  const draw = await ctx.draws.draws.get(drawId);
  if (
    !draw ||
    (prefectureId !== null && draw.prefectureId !== prefectureId) ||
    draw.resultDigest === '' ||
    !draw.secret ||
    !draw.commitment
  )
    throw new DomainError('DRAW_NOT_FOUND', undefined, { drawId });
  return draw as StoredDraw & { secret: string; commitment: string; committedAt: Date; closingDigest: string };
}

// The last draw decoded, kept: the page's form and its download ask for the same draw in a row,
// and decoding a large draw costs seconds.
let decoded: { drawId: string; input: DrawInput; result: [string, string][] } | null = null;

async function decode(ctx: PublicContext, draw: StoredDraw & { secret: string }) {
  if (decoded?.drawId === draw.id) return decoded;
  const input = decodeDrawSnapshot(gunzipSync(draw.inputSnapshot).toString('utf8'));
  const stored = (await ctx.draws.draws.assignments(draw.id)).map((a) => ({
    requestId: pseudonymOf(draw.secret, a.requestId),
    slotId: a.slotId,
  }));
  // The offers as stored, put in the order the requests chose (offers carry no position).
  const result = inChoosingOrder(stored, runDraw(input).order).map((a): [string, string] => [a.requestId, a.slotId]);
  decoded = { drawId: draw.id, input, result };
  return decoded;
}

export async function publishedDraw(
  ctx: PublicContext,
  prefectureId: string | null,
  drawId: string,
): Promise<PublishedDraw> {
  const draw = await verifiableDraw(ctx, prefectureId, drawId);
  const { input, result } = await decode(ctx, draw);
  return {
    format: DRAW_PUBLICATION_FORMAT,
    drawId: draw.id,
    prefectureId: draw.prefectureId,
    procedureId: draw.procedureId,
    tick: draw.tick.toISOString(),
    trigger: draw.trigger,
    committedAt: draw.committedAt.toISOString(),
    startedAt: draw.startedAt.toISOString(),
    finishedAt: draw.finishedAt.toISOString(),
    commitment: draw.commitment,
    secret: draw.secret,
    closingDigest: draw.closingDigest,
    seed: draw.seed,
    inputDigest: draw.inputDigest,
    resultDigest: draw.resultDigest,
    counts: {
      requests: draw.requestsCount,
      slots: draw.slotsCount,
      assigned: draw.assignedCount,
      opened: draw.openedCount,
    },
    requests: input.requests.map(publishedRequest),
    slots: input.slots.map(publishedSlot),
    result,
  };
}

export interface PlaceInDraw {
  drawId: string;
  tick: Date;
  pseudonym: string;
  /** Null: this pseudonym was not in the draw. */
  entry: { priorityClass: number; batch: number; slotId: string | null } | null;
}

export async function placeInDraw(
  ctx: PublicContext,
  input: { prefectureId: string; drawId: string; pseudonym: string },
): Promise<PlaceInDraw> {
  const draw = await verifiableDraw(ctx, input.prefectureId, input.drawId);
  const pseudonym = input.pseudonym.trim().toLowerCase();
  const { input: drawn, result } = await decode(ctx, draw);
  const request = drawn.requests.find((r) => r.id === pseudonym);
  return {
    drawId: draw.id,
    tick: draw.tick,
    pseudonym,
    entry: request
      ? {
          priorityClass: request.priorityClass,
          batch: request.batch,
          slotId: result.find(([p]) => p === pseudonym)?.[1] ?? null,
        }
      : null,
  };
}

export interface DrawPseudonym {
  drawId: string;
  prefectureId: string;
  tick: Date;
  pseudonym: string;
}

/** The request's pseudonym in each draw of its queue while it was filed (latest first). */
export async function pseudonymsOfRequest(
  ctx: AllocationContext<'draws', never>,
  managementToken: string,
  prefectureId: string,
): Promise<DrawPseudonym[]> {
  const draws = await ctx.draws.draws.drawsOfRequest(ctx.hasher.tokenDigest(managementToken), PSEUDONYMS_LIMIT);
  return draws.flatMap((d) =>
    d.secret ? [{ drawId: d.drawId, prefectureId, tick: d.tick, pseudonym: pseudonymOf(d.secret, d.requestId) }] : [],
  );
}
