// An agent cancels an appointment for the caller who asks for it (found by the search): the
// same effects as the person's own cancellation (app/booking/cancel-appointment.ts: the slot
// back to the next draw, the quota given back, the cooling-off count, the cancellation email
// and no reminder), and the audit event 'appointment.cancel_for_caller' with the agent's id,
// all in one transaction. A counter agent acts at their own sites only.
import type { AgentScope } from '../../domain/agent-rules.ts';
import { assertManageable } from '../../domain/booking-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { cancelledNotifications } from '../notifications/notifications.ts';
import type { AgentChannelContext } from './agent-channel-context.ts';
import type { AgentRequestOrigin } from './book-for-caller.ts';
import { appointmentInScope } from './open-caller-appointment.ts';

export async function cancelForCaller(
  ctx: AgentChannelContext,
  agent: Agent & AgentScope,
  id: string,
  origin: AgentRequestOrigin,
): Promise<{ reference: string }> {
  const found = await appointmentInScope(ctx, agent, id);
  if (!found.canAct) throw new DomainError('FORBIDDEN_SCOPE');
  return ctx.store.transaction(async (tx) => {
    const appointment = await tx.lockAppointmentById(id);
    if (!appointment) throw new DomainError('APPOINTMENT_NOT_FOUND');
    const now = ctx.clock.now();
    assertManageable(appointment, now);
    const cancelled = await tx.setAppointmentStatus(id, 'cancelled', now);
    await tx.recordCancellationChurn(id, now);
    const messages = cancelledNotifications(cancelled, now);
    await tx.cancelMessages(messages.cancel, now);
    await tx.enqueueMessages(messages.enqueue, now);
    await recordAudit(tx, {
      agent,
      prefectureId: found.prefectureId,
      action: 'appointment.cancel_for_caller',
      target: { type: 'appointment', id },
      before: { reference: appointment.reference, status: appointment.status, startsAt: appointment.startsAt },
      after: { reference: appointment.reference, status: 'cancelled' },
      at: now,
      ip: origin.ip,
    });
    return { reference: appointment.reference };
  });
}
