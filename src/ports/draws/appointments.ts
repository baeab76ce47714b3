// The appointment an accepted offer becomes.
import type { Appointment, NewAppointment } from '../booking-store.ts';

export interface OfferAppointmentRepository {
  /** The same statement as direct booking (slot open, released, ahead; unique indexes decide races). */
  insert(appointment: NewAppointment, now: Date): Promise<Appointment | null>;
}
