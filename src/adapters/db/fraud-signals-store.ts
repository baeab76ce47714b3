// The fraud signals' counts and scores, bound to the transaction of an event (ports/fraud-store.ts
// FraudSignals): filing, booking, cancellation, an ignored offer, a counter outcome. Each count
// of RequestFacts is one indexed query over its window (migration 0023's indexes), all in one
// statement; the likely duplicates are the live records with the same name_key (migration
// 0025: domain/duplicate-rules.ts nameBirthDateKey, stored at insert). Used by every store's
// transaction.
import { type RawBuilder, sql, type Transaction } from 'kysely';
import {
  FRAUD_COUNT_CAP,
  type FraudReason,
  type FraudSignalKind,
  type RequestFacts,
} from '../../domain/fraud-signals.ts';
import type { FraudSignals, ScoredRequest, ScoreWrite, Sharing } from '../../ports/fraud-store.ts';
import { precompiled } from './database.ts';
import type { Executor } from './kysely-helpers.ts';
import { requestStatus } from './request-status.ts';
import type { Database } from './schema.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const before = (now: Date, ms: number) => new Date(now.getTime() - ms);
const LIVE = sql`('waiting', 'offered', 'paused')`;
const ACTIVE = sql`('booked', 'arrived')`;

type Subject = 'request' | 'appointment';

/** The subject's own row, with the columns every count compares (one shape for both tables). */
function subjectRow(kind: Subject, id: string) {
  return kind === 'request'
    ? sql`select identity_key, email_key, network, email_domain, phone, device_digest, name_key
            from allocation_request where id = ${id}::uuid`
    : sql`select identity_key, email_key, network, email_domain, phone, device_digest, name_key
            from appointment where id = ${id}::uuid`;
}

// Counts stop at FRAUD_COUNT_CAP: a fleet's filing shares its network or names with thousands
// of records, and no rule needs more. Documents are counted over at most DOCUMENT_ROWS records
// (one person has a few: a request and an appointment per procedure).
const DOCUMENT_ROWS = 4 * FRAUD_COUNT_CAP;

/** Records (rows of `rows`), FRAUD_COUNT_CAP at most. */
const cappedCount = (rows: RawBuilder<unknown>) =>
  sql`(select count(*)::int from (${rows} limit ${FRAUD_COUNT_CAP}) counted)`;

/** Distinct identity documents (column `k` of `rows`), FRAUD_COUNT_CAP at most. */
const cappedDocuments = (rows: RawBuilder<unknown>) =>
  sql`(select least(count(distinct k), ${FRAUD_COUNT_CAP})::int from (${rows} limit ${DOCUMENT_ROWS}) counted)`;

/** Identity documents with a request or appointment whose `column` equals the subject's, since `since`. */
const documentsSharing = (column: 'email_domain' | 'phone' | 'device_digest', since: Date, now: Date) =>
  cappedDocuments(sql`
     select x.identity_key as k from allocation_request x, s
      where s.${sql.ref(column)} is not null and x.${sql.ref(column)} = s.${sql.ref(column)} and x.filed_at > ${since} and x.filed_at <= ${now}
     union all
     select a.identity_key from appointment a, s
      where s.${sql.ref(column)} is not null and a.${sql.ref(column)} = s.${sql.ref(column)} and a.created_at > ${since} and a.created_at <= ${now}`);

interface FactsRow {
  network_burst: number;
  email_domain_crowd: number;
  shared_phone: number;
  shared_device: number;
  churn: number;
  ignored_offers: number;
  identity_refused: number;
  no_shows: number;
  likely_duplicate: number;
}

