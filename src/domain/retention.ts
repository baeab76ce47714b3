// How long personal data is kept, and why (issue 16, part 5): the one source the purge
// (app/retention/), the personal-data page and the README's table follow. A row is "past its
// time" when the instant its period counts from is before the cutoff, and no active evidence
// hold covers it: a hold (an evidence pack, a prosecutor's request) keeps what it names until
// it is released.
import { CALLBACK_RETENTION_DAYS } from './callback-rules.ts';
import { OUTBOX_RETENTION_MS } from './outbox-rules.ts';

/** Security events (refused attempts, with the network address): fixed by the issue. */
export const SECURITY_EVENT_RETENTION_MONTHS = 6;
/** Closed requests and past appointments, with the identity: the default of RETENTION_RECORDS_MONTHS. */
export const DEFAULT_RECORDS_RETENTION_MONTHS = 24;
/** What RETENTION_RECORDS_MONTHS accepts: long enough to answer an appeal, at most 10 years. */
export const RECORDS_RETENTION_MONTHS_RANGE = { min: 3, max: 120 } as const;

export interface RetentionPolicy {
  securityEventMonths: number;
  recordsMonths: number;
  callbackDays: number;
}

export const retentionPolicy = (recordsMonths = DEFAULT_RECORDS_RETENTION_MONTHS): RetentionPolicy => ({
  securityEventMonths: SECURITY_EVENT_RETENTION_MONTHS,
  recordsMonths,
  callbackDays: CALLBACK_RETENTION_DAYS,
});

/**
 * The retention table, in the order the personal-data page lists it. `values` fill the page's
 * text (information.json, personalData.<key>); `purgedBy` names the code that deletes it.
 */
export function retentionTable(policy: RetentionPolicy, emailCodeTtlMinutes: number) {
  return [
    { key: 'retentionCode', values: { minutes: emailCodeTtlMinutes }, purgedBy: 'purgeApplicantRecords' },
    { key: 'retentionMessages', values: { days: OUTBOX_RETENTION_MS / 86_400_000 }, purgedBy: 'purgeOutbox' },
    { key: 'retentionCallback', values: { days: policy.callbackDays }, purgedBy: 'purgeCallbacks' },
    { key: 'retentionAppointment', values: { months: policy.recordsMonths }, purgedBy: 'runRetention' },
    { key: 'retentionSecurity', values: { months: policy.securityEventMonths }, purgedBy: 'runRetention' },
    // The fraud signals' network and device digest (migration 0023): cleared like security events.
    { key: 'retentionSignals', values: { months: policy.securityEventMonths }, purgedBy: 'runRetention' },
    { key: 'retentionAudit', values: {}, purgedBy: null },
    { key: 'retentionHold', values: {}, purgedBy: null },
  ] as const;
}

/**
 * `months` calendar months before `at`, in UTC, the day clamped to the month's last:
 *   monthsBefore(2026-08-31T10:00Z, 6) → 2026-02-28T10:00Z
 */
export function monthsBefore(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(at.getUTCDate(), lastDay));
  return d;
}

/**
 * The latest cutoff a purge run at `at` may apply to rows the evidence chain records (null: that
 * kind is never purged): what the verification holds a purge record to. Security events only —
 * audit events are append-only, draws hold no identity.
 */
export function latestPurgeCutoff(kind: string, at: Date): Date | null {
  return kind === 'security' ? monthsBefore(at, SECURITY_EVENT_RETENTION_MONTHS) : null;
}

/** The instants before which each kind is past its time, at `now`. */
export function retentionCutoffs(policy: RetentionPolicy, now: Date) {
  return {
    security: monthsBefore(now, policy.securityEventMonths),
    records: monthsBefore(now, policy.recordsMonths),
  };
}

/** One purge run per UTC day, whatever the number of instances: the day is the election's key. */
export const retentionPeriod = (now: Date): string => now.toISOString().slice(0, 10);

/** A legal hold: what it names is kept past its time until it is released. */
export interface EvidenceHold {
  id: string;
  reason: string;
  /** The activity it covers: rows whose activity overlaps [from, to) (either end open when null). */
  from: Date | null;
  to: Date | null;
  requestIds: readonly string[];
  appointmentIds: readonly string[];
  /** Textual prefixes of network addresses: "203.0.113." or "2001:db8:". */
  ipPrefixes: readonly string[];
  releasedAt: Date | null;
}

/** A row the purge may delete, with the span of its activity. */
export type RetainedRow =
  | { kind: 'security'; id: string; at: Date; ip: string | null }
  | { kind: 'request'; id: string; from: Date; at: Date }
  | { kind: 'appointment'; id: string; from: Date; at: Date };

/** A hold must name something: a time range, ids or address prefixes. */
export function holdNamesSomething(hold: Omit<EvidenceHold, 'id' | 'reason' | 'releasedAt'>): boolean {
  return (
    hold.from !== null ||
    hold.to !== null ||
    hold.requestIds.length + hold.appointmentIds.length + hold.ipPrefixes.length > 0
  );
}

/**
 * Whether a hold covers a row: the row's activity overlaps the hold's range (if it has one), and
 * the row is one the hold names (if it names any: request and appointment ids, address prefixes).
 *   hold { from 2026-03-01, to 2026-04-01, ipPrefixes ['203.0.113.'] }
 *     covers the security event of 2026-03-10 from 203.0.113.9, not the one from 198.51.100.7,
 *     nor any request (a request has no address).
 */
export function holdCovers(hold: EvidenceHold, row: RetainedRow): boolean {
  if (hold.releasedAt !== null) return false;
  const from = row.kind === 'security' ? row.at : row.from;
  if (hold.to !== null && from >= hold.to) return false;
  if (hold.from !== null && row.at < hold.from) return false;
  const namesAny = hold.requestIds.length + hold.appointmentIds.length + hold.ipPrefixes.length > 0;
  if (!namesAny) return true;
  switch (row.kind) {
    case 'security':
      return row.ip !== null && hold.ipPrefixes.some((prefix) => row.ip!.startsWith(prefix));
    case 'request':
      return hold.requestIds.includes(row.id);
    case 'appointment':
      return hold.appointmentIds.includes(row.id);
  }
}

export const isHeld = (row: RetainedRow, holds: readonly EvidenceHold[]): boolean =>
  holds.some((hold) => holdCovers(hold, row));

/** Whether a row is past its time at `now` and no hold keeps it: the purge deletes exactly these. */
export function isPastRetention(
  row: RetainedRow,
  policy: RetentionPolicy,
  now: Date,
  holds: readonly EvidenceHold[],
): boolean {
  const cutoffs = retentionCutoffs(policy, now);
  const cutoff = row.kind === 'security' ? cutoffs.security : cutoffs.records;
  return row.at < cutoff && !isHeld(row, holds);
}
