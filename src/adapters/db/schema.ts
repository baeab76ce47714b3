// Kysely's view of the tables created by the migrations. Dates (SQL `date`) travel as
// 'YYYY-MM-DD' strings on both engines (see database.ts), instants as Date.
import type { ColumnType, Generated } from 'kysely';
import type { AppointmentStatus } from '../../domain/agenda-rules.ts';
import type { CallbackStatus } from '../../domain/callback-rules.ts';
import type { FraudEvent, FraudReason, FraudSignalKind, ReviewState } from '../../domain/fraud-signals.ts';
import type { OfferStatus } from '../../domain/offer-rules.ts';
import type { EmailCodePurpose } from '../../domain/one-time-code.ts';
import type { UrgencyStatus } from '../../domain/priority.ts';
import type { RequestStatus } from '../../domain/request-rules.ts';
import type { SlotStatus } from '../../domain/slot-generation.ts';

type DateString = string;
type Instant = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface PrefectureTable {
  id: string;
  name: string;
  time_zone: string;
  phone: string | null;
  created_at: Generated<Date>;
}
export interface SiteTable {
  id: string;
  prefecture_id: string;
  kind: 'prefecture' | 'sub_prefecture' | 'antenna';
  name: string;
  address: string;
  phone: string | null;
  public_hours: string | null;
  created_at: Generated<Date>;
}
export interface CounterTable {
  id: string;
  site_id: string;
  name: string;
  active: Generated<boolean>;
}
export interface ProcedureTable {
  id: string;
  name_fr: string;
  name_en: string;
  description_fr: Generated<string>;
  description_en: Generated<string>;
  slot_minutes: number;
  identity_proof: 'agdref' | 'passport';
  channel: 'appointment' | 'postal' | 'online';
  booking_mode: Generated<'direct' | 'allocation'>;
  release_days_ahead: Generated<number>;
  release_time: Generated<string>;
  instructions_fr: Generated<string>;
  instructions_en: Generated<string>;
  registry_check: Generated<boolean>;
  renewal_window_start_months: number | null;
  renewal_window_end_months: number | null;
  alternative_procedure_id: string | null;
  allocation_order: Generated<'fifo' | 'lottery'>;
  offer_hours: Generated<number>;
  max_ignored_offers: Generated<number>;
  urgent_within_days: Generated<number>;
  max_declines: Generated<number>;
}
export interface TimeWindowJson {
  start: string;
  end: string;
}
export interface OpeningRuleTable {
  id: Generated<string>;
  counter_id: string;
  procedure_id: string;
  weekdays: number[];
  valid_from: DateString;
  valid_until: DateString | null;
  windows: Json<TimeWindowJson[]>;
  slot_minutes: number;
}
export interface ExceptionalOpeningTable {
  id: Generated<string>;
  counter_id: string;
  procedure_id: string;
  date: DateString;
  windows: Json<TimeWindowJson[]>;
  slot_minutes: number;
}
export interface ClosureTable {
  id: Generated<string>;
  site_id: string;
  counter_id: string | null;
  date_from: DateString;
  date_to: DateString;
  reason: Generated<string>;
}
export interface SlotTable {
  id: Generated<string>;
  site_id: string;
  counter_id: string;
  procedure_id: string;
  starts_at: Instant;
  ends_at: Instant;
  local_date: DateString;
  released_at: Instant;
  status: Generated<SlotStatus>;
  reserved_for_agents: Generated<boolean>;
  /** When the slot last became free: its release, or the cancellation, move, decline or expiry that freed it. */
  available_since: ColumnType<Date, Date | string | undefined, Date | string>;
  /** Set by the draw that left the slot without a taker: from then on it is booked first come (migration 0012). */
  opened_at: Instant | null;
  opened_by_draw: string | null;
}
export interface SiteProcedureTable {
  site_id: string;
  procedure_id: string;
  offered: Generated<boolean>;
  reserved_percent: Generated<number>;
}
export interface AppointmentTable {
  id: Generated<string>;
  reference: string;
  slot_id: string;
  procedure_id: string;
  site_id: string;
  status: Generated<AppointmentStatus>;
  surname: string;
  given_names: string;
  birth_date: DateString;
  nationality: string;
  /** Null only for phone / counter appointments of people without email (migration 0010). */
  email: string | null;
  email_key: string | null;
  agdref_number: string | null;
  passport_number: string | null;
  identity_key: string;
  management_token_hash: string;
  reschedule_count: Generated<number>;
  channel: Generated<'online' | 'phone' | 'counter'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  cancelled_at: Instant | null;
  language: Generated<'fr' | 'en'>;
  checked_in_at: Instant | null;
  served_at: Instant | null;
  no_show_at: Instant | null;
  status_changed_by: string | null;
  status_changed_at: Instant | null;
  document_country: string | null;
  identity_attributes_hash: string | null;
  /** The caller's number, normalised (migration 0018); required for an agent's booking without email. */
  phone: Generated<string | null>;
  // Fraud signals (migration 0023).
  network: Generated<string | null>;
  device_digest: Generated<string | null>;
  email_domain: Generated<string | null>;
  /** domain/duplicate-rules.ts nameBirthDateKey of the names and birth date (migration 0025). */
  name_key: string | null;
  fraud_score: Generated<number>;
  fraud_reasons: ColumnType<FraudReason[], string | undefined, string>;
  identity_refused_at: Instant | null;
  identity_refused_by: string | null;
}
/** One score above zero, as computed at an event (migration 0023). */
export interface FraudObservationTable {
  id: Generated<string>;
  prefecture_id: string;
  request_id: string | null;
  appointment_id: string | null;
  at: Instant;
  event: FraudEvent;
  score: number;
  reasons: ColumnType<FraudReason[], string, string>;
  held: Generated<boolean>;
}
export interface EmailQuotaTable {
  email_key: string;
  active: number;
  cap: number;
}
export interface AppSettingTable {
  name: string;
  value: number;
  edited_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export interface IdempotencyRecordTable {
  key: string;
  scope: string;
  request_fingerprint: string;
  outcome: Json<unknown> | null;
  created_at: Generated<Date>;
}

export interface EmailVerificationTable {
  id: Generated<string>;
  email: string;
  email_key: string;
  purpose: EmailCodePurpose;
  code_hash: string;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  created_at: Generated<Date>;
  expires_at: Instant;
  consumed_at: Instant | null;
  /** The keyed AGDREF number of the first registry check made with the code (migration 0013). */
  identity_key: Generated<string | null>;
}
export interface RegistryResidentTable {
  agdref_number: string;
  surname: string;
  given_names: string;
  birth_date: DateString;
  nationality: string;
  permit_type: string;
  permit_expires_on: DateString;
}
export interface HttpIdempotencyTable {
  key_digest: string;
  client_digest: string;
  route: string;
  fingerprint: string;
  claimed_at: Instant;
  created_at: Instant;
  status: number | null;
  content_type: string | null;
  body: string | null;
}
export interface PowReplayTable {
  challenge_key: string;
  owner: Generated<string>;
  expires_at: Instant;
}
export interface SecurityEventTable {
  id: Generated<string>;
  at: Generated<Date>;
  ip: string | null;
  route: string;
  reason: string;
  email_hash: string | null;
  identity_key: string | null;
  details: Json<Record<string, unknown>> | null;
}

export interface DrawScheduleTable {
  prefecture_id: string;
  daily_at: Generated<string>;
  after_release: Generated<boolean>;
}
export interface AllocationRequestTable {
  id: Generated<string>;
  reference: string;
  prefecture_id: string;
  procedure_id: string;
  status: Generated<RequestStatus>;
  site_ids: string[];
  weekdays: Generated<number[]>;
  half_days: Generated<('am' | 'pm')[]>;
  urgency_date: DateString | null;
  surname: string;
  given_names: string;
  birth_date: DateString;
  nationality: string;
  email: string;
  email_key: string;
  agdref_number: string | null;
  passport_number: string | null;
  identity_key: string;
  management_token_hash: string;
  declined_count: Generated<number>;
  ignored_count: Generated<number>;
  channel: Generated<'online' | 'phone' | 'counter'>;
  filed_at: Generated<Date>;
  updated_at: Generated<Date>;
  closed_at: Instant | null;
  language: Generated<'fr' | 'en'>;
  /** The batch: the local day the request entered the queue (filed, or returned to it). */
  queued_on: ColumnType<DateString, DateString | undefined, DateString>;
  paused_at: Instant | null;
  urgency_source: UrgencySource | null;
  urgency_status: Generated<UrgencyStatus>;
  urgency_reviewed_by: string | null;
  urgency_reviewed_at: Instant | null;
  urgency_review_reason: string | null;
  document_country: string | null;
  identity_attributes_hash: string | null;
  /** The caller's number, normalised (migration 0018). */
  phone: Generated<string | null>;
  // Fraud signals and review (migration 0023).
  network: Generated<string | null>;
  device_digest: Generated<string | null>;
  email_domain: Generated<string | null>;
  /** domain/duplicate-rules.ts nameBirthDateKey of the names and birth date (migration 0025). */
  name_key: string | null;
  review_state: Generated<ReviewState>;
  held_at: Instant | null;
  lapses_at: Instant | null;
  fraud_score: Generated<number>;
  fraud_reasons: ColumnType<FraudReason[], string | undefined, string>;
  cleared_kinds: Generated<FraudSignalKind[]>;
  review_decided_by: string | null;
  review_decided_at: Instant | null;
  review_reason: string | null;
}
export type UrgencySource = 'registry' | 'declared' | 'closure';
export interface DrawCadenceTable {
  prefecture_id: string;
  procedure_id: string;
  every_minutes: number;
  from_time: Generated<string>;
  until_time: Generated<string>;
}
export interface IdentityDocumentTable {
  identity_key: string;
  attributes_hash: string;
  bound_at: Generated<Date>;
}
export interface ChurnEventTable {
  id: Generated<string>;
  identity_key: string;
  procedure_id: string;
  kind: 'withdrawal' | 'cancellation';
  at: Instant;
}
export interface DrawTable {
  id: Generated<string>;
  prefecture_id: string;
  procedure_id: string;
  tick: Instant;
  trigger: 'daily' | 'cadence' | 'release' | 'manual';
  allocation_order: 'fifo' | 'lottery';
  seed: string;
  input_digest: string;
  result_digest: string;
  input_snapshot: Uint8Array;
  requests_count: number;
  slots_count: number;
  assigned_count: number;
  started_at: Instant;
  finished_at: Instant;
  opened_count: Generated<number>;
  /** Migration 0020: null for draws before it. */
  commitment: string | null;
  secret: string | null;
  committed_at: Instant | null;
  closing_digest: string | null;
}
/** Migration 0020: the secret of a tick, committed to ahead of it. */
export interface DrawCommitmentTable {
  id: Generated<string>;
  prefecture_id: string;
  procedure_id: string;
  tick: Instant;
  secret: string;
  commitment: string;
  committed_at: Instant;
}
export interface OfferTable {
  id: Generated<string>;
  draw_id: string;
  request_id: string;
  slot_id: string;
  status: Generated<OfferStatus>;
  expires_at: Instant;
  extended: Generated<boolean>;
  created_at: Generated<Date>;
  decided_at: Instant | null;
  appointment_id: string | null;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'cancelled';
export interface OutboxTable {
  id: Generated<string>;
  kind: string;
  recipient: string;
  language: 'fr' | 'en';
  payload: Json<Record<string, unknown>>;
  dedupe_key: string;
  status: Generated<OutboxStatus>;
  deliver_after: Instant;
  next_attempt_at: Instant;
  attempts: Generated<number>;
  claimed_until: Instant | null;
  claim_token: string | null;
  sent_at: Instant | null;
  last_error: string | null;
  created_at: Instant;
  updated_at: Instant;
  /** Email or text message (migration 0019). */
  channel: Generated<'email' | 'sms'>;
}

/** A number that answered STOP, by keyed digest (migration 0019). */
export interface SmsOptOutTable {
  phone_key: string;
  opted_out_at: Instant;
}

/** Text messages sent to one number on one day, `sent <= cap` (migration 0019). */
export interface SmsDailyCountTable {
  phone_key: string;
  day: string;
  sent: number;
  cap: number;
}

export interface CallbackRequestTable {
  id: Generated<string>;
  /** Read to the caller (migration 0017); null for call-backs queued before. */
  reference: string | null;
  prefecture_id: string;
  phone: string;
  language: string;
  situation: string;
  status: Generated<CallbackStatus>;
  assigned_agent: string | null;
  notes: Generated<string>;
  created_at: Instant;
  updated_at: Instant;
  version: Generated<number>;
}
export interface CallbackNoteTable {
  id: Generated<string>;
  callback_id: string;
  agent_id: string | null;
  at: Instant;
  status_before: CallbackStatus | null;
  status_after: CallbackStatus | null;
  text: string;
}

export type AgentRoleColumn = 'counter' | 'supervisor' | 'admin';
export interface AgentTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  totp_secret: string;
  last_totp_step: ColumnType<string | null, string | number | null, string | number | null>;
  role: AgentRoleColumn;
  prefecture_id: string | null;
  disabled_at: Instant | null;
  failed_attempts: Generated<number>;
  locked_until: Instant | null;
  created_at: Instant;
}
export interface AgentSiteTable {
  agent_id: string;
  site_id: string;
}
export interface AgentSessionTable {
  id: string;
  agent_id: string;
  created_at: Instant;
  last_seen_at: Instant;
  expires_at: Instant;
  revoked_at: Instant | null;
  ip: string | null;
  user_agent: string | null;
}
export interface AuditEventTable {
  id: Generated<string>;
  at: Instant;
  agent_id: string | null;
  prefecture_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
  ip: string | null;
}

/** The evidence chain (migration 0016): written by triggers only. */
export interface EvidenceLinkTable {
  seq: ColumnType<string, never, never>;
  kind: ColumnType<'audit' | 'security' | 'draw' | 'commitment' | 'purge', never, never>;
  ref_id: ColumnType<string, never, never>;
  at: ColumnType<Date, never, never>;
  content_hash: ColumnType<string, never, never>;
  prev_hash: ColumnType<string, never, never>;
  hash: ColumnType<string, never, never>;
}
export interface EvidenceHeadTable {
  one: ColumnType<boolean, never, never>;
  seq: ColumnType<string, never, never>;
  hash: ColumnType<string, never, never>;
}

/** Weekly public figures (migration 0021), raw: the suppression rule applies when published. */
export interface PublicStatisticsWeekTable {
  prefecture_id: string;
  procedure_id: string;
  week_start: DateString;
  computed_at: Instant;
  requests_booked: number;
  wait_median_days: number | null;
  wait_p90_days: number | null;
  open_booked: number;
  open_median_days: number | null;
  open_p90_days: number | null;
  requests_waiting: number;
  waiting_age_median_days: number | null;
  slots_offered: number;
  slots_taken: number;
  slots_open: number;
  slots_unused: number;
  urgent_cases: number;
  urgent_served: number;
  appointments_due: number;
  no_shows: number;
  draws: number;
  urgency_held: number;
  urgency_refused: number;
  /** Migration 0024: requests held for a fraud check in the week, and those refused after it. */
  fraud_held: Generated<number>;
  fraud_refused: Generated<number>;
}
export interface PublicStatisticsPressureWeekTable {
  week_start: DateString;
  computed_at: Instant;
  pow_refused: number;
  rate_limited: number;
}
export interface PublicStatisticsRunTable {
  period: string;
  started_at: Instant;
  finished_at: Instant | null;
}

/** Legal holds, the purge's election, its chained records (migration 0022). */
export interface EvidenceHoldTable {
  id: Generated<string>;
  reason: string;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  released_by: string | null;
  released_at: Date | null;
  from_at: Date | null;
  to_at: Date | null;
  request_ids: ColumnType<string[], string[] | undefined, never>;
  appointment_ids: ColumnType<string[], string[] | undefined, never>;
  ip_prefixes: ColumnType<string[], string[] | undefined, never>;
}
export interface RetentionRunTable {
  period: string;
  started_at: Date;
  finished_at: Date | null;
  report: ColumnType<unknown, string | null, string | null>;
}
export interface EvidencePurgeTable {
  id: Generated<string>;
  at: ColumnType<Date, Date | undefined, never>;
  period: string;
  kind: 'security';
  cutoff: Date;
  seqs: ColumnType<string[], string[], never>;
  links_digest: string;
  row_count: number;
}

export interface Database {
  evidence_hold: EvidenceHoldTable;
  retention_run: RetentionRunTable;
  evidence_purge: EvidencePurgeTable;
  public_statistics_week: PublicStatisticsWeekTable;
  public_statistics_pressure_week: PublicStatisticsPressureWeekTable;
  public_statistics_run: PublicStatisticsRunTable;
  evidence_link: EvidenceLinkTable;
  evidence_head: EvidenceHeadTable;
  draw_cadence: DrawCadenceTable;
  identity_document: IdentityDocumentTable;
  churn_event: ChurnEventTable;
  site_procedure: SiteProcedureTable;
  agent: AgentTable;
  agent_site: AgentSiteTable;
  agent_session: AgentSessionTable;
  audit_event: AuditEventTable;
  callback_request: CallbackRequestTable;
  callback_note: CallbackNoteTable;
  outbox: OutboxTable;
  draw_schedule: DrawScheduleTable;
  allocation_request: AllocationRequestTable;
  draw: DrawTable;
  draw_commitment: DrawCommitmentTable;
  offer: OfferTable;
  email_verification: EmailVerificationTable;
  registry_resident: RegistryResidentTable;
  pow_replay: PowReplayTable;
  http_idempotency: HttpIdempotencyTable;
  security_event: SecurityEventTable;
  prefecture: PrefectureTable;
  site: SiteTable;
  counter: CounterTable;
  procedure: ProcedureTable;
  opening_rule: OpeningRuleTable;
  exceptional_opening: ExceptionalOpeningTable;
  closure: ClosureTable;
  slot: SlotTable;
  appointment: AppointmentTable;
  email_quota: EmailQuotaTable;
  sms_opt_out: SmsOptOutTable;
  sms_daily_count: SmsDailyCountTable;
  app_setting: AppSettingTable;
  idempotency_record: IdempotencyRecordTable;
  fraud_observation: FraudObservationTable;
}
