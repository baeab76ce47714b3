// The JSON-safe picture of an appointment that use cases return (and that idempotent
// replays store and give back unchanged).
import type { Appointment } from '../../ports/booking-store.ts';

export interface AppointmentView {
  reference: string;
  status: Appointment['status'];
  procedureId: string;
  siteId: string;
  slotId: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  applicant: {
    surname: string;
    givenNames: string;
    birthDate: string;
    nationality: string;
    email: string | null;
    /** Normalised; absent from a view stored before it was added (an idempotent replay). */
    phone?: string | null;
  };
  rescheduleCount: number;
}

export function toAppointmentView(a: Appointment): AppointmentView {
  return {
    reference: a.reference,
    status: a.status,
    procedureId: a.procedureId,
    siteId: a.siteId,
    slotId: a.slotId,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    timeZone: a.timeZone,
    applicant: {
      surname: a.surname,
      givenNames: a.givenNames,
      birthDate: a.birthDate,
      nationality: a.nationality,
      email: a.email,
      phone: a.phone,
    },
    rescheduleCount: a.rescheduleCount,
  };
}
