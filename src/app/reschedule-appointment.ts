// Moving an appointment to another slot of the same procedure, in one transaction: the old
// slot is freed and the new one taken together, or nothing changes.
import { assertReschedulable } from '../domain/booking-rules.ts';
import { DomainError } from '../domain/errors.ts';
import { toAppointmentView, type AppointmentView } from './appointment-view.ts';
import type { AppContext } from './context.ts';
import { lockAppointmentOfToken } from './manage-appointment.ts';

export async function rescheduleAppointment(ctx: AppContext, managementToken: string, slotId: string): Promise<AppointmentView> {
  return ctx.store.transaction(async (tx) => {
    const appointment = await lockAppointmentOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    assertReschedulable(appointment, ctx.policy.maxReschedules, now);
    if (appointment.slotId === slotId) throw new DomainError('SLOT_UNAVAILABLE', 'This is already your slot.');
    const moved = await tx.moveAppointment(appointment.id, slotId, now);
    if (!moved) throw new DomainError('SLOT_UNAVAILABLE');
    return toAppointmentView(moved);
  });
}
