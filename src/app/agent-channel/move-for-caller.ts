// An agent moves an appointment for the caller to a free slot of its site (one listed by
// openCallerAppointment): the old slot freed and the new one taken in one transaction (the
// database decides a race: the slot's unique index, the reserve and first-come triggers), the
// same limit of moves as online (assertReschedulable), the confirmation of the new time and a
// new reminder for people with email, and the audit event 'appointment.move_for_caller' with
// the agent's id. No email code: the agent is authenticated and the caller on the line.
import type { AgentScope } from '../../domain/agent-rules.ts';
import { assertReschedulable } from '../../domain/booking-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { Appointment } from '../../ports/booking-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { rescheduledNotifications } from '../notifications/notifications.ts';
import type { AgentChannelContext } from './agent-channel-context.ts';
import type { AgentRequestOrigin } from './book-for-caller.ts';
import { appointmentInScope } from './open-caller-appointment.ts';

export async function moveForCaller(
  ctx: AgentChannelContext,
  agent: Agent & AgentScope,
  id: string,
  slotId: string,
  origin: AgentRequestOrigin,
): Promise<Appointment> {
  const found = await appointmentInScope(ctx, agent, id);
  if (!found.canAct) throw new DomainError('FORBIDDEN_SCOPE');
  const slot = await ctx.store.findSlot(slotId);
  // Only a slot of the appointment's own site (the list offers no other).
  if (!slot || slot.siteId !== found.siteId) throw new DomainError('SLOT_UNAVAILABLE');
  return ctx.store.transaction(async (tx) => {
    const appointment = await tx.lockAppointmentById(id);
    if (!appointment) throw new DomainError('APPOINTMENT_NOT_FOUND');
    const now = ctx.clock.now();
    assertReschedulable(appointment, ctx.policy.maxReschedules, now);
    if (appointment.slotId === slotId) throw new DomainError('SLOT_UNAVAILABLE', 'This is already its slot.');
    const moved = await tx.moveAppointment(id, slotId, now, found.channel === 'online' ? 'public' : 'agents');
    if (!moved) throw new DomainError('SLOT_UNAVAILABLE');
    const messages = rescheduledNotifications(appointment, moved, now);
    await tx.cancelMessages(messages.cancel, now);
    await tx.enqueueMessages(messages.enqueue, now);
    await recordAudit(tx, {
      agent,
      prefectureId: found.prefectureId,
      action: 'appointment.move_for_caller',
      target: { type: 'appointment', id },
      before: { reference: appointment.reference, slotId: appointment.slotId, startsAt: appointment.startsAt },
      after: { reference: moved.reference, slotId: moved.slotId, startsAt: moved.startsAt },
      at: now,
      ip: origin.ip,
    });
    return moved;
  });
}
