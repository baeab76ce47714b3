// The draws themselves: the row claimed first (its unique tick elects the one instance that
// runs the draw, draw_once_per_tick) and finished with its outcome.
import type { Assignment } from '../../domain/allocation-draw.ts';
import type {
  DrawClaim,
  DrawCommitment,
  DrawOfRequest,
  DrawOutcome,
  PublicCommitment,
  PublicDraw,
  StoredDraw,
} from './records.ts';

export interface DrawReader {
  exists(prefectureId: string, procedureId: string, tick: Date): Promise<boolean>;
  /** null for an unknown or malformed id. */
  get(drawId: string): Promise<StoredDraw | null>;
  /** Every offer a draw made (whatever became of it), as assignments. */
  assignments(drawId: string): Promise<Assignment[]>;
  /** A prefecture's finished draws, latest first. */
  published(prefectureId: string, limit: number): Promise<PublicDraw[]>;
  /**
   * A prefecture's commitments to ticks not drawn yet, from `since` on (a tick a schedule change
   * left undrawn drops out), earliest first — never their secrets.
   */
  upcomingCommitments(prefectureId: string, since: Date): Promise<PublicCommitment[]>;
  /**
   * The finished draws of the queue of the request whose management token has this digest,
   * that started while it was filed and not closed, latest first; [] for an unknown token.
   */
  drawsOfRequest(tokenHash: string, limit: number): Promise<DrawOfRequest[]>;
}

export interface DrawCommitmentRepository {
  /**
   * Inserts this commitment unless its tick has one already; either way returns the tick's
   * commitment as stored (the first insert wins, so every instance agrees).
   */
  ensure(commitment: DrawCommitment): Promise<DrawCommitment>;
}

export interface DrawRepository extends DrawReader, DrawCommitmentRepository {
  /** Inserts the draw row; null when this tick was already drawn (a concurrent claimer waits for the first to commit). */
  claimTick(claim: DrawClaim): Promise<string | null>;
  /** Serialises draws of one prefecture and procedure (two different ticks at once) until the transaction ends. */
  lockQueue(prefectureId: string, procedureId: string): Promise<void>;
  /** When the latest other draw of this queue started, or null for its first draw. */
  previousStart(prefectureId: string, procedureId: string, currentDrawId: string): Promise<Date | null>;
  finish(drawId: string, outcome: DrawOutcome): Promise<void>;
}