async function factsOf(db: Executor, kind: Subject, id: string, now: Date): Promise<RequestFacts> {
  // A burst counts the subject's own kind: filings for a request, bookings for an appointment.
  const burst = cappedCount(
    kind === 'request'
      ? sql`select 1 from allocation_request x, s
             where s.network is not null and x.network = s.network and x.channel = 'online'
               and x.filed_at > ${before(now, DAY)} and x.filed_at <= ${now}`
      : sql`select 1 from appointment x, s
             where s.network is not null and x.network = s.network and x.channel = 'online'
               and x.created_at > ${before(now, DAY)} and x.created_at <= ${now}`,
  );
  const { rows } = await sql<FactsRow>`
    with s as (${subjectRow(kind, id)})
    select ${burst} as network_burst,
           ${documentsSharing('email_domain', before(now, 30 * DAY), now)} as email_domain_crowd,
           ${documentsSharing('phone', before(now, 90 * DAY), now)} as shared_phone,
           ${documentsSharing('device_digest', before(now, 30 * DAY), now)} as shared_device,
           (select count(*)::int from churn_event c, s where c.identity_key = s.identity_key
              and c.at > ${before(now, 90 * DAY)} and c.at <= ${now}) as churn,
           (select count(*)::int from offer o join allocation_request x on x.id = o.request_id, s
             where x.identity_key = s.identity_key and o.status = 'expired'
               and o.decided_at > ${before(now, 180 * DAY)} and o.decided_at <= ${now}) as ignored_offers,
           ${cappedCount(sql`select 1 from appointment a, s
             where a.identity_refused_at > ${before(now, 180 * DAY)} and a.identity_refused_at <= ${now}
               and (a.identity_key = s.identity_key or a.email_key = s.email_key or a.phone = s.phone
                    or a.network = s.network)`)} as identity_refused,
           (select count(*)::int from appointment a, s where a.identity_key = s.identity_key
              and a.no_show_at > ${before(now, 180 * DAY)} and a.no_show_at <= ${now}) as no_shows,
           ${cappedDocuments(sql`
              select x.identity_key as k from allocation_request x, s
               where x.name_key = s.name_key and x.status in ${LIVE} and x.identity_key <> s.identity_key
              union all
              select a.identity_key from appointment a, s
               where a.name_key = s.name_key and a.status in ${ACTIVE} and a.identity_key <> s.identity_key`)} as likely_duplicate
      from s`.execute(db);
  const row = rows[0];
  if (!row) throw new Error(`no ${kind} ${id}`);
  return {
    network_burst: Number(row.network_burst),
    email_domain_crowd: Number(row.email_domain_crowd),
    shared_phone: Number(row.shared_phone),
    shared_device: Number(row.shared_device),
    likely_duplicate: Number(row.likely_duplicate),
    churn: Number(row.churn),
    ignored_offers: Number(row.ignored_offers),
    identity_refused: Number(row.identity_refused),
    no_shows: Number(row.no_shows),
  };
}

const reasonsJson = (reasons: readonly FraudReason[]) => JSON.stringify(reasons);

/**
 * The score written on its row (`updated`: a statement returning its prefecture_id) and, when
 * above zero, observed as computed — the signals over time and a case's evidence: one round trip.
 */
const scoreWritten = (
  updated: RawBuilder<unknown>,
  subject: { column: 'request_id' | 'appointment_id'; id: string },
  w: Omit<ScoreWrite, 'hold'>,
  held: boolean,
) => sql`
  with updated as (${updated})
  insert into fraud_observation (prefecture_id, ${sql.ref(subject.column)}, at, event, score, reasons, held)
  select prefecture_id, ${subject.id}::uuid, ${w.at}, ${w.event}, ${w.score}, ${reasonsJson(w.reasons)}::jsonb, ${held}
    from updated where ${w.score} > 0`;

