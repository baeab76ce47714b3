import { assertDirectlyBookable, assertSearchRange } from '../../domain/booking-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { FreeSlot } from '../../ports/booking-store.ts';
import type { AppContext } from '../shared/context.ts';

export interface ListFreeSlotsInput {
  procedureId: string;
  siteIds: string[];
  fromDate: string;
  toDate: string;
  limit: number;
}

export interface FreeSlotsResult {
  timeZone: string;
  slots: FreeSlot[];
  /** More free slots exist after the last one returned: narrow the range or raise the limit. */
  truncated: boolean;
}

/** Free slots of one procedure at one or several sites of one prefecture, in one call. */
export async function listFreeSlots(ctx: AppContext, input: ListFreeSlotsInput): Promise<FreeSlotsResult> {
  assertSearchRange(input.fromDate, input.toDate);
  const procedure = await ctx.store.getProcedure(input.procedureId);
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND');
  assertDirectlyBookable(procedure);
  const siteIds = [...new Set(input.siteIds)];
  const sites = await Promise.all(siteIds.map((id) => ctx.store.getSite(id)));
  const missing = siteIds.filter((_, i) => !sites[i]);
  if (missing.length > 0) throw new DomainError('SITE_NOT_FOUND', undefined, { siteIds: missing });
  const prefectureIds = new Set(sites.map((s) => s!.prefectureId));
  if (prefectureIds.size !== 1) {
    throw new DomainError('SITE_NOT_FOUND', 'All sites of one search must belong to the same prefecture.', { siteIds });
  }
  const prefecture = await ctx.store.getPrefecture([...prefectureIds][0]!);
  const slots = await ctx.store.listFreeSlots({ ...input, siteIds, now: ctx.clock.now(), limit: input.limit + 1 });
  return { timeZone: prefecture!.timeZone, slots: slots.slice(0, input.limit), truncated: slots.length > input.limit };
}
