import type { FreeSlotCache } from '../../ports/free-slot-cache.ts';
import type { AppContext } from '../shared/context.ts';
import { type FreeSlotsResult, type ListFreeSlotsInput, listFreeSlots } from './list-free-slots.ts';

export interface FreeSlotCalendarContext extends AppContext {
  freeSlotCache: FreeSlotCache;
}

/**
 * listFreeSlots as the public polls it: one answer per query (procedure, set of sites, dates,
 * limit), shared by everyone asking until the procedure's free slots change (the cache's
 * adapter knows when) or its first slot starts. The same query in another order of sites is
 * the same answer: the slots come sorted by time and site either way. Refusals (unknown
 * procedure, bad range…) are never kept.
 */
export function freeSlotCalendar(ctx: FreeSlotCalendarContext, input: ListFreeSlotsInput): Promise<FreeSlotsResult> {
  const siteIds = [...new Set(input.siteIds)].sort();
  // Identifiers are slugs and dates ISO: no part holds a line break (cheaper than JSON, per poll).
  const key = [input.procedureId, ...siteIds, input.fromDate, input.toDate, input.limit].join('\n');
  return ctx.freeSlotCache.remember(input.procedureId, key, async () => {
    const result = await listFreeSlots(ctx, input);
    return { value: result, validUntil: result.slots[0]?.startsAt ?? null };
  });
}
