// Shared by the three "manage my appointment" use cases: find the appointment the
// management token opens, inside the caller's transaction and locked for update.
import { DomainError } from '../../domain/errors.ts';
import type { Appointment, BookingTransaction } from '../../ports/booking-store.ts';
import type { AppContext } from '../shared/context.ts';

export async function lockAppointmentOfToken(
  ctx: AppContext,
  tx: BookingTransaction,
  managementToken: string,
): Promise<Appointment> {
  const appointment = await tx.lockAppointmentByToken(ctx.hasher.tokenDigest(managementToken));
  if (!appointment) throw new DomainError('APPOINTMENT_NOT_FOUND');
  return appointment;
}
