// Kysely implementation of the request store, the same on PostgreSQL and PGlite.
//
// The invariants are the database's (migration 0003): one live request per person and
// procedure (unique index allocation_request_one_live_per_identity), and no request next to
// an active appointment for the same procedure (trigger allocation_request_no_active_appointment).
// This file only names the violations in the domain's words.
import { sql, type Transaction } from 'kysely';
import type { HalfDay } from '../../domain/allocation-draw.ts';
import { nameBirthDateKey } from '../../domain/duplicate-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Urgency } from '../../domain/priority.ts';
import type { AuditEventInput } from '../../ports/agent-store.ts';
import type { EmailCodeAttempt } from '../../ports/email-verification-store.ts';
import type { FraudSignals } from '../../ports/fraud-store.ts';
import {
  type AllocationRequest,
  type NewRequest,
  type PendingOffer,
  type QueueGroup,
  type ReceivingSite,
  type RequestPreferences,
  type RequestReader,
  RequestReferenceTaken,
  type RequestStore,
  type RequestTransaction,
} from '../../ports/request-store.ts';
import { insertAuditEvent } from './audit-repository.ts';
import {
  APPLICANT_PLACEHOLDERS,
  churnSince,
  KyselyBookingTransaction,
  markSlotFreed,
  recordChurn,
} from './booking-store.ts';
import { type Db, precompiled } from './database.ts';
import { consumeEmailVerification } from './email-verification-store.ts';
import { fraudSignals } from './fraud-signals-store.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import { readRequestCatalogue, receivingRules, receivingSitesOf } from './request-catalogue.ts';
import { requestStatus } from './request-status.ts';
import type { Database } from './schema.ts';

type Executor = Db | Transaction<Database>;

interface PgError {
  code?: string;
  constraint?: string;
}

/** Names the invariant a database error broke, in the domain's words. */
function translateConstraintViolation(error: unknown): never {
  const { code, constraint } = error && typeof error === 'object' ? (error as PgError) : {};
  if (code === '23505' && constraint === 'allocation_request_one_live_per_identity')
    throw new DomainError('ALREADY_REQUESTED_FOR_PROCEDURE');
  if (code === '23514' && constraint === 'allocation_request_no_active_appointment')
    throw new DomainError('ALREADY_BOOKED_FOR_PROCEDURE');
  if (code === '23505' && constraint === 'allocation_request_reference_key') throw new RequestReferenceTaken();
  if (code === '23514' && constraint === 'identity_document_mismatch') throw new DomainError('IDENTITY_MISMATCH');
  if (code === '23514' && constraint === 'email_quota_within_cap') throw new DomainError('EMAIL_CAP_REACHED');
  throw error;
}

/** PostgreSQL array literals of values that are slugs, digits or 'am'/'pm' (validated before): "{bobigny,saint-denis}". */
const arrayText = (values: readonly (string | number)[]) => `{${values.join(',')}}`;
const textArray = <T extends string>(values: readonly T[]) => sql<T[]>`cast(${arrayText(values)} as text[])`;
const smallintArray = (values: readonly number[]) => sql<number[]>`cast(${arrayText(values)} as smallint[])`;

const REQUEST_COLUMNS = [
  'r.id',
  'r.reference',
  'r.prefecture_id',
  'r.procedure_id',
  'r.site_ids',
  'r.weekdays',
  'r.half_days',
  'r.urgency_date',
  'r.surname',
  'r.given_names',
  'r.birth_date',
  'r.nationality',
  'r.email',
  'r.declined_count',
  'r.ignored_count',
  'r.channel',
  'r.filed_at',
  'r.updated_at',
  'r.closed_at',
  'r.language',
  'p.time_zone',
  'r.urgency_source',
  'r.urgency_status',
  'r.queued_on',
  'r.review_state',
  'r.lapses_at',
] as const;

/** REQUEST_COLUMNS of allocation_request itself and its stored status, as an insert returns them. */
const INSERTED_REQUEST_COLUMNS = [
  ...(REQUEST_COLUMNS.filter((c) => c.startsWith('r.')).map((c) => c.slice(2)) as Array<
    Extract<(typeof REQUEST_COLUMNS)[number], `r.${string}`> extends `r.${infer C}` ? C : never
  >),
  'status' as const,
];

/** What a request read selects: its columns and its status, 'offered' included. */
const requestSelection = () => [...REQUEST_COLUMNS, requestStatus('r').as('status')] as const;

