// Moving an appointment to another slot of the same procedure, in one transaction: the old
// slot is freed and the new one taken together, or nothing changes. Online, the applicant
// proves the appointment's email again with a one-time code (purpose 'reschedule'): the
// management token alone, if leaked, does not let someone else move the appointment.
// The confirmation of the new time (with the calendar update) and the new reminder replace
// the old reminder in the outbox, in the same transaction.
import { assertDirectlyBookable, assertReschedulable } from '../../domain/booking-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { checkEmailCode, consumeEmailCode } from '../applicants/email-verification.ts';
import { rescheduledNotifications } from '../notifications/notifications.ts';
import type { AppContext, RequestOrigin } from '../shared/context.ts';
import { type AppointmentView, toAppointmentView } from './appointment-view.ts';
import type { EmailProof } from './book-slot.ts';
import { lockAppointmentOfToken } from './manage-appointment.ts';
import { viewAppointment } from './view-appointment.ts';

export interface RescheduleInput {
  managementToken: string;
  slotId: string;
  emailProof: EmailProof;
}

export async function rescheduleAppointment(
  ctx: AppContext,
  input: RescheduleInput,
  origin: RequestOrigin = { ip: null, route: 'POST /api/appointment/reschedule' },
): Promise<AppointmentView> {
  const current = await viewAppointment(ctx, input.managementToken);
  // Slots of procedures allocated by draws go back to the draw, never to whoever asks first:
  // an appointment obtained from an offer cannot be moved onto a freed slot.
  const procedure = await ctx.store.getProcedure(current.procedureId);
  if (procedure) assertDirectlyBookable(procedure);
  // Booked by phone or at the counter for someone without email: no code can be sent, the agents move it.
  if (current.applicant.email === null) throw new DomainError('RESCHEDULE_NEEDS_EMAIL');
  const email = await checkEmailCode(ctx, {
    ...input.emailProof,
    email: current.applicant.email,
    purpose: 'reschedule',
    ip: origin.ip,
    route: origin.route,
  });
  return ctx.store.transaction(async (tx) => {
    const appointment = await lockAppointmentOfToken(ctx, tx, input.managementToken);
    const now = ctx.clock.now();
    assertReschedulable(appointment, ctx.policy.maxReschedules, now);
    if (appointment.slotId === input.slotId) throw new DomainError('SLOT_UNAVAILABLE', 'This is already your slot.');
    const moved = await tx.moveAppointment(appointment.id, input.slotId, now);
    if (!moved) throw new DomainError('SLOT_UNAVAILABLE');
    await consumeEmailCode(tx, email, now);
    const messages = rescheduledNotifications(appointment, moved, now);
    await tx.cancelMessages(messages.cancel, now);
    await tx.enqueueMessages(messages.enqueue, now);
    return toAppointmentView(moved);
  });
}
