// The free slots of the agents' reserve at one site, for one procedure, over the coming
// weeks: what the agent offers a caller, for any procedure done at a counter. Only reserved
// slots: the others go to the draws, then, if nobody asked for them, to anyone online.

import { RESERVE_LIST_LIMIT, RESERVE_PAGES, reservePage, reserveRange } from '../../domain/agent-channel-rules.ts';
import type { AgentScope } from '../../domain/agent-rules.ts';
import { assertDirectlyBookable } from '../../domain/booking-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { FreeSlot, Procedure, Site } from '../../ports/booking-store.ts';
import type { AppContext } from '../shared/context.ts';
import { siteInScope } from './caller-choices.ts';

export interface ReservedSlotsInput {
  procedureId: string;
  siteId: string;
  /** One week of the range (1 to RESERVE_PAGES, domain/agent-channel-rules.ts); the whole range without it. */
  page?: number | undefined;
}

export interface ReservedSlots {
  site: Site;
  procedure: Procedure;
  timeZone: string;
  slots: FreeSlot[];
  /** More reserved slots exist after the last one listed. */
  truncated: boolean;
  /** The page listed (null: the whole range), of how many, and its dates. */
  page: number | null;
  pages: number;
  fromDate: string;
  toDate: string;
}

export async function listReservedSlots(
  ctx: AppContext,
  agent: AgentScope,
  input: ReservedSlotsInput,
): Promise<ReservedSlots> {
  const site = await siteInScope(ctx, agent, input.siteId);
  const procedure = await ctx.store.getProcedure(input.procedureId);
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND');
  assertDirectlyBookable(procedure);
  const prefecture = await ctx.store.getPrefecture(site.prefectureId);
  if (!prefecture) throw new DomainError('SITE_NOT_FOUND');
  const now = ctx.clock.now();
  const today = localDateOf(now, prefecture.timeZone);
  const range = input.page === undefined ? { page: null, ...reserveRange(today) } : reservePage(today, input.page);
  const slots = await ctx.store.listFreeSlots({
    procedureId: procedure.id,
    siteIds: [site.id],
    fromDate: range.fromDate,
    toDate: range.toDate,
    now,
    limit: RESERVE_LIST_LIMIT + 1,
    reserve: 'agents',
  });
  return {
    site,
    procedure,
    timeZone: prefecture.timeZone,
    slots: slots.slice(0, RESERVE_LIST_LIMIT),
    truncated: slots.length > RESERVE_LIST_LIMIT,
    page: range.page,
    pages: RESERVE_PAGES,
    fromDate: range.fromDate,
    toDate: range.toDate,
  };
}
