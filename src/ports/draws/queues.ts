// The queues (prefecture, procedure done at a counter) the scheduler draws for, and the
// procedure settings a draw uses. Read only.
import type { DrawProcedure, ScheduledProcedure } from './records.ts';

export interface DrawQueueReader {
  /** Every procedure done at a counter, at every prefecture that has opening rules for it or waiting requests, with its schedule. */
  listScheduled(): Promise<ScheduledProcedure[]>;
  /** One queue's schedule (defaults when the prefecture set none); null when the queue has nothing to draw. */
  get(prefectureId: string, procedureId: string): Promise<ScheduledProcedure | null>;
}

export interface DrawProcedureReader {
  get(procedureId: string): Promise<DrawProcedure | null>;
}
