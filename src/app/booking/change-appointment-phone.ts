// The person changes (or removes) the mobile number of their appointment, from its page: the
// number agents call and text messages go to. The pending text-message reminder follows the
// number, under its own key (which a later move, cancellation or closure cancels): it is
// cancelled, then written again to the new number — or not at all when the person wants no
// text messages (the number is then opted out, as the box does when booking).
import { assertManageable } from '../../domain/booking-rules.ts';
import { reminderKey, smsKey, textReminder } from '../notifications/notifications.ts';
import type { AppContext } from '../shared/context.ts';
import { numberForTextMessages } from '../sms/refused-text-messages.ts';
import { type AppointmentView, toAppointmentView } from './appointment-view.ts';
import { lockAppointmentOfToken } from './manage-appointment.ts';

export interface PhoneChange {
  /** Normalised (domain/callback-rules.ts normalisePhoneNumber); null removes it. */
  phone: string | null;
  /** False: the number is for calls only. */
  textMessages: boolean;
}

export async function changeAppointmentPhone(
  ctx: AppContext,
  managementToken: string,
  change: PhoneChange,
): Promise<AppointmentView> {
  return ctx.store.transaction(async (tx) => {
    const appointment = await lockAppointmentOfToken(ctx, tx, managementToken);
    const now = ctx.clock.now();
    assertManageable(appointment, now);
    const changed = await tx.setAppointmentPhone(appointment.id, change.phone, now);
    await tx.cancelMessages([smsKey(reminderKey(changed))], now);
    const textsTo = await numberForTextMessages(ctx.hasher, tx, { ...change, phone: changed.phone }, now);
    await tx.rewriteCancelledMessages(textReminder(changed, textsTo, now), now);
    return toAppointmentView(changed);
  });
}
