// Kysely implementation of the fraud review (ports/fraud-store.ts FraudStore), the same on
// PostgreSQL and PGlite: the review list, a case with its evidence, the signals over time, and
// the decisions (one conditional UPDATE on "still held"). The counts are fraud-signals-store.ts's.
import { sql, type Transaction } from 'kysely';
import type { FraudReason, FraudSignalKind } from '../../domain/fraud-signals.ts';
import type { AuditEventInput } from '../../ports/agent-store.ts';
import type {
  FraudCase,
  FraudSignals,
  FraudStore,
  FraudTransaction,
  HoldDecisionWrite,
  Observation,
  RelatedRecord,
  ReviewItem,
  ScoreWrite,
  Sharing,
  SignalDay,
} from '../../ports/fraud-store.ts';
import { insertAuditEvent } from './audit-repository.ts';
import { markSlotFreed } from './booking-store.ts';
import type { Db } from './database.ts';
import { fraudSignals } from './fraud-signals-store.ts';

type Subject = 'request' | 'appointment';

import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import { requestStatus } from './request-status.ts';
import type { Database } from './schema.ts';

class KyselyFraudTransaction extends KyselyOutboxWriter implements FraudTransaction {
  private readonly signals: FraudSignals;
  constructor(trx: Transaction<Database>) {
    super(trx);
    this.signals = fraudSignals(trx);
  }
  requestFacts(requestId: string, now: Date) {
    return this.signals.requestFacts(requestId, now);
  }
  appointmentFacts(appointmentId: string, now: Date) {
    return this.signals.appointmentFacts(appointmentId, now);
  }
  lockScoredRequest(requestId: string) {
    return this.signals.lockScoredRequest(requestId);
  }
  recordRequestScore(requestId: string, write: ScoreWrite) {
    return this.signals.recordRequestScore(requestId, write);
  }
  recordAppointmentScore(appointmentId: string, write: Omit<ScoreWrite, 'hold'>) {
    return this.signals.recordAppointmentScore(appointmentId, write);
  }
  sharingOf(kind: Subject, id: string) {
    return this.signals.sharingOf(kind, id);
  }
  liveRequestsSharing(sharing: Sharing) {
    return this.signals.liveRequestsSharing(sharing);
  }
  insertAuditEvent(event: AuditEventInput): Promise<void> {
    return insertAuditEvent(this.trx, event);
  }

  async decide(w: HoldDecisionWrite): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`
      update allocation_request
         set review_state = ${w.decision}, cleared_kinds = ${sql`cast(${`{${w.clearedKinds.join(',')}}`} as text[])`},
             review_decided_by = ${w.agentId}, review_decided_at = ${w.at}, review_reason = ${w.reason},
             updated_at = ${w.at}
             ${w.decision === 'refused' ? sql`, status = 'closed', closed_at = ${w.at}` : sql``}
       where id = ${w.requestId}::uuid and review_state = 'held'
             ${w.decision === 'refused' ? sql`and status in ('waiting', 'offered', 'paused')` : sql``}
       returning id`.execute(this.trx);
    if (rows.length === 0) return false;
    if (w.decision === 'refused') {
      // A refused request's pending offer (made before the hold) goes back to the next draw, as a withdrawal's does.
      const offers = await this.trx
        .updateTable('offer')
        .set({ status: 'withdrawn', decided_at: w.at })
        .where('request_id', '=', w.requestId)
        .where('status', '=', 'pending')
        .returning('slot_id')
        .execute();
      for (const offer of offers) await markSlotFreed(this.trx, offer.slot_id, w.at);
    }
    return true;
  }

  async noteLapses(prefectureId: string | null, now: Date) {
    const { rows } = await sql<{ id: string; prefecture_id: string; reference: string; lapses_at: Date }>`
      update allocation_request
         set review_state = 'cleared', review_decided_at = lapses_at, review_reason = 'lapsed', review_decided_by = null,
             cleared_kinds = array(select distinct e->>'kind' from jsonb_array_elements(fraud_reasons) e order by 1)
       where review_state = 'held' and lapses_at <= ${now}
             ${prefectureId === null ? sql`` : sql`and prefecture_id = ${prefectureId}`}
       returning id, prefecture_id, reference, lapses_at`.execute(this.trx);
    return rows.map((r) => ({
      id: r.id,
      prefectureId: r.prefecture_id,
      reference: r.reference,
      lapsesAt: new Date(r.lapses_at),
    }));
  }
}

interface ItemRow {
  kind: Subject;
  id: string;
  reference: string;
  prefecture_id: string;
  time_zone: string;
  surname: string;
  given_names: string;
  score: number;
  reasons: FraudReason[];
  review_state: ReviewItem['reviewState'];
  held_at: Date | null;
  lapses_at: Date | null;
  since: Date;
  status: string;
  decided_at: Date | null;
  decided_by_name: string | null;
  decision_reason: string | null;
}