/** The request scored after each filing, locked with what its hold's email needs; built and compiled once (database.ts, precompiled). */
const lockScoredRequestQuery = precompiled(
  (qb, a) =>
    qb
      .selectFrom('allocation_request as r')
      .innerJoin('prefecture as p', 'p.id', 'r.prefecture_id')
      .innerJoin('procedure as pr', 'pr.id', 'r.procedure_id')
      .select([
        'r.id',
        'r.reference',
        'r.prefecture_id',
        'p.name as prefecture_name',
        'p.time_zone',
        requestStatus('r').as('status'),
        'r.review_state',
        'r.cleared_kinds',
        'r.lapses_at',
        'r.fraud_score',
        'r.email',
        'r.language',
        'r.given_names',
        'r.surname',
        'pr.name_fr',
        'pr.name_en',
      ])
      .where('r.id', '=', a.requestId)
      .forUpdate('r'),
  { requestId: '\0requestId' },
);

/** The signal reads and writes, bound to the transaction of an event (filing, booking, cancellation, counter outcome). */
export function fraudSignals(trx: Transaction<Database>): FraudSignals {
  return {
    requestFacts: (requestId, now) => factsOf(trx, 'request', requestId, now),
    appointmentFacts: (appointmentId, now) => factsOf(trx, 'appointment', appointmentId, now),

    async lockScoredRequest(requestId): Promise<ScoredRequest | null> {
      const row = (await lockScoredRequestQuery(trx, { requestId })).rows[0];
      if (!row) return null;
      return {
        id: row.id,
        reference: row.reference,
        prefectureId: row.prefecture_id,
        prefectureName: row.prefecture_name,
        timeZone: row.time_zone,
        status: row.status,
        reviewState: row.review_state,
        clearedKinds: [...row.cleared_kinds] as FraudSignalKind[],
        lapsesAt: row.lapses_at ? new Date(row.lapses_at) : null,
        fraudScore: Number(row.fraud_score),
        email: row.email,
        language: row.language,
        givenNames: row.given_names,
        surname: row.surname,
        procedureName: { fr: row.name_fr, en: row.name_en },
      };
    },

    async recordRequestScore(requestId: string, w: ScoreWrite): Promise<void> {
      await scoreWritten(
        sql`update allocation_request
               set fraud_score = ${w.score}, fraud_reasons = ${reasonsJson(w.reasons)}::jsonb
                   ${w.hold ? sql`, review_state = 'held', held_at = ${w.at}, lapses_at = ${w.hold.lapsesAt}` : sql``}
             where id = ${requestId}::uuid
            returning prefecture_id`,
        { column: 'request_id', id: requestId },
        w,
        w.hold !== null,
      ).execute(trx);
    },

    async recordAppointmentScore(appointmentId, w): Promise<void> {
      await scoreWritten(
        sql`update appointment a set fraud_score = ${w.score}, fraud_reasons = ${reasonsJson(w.reasons)}::jsonb
              from site si where si.id = a.site_id and a.id = ${appointmentId}::uuid
            returning si.prefecture_id`,
        { column: 'appointment_id', id: appointmentId },
        w,
        false,
      ).execute(trx);
    },

    async sharingOf(kind, id): Promise<Sharing | null> {
      const row = await (kind === 'request'
        ? trx
            .selectFrom('allocation_request')
            .select(['identity_key', 'email_key', 'phone', 'network'])
            .where('id', '=', id)
            .executeTakeFirst()
        : trx
            .selectFrom('appointment')
            .select(['identity_key', 'email_key', 'phone', 'network'])
            .where('id', '=', id)
            .executeTakeFirst());
      return row
        ? { identityKey: row.identity_key, emailKey: row.email_key, phone: row.phone, network: row.network }
        : null;
    },

    async liveRequestsSharing(s: Sharing): Promise<string[]> {
      const { rows } = await sql<{ id: string }>`
        select id from allocation_request
         where status in ${LIVE}
           and (identity_key = ${s.identityKey}
                ${s.emailKey ? sql`or email_key = ${s.emailKey}` : sql``}
                ${s.phone ? sql`or phone = ${s.phone}` : sql``}
                ${s.network ? sql`or network = ${s.network}` : sql``})
         order by filed_at, id`.execute(trx);
      return rows.map((r) => r.id);
    },
  };
}
