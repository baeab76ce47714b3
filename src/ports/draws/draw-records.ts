// The draws themselves: the row claimed first (its unique tick elects the one instance that
// runs the draw, draw_once_per_tick) and finished with its outcome.
import type { Assignment } from '../../domain/allocation-draw.ts';
import type { DrawClaim, DrawOutcome, StoredDraw } from './records.ts';

export interface DrawReader {
  exists(prefectureId: string, procedureId: string, tick: Date): Promise<boolean>;
  /** null for an unknown or malformed id. */
  get(drawId: string): Promise<StoredDraw | null>;
  /** Every offer a draw made (whatever became of it), as assignments. */
  assignments(drawId: string): Promise<Assignment[]>;
}

export interface DrawRepository extends DrawReader {
  /** Inserts the draw row; null when this tick was already drawn (a concurrent claimer waits for the first to commit). */
  claimTick(claim: DrawClaim): Promise<string | null>;
  /** Serialises draws of one prefecture and procedure (two different ticks at once) until the transaction ends. */
  lockQueue(prefectureId: string, procedureId: string): Promise<void>;
  /** When the latest other draw of this queue started, or null for its first draw. */
  previousStart(prefectureId: string, procedureId: string, currentDrawId: string): Promise<Date | null>;
  finish(drawId: string, outcome: DrawOutcome): Promise<void>;
}