const toItem = (r: ItemRow): ReviewItem => ({
  kind: r.kind,
  id: r.id,
  reference: r.reference,
  prefectureId: r.prefecture_id,
  timeZone: r.time_zone,
  surname: r.surname,
  givenNames: r.given_names,
  score: Number(r.score),
  reasons: r.reasons,
  reviewState: r.review_state,
  heldAt: r.held_at ? new Date(r.held_at) : null,
  lapsesAt: r.lapses_at ? new Date(r.lapses_at) : null,
  since: new Date(r.since),
  status: r.status,
  decidedAt: r.decided_at ? new Date(r.decided_at) : null,
  decidedByName: r.decided_by_name,
  decisionReason: r.decision_reason,
});

const REQUEST_ITEM = sql`
  select 'request' as kind, r.id, r.reference, r.prefecture_id, p.time_zone, r.surname, r.given_names,
         r.fraud_score as score, r.fraud_reasons as reasons, r.review_state, r.held_at, r.lapses_at,
         r.filed_at as since, ${requestStatus('r')} as status, r.review_decided_at as decided_at, ag.display_name as decided_by_name,
         r.review_reason as decision_reason
    from allocation_request r join prefecture p on p.id = r.prefecture_id
    left join agent ag on ag.id = r.review_decided_by`;
const APPOINTMENT_ITEM = sql`
  select 'appointment' as kind, a.id, a.reference, si.prefecture_id, p.time_zone, a.surname, a.given_names,
         a.fraud_score as score, a.fraud_reasons as reasons, 'none' as review_state, null::timestamptz as held_at,
         null::timestamptz as lapses_at, a.created_at as since, a.status, null::timestamptz as decided_at,
         null::text as decided_by_name, null::text as decision_reason
    from appointment a join site si on si.id = a.site_id join prefecture p on p.id = si.prefecture_id`;

export function createFraudStore(db: Db): FraudStore {
  return {
    transaction: (work) => runTransaction(db, (trx) => work(new KyselyFraudTransaction(trx))),

    async reviewList({ prefectureId, since, limit, flagScore }) {
      // Held live requests first (the nearest lapse first), then appointments flagged at the hold score, then
      // decisions (latest first). A held request withdrawn meanwhile is nobody's task any more.
      const { rows } = await sql<ItemRow>`
        select * from (
          ${REQUEST_ITEM}
           where r.prefecture_id = ${prefectureId} and r.review_state <> 'none'
             and ((r.review_state = 'held' and r.status in ('waiting', 'offered', 'paused')) or r.review_decided_at >= ${since})
          union all
          ${APPOINTMENT_ITEM}
           where si.prefecture_id = ${prefectureId} and a.fraud_score >= ${flagScore} and a.created_at >= ${since}
        ) items
        order by case when review_state = 'held' then 0 when kind = 'appointment' then 1 else 2 end,
                 case when review_state = 'held' then lapses_at end,
                 coalesce(decided_at, since) desc, id
        limit ${limit}`.execute(db);
      return rows.map(toItem);
    },

    async findCase(kind, id): Promise<FraudCase | null> {
      const extra =
        kind === 'request'
          ? sql`select r.email, r.network, r.email_domain, r.phone, r.birth_date, r.device_digest, r.identity_key, r.name_key,
                       r.cleared_kinds, pr.name_fr, pr.name_en
                  from allocation_request r join procedure pr on pr.id = r.procedure_id where r.id = ${id}::uuid`
          : sql`select a.email, a.network, a.email_domain, a.phone, a.birth_date, a.device_digest, a.identity_key, a.name_key,
                       '{}'::text[] as cleared_kinds, pr.name_fr, pr.name_en
                  from appointment a join procedure pr on pr.id = a.procedure_id where a.id = ${id}::uuid`;
      const [{ rows: items }, { rows: details }] = await Promise.all([
        sql<ItemRow>`${kind === 'request' ? REQUEST_ITEM : APPOINTMENT_ITEM} where ${sql.raw(kind === 'request' ? 'r' : 'a')}.id = ${id}::uuid`.execute(
          db,
        ),
        sql<{
          email: string | null;
          network: string | null;
          email_domain: string | null;
          phone: string | null;
          birth_date: string;
          device_digest: string | null;
          identity_key: string;
          name_key: string | null;
          cleared_kinds: string[];
          name_fr: string;
          name_en: string;
        }>`${extra}`.execute(db),
      ]);
      const item = items[0];
      const d = details[0];
      if (!item || !d) return null;
      const { rows: observations } = await sql<{
        at: Date;
        event: Observation['event'];
        score: number;
        reasons: FraudReason[];
        held: boolean;
      }>`
        select at, event, score, reasons, held from fraud_observation
         where ${sql.ref(kind === 'request' ? 'request_id' : 'appointment_id')} = ${id}::uuid
         order by at desc, id desc limit 100`.execute(db);
      const base = toItem(item);
      return {
        ...base,
        email: d.email,
        network: d.network,
        emailDomain: d.email_domain,
        phone: d.phone,
        birthDate: d.birth_date,
        procedureName: { fr: d.name_fr, en: d.name_en },
        clearedKinds: [...d.cleared_kinds] as FraudSignalKind[],
        observations: observations.map((o) => ({
          at: new Date(o.at),
          event: o.event,
          score: Number(o.score),
          reasons: o.reasons,
          held: o.held,
        })),
        related: await relatedTo(db, kind, id, d),
      };
    },

    async signalsOverTime(prefectureId, from, to): Promise<SignalDay[]> {
      // Every local day of the window, those without an observation at zero: the x axis is time.
      const { rows } = await sql<{ day: string; flagged: number; held: number }>`
        with p as (select time_zone from prefecture where id = ${prefectureId}),
        days as (
          select generate_series((${from}::timestamptz at time zone p.time_zone)::date,
                                 (${to}::timestamptz at time zone p.time_zone)::date, interval '1 day')::date as day
            from p
        ),
        counts as (
          select (o.at at time zone p.time_zone)::date as day,
                 count(distinct coalesce(o.request_id, o.appointment_id))::int as flagged,
                 (count(distinct o.request_id) filter (where o.held))::int as held
            from fraud_observation o, p
           where o.prefecture_id = ${prefectureId} and o.at >= ${from} and o.at < ${to}
           group by 1
        )
        select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(c.flagged, 0) as flagged, coalesce(c.held, 0) as held
          from days d left join counts c on c.day = d.day
         order by d.day`.execute(db);
      return rows.map((r) => ({ day: r.day, flagged: Number(r.flagged), held: Number(r.held) }));
    },
  };
}

