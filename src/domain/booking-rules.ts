// Pure rules of direct booking. The database enforces the invariants (one live appointment
// per slot, per person and procedure, per email cap); these rules decide what may be asked.
import { daysBetween, isCalendarDate } from './calendar-date.ts';
import { DomainError } from './errors.ts';
import {
  type ApplicantIdentity,
  type IdentityProof,
  identityMaterial,
  normaliseAgdref,
  normalisePassport,
} from './identity.ts';

export interface BookableProcedure {
  channel: 'appointment' | 'postal' | 'online';
  identityProof: IdentityProof;
}

/**
 * Every procedure handled at a counter has slots; which of them may be booked at once is the
 * database's business (a slot is booked first come only once a draw left it without a taker:
 * migration 0012). Postal and online procedures have none.
 */
export function assertDirectlyBookable(procedure: Pick<BookableProcedure, 'channel'>): void {
  if (procedure.channel !== 'appointment') {
    throw new DomainError('PROCEDURE_NOT_BOOKABLE_DIRECTLY', undefined, { channel: procedure.channel });
  }
}

/**
 * The identity proof the procedure asks for must be present and well formed; it becomes
 * the material of the person's identity key. A renewal asks for the AGDREF number, a first
 * request for a passport number.
 */
export function requiredIdentityMaterial(identity: Omit<ApplicantIdentity, 'email'>, proof: IdentityProof): string {
  const given = proof === 'agdref' ? identity.agdrefNumber : identity.passportNumber;
  if (!given) {
    throw new DomainError(
      'IDENTITY_PROOF_MISMATCH',
      proof === 'agdref'
        ? 'This procedure requires your AGDREF number (numéro étranger, 10 digits on your residence permit).'
        : 'This procedure requires your passport number.',
      { required: proof },
    );
  }
  const material = identityMaterial(identity, proof);
  if (!material) {
    throw new DomainError('VALIDATION_FAILED', undefined, {
      errors: [
        {
          path: proof === 'agdref' ? 'agdrefNumber' : 'passportNumber',
          message: proof === 'agdref' ? 'must be 9 or 10 digits' : 'must be 5 to 20 letters or digits',
        },
      ],
    });
  }
  return material;
}

/** The stored numbers are the normalised ones, so the counter sees what the registry holds. */
export function storedIdentityNumbers(
  identity: Omit<ApplicantIdentity, 'email'>,
  proof: IdentityProof,
): { agdrefNumber: string | null; passportNumber: string | null } {
  return {
    agdrefNumber: proof === 'agdref' && identity.agdrefNumber ? normaliseAgdref(identity.agdrefNumber) : null,
    passportNumber: proof === 'passport' && identity.passportNumber ? normalisePassport(identity.passportNumber) : null,
  };
}

export interface ManagedAppointment {
  status: string;
  startsAt: Date;
  rescheduleCount: number;
}

/** An applicant may change an appointment only while it is booked and has not started. */
export function assertManageable(appointment: ManagedAppointment, now: Date): void {
  if (appointment.status !== 'booked' || appointment.startsAt.getTime() <= now.getTime()) {
    throw new DomainError('APPOINTMENT_NOT_ACTIVE', undefined, { status: appointment.status });
  }
}

/** Each move costs one of `maxReschedules`: a held slot cannot be passed along indefinitely. */
export function assertReschedulable(appointment: ManagedAppointment, maxReschedules: number, now: Date): void {
  assertManageable(appointment, now);
  if (appointment.rescheduleCount >= maxReschedules) {
    throw new DomainError('RESCHEDULE_LIMIT_REACHED', undefined, { maxReschedules });
  }
}

/** Free-slot searches cover at most this many days in one call. */
export const MAX_SEARCH_DAYS = 92;

/** "2026-03-01".."2026-03-31" → 31 days; reversed or too long ranges are refused. */
export function assertSearchRange(fromDate: string, toDate: string): void {
  const days = isCalendarDate(fromDate) && isCalendarDate(toDate) ? daysBetween(fromDate, toDate) + 1 : Number.NaN;
  if (!Number.isFinite(days) || days < 1 || days > MAX_SEARCH_DAYS) {
    throw new DomainError(
      'DATE_RANGE_INVALID',
      `Give a range of 1 to ${MAX_SEARCH_DAYS} days, "from" not after "to".`,
      { fromDate, toDate },
    );
  }
}

/** A birth date must be a real past date and no older than 1900: "2030-01-01" is a typo, not a person. */
export function assertPlausibleBirthDate(birthDate: string, now: Date): void {
  const today = now.toISOString().slice(0, 10);
  if (!(birthDate >= '1900-01-01' && birthDate <= today)) {
    throw new DomainError('VALIDATION_FAILED', 'The birth date must be between 1900-01-01 and today.', {
      errors: [{ path: 'applicant.birthDate', message: 'must be between 1900-01-01 and today' }],
    });
  }
}