/** A request with the time zone of its prefecture. Exported for the offer store, which opens requests by token too. */
export function requestQuery(db: Executor) {
  return db
    .selectFrom('allocation_request as r')
    .innerJoin('prefecture as p', 'p.id', 'r.prefecture_id')
    .select(requestSelection());
}
type RequestRow = Awaited<ReturnType<ReturnType<typeof requestQuery>['executeTakeFirstOrThrow']>>;

export const toAllocationRequest = (r: RequestRow): AllocationRequest => ({
  id: r.id,
  reference: r.reference,
  prefectureId: r.prefecture_id,
  procedureId: r.procedure_id,
  timeZone: r.time_zone,
  status: r.status,
  siteIds: [...r.site_ids],
  weekdays: r.weekdays.map(Number),
  halfDays: [...r.half_days] as HalfDay[],
  urgencyDate: r.urgency_date,
  urgencySource: r.urgency_source,
  urgencyStatus: r.urgency_status,
  queuedOn: r.queued_on,
  surname: r.surname,
  givenNames: r.given_names,
  birthDate: r.birth_date,
  nationality: r.nationality,
  email: r.email,
  declinedCount: r.declined_count,
  ignoredCount: r.ignored_count,
  channel: r.channel,
  language: r.language,
  filedAt: new Date(r.filed_at),
  updatedAt: new Date(r.updated_at),
  closedAt: r.closed_at ? new Date(r.closed_at) : null,
  reviewState: r.review_state,
  holdLapsesAt: r.lapses_at ? new Date(r.lapses_at) : null,
});

async function requestById(db: Executor, id: string): Promise<AllocationRequest> {
  return toAllocationRequest(await requestQuery(db).where('r.id', '=', id).executeTakeFirstOrThrow());
}

/** The request insert's arguments: the arrays as PostgreSQL literals (arrayText), the optional fields null when absent. */
type InsertRequestArgs = Omit<NewRequest, 'siteIds' | 'weekdays' | 'halfDays' | keyof typeof APPLICANT_PLACEHOLDERS> &
  typeof APPLICANT_PLACEHOLDERS & { siteIds: string; weekdays: string; halfDays: string };

const INSERT_REQUEST_PLACEHOLDERS: InsertRequestArgs = {
  ...APPLICANT_PLACEHOLDERS,
  reference: '\0reference',
  prefectureId: '\0prefectureId',
  procedureId: '\0procedureId',
  siteIds: '\0siteIds',
  weekdays: '\0weekdays',
  halfDays: '\0halfDays',
  urgencyDate: '\0urgencyDate',
  urgencySource: '\0urgencySource' as InsertRequestArgs['urgencySource'],
  urgencyStatus: '\0urgencyStatus' as InsertRequestArgs['urgencyStatus'],
  queuedOn: '\0queuedOn',
  channel: '\0channel' as InsertRequestArgs['channel'],
  filedAt: new Date(0),
};

/**
 * One statement: the insert and the request as read back (with its prefecture's time zone).
 * Built and compiled once (database.ts, precompiled): a filing storm's hottest write.
 */
const insertRequestQuery = precompiled(
  (qb, a: InsertRequestArgs) =>
    qb
      .with('r', (db) =>
        db
          .insertInto('allocation_request')
          .values({
            reference: a.reference,
            prefecture_id: a.prefectureId,
            procedure_id: a.procedureId,
            site_ids: sql<string[]>`cast(${a.siteIds} as text[])`,
            weekdays: sql<number[]>`cast(${a.weekdays} as smallint[])`,
            half_days: sql<HalfDay[]>`cast(${a.halfDays} as text[])`,
            urgency_date: a.urgencyDate,
            urgency_source: a.urgencySource,
            urgency_status: a.urgencyStatus,
            queued_on: a.queuedOn,
            document_country: a.documentCountry,
            identity_attributes_hash: a.identityAttributesHash,
            phone: a.phone,
            network: a.network,
            device_digest: a.deviceDigest,
            email_domain: a.emailDomain,
            surname: a.surname,
            given_names: a.givenNames,
            birth_date: a.birthDate,
            name_key: a.nameKey,
            nationality: a.nationality,
            email: a.email,
            email_key: a.emailKey,
            agdref_number: a.agdrefNumber,
            passport_number: a.passportNumber,
            identity_key: a.identityKey,
            management_token_hash: a.managementTokenHash,
            channel: a.channel,
            language: a.language,
            filed_at: a.filedAt,
            updated_at: a.filedAt,
          })
          .returning(INSERTED_REQUEST_COLUMNS),
      )
      .selectFrom('r')
      .innerJoin('prefecture as p', 'p.id', 'r.prefecture_id')
      .select(requestSelection()),
  INSERT_REQUEST_PLACEHOLDERS,
);

