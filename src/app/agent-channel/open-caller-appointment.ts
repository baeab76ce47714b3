// An appointment found by the agents' search, opened: the person, where and when, and — when
// the agent may act on it (mayActOn) and it is still ahead — the free slots it can be moved
// to over the coming four weeks at its site: the agents' reserve for an appointment booked by
// phone or at the counter, the open public slots for one booked online (the database refuses
// any other: triggers appointment_slot_reserved_for_agents and appointment_slot_drawn_first).
// Another prefecture's appointment is APPOINTMENT_NOT_FOUND, exactly like a missing one.
import { RESERVE_LIST_LIMIT, reserveRange } from '../../domain/agent-channel-rules.ts';
import { type AgentScope, canAccessPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { localDateOf } from '../../domain/local-time.ts';
import type { FreeSlot } from '../../ports/booking-store.ts';
import type { AgentChannelContext } from './agent-channel-context.ts';
import { type FoundCaller, mayActOn } from './search-callers.ts';

export interface OpenedCallerAppointment {
  appointment: FoundCaller;
  /** Still booked and ahead: it may be cancelled or moved (by an agent who canAct). */
  active: boolean;
  /** Slots it may be moved to (empty when it cannot be moved by this agent). */
  slots: FreeSlot[];
  /** More free slots exist after the last one listed. */
  truncated: boolean;
}

/** The appointment if the agent's prefecture holds it; APPOINTMENT_NOT_FOUND otherwise. */
export async function appointmentInScope(
  ctx: Pick<AgentChannelContext, 'callerSearch'>,
  agent: AgentScope,
  id: string,
): Promise<FoundCaller> {
  const hit = await ctx.callerSearch.findAppointment(id);
  if (!hit || !canAccessPrefecture(agent, hit.prefectureId)) throw new DomainError('APPOINTMENT_NOT_FOUND');
  return { ...hit, canAct: mayActOn(agent, hit) };
}

export async function openCallerAppointment(
  ctx: AgentChannelContext,
  agent: AgentScope,
  id: string,
): Promise<OpenedCallerAppointment> {
  const appointment = await appointmentInScope(ctx, agent, id);
  const now = ctx.clock.now();
  const active = appointment.status === 'booked' && appointment.startsAt!.getTime() > now.getTime();
  if (!appointment.canAct || !active) return { appointment, active, slots: [], truncated: false };
  const slots = await ctx.store.listFreeSlots({
    procedureId: appointment.procedureId,
    siteIds: [appointment.siteId!],
    ...reserveRange(localDateOf(now, appointment.timeZone)),
    now,
    limit: RESERVE_LIST_LIMIT + 1,
    reserve: appointment.channel === 'online' ? 'public' : 'agents',
  });
  return {
    appointment,
    active,
    slots: slots.slice(0, RESERVE_LIST_LIMIT),
    truncated: slots.length > RESERVE_LIST_LIMIT,
  };
}
