// The fraud signals' counts and scores, bound to the transaction of an event (ports/fraud-store.ts
// FraudSignals): filing, booking, cancellation, an ignored offer, a counter outcome. Each count
// of RequestFacts is one indexed query over its window (migration 0023's indexes), all in one
// statement; the likely duplicates are the records of the same birth date (indexed), compared
// by domain/duplicate-rules.ts nameBirthDateKey. Used by every store's transaction.
import { sql, type Transaction } from 'kysely';
import { nameBirthDateKey } from '../../domain/duplicate-rules.ts';
import type { FraudReason, FraudSignalKind, RequestFacts } from '../../domain/fraud-signals.ts';
import type { FilingSignals, FraudSignals, ScoredRequest, ScoreWrite, Sharing } from '../../ports/fraud-store.ts';
import type { Executor } from './kysely-helpers.ts';
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
    ? sql`select identity_key, email_key, network, email_domain, phone, device_digest, birth_date, surname, given_names
            from allocation_request where id = ${id}::uuid`
    : sql`select identity_key, email_key, network, email_domain, phone, device_digest, birth_date, surname, given_names
            from appointment where id = ${id}::uuid`;
}

/** Identity documents with a request or appointment whose `column` equals the subject's, since `since`. */
const documentsSharing = (column: 'email_domain' | 'phone' | 'device_digest', since: Date, now: Date) => sql`
  (select count(distinct k)::int from (
     select x.identity_key as k from allocation_request x, s
      where s.${sql.ref(column)} is not null and x.${sql.ref(column)} = s.${sql.ref(column)} and x.filed_at > ${since} and x.filed_at <= ${now}
     union
     select a.identity_key from appointment a, s
      where s.${sql.ref(column)} is not null and a.${sql.ref(column)} = s.${sql.ref(column)} and a.created_at > ${since} and a.created_at <= ${now}
   ) shared)`;

interface FactsRow {
  network_burst: number;
  email_domain_crowd: number;
  shared_phone: number;
  shared_device: number;
  churn: number;
  ignored_offers: number;
  identity_refused: number;
  no_shows: number;
  identity_key: string;
  birth_date: string;
  surname: string;
  given_names: string;
}

