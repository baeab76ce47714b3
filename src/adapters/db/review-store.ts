// Kysely implementation of the review store (ports/review-store.ts), the same on PostgreSQL
// and PGlite.
//   * A decision on a declared urgency is one conditional UPDATE (… where urgency_status =
//     'pending' and the request is live): two agents deciding at once, one row changes, the
//     other UPDATE matches nothing. The CHECK allocation_request_urgency_consistent
//     (migration 0012) keeps the status in step with the date.
//   * Likely duplicates: the live requests (waiting, offered, paused) and active appointments
//     (booked, arrived, not yet past) of a prefecture — one UNION ALL — narrowed to those
//     sharing a birth date or an email key with another identity document; the names are
//     compared by the domain rules (normaliseName), not in SQL, so both engines agree.
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { isUuid } from '../../domain/identifiers.ts';
import type {
  PersonRecord,
  ReviewStore,
  UrgencyDeclaration,
  UrgencyReviewTransaction,
} from '../../ports/review-store.ts';
import { insertAuditEvent } from './audit-repository.ts';
import type { Db } from './database.ts';
import { requestStatus } from './request-status.ts';
import type { Database } from './schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

const LIVE_REQUEST = ['waiting', 'offered', 'paused'] as const;
const ACTIVE_APPOINTMENT = ['booked', 'arrived'] as const;

const toDate = (value: Date | string): Date => new Date(value);
const toDateOrNull = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function selectDeclarations(db: Executor) {
  return db
    .selectFrom('allocation_request as r')
    .innerJoin('procedure as pr', 'pr.id', 'r.procedure_id')
    .innerJoin('prefecture as p', 'p.id', 'r.prefecture_id')
    .leftJoin('agent as ag', 'ag.id', 'r.urgency_reviewed_by')
    .select([
      'r.id',
      'r.reference',
      'r.prefecture_id',
      'p.time_zone',
      'r.procedure_id',
      'pr.name_fr',
      'pr.name_en',
      'r.site_ids',
      'r.surname',
      'r.given_names',
      'r.birth_date',
      'r.urgency_date',
      'r.urgency_status',
      requestStatus('r').as('status'),
      'r.channel',
      'r.email',
      'r.language',
      'r.filed_at',
      'r.urgency_reviewed_by',
      'ag.display_name as reviewed_by_name',
      'r.urgency_reviewed_at',
      'r.urgency_review_reason',
    ])
    .where('r.urgency_source', '=', 'declared')
    .where('r.urgency_date', 'is not', null);
}

type DeclarationRow = Awaited<ReturnType<ReturnType<typeof selectDeclarations>['executeTakeFirstOrThrow']>>;

const toDeclaration = (r: DeclarationRow): UrgencyDeclaration => ({
  requestId: r.id,
  reference: r.reference,
  prefectureId: r.prefecture_id,
  timeZone: r.time_zone,
  procedureId: r.procedure_id,
  procedureNameFr: r.name_fr,
  procedureNameEn: r.name_en,
  siteIds: [...r.site_ids],
  surname: r.surname,
  givenNames: r.given_names,
  birthDate: r.birth_date,
  urgencyDate: r.urgency_date!,
  urgencyStatus: r.urgency_status as UrgencyDeclaration['urgencyStatus'],
  requestStatus: r.status,
  channel: r.channel,
  email: r.email || null,
  language: r.language,
  filedAt: toDate(r.filed_at),
  reviewedBy: r.urgency_reviewed_by,
  reviewedByName: r.reviewed_by_name ?? null,
  reviewedAt: toDateOrNull(r.urgency_reviewed_at),
  reviewReason: r.urgency_review_reason,
});

async function findDeclaration(db: Executor, id: string): Promise<UrgencyDeclaration | null> {
  if (!isUuid(id)) return null;
  const row = await selectDeclarations(db).where('r.id', '=', id).executeTakeFirst();
  return row ? toDeclaration(row) : null;
}

function transactionOn(db: Executor): UrgencyReviewTransaction {
  return {
    async decideUrgency(change) {
      if (!isUuid(change.requestId)) return null;
      const result = await db
        .updateTable('allocation_request')
        .set({
          urgency_status: change.decision,
          urgency_reviewed_by: change.agentId,
          urgency_reviewed_at: change.at,
          urgency_review_reason: change.reason === '' ? null : change.reason,
          updated_at: change.at,
        })
        .where('id', '=', change.requestId)
        .where('urgency_status', '=', 'pending')
        .where('urgency_source', '=', 'declared')
        .where('status', 'in', LIVE_REQUEST)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? findDeclaration(db, change.requestId) : null;
    },
    insertAuditEvent: (e) => insertAuditEvent(db, e),
  };
}

