// What convocations read: one appointment, by id (from a signed token) or by reference (the
// short code), with its slot times and status.
import type { AppointmentStatus } from '../domain/agenda-rules.ts';
export interface ConvocationAppointment {
  id: string;
  reference: string;
  status: AppointmentStatus;
  surname: string;
  givenNames: string;
  birthDate: string;
  nationality: string;
  procedureId: string;
  siteId: string;
  /** The site's prefecture: whose agents may verify it. */
  prefectureId: string;
  startsAt: Date;
  endsAt: Date;
  /** The prefecture's time zone, for the end of the local day. */
  timeZone: string;
}

export interface ConvocationStore {
  /** `id` must be a UUID (tokens only ever carry one). */
  findAppointmentById(id: string): Promise<ConvocationAppointment | null>;
  /** `reference` normalised, e.g. "K7M4-9XQ2-HT". */
  findAppointmentByReference(reference: string): Promise<ConvocationAppointment | null>;
}
