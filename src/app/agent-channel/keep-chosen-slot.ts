// The reserve lists one slot per time (a random free counter): when a caller form comes back,
// the slot the agent chose stands for its time, so that it is still the one checked.
import type { AppContext } from '../shared/context.ts';
import type { ReservedSlots } from './list-reserved-slots.ts';

/** `reserve` with the chosen slot (a UUID) in place of the listed one of its time, when it is a reserved slot of that list. */
export async function keepChosenSlot(
  ctx: Pick<AppContext, 'store'>,
  reserve: ReservedSlots,
  slotId: string,
): Promise<ReservedSlots> {
  if (reserve.slots.some((s) => s.slotId === slotId)) return reserve;
  const chosen = await ctx.store.findSlot(slotId);
  if (!chosen?.reservedForAgents || chosen.siteId !== reserve.site.id || chosen.procedureId !== reserve.procedure.id)
    return reserve;
  return {
    ...reserve,
    slots: reserve.slots.map((s) => (s.startsAt.getTime() === chosen.startsAt.getTime() ? { ...s, slotId } : s)),
  };
}
