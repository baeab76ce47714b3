// The slots a configuration change reaches: the resync of a prefecture's future free slots
// (app/configuration/resync-slots.ts) and the slots a closure withdraws. Only in a transaction.
import type { ExistingSlot, SlotResyncPlan } from '../../domain/configuration-rules.ts';
import type { PrefectureSchedule } from '../schedule-store.ts';

export interface FutureSlotRepository {
  loadSchedule(prefectureId: string, fromDate: string, toDate: string): Promise<PrefectureSchedule>;
  /** Slots of the prefecture's sites on [fromDate, toDate] starting after `now`, open or withdrawn, locked. */
  listFrom(prefectureId: string, fromDate: string, toDate: string, now: Date): Promise<ExistingSlot[]>;
  /** Applies a plan (withdraw, then update, then insert); returns the counts. */
  applyPlan(
    siteOf: ReadonlyMap<string, string>,
    plan: SlotResyncPlan,
  ): Promise<{ withdrawn: number; updated: number; inserted: number }>;
  /** Withdraws every open slot of the site (or counter) on those days, held or free; returns their ids. */
  withdrawInRange(siteId: string, counterId: string | null, dateFrom: string, dateTo: string): Promise<string[]>;
}
