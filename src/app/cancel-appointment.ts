// Cancelling frees the slot at once (the unique index only counts live appointments) and
// gives the email its quota back (the trigger on appointment status). In the same
// transaction, the cancellation message is written to the outbox and the pending reminder
// is cancelled.
import { assertManageable } from '../domain/booking-rules.ts';
import { toAppointmentView, type AppointmentView } from './appointment-view.ts';
import type { AppContext } from './context.ts';
import { lockAppointmentOfToken } from './manage-appointment.ts';
import { cancelledNotifications } from './notifications.ts';

export async function cancelAppointment(ctx: AppContext, managementToken: string): Promise<AppointmentView> {
  return ctx.store.transaction(async (tx) => {
    const appointment = await lockAppointmentOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    assertManageable(appointment, now);
    const cancelled = await tx.setAppointmentStatus(appointment.id, 'cancelled', now);
    const messages = cancelledNotifications(cancelled, now);
    await tx.cancelMessages(messages.cancel, now);
    await tx.enqueueMessages(messages.enqueue, now);
    return toAppointmentView(cancelled);
  });
}
