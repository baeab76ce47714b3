// Requests and offers as the offer use cases see them: the columns read and their mapping,
// shared by the request and offer repositories of the draws.
import { sql } from 'kysely';
import type { OfferDetails, OfferRequest, OfferStatus, RequestStatus } from '../../../ports/draw-store.ts';
import { requestStatus } from '../request-status.ts';

export interface RequestRow {
  r_id: string;
  r_reference: string;
  r_status: RequestStatus;
  r_prefecture_id: string;
  r_procedure_id: string;
  r_surname: string;
  r_given_names: string;
  r_birth_date: string;
  r_nationality: string;
  r_email: string;
  r_phone: string | null;
  r_email_key: string;
  r_agdref_number: string | null;
  r_passport_number: string | null;
  r_identity_key: string;
  r_management_token_hash: string;
  r_channel: 'online' | 'phone' | 'counter';
  r_language: 'fr' | 'en';
  r_declined_count: number;
  r_ignored_count: number;
  r_filed_at: Date;
  r_document_country: string | null;
  r_identity_attributes_hash: string | null;
}

export const REQUEST_COLUMNS = sql`
  r.id as r_id, r.reference as r_reference, ${requestStatus('r')} as r_status, r.prefecture_id as r_prefecture_id, r.procedure_id as r_procedure_id,
  r.surname as r_surname, r.given_names as r_given_names, r.birth_date as r_birth_date, r.nationality as r_nationality,
  r.email as r_email, r.phone as r_phone, r.email_key as r_email_key, r.agdref_number as r_agdref_number, r.passport_number as r_passport_number,
  r.identity_key as r_identity_key, r.management_token_hash as r_management_token_hash, r.channel as r_channel,
  r.language as r_language, r.declined_count as r_declined_count, r.ignored_count as r_ignored_count, r.filed_at as r_filed_at,
  r.document_country as r_document_country, r.identity_attributes_hash as r_identity_attributes_hash`;

export const toRequest = (r: RequestRow): OfferRequest => ({
  id: r.r_id,
  reference: r.r_reference,
  status: r.r_status,
  prefectureId: r.r_prefecture_id,
  procedureId: r.r_procedure_id,
  surname: r.r_surname,
  givenNames: r.r_given_names,
  birthDate: r.r_birth_date,
  nationality: r.r_nationality.trim(),
  email: r.r_email,
  phone: r.r_phone,
  emailKey: r.r_email_key,
  agdrefNumber: r.r_agdref_number,
  passportNumber: r.r_passport_number,
  identityKey: r.r_identity_key,
  managementTokenHash: r.r_management_token_hash,
  channel: r.r_channel,
  language: r.r_language,
  declinedCount: Number(r.r_declined_count),
  ignoredCount: Number(r.r_ignored_count),
  filedAt: new Date(r.r_filed_at),
  documentCountry: r.r_document_country?.trim() ?? null,
  identityAttributesHash: r.r_identity_attributes_hash,
});

export interface OfferRow {
  o_id: string;
  o_draw_id: string;
  o_request_id: string;
  o_status: OfferStatus;
  o_expires_at: Date;
  o_extended: boolean;
  o_created_at: Date;
  o_decided_at: Date | null;
  o_appointment_id: string | null;
  s_id: string;
  s_starts_at: Date;
  s_ends_at: Date;
  s_local_date: string;
  si_id: string;
  si_name: string;
  si_address: string;
  p_time_zone: string;
  pr_id: string;
  pr_name_fr: string;
  pr_name_en: string;
  pr_channel: 'appointment' | 'postal' | 'online';
  pr_offer_hours: number;
  pr_max_ignored_offers: number;
  pr_max_declines: number;
  pr_urgent_within_days: number;
}

/** `from offer o` joined to everything an offer shows; the caller adds its where clause. */
export const OFFER_FROM = sql.raw(`
  o.id as o_id, o.draw_id as o_draw_id, o.request_id as o_request_id, o.status as o_status, o.expires_at as o_expires_at,
  o.extended as o_extended, o.created_at as o_created_at, o.decided_at as o_decided_at, o.appointment_id as o_appointment_id,
  s.id as s_id, s.starts_at as s_starts_at, s.ends_at as s_ends_at, s.local_date as s_local_date,
  si.id as si_id, si.name as si_name, si.address as si_address, p.time_zone as p_time_zone,
  pr.id as pr_id, pr.name_fr as pr_name_fr, pr.name_en as pr_name_en, pr.channel as pr_channel,
  pr.offer_hours as pr_offer_hours, pr.max_ignored_offers as pr_max_ignored_offers, pr.max_declines as pr_max_declines,
  pr.urgent_within_days as pr_urgent_within_days`);
export const OFFER_JOINS = sql.raw(`
  join slot s on s.id = o.slot_id
  join site si on si.id = s.site_id
  join prefecture p on p.id = si.prefecture_id
  join procedure pr on pr.id = s.procedure_id`);

export const toOffer = (r: OfferRow): OfferDetails => ({
  id: r.o_id,
  drawId: r.o_draw_id,
  requestId: r.o_request_id,
  status: r.o_status,
  expiresAt: new Date(r.o_expires_at),
  extended: r.o_extended,
  createdAt: new Date(r.o_created_at),
  decidedAt: r.o_decided_at ? new Date(r.o_decided_at) : null,
  appointmentId: r.o_appointment_id,
  slot: {
    id: r.s_id,
    startsAt: new Date(r.s_starts_at),
    endsAt: new Date(r.s_ends_at),
    localDate: r.s_local_date,
    siteId: r.si_id,
    siteName: r.si_name,
    siteAddress: r.si_address,
  },
  timeZone: r.p_time_zone,
  procedure: {
    id: r.pr_id,
    nameFr: r.pr_name_fr,
    nameEn: r.pr_name_en,
    channel: r.pr_channel,
    offerHours: Number(r.pr_offer_hours),
    maxIgnoredOffers: Number(r.pr_max_ignored_offers),
    maxDeclines: Number(r.pr_max_declines),
    urgentWithinDays: Number(r.pr_urgent_within_days),
  },
});
