// The appointment an accepted offer becomes (ports/draws/appointments.ts): direct booking's statement.
import type { OfferAppointmentRepository } from '../../../ports/draws/appointments.ts';
import { insertAppointment } from '../booking-store.ts';
import type { Executor } from '../kysely-helpers.ts';

export const offerAppointmentRepository = (db: Executor): OfferAppointmentRepository => ({
  insert: (appointment, now) => insertAppointment(db, appointment, now),
});
