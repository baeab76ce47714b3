// The agents' search for people (issue 15, Agents 2): appointments and requests matching
// exact keys (reference, phone, email key, document number) or all the words of a name,
// within one prefecture (or all of them, for a national administrator).
import type { AppointmentStatus } from '../domain/agenda-rules.ts';
import type { SearchCriteria } from '../domain/caller-search.ts';
import type { RequestStatus } from '../domain/request-rules.ts';

/** One person's appointment or request, as the result list and the appointment page show it. */
export interface CallerSearchHit {
  kind: 'appointment' | 'request';
  id: string;
  reference: string;
  status: AppointmentStatus | RequestStatus;
  prefectureId: string;
  timeZone: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  email: string | null;
  phone: string | null;
  channel: 'online' | 'phone' | 'counter';
  procedureId: string;
  procedureNameFr: string;
  procedureNameEn: string;
  /** Appointments: where and when. Requests: null. */
  siteId: string | null;
  siteName: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  /** Requests: when filed. Appointments: when booked. */
  createdAt: Date;
}

export interface CallerSearchQuery {
  /** null: every prefecture (administrators). */
  prefectureId: string | null;
  criteria: SearchCriteria;
  limit: number;
  offset: number;
}

export interface CallerSearch {
  /** Appointments and requests matching any criterion, by surname, given names, reference. */
  search(query: CallerSearchQuery): Promise<CallerSearchHit[]>;
  /** One appointment as a hit (null when there is none with that id). */
  findAppointment(id: string): Promise<CallerSearchHit | null>;
}