/** The queries that read alike through the pool or a transaction. */
function reader(db: Executor): RequestReader {
  return {
    async queueStanding(request, since) {
      // As the draw sees the queue: only confirmed urgency dates count, batches are days. One
      // row per urgency group, each with the queue's recent capacity (one row of nulls and the
      // capacity when nobody waits). The queue is read from its tally (migration 0030), kept by
      // triggers: one row per urgency date and batch day, however long the queue.
      const { rows } = await sql<{
        urgency_date: string | null;
        waiting: number | null;
        earlier: number | null;
        same: number | null;
        draws: number;
        served: number;
      }>`
        with batches as (
          select urgency_date, queued_on, sum(waiting) as waiting
            from queue_tally
           where prefecture_id = ${request.prefectureId} and procedure_id = ${request.procedureId}
           group by urgency_date, queued_on
          having sum(waiting) <> 0
        ), groups as (
          select urgency_date,
                 sum(waiting)::int as waiting,
                 coalesce(sum(waiting) filter (where queued_on < ${request.queuedOn}::date), 0)::int as earlier,
                 coalesce(sum(waiting) filter (where queued_on = ${request.queuedOn}::date), 0)::int as same
            from batches
           group by urgency_date
        ), capacity as (
          select count(distinct d.id)::int as draws,
                 (count(o.id) filter (where o.status in ('pending', 'confirmed')))::int as served
            from draw d left join offer o on o.draw_id = d.id
           where d.prefecture_id = ${request.prefectureId} and d.procedure_id = ${request.procedureId}
             and d.finished_at >= ${since}
        )
        select g.urgency_date, g.waiting, g.earlier, g.same, c.draws, c.served
          from capacity c left join groups g on true`.execute(db);
      const capacity = { draws: Number(rows[0]?.draws ?? 0), slotsServed: Number(rows[0]?.served ?? 0) };
      const groups: QueueGroup[] = rows
        .filter((r) => r.waiting !== null)
        .map((r) => ({
          urgencyDate: r.urgency_date,
          waiting: Number(r.waiting),
          inEarlierBatches: Number(r.earlier),
          inSameBatch: Number(r.same),
        }));
      return { groups, capacity };
    },

    async pendingOffer(requestId): Promise<PendingOffer | null> {
      const row = await db
        .selectFrom('offer as o')
        .innerJoin('slot as s', 's.id', 'o.slot_id')
        .select(['o.id', 'o.slot_id', 's.site_id', 's.starts_at', 's.ends_at', 'o.expires_at', 'o.extended'])
        .where('o.request_id', '=', requestId)
        .where('o.status', '=', 'pending')
        .executeTakeFirst();
      return row
        ? {
            id: row.id,
            slotId: row.slot_id,
            siteId: row.site_id,
            startsAt: new Date(row.starts_at),
            endsAt: new Date(row.ends_at),
            expiresAt: new Date(row.expires_at),
            extended: row.extended,
          }
        : null;
    },
  };
}

/** Locks the request opened by a management token (request first, then its offer: the order every writer keeps). */
export async function lockRequestByToken(
  trx: Transaction<Database>,
  tokenHash: string,
): Promise<AllocationRequest | null> {
  const row = await requestQuery(trx)
    .where('r.management_token_hash', '=', tokenHash)
    .forUpdate('r')
    .executeTakeFirst();
  return row ? toAllocationRequest(row) : null;
}

class KyselyRequestTransaction extends KyselyOutboxWriter implements RequestTransaction {
  private readonly idempotency: KyselyBookingTransaction;
  private readonly reads: RequestReader;
  readonly fraud: FraudSignals;

  constructor(trx: Transaction<Database>) {
    super(trx);
    this.idempotency = new KyselyBookingTransaction(trx);
    this.reads = reader(trx);
    this.fraud = fraudSignals(trx);
  }