/** The live records of one prefecture, as a CTE body. */
function liveRecords(prefectureId: string, activeFrom: Date): RawBuilder<unknown> {
  return sql`
    select 'request' as kind, r.id::text as id, r.reference, r.prefecture_id, r.identity_key, r.surname, r.given_names, r.birth_date,
           r.nationality, nullif(r.email, '') as email, nullif(r.email_key, '') as email_key, r.channel, ${requestStatus('r')} as status, r.procedure_id,
           pr.name_fr, pr.name_en, r.site_ids, r.filed_at as since, null::timestamptz as starts_at, null::date as local_date, p.time_zone
      from allocation_request r
      join procedure pr on pr.id = r.procedure_id
      join prefecture p on p.id = r.prefecture_id
     where r.prefecture_id = ${prefectureId} and r.status in (${sql.join(LIVE_REQUEST.map((s) => sql.lit(s)))})
    union all
    select 'appointment', a.id::text, a.reference, si.prefecture_id, a.identity_key, a.surname, a.given_names, a.birth_date,
           a.nationality, a.email, a.email_key, a.channel, a.status, a.procedure_id,
           pr.name_fr, pr.name_en, array[a.site_id]::text[], a.created_at, s.starts_at, s.local_date, p.time_zone
      from appointment a
      join slot s on s.id = a.slot_id
      join site si on si.id = a.site_id
      join procedure pr on pr.id = a.procedure_id
      join prefecture p on p.id = si.prefecture_id
     where si.prefecture_id = ${prefectureId} and a.status in (${sql.join(ACTIVE_APPOINTMENT.map((s) => sql.lit(s)))})
       and s.starts_at >= ${activeFrom}`;
}

interface PersonRow {
  kind: 'request' | 'appointment';
  id: string;
  reference: string;
  prefecture_id: string;
  identity_key: string;
  surname: string;
  given_names: string;
  birth_date: string;
  nationality: string;
  email: string | null;
  email_key: string | null;
  channel: PersonRecord['channel'];
  status: string;
  procedure_id: string;
  name_fr: string;
  name_en: string;
  site_ids: string[];
  since: Date | string;
  starts_at: Date | string | null;
  local_date: string | null;
  time_zone: string;
}

const toPerson = (r: PersonRow): PersonRecord => ({
  kind: r.kind,
  id: r.id,
  reference: r.reference,
  prefectureId: r.prefecture_id,
  identityKey: r.identity_key,
  surname: r.surname,
  givenNames: r.given_names,
  birthDate: r.birth_date,
  nationality: r.nationality,
  email: r.email,
  emailKey: r.email_key,
  channel: r.channel,
  status: r.status,
  procedureId: r.procedure_id,
  procedureNameFr: r.name_fr,
  procedureNameEn: r.name_en,
  siteIds: [...r.site_ids],
  since: toDate(r.since),
  startsAt: toDateOrNull(r.starts_at),
  localDate: r.local_date,
  timeZone: r.time_zone,
});

export function createReviewStore(db: Db): ReviewStore {
  return {
    async listUrgencyDeclarations(q) {
      let select = selectDeclarations(db);
      if (q.prefectureId !== null) select = select.where('r.prefecture_id', '=', q.prefectureId);
      if (q.siteIds !== undefined) {
        if (q.siteIds.length === 0) return [];
        const ids = q.siteIds;
        select = select.where(
          sql<boolean>`exists (select 1 from unnest(r.site_ids) as named(site_id) where named.site_id in (${sql.join(ids.map((id) => sql`${id}`))}))`,
        );
      }
      if (q.after && !isUuid(q.after.id)) return [];
      if (q.view === 'pending') {
        select = select.where('r.urgency_status', '=', 'pending').where('r.status', 'in', LIVE_REQUEST);
        if (q.after) {
          const { at, id } = q.after;
          select = select.where((eb) =>
            eb.or([eb('r.filed_at', '>', at), eb.and([eb('r.filed_at', '=', at), eb('r.id', '>', id)])]),
          );
        }
        select = select.orderBy('r.filed_at').orderBy('r.id');
      } else {
        select = select
          .where('r.urgency_status', 'in', ['confirmed', 'refused'])
          .where('r.urgency_reviewed_at', 'is not', null);
        if (q.decidedSince) select = select.where('r.urgency_reviewed_at', '>=', q.decidedSince);
        if (q.after) {
          const { at, id } = q.after;
          select = select.where((eb) =>
            eb.or([
              eb('r.urgency_reviewed_at', '<', at),
              eb.and([eb('r.urgency_reviewed_at', '=', at), eb('r.id', '<', id)]),
            ]),
          );
        }
        select = select.orderBy('r.urgency_reviewed_at', 'desc').orderBy('r.id', 'desc');
      }
      return (await select.limit(q.limit).execute()).map(toDeclaration);
    },

    findUrgencyDeclaration: (id) => findDeclaration(db, id),

    transaction: (work) => db.transaction().execute((trx) => work(transactionOn(trx))),

    async duplicateCandidates({ prefectureId, activeFrom }) {
      const { rows } = await sql<PersonRow>`
        with live as (${liveRecords(prefectureId, activeFrom)}),
        shared_birth_date as (select birth_date from live group by birth_date having count(distinct identity_key) > 1),
        shared_email as (select email_key from live where email_key is not null group by email_key having count(distinct identity_key) > 1)
        select * from live
         where birth_date in (select birth_date from shared_birth_date) or email_key in (select email_key from shared_email)
         order by since, kind, id`.execute(db);
      return rows.map(toPerson);
    },

    async duplicateCandidatesAround({ prefectureId, activeFrom }, appointmentIds) {
      const ids = appointmentIds.filter((id) => isUuid(id));
      if (ids.length === 0) return [];
      const { rows } = await sql<PersonRow>`
        with live as (${liveRecords(prefectureId, activeFrom)}),
        around as (
          select * from live where identity_key in (select identity_key from appointment where id in (${sql.join(ids.map((id) => sql`${id}::uuid`))}))
        )
        select * from live
         where identity_key in (select identity_key from around)
            or birth_date in (select birth_date from around)
            or email_key in (select email_key from around where email_key is not null)
         order by since, kind, id`.execute(db);
      return rows.map(toPerson);
    },
  };
}
