// Slots as draws see them: the free ones to draw, the leftovers, a slot freed by an offer.
import type { DrawWindow, FreeSlotForDraw, LeftoverOutcome } from './records.ts';

export interface DrawSlotRepository {
  /**
   * Free slots of the queue to draw: not withdrawn nor reserved for agents, released by
   * `tick`, available since `availableBy` at the latest (the collection window), starting at
   * or after `startsFrom`, with no live appointment and no pending offer.
   */
  freeForDraw(prefectureId: string, procedureId: string, window: DrawWindow): Promise<FreeSlotForDraw[]>;
  /**
   * What becomes of the free slots of the queue in `window` (any start after `now`) that no
   * offer holds, once the offers are written (domain rule: see run-draw.ts):
   *   - nobody waits in the queue any more → all of them open to first-come booking at `now`;
   *   - people still wait → nothing opens: the slots wait for the next draws, and those too
   *     soon to be offered (start before `window.startsFrom`) are given to nobody (counted).
   */
  settleLeftovers(
    drawId: string,
    prefectureId: string,
    procedureId: string,
    window: DrawWindow,
    now: Date,
  ): Promise<LeftoverOutcome>;
  /** The slot of a declined or withdrawn offer goes back to a draw, after a full collection window from `now`. */
  free(slotId: string, now: Date): Promise<void>;
}
