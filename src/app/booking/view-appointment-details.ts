// An appointment as the pages show it: the use case's view, with its site and its procedure
// (what to bring), and what decides which actions it still allows — the instant it was read
// and how many moves the policy grants.
import type { Procedure, Site } from '../../ports/booking-store.ts';
import { getProcedure } from '../catalogue/browse-catalogue.ts';
import type { AppContext } from '../shared/context.ts';
import type { AppointmentView } from './appointment-view.ts';
import { getSite } from './describe-slot.ts';
import { viewAppointment } from './view-appointment.ts';

export interface AppointmentDetails {
  appointment: AppointmentView;
  site: Site;
  procedure: Procedure;
  /** When it was read: whether it can still be changed or printed is judged at this instant. */
  asOf: Date;
  /** How many times an appointment may be moved (BOOKING_MAX_RESCHEDULES). */
  maxReschedules: number;
}

export async function viewAppointmentDetails(ctx: AppContext, managementToken: string): Promise<AppointmentDetails> {
  const appointment = await viewAppointment(ctx, managementToken);
  const [site, procedure] = await Promise.all([
    getSite(ctx, appointment.siteId),
    getProcedure(ctx, appointment.procedureId),
  ]);
  return { appointment, site, procedure, asOf: ctx.clock.now(), maxReschedules: ctx.policy.maxReschedules };
}