  claimIdempotencyKey(key: string, scope: string, fingerprint: string) {
    return this.idempotency.claimIdempotencyKey(key, scope, fingerprint);
  }
  saveIdempotencyOutcome(key: string, outcome: unknown) {
    return this.idempotency.saveIdempotencyOutcome(key, outcome);
  }
  attempt<T>(work: () => Promise<T>): Promise<T> {
    return this.idempotency.attempt(work);
  }
  insertAuditEvent(event: AuditEventInput): Promise<void> {
    return insertAuditEvent(this.trx, event);
  }
  churnSince(identityKey: string, procedureId: string, since: Date): Promise<Date[]> {
    return churnSince(this.trx, identityKey, procedureId, since);
  }
  consumeEmailVerification(attempt: EmailCodeAttempt): Promise<boolean> {
    return consumeEmailVerification(this.trx, attempt);
  }
  queueStanding(request: Parameters<RequestReader['queueStanding']>[0], since: Date) {
    return this.reads.queueStanding(request, since);
  }
  pendingOffer(requestId: string) {
    return this.reads.pendingOffer(requestId);
  }

  async insertRequest(r: NewRequest): Promise<AllocationRequest> {
    const { rows } = await insertRequestQuery(this.trx, {
      ...r,
      siteIds: arrayText(r.siteIds),
      weekdays: arrayText(r.weekdays),
      halfDays: arrayText(r.halfDays),
      documentCountry: r.documentCountry ?? null,
      identityAttributesHash: r.identityAttributesHash ?? null,
      phone: r.phone ?? null,
      network: r.network ?? null,
      deviceDigest: r.deviceDigest ?? null,
      emailDomain: r.emailDomain ?? null,
      nameKey: nameBirthDateKey(r),
    }).catch(translateConstraintViolation);
    return toAllocationRequest(rows[0]!);
  }

  lockRequestByToken(tokenHash: string): Promise<AllocationRequest | null> {
    return lockRequestByToken(this.trx, tokenHash);
  }

  async updatePreferences(id: string, p: RequestPreferences, urgency: Urgency, now: Date): Promise<AllocationRequest> {
    await this.trx
      .updateTable('allocation_request')
      .set({
        site_ids: textArray(p.siteIds),
        weekdays: smallintArray(p.weekdays),
        half_days: textArray(p.halfDays),
        urgency_date: urgency.urgencyDate,
        urgency_source: urgency.urgencySource,
        urgency_status: urgency.urgencyStatus,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return requestById(this.trx, id);
  }

  async reconfirmRequest(id: string, queuedOn: string, now: Date): Promise<AllocationRequest> {
    await this.trx
      .updateTable('allocation_request')
      .set({ status: 'waiting', queued_on: queuedOn, paused_at: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'paused')
      .execute();
    return requestById(this.trx, id);
  }

  async withdrawRequest(id: string, now: Date): Promise<{ request: AllocationRequest; offerWithdrawn: boolean }> {
    // The offer first: its slot is free for the next draw as soon as this commits.
    const offers = await this.trx
      .updateTable('offer')
      .set({ status: 'withdrawn', decided_at: now })
      .where('request_id', '=', id)
      .where('status', '=', 'pending')
      .returning('slot_id')
      .execute();
    for (const offer of offers) await markSlotFreed(this.trx, offer.slot_id, now);
    await this.trx
      .updateTable('allocation_request')
      .set({ status: 'withdrawn', closed_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordChurn(this.trx, 'allocation_request', id, 'withdrawal', now);
    return { request: await requestById(this.trx, id), offerWithdrawn: offers.length > 0 };
  }
}

export function createRequestStore(db: Db): RequestStore {
  return {
    ...reader(db),

    async receivingSites(prefectureId, procedureId, fromDate): Promise<ReceivingSite[]> {
      return receivingSitesOf(await receivingRules(db, prefectureId, procedureId, fromDate).execute());
    },

    requestCatalogue: (prefectureId, procedureId, now) => readRequestCatalogue(db, prefectureId, procedureId, now),

    async findRequestById(id) {
      const row = await requestQuery(db).where('r.id', '=', id).executeTakeFirst();
      return row ? toAllocationRequest(row) : null;
    },

    async findRequestByToken(tokenHash) {
      const row = await requestQuery(db).where('r.management_token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toAllocationRequest(row) : null;
    },

    transaction: (work) => runTransaction(db, (trx) => work(new KyselyRequestTransaction(trx))),
  };
}
