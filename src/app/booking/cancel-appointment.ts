// Cancelling frees the slot (the unique index only counts live appointments) — to the next
// draw, never straight back to the public (migration 0012: a cancel-and-rebook hand-off has
// nothing to catch) — and gives the email its quota back (the trigger on appointment status).
// The cancellation counts towards the cooling-off rule (domain/churn-rules.ts). In the same
// transaction, the cancellation message is written to the outbox and the pending reminder
// is cancelled.
import { assertManageable } from '../../domain/booking-rules.ts';
import { fraudThresholdsOf } from '../fraud/filing-signals.ts';
import { rescoreAround } from '../fraud/score-requests.ts';
import { cancelledNotifications } from '../notifications/notifications.ts';
import type { AppContext } from '../shared/context.ts';
import { type AppointmentView, toAppointmentView } from './appointment-view.ts';
import { lockAppointmentOfToken } from './manage-appointment.ts';

export async function cancelAppointment(ctx: AppContext, managementToken: string): Promise<AppointmentView> {
  return ctx.store.transaction(async (tx) => {
    const appointment = await lockAppointmentOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    assertManageable(appointment, now);
    const cancelled = await tx.setAppointmentStatus(appointment.id, 'cancelled', now);
    await tx.recordCancellationChurn(appointment.id, now);
    // A cancellation is churn: the person's live requests are scored again.
    await rescoreAround(tx, fraudThresholdsOf(ctx), { kind: 'appointment', id: appointment.id }, 'churn', now);
    const messages = cancelledNotifications(cancelled, now);
    await tx.cancelMessages(messages.cancel, now);
    await tx.enqueueMessages(messages.enqueue, now);
    return toAppointmentView(cancelled);
  });
}
