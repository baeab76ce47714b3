// What a page shows about a slot or an appointment's place: the slot with its procedure,
// its site and its prefecture (for the time zone), read in one go.
import { DomainError } from '../../domain/errors.ts';
import type { Prefecture, Site, SlotDetails } from '../../ports/booking-store.ts';
import type { AppContext } from '../shared/context.ts';

export interface SlotPlace {
  slot: SlotDetails;
  site: Site;
  prefecture: Prefecture;
  /** When it was read (a form's checks, such as a plausible birth date, are made at this instant). */
  asOf: Date;
}

export async function getSite(ctx: AppContext, siteId: string): Promise<Site> {
  const site = await ctx.store.getSite(siteId);
  if (!site) throw new DomainError('SITE_NOT_FOUND');
  return site;
}

/**
 * A slot the public journey may offer, where it is and in which prefecture; SLOT_NOT_FOUND
 * otherwise — the agents' reserve included, so that its slots are not even seen online.
 */
export async function describeSlot(ctx: AppContext, slotId: string): Promise<SlotPlace> {
  const slot = await ctx.store.findSlot(slotId);
  if (!slot || slot.reservedForAgents) throw new DomainError('SLOT_NOT_FOUND');
  const [site, prefecture] = await Promise.all([
    ctx.store.getSite(slot.siteId),
    ctx.store.getPrefecture(slot.prefectureId),
  ]);
  if (!site || !prefecture) throw new DomainError('SLOT_NOT_FOUND');
  return { slot, site, prefecture, asOf: ctx.clock.now() };
}
