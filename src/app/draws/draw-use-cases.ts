// The draws' use cases, bound to the allocation context: the scheduler (offers expired, due
// ticks drawn, every minute), a draw now, and the replay of a stored draw.
import { expireOffers } from '../offers/expire-offers.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import type { AllocationContext } from './allocation-context.ts';
import { drawNow } from './draw-now.ts';
import { runDueDraws, startDrawScheduler } from './draw-scheduler.ts';
import { listPublicDraws, placeInDraw, pseudonymsOfRequest, publishedDraw } from './published-draws.ts';
import { replayDraw } from './replay-draw.ts';
import { runDrawForTick } from './run-draw.ts';

export const drawUseCases = (ctx: AllocationContext) =>
  bindUseCases(ctx, {
    startDrawScheduler,
    runDueDraws,
    runDrawForTick,
    drawNow,
    replayDraw,
    expireOffers,
    listPublicDraws,
    publishedDraw,
    placeInDraw,
    pseudonymsOfRequest,
  });

export type DrawUseCases = ReturnType<typeof drawUseCases>;
