import type { AppContext } from '../shared/context.ts';
import { type AppointmentView, toAppointmentView } from './appointment-view.ts';
import { lockAppointmentOfToken } from './manage-appointment.ts';

export async function viewAppointment(ctx: AppContext, managementToken: string): Promise<AppointmentView> {
  return ctx.store.transaction(async (tx) => toAppointmentView(await lockAppointmentOfToken(ctx, tx, managementToken)));
}