const RELATED_LIMIT = 50;

/** Records sharing the identity document, network, email domain, phone, device or names with the case (at most 50, latest first). */
async function relatedTo(
  db: Db,
  kind: Subject,
  id: string,
  s: {
    identity_key: string;
    network: string | null;
    email_domain: string | null;
    phone: string | null;
    device_digest: string | null;
    name_key: string | null;
  },
): Promise<RelatedRecord[]> {
  const { rows } = await sql<{
    kind: Subject;
    id: string;
    reference: string;
    surname: string;
    given_names: string;
    status: string;
    at: Date;
    identity: boolean;
    names: boolean;
    network: boolean;
    email_domain: boolean;
    phone: boolean;
    device: boolean;
  }>`
    select * from (
      select 'request' as kind, id, reference, surname, given_names, ${requestStatus('allocation_request')} as status, filed_at as at,
             identity_key = ${s.identity_key} as identity, coalesce(name_key = ${s.name_key}, false) as names, coalesce(network = ${s.network}, false) as network,
             coalesce(email_domain = ${s.email_domain}, false) as email_domain, coalesce(phone = ${s.phone}, false) as phone,
             coalesce(device_digest = ${s.device_digest}, false) as device
        from allocation_request
       where identity_key = ${s.identity_key} or network = ${s.network} or email_domain = ${s.email_domain}
          or phone = ${s.phone} or device_digest = ${s.device_digest} or name_key = ${s.name_key}
      union all
      select 'appointment', id, reference, surname, given_names, status, created_at,
             identity_key = ${s.identity_key}, coalesce(name_key = ${s.name_key}, false), coalesce(network = ${s.network}, false),
             coalesce(email_domain = ${s.email_domain}, false), coalesce(phone = ${s.phone}, false),
             coalesce(device_digest = ${s.device_digest}, false)
        from appointment
       where identity_key = ${s.identity_key} or network = ${s.network} or email_domain = ${s.email_domain}
          or phone = ${s.phone} or device_digest = ${s.device_digest} or name_key = ${s.name_key}
    ) related
    where not (kind = ${kind} and id = ${id}::uuid)
    order by at desc, id
    limit ${RELATED_LIMIT * 4}`.execute(db);
  const related: RelatedRecord[] = [];
  for (const r of rows) {
    const shares: RelatedRecord['shares'] = [];
    if (r.identity) shares.push('identity');
    if (r.network) shares.push('network');
    if (r.email_domain) shares.push('email_domain');
    if (r.phone) shares.push('phone');
    if (r.device) shares.push('device');
    if (r.names) shares.push('names');
    if (shares.length > 0)
      related.push({
        kind: r.kind,
        id: r.id,
        reference: r.reference,
        surname: r.surname,
        givenNames: r.given_names,
        status: r.status,
        at: new Date(r.at),
        shares,
      });
    if (related.length === RELATED_LIMIT) break;
  }
  return related;
}