async function factsOf(db: Executor, kind: Subject, id: string, now: Date): Promise<RequestFacts> {
  // A burst counts the subject's own kind: filings for a request, bookings for an appointment.
  const burst =
    kind === 'request'
      ? sql`(select count(*)::int from allocation_request x, s
              where s.network is not null and x.network = s.network and x.channel = 'online'
                and x.filed_at > ${before(now, DAY)} and x.filed_at <= ${now})`
      : sql`(select count(*)::int from appointment x, s
              where s.network is not null and x.network = s.network and x.channel = 'online'
                and x.created_at > ${before(now, DAY)} and x.created_at <= ${now})`;
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
           (select count(*)::int from appointment a, s
             where a.identity_refused_at > ${before(now, 180 * DAY)} and a.identity_refused_at <= ${now}
               and (a.identity_key = s.identity_key or a.email_key = s.email_key or a.phone = s.phone
                    or a.network = s.network)) as identity_refused,
           (select count(*)::int from appointment a, s where a.identity_key = s.identity_key
              and a.no_show_at > ${before(now, 180 * DAY)} and a.no_show_at <= ${now}) as no_shows,
           s.identity_key, s.birth_date, s.surname, s.given_names
      from s`.execute(db);
  const row = rows[0];
  if (!row) throw new Error(`no ${kind} ${id}`);
  return {
    network_burst: Number(row.network_burst),
    email_domain_crowd: Number(row.email_domain_crowd),
    shared_phone: Number(row.shared_phone),
    shared_device: Number(row.shared_device),
    likely_duplicate: await duplicatesOf(db, row),
    churn: Number(row.churn),
    ignored_offers: Number(row.ignored_offers),
    identity_refused: Number(row.identity_refused),
    no_shows: Number(row.no_shows),
  };
}

interface NamesRow {
  identity_key: string;
  surname: string;
  given_names: string;
  birth_date: string;
}

/** Other identity documents with a live request or an active appointment under the same names and birth date. */
async function duplicatesOf(db: Executor, subject: NamesRow): Promise<number> {
  const key = nameBirthDateKey({
    surname: subject.surname,
    givenNames: subject.given_names,
    birthDate: subject.birth_date,
  });
  if (key === null) return 0;
  const { rows } = await sql<NamesRow>`
    select identity_key, surname, given_names, birth_date from allocation_request
     where birth_date = ${subject.birth_date} and status in ${LIVE} and identity_key <> ${subject.identity_key}
    union all
    select identity_key, surname, given_names, birth_date from appointment
     where birth_date = ${subject.birth_date} and status in ${ACTIVE} and identity_key <> ${subject.identity_key}`.execute(
    db,
  );
  const others = new Set<string>();
  for (const r of rows)
    if (nameBirthDateKey({ surname: r.surname, givenNames: r.given_names, birthDate: r.birth_date }) === key)
      others.add(r.identity_key);
  return others.size;
}

const reasonsJson = (reasons: readonly FraudReason[]) => JSON.stringify(reasons);

/** One score above zero, as it was computed: the signals over time and a case's evidence. */
async function observe(
  trx: Transaction<Database>,
  subject: { prefecture_id: string; request_id?: string; appointment_id?: string },
  w: Omit<ScoreWrite, 'hold'>,
  held: boolean,
): Promise<void> {
  await trx
    .insertInto('fraud_observation')
    .values({ ...subject, at: w.at, event: w.event, score: w.score, reasons: reasonsJson(w.reasons), held })
    .execute();
}

/** The signal reads and writes, bound to the transaction of an event (filing, booking, cancellation, counter outcome). */
export function fraudSignals(trx: Transaction<Database>): FraudSignals {
  return {
    requestFacts: (requestId, now) => factsOf(trx, 'request', requestId, now),
    appointmentFacts: (appointmentId, now) => factsOf(trx, 'appointment', appointmentId, now),

    async lockScoredRequest(requestId): Promise<ScoredRequest | null> {
      const row = await trx
        .selectFrom('allocation_request as r')
        .innerJoin('prefecture as p', 'p.id', 'r.prefecture_id')
        .innerJoin('procedure as pr', 'pr.id', 'r.procedure_id')
        .select([
          'r.id',
          'r.reference',
          'r.prefecture_id',
          'p.name as prefecture_name',
          'p.time_zone',
          'r.status',
          'r.review_state',
          'r.cleared_kinds',
          'r.lapses_at',
          'r.email',
          'r.language',
          'r.given_names',
          'r.surname',
          'pr.name_fr',
          'pr.name_en',
        ])
        .where('r.id', '=', requestId)
        .forUpdate('r')
        .executeTakeFirst();
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
        email: row.email,
        language: row.language,
        givenNames: row.given_names,
        surname: row.surname,
        procedureName: { fr: row.name_fr, en: row.name_en },
      };
    },

    async recordRequestScore(requestId: string, w: ScoreWrite): Promise<void> {
      const { rows } = await sql<{ prefecture_id: string }>`
        update allocation_request
           set fraud_score = ${w.score}, fraud_reasons = ${reasonsJson(w.reasons)}::jsonb
               ${w.hold ? sql`, review_state = 'held', held_at = ${w.at}, lapses_at = ${w.hold.lapsesAt}` : sql``}
         where id = ${requestId}::uuid
         returning prefecture_id`.execute(trx);
      if (w.score > 0 && rows[0])
        await observe(trx, { prefecture_id: rows[0].prefecture_id, request_id: requestId }, w, w.hold !== null);
    },

    async recordAppointmentScore(appointmentId, w): Promise<void> {
      const { rows } = await sql<{ prefecture_id: string }>`
        update appointment a set fraud_score = ${w.score}, fraud_reasons = ${reasonsJson(w.reasons)}::jsonb
          from site si where si.id = a.site_id and a.id = ${appointmentId}::uuid
        returning si.prefecture_id`.execute(trx);
      if (w.score > 0 && rows[0])
        await observe(trx, { prefecture_id: rows[0].prefecture_id, appointment_id: appointmentId }, w, false);
    },

    async noteAppointmentSignals(appointmentId: string, signals: FilingSignals): Promise<void> {
      if (signals.network === null && signals.deviceDigest === null && signals.emailDomain === null) return;
      await trx
        .updateTable('appointment')
        .set({ network: signals.network, device_digest: signals.deviceDigest, email_domain: signals.emailDomain })
        .where('id', '=', appointmentId)
        .execute();
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
