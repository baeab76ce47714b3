// Kysely implementation of the booking store, the same on PostgreSQL and PGlite.
import { type ExpressionBuilder, type QueryCreator, type Selectable, sql, type Transaction } from 'kysely';
import { nameBirthDateKey } from '../../domain/duplicate-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/identifiers.ts';
import type { AuditEventInput } from '../../ports/agent-store.ts';
import type {
  Appointment,
  AppointmentStatus,
  BookingStore,
  BookingTransaction,
  FreeSlot,
  FreeSlotQuery,
  IdempotencyClaim,
  NewAppointment,
  Prefecture,
  Procedure,
  Site,
  SlotDetails,
} from '../../ports/booking-store.ts';
import { type InsertAppointmentOptions, ReferenceTaken } from '../../ports/booking-store.ts';
import type { EmailCodeAttempt } from '../../ports/email-verification-store.ts';
import type { FraudSignals } from '../../ports/fraud-store.ts';
import { insertAuditEvent } from './audit-repository.ts';
import { type Db, precompiled } from './database.ts';
import { consumeEmailVerification } from './email-verification-store.ts';
import { fraudSignals } from './fraud-signals-store.ts';
import { KyselyOutboxWriter, runTransaction } from './outbox-store.ts';
import type { Database, PrefectureTable, ProcedureTable, SiteTable } from './schema.ts';

interface PgError {
  code?: string;
  constraint?: string;
}
const pgError = (e: unknown): PgError => (e && typeof e === 'object' ? (e as PgError) : {});

/** Names the invariant a database error broke, in the domain's words. */
function translateConstraintViolation(error: unknown): never {
  const { code, constraint } = pgError(error);
  if (code === '23505' && constraint === 'appointment_one_per_slot') throw new DomainError('SLOT_TAKEN');
  if (code === '23505' && constraint === 'appointment_one_per_identity_procedure')
    throw new DomainError('ALREADY_BOOKED_FOR_PROCEDURE');
  if (code === '23514' && constraint === 'appointment_no_waiting_request')
    throw new DomainError('ALREADY_REQUESTED_FOR_PROCEDURE');
  if (code === '23514' && constraint === 'email_quota_within_cap') throw new DomainError('EMAIL_CAP_REACHED');
  // An online appointment on a slot of the agents' reserve: not bookable, as a withdrawn slot (migration 0010).
  if (code === '23514' && constraint === 'appointment_slot_reserved_for_agents')
    throw new DomainError('SLOT_UNAVAILABLE');
  // A move onto a slot a closure withdrew at the same moment (migration 0008): taken, as far as the applicant can tell.
  if (code === '23514' && constraint === 'appointment_slot_open') throw new DomainError('SLOT_TAKEN');
  // A slot not yet through a draw (migration 0012): not bookable first come, as a withdrawn slot.
  if (code === '23514' && constraint === 'appointment_slot_drawn_first') throw new DomainError('SLOT_UNAVAILABLE');
  if (code === '23514' && constraint === 'identity_document_mismatch') throw new DomainError('IDENTITY_MISMATCH');
  if (code === '23505' && constraint === 'appointment_reference_key') throw new ReferenceTaken();
  throw error;
}

// Catalogue reads name their columns: a statement that selects * is sent unnamed, parsed and
// planned at every call (see database.ts), and filing a request reads three of them.
export const PREFECTURE_COLUMNS = [
  'id',
  'name',
  'time_zone',
  'phone',
] as const satisfies readonly (keyof PrefectureTable)[];
export const SITE_COLUMNS = [
  'id',
  'prefecture_id',
  'kind',
  'name',
  'address',
  'phone',
  'public_hours',
] as const satisfies readonly (keyof SiteTable)[];

export const toPrefecture = (
  r: Pick<Selectable<PrefectureTable>, (typeof PREFECTURE_COLUMNS)[number]>,
): Prefecture => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  phone: r.phone,
});
export const toSite = (r: Pick<Selectable<SiteTable>, (typeof SITE_COLUMNS)[number]>): Site => ({
  id: r.id,
  prefectureId: r.prefecture_id,
  kind: r.kind,
  name: r.name,
  address: r.address,
  phone: r.phone,
  publicHours: r.public_hours,
});
/** The columns toProcedure reads, named so that findSlot need not select pr.* (see findSlotQuery). */
export const PROCEDURE_COLUMNS = [
  'id',
  'name_fr',
  'name_en',
  'description_fr',
  'description_en',
  'slot_minutes',
  'identity_proof',
  'channel',
  'release_days_ahead',
  'release_time',
  'instructions_fr',
  'instructions_en',
  'registry_check',
  'renewal_window_start_months',
  'renewal_window_end_months',
  'alternative_procedure_id',
  'offer_hours',
  'max_ignored_offers',
  'max_declines',
  'urgent_within_days',
] as const satisfies readonly (keyof ProcedureTable)[];
type ProcedureRow = Pick<Selectable<ProcedureTable>, (typeof PROCEDURE_COLUMNS)[number]>;

export const toProcedure = (r: ProcedureRow): Procedure => ({
  id: r.id,
  nameFr: r.name_fr,
  nameEn: r.name_en,
  descriptionFr: r.description_fr,
  descriptionEn: r.description_en,
  slotMinutes: r.slot_minutes,
  identityProof: r.identity_proof,
  channel: r.channel,
  releaseDaysAhead: r.release_days_ahead,
  releaseTime: r.release_time,
  instructionsFr: r.instructions_fr,
  instructionsEn: r.instructions_en,
  registryCheck: r.registry_check,
  renewalWindow:
    r.renewal_window_start_months !== null && r.renewal_window_end_months !== null
      ? { startMonths: r.renewal_window_start_months, endMonths: r.renewal_window_end_months }
      : null,
  alternativeProcedureId: r.alternative_procedure_id,
  allocation: {
    offerHours: r.offer_hours,
    maxIgnoredOffers: r.max_ignored_offers,
    maxDeclines: r.max_declines,
    urgentWithinDays: r.urgent_within_days,
  },
});

/** An appointment with the times of its slot, its site, the names of its procedure and the time zone of its prefecture. */
const APPOINTMENT_COLUMNS = [
  'a.id',
  'a.reference',
  'a.status',
  'a.slot_id',
  'a.procedure_id',
  'a.site_id',
  's.starts_at',
  's.ends_at',
  'p.time_zone',
  'a.surname',
  'a.given_names',
  'a.birth_date',
  'a.nationality',
  'a.email',
  'a.phone',
  'a.reschedule_count',
  'a.created_at',
  'a.language',
  'si.name as site_name',
  'si.address as site_address',
  'pr.name_fr as procedure_name_fr',
  'pr.name_en as procedure_name_en',
  'pr.instructions_fr as procedure_instructions_fr',
  'pr.instructions_en as procedure_instructions_en',
  'pr.identity_proof as procedure_identity_proof',
] as const;

export function appointmentQuery(db: Db | Transaction<Database>) {
  return db
    .selectFrom('appointment as a')
    .innerJoin('slot as s', 's.id', 'a.slot_id')
    .innerJoin('site as si', 'si.id', 'a.site_id')
    .innerJoin('prefecture as p', 'p.id', 'si.prefecture_id')
    .innerJoin('procedure as pr', 'pr.id', 'a.procedure_id')
    .select(APPOINTMENT_COLUMNS);
}
type AppointmentRow = Awaited<ReturnType<ReturnType<typeof appointmentQuery>['executeTakeFirstOrThrow']>>;
export const toAppointment = (r: AppointmentRow): Appointment => ({
  id: r.id,
  reference: r.reference,
  status: r.status,
  slotId: r.slot_id,
  procedureId: r.procedure_id,
  siteId: r.site_id,
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  timeZone: r.time_zone,
  surname: r.surname,
  givenNames: r.given_names,
  birthDate: r.birth_date,
  nationality: r.nationality,
  email: r.email,
  phone: r.phone,
  rescheduleCount: r.reschedule_count,
  createdAt: r.created_at,
  language: r.language,
  siteName: r.site_name,
  siteAddress: r.site_address,
  procedureNameFr: r.procedure_name_fr,
  procedureNameEn: r.procedure_name_en,
  procedureInstructionsFr: r.procedure_instructions_fr,
  procedureInstructionsEn: r.procedure_instructions_en,
  identityProof: r.procedure_identity_proof,
});

/**
 * A slot an applicant can move to when it is open, released, still ahead, offered for that
 * procedure, and not in the agents' reserve (rescheduling is done online, whoever booked).
 */
function bookableSlot(
  db: QueryCreator<Database>,
  slotId: string,
  procedureId: string,
  now: Date,
  reserve: 'public' | 'agents' = 'public',
) {
  return db
    .selectFrom('slot')
    .where('id', '=', slotId)
    .where('procedure_id', '=', procedureId)
    .where('status', '=', 'open')
    .where('reserved_for_agents', '=', reserve === 'agents')
    .where('released_at', '<=', now)
    .where('starts_at', '>', now);
}

// The booking's two statements are built and compiled once (database.ts, precompiled): they
// run on every attempt, and building them through Kysely cost more CPU than anything else the
// server does per booking (BENCHMARKS.md).

/** findSlot: the slot with its procedure and time zone, in one read. */
const findSlotQuery = precompiled(
  (qb, a) =>
    qb
      .selectFrom('slot as s')
      .innerJoin('site as si', 'si.id', 's.site_id')
      .innerJoin('prefecture as p', 'p.id', 'si.prefecture_id')
      .innerJoin('procedure as pr', 'pr.id', 's.procedure_id')
      // Named columns, not pr.*: see statementName in database.ts.
      .select(PROCEDURE_COLUMNS.map((c) => `pr.${c}` as const))
      .select([
        's.id as slot_id',
        's.site_id',
        'si.prefecture_id',
        'p.time_zone',
        's.starts_at',
        's.ends_at',
        's.local_date',
        's.released_at',
        's.status',
        's.reserved_for_agents',
      ])
      // Whether live appointments hold the slot and every other counter of its time a booking
      // may take instead (insertAppointment's anyCounter): a crowd mostly tries taken times, and
      // this answers them without a transaction (the unique index still decides every race).
      .select(
        sql<boolean>`not exists (
          select 1 from slot e
           where e.procedure_id = s.procedure_id and e.local_date = s.local_date and e.site_id = s.site_id
             and e.starts_at = s.starts_at
             and e.ends_at = s.ends_at and e.reserved_for_agents = s.reserved_for_agents
             and (e.opened_at is null) = (s.opened_at is null) and e.status = 'open'
             and not exists (select 1 from appointment a where a.slot_id = e.id and a.status <> 'cancelled'))`.as(
          'held',
        ),
      )
      .where('s.id', '=', a.slotId),
  { slotId: '\0slotId' },
);

/** The applicant's fields of a booking's and a filing's insert, as precompiled placeholders (database.ts). */
export const APPLICANT_PLACEHOLDERS = {
  surname: '\0surname',
  givenNames: '\0givenNames',
  birthDate: '\0birthDate',
  nationality: '\0nationality',
  email: '\0email',
  emailKey: '\0emailKey',
  agdrefNumber: '\0agdrefNumber' as string | null,
  passportNumber: '\0passportNumber' as string | null,
  identityKey: '\0identityKey',
  managementTokenHash: '\0managementTokenHash',
  language: '\0language' as NewAppointment['language'],
  documentCountry: '\0documentCountry' as string | null,
  identityAttributesHash: '\0identityAttributesHash' as string | null,
  phone: '\0phone' as string | null,
  network: '\0network' as string | null,
  deviceDigest: '\0deviceDigest' as string | null,
  emailDomain: '\0emailDomain' as string | null,
  nameKey: '\0nameKey' as string | null,
};

const NEW_APPOINTMENT_PLACEHOLDERS: NewAppointment & { now: Date; nameKey: string | null } = {
  ...APPLICANT_PLACEHOLDERS,
  reference: '\0reference',
  slotId: '\0slotId',
  procedureId: '\0procedureId',
  channel: '\0channel' as NewAppointment['channel'],
  now: new Date(0),
};

/**
 * One statement: insert the appointment if its slot is bookable, and read it back with its
 * times — the unique indexes and the email-quota trigger decide any race inside it.
 *
 * A lost race is not an error: ON CONFLICT on the one-live-appointment-per-slot index makes
 * the loser's insert do nothing (it waits for a concurrent winner to commit, and inserts if
 * that one rolled back). That spares writing a row only to throw it away, rolling the
 * statement back and building an error, in four attempts out of five during a rush. Only that
 * index is the arbiter: a second booking of the same person, or an email past its cap, still
 * raises. Its predicate is a literal, not a parameter, or PostgreSQL could not match the
 * partial index when it plans the prepared statement generically.
 *
 * One row when the slot is bookable (columns of `bookable`), with the appointment, or with
 * nulls when someone else holds the slot; no row when the slot is not bookable.
 *
 * `anyCounter`: the slot asked for stands for its site and time (the public calendar lists one
 * slot per time with its number of free counters): when its counter is taken, a free counter
 * at the same site, procedure and times, in the same reserve and equally opened by a draw, is
 * booked instead — picked by a hash of the new reference, so that the losers of a crowd on one
 * time spread over the counters. An offer books exactly its slot.
 */
function insertAppointmentStatement(anyCounter: boolean) {
  return precompiled(
    (qb, a: typeof NEW_APPOINTMENT_PLACEHOLDERS) =>
      qb
        .with('bookable', (w) =>
          w
            .selectFrom('slot as s')
            .innerJoin('site as si', 'si.id', 's.site_id')
            .innerJoin('prefecture as p', 'p.id', 'si.prefecture_id')
            .innerJoin('procedure as pr', 'pr.id', 's.procedure_id')
            .select([
              's.id',
              's.procedure_id',
              's.site_id',
              's.starts_at',
              's.ends_at',
              'p.time_zone',
              'si.name as site_name',
              'si.address as site_address',
              'pr.name_fr as procedure_name_fr',
              'pr.name_en as procedure_name_en',
              'pr.instructions_fr as procedure_instructions_fr',
              'pr.instructions_en as procedure_instructions_en',
              'pr.identity_proof as procedure_identity_proof',
            ])
            .where('s.procedure_id', '=', a.procedureId)
            .where('s.status', '=', 'open')
            .where('s.released_at', '<=', a.now)
            .where('s.starts_at', '>', a.now)
            .$if(!anyCounter, (exact) => exact.where('s.id', '=', a.slotId))
            // The counters of the asked slot's site, procedure and times: the free ones first, the
            // asked one first among them.
            .$if(anyCounter, (twins) =>
              twins
                .innerJoin('slot as asked', (join) =>
                  join
                    // local_date too (implied by the site and start): the slot_search index leads with it.
                    .onRef('asked.procedure_id', '=', 's.procedure_id')
                    .onRef('asked.local_date', '=', 's.local_date')
                    .onRef('asked.site_id', '=', 's.site_id')
                    .onRef('asked.starts_at', '=', 's.starts_at')
                    .onRef('asked.ends_at', '=', 's.ends_at')
                    .onRef('asked.reserved_for_agents', '=', 's.reserved_for_agents'),
                )
                .where('asked.id', '=', a.slotId)
                .where(sql<boolean>`(s.opened_at is null) = (asked.opened_at is null)`)
                .orderBy(sql`exists (select 1 from appointment x where x.slot_id = s.id and x.status <> 'cancelled')`)
                .orderBy(sql`s.id = asked.id`, 'desc')
                .orderBy(sql`md5(s.id::text || ${a.reference})`)
                .limit(1),
            ),
        )
        .with('inserted', (w) =>
          w
            .insertInto('appointment')
            .columns([
              'reference',
              'slot_id',
              'procedure_id',
              'site_id',
              'surname',
              'given_names',
              'birth_date',
              'nationality',
              'email',
              'email_key',
              'agdref_number',
              'passport_number',
              'identity_key',
              'management_token_hash',
              'channel',
              'language',
              'document_country',
              'identity_attributes_hash',
              'phone',
              'network',
              'device_digest',
              'email_domain',
              'name_key',
              'created_at',
              'updated_at',
            ])
            .expression(
              w.selectFrom('bookable').select((eb) => [
                eb.val(a.reference).as('reference'),
                'id',
                'procedure_id',
                'site_id',
                eb.val(a.surname).as('surname'),
                eb.val(a.givenNames).as('given_names'),
                eb.cast(eb.val(a.birthDate), 'date').as('birth_date'),
                eb.val(a.nationality).as('nationality'),
                eb.val(a.email).as('email'),
                eb.val(a.emailKey).as('email_key'),
                eb.val(a.agdrefNumber).as('agdref_number'),
                eb.val(a.passportNumber).as('passport_number'),
                eb.val(a.identityKey).as('identity_key'),
                eb.val(a.managementTokenHash).as('management_token_hash'),
                eb.val(a.channel).as('channel'),
                eb.val(a.language).as('language'),
                eb.val(a.documentCountry ?? null).as('document_country'),
                eb.val(a.identityAttributesHash ?? null).as('identity_attributes_hash'),
                eb.val(a.phone).as('phone'),
                eb.val(a.network).as('network'),
                eb.val(a.deviceDigest).as('device_digest'),
                eb.val(a.emailDomain).as('email_domain'),
                eb.val(a.nameKey).as('name_key'),
                // The application's clock, as a request's filed_at: the signals' windows compare with it.
                eb.val(a.now).as('created_at'),
                eb.val(a.now).as('updated_at'),
              ]),
            )
            .onConflict((oc) => oc.column('slot_id').where('status', '<>', sql.lit('cancelled')).doNothing())
            .returning([
              'id',
              'reference',
              'status',
              'slot_id',
              'procedure_id',
              'site_id',
              'surname',
              'given_names',
              'birth_date',
              'nationality',
              'email',
              'phone',
              'reschedule_count',
              'created_at',
              'language',
            ]),
        )
        .selectFrom('bookable as b')
        .leftJoin('inserted as a', (join) => join.onTrue())
        .select([
          'a.id',
          'a.reference',
          'a.status',
          'a.slot_id',
          'a.procedure_id',
          'a.site_id',
          'b.starts_at',
          'b.ends_at',
          'b.time_zone',
          'a.surname',
          'a.given_names',
          'a.birth_date',
          'a.nationality',
          'a.email',
          'a.phone',
          'a.phone',
          'a.reschedule_count',
          'a.created_at',
          'a.language',
          'b.site_name',
          'b.site_address',
          'b.procedure_name_fr',
          'b.procedure_name_en',
          'b.procedure_instructions_fr',
          'b.procedure_instructions_en',
          'b.procedure_identity_proof',
        ]),
    NEW_APPOINTMENT_PLACEHOLDERS,
  );
}

const insertExactSlot = insertAppointmentStatement(false);
const insertAnyCounter = insertAppointmentStatement(true);
/** Lost races retried on another free counter of the same time, in the same transaction. */
const ANY_COUNTER_TRIES = 3;

/** The appointment; null when the slot is not bookable; SLOT_TAKEN when it is, but someone else holds it. */
export async function insertAppointment(
  db: Db | Transaction<Database>,
  a: NewAppointment,
  now: Date,
  options: InsertAppointmentOptions = {},
): Promise<Appointment | null> {
  const values = {
    ...a,
    documentCountry: a.documentCountry ?? null,
    identityAttributesHash: a.identityAttributesHash ?? null,
    phone: a.phone ?? null,
    network: a.network ?? null,
    deviceDigest: a.deviceDigest ?? null,
    emailDomain: a.emailDomain ?? null,
    nameKey: nameBirthDateKey(a),
    now,
  };
  const statement = options.anyCounter ? insertAnyCounter : insertExactSlot;
  // A lost race (ON CONFLICT DO NOTHING) leaves the transaction usable; the next statement's
  // snapshot sees the winner, so another free counter of that time is picked, if any.
  for (let tries = options.anyCounter ? ANY_COUNTER_TRIES : 1; ; tries--) {
    const {
      rows: [row],
    } = await statement(db, values).catch(translateConstraintViolation);
    if (!row) return null;
    // The left join types the appointment's columns as nullable; with an id, it was inserted.
    if (row.id !== null) return toAppointment(row as AppointmentRow);
    if (tries <= 1) throw new DomainError('SLOT_TAKEN');
  }
}

/** Also the base of the request store's transaction (idempotency claims, savepoints). */
export class KyselyBookingTransaction extends KyselyOutboxWriter implements BookingTransaction {
  private savepoints = 0;
  readonly fraud: FraudSignals = fraudSignals(this.trx);

  async claimIdempotencyKey(key: string, scope: string, fingerprint: string): Promise<IdempotencyClaim> {
    // ON CONFLICT DO NOTHING waits for a concurrent claimer of the same key to commit,
    // then sees its row: 50 parallel replays make one booking and 49 replays.
    const inserted = await this.trx
      .insertInto('idempotency_record')
      .values({ key, scope, request_fingerprint: fingerprint })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return { kind: 'claimed' };
    const existing = await this.trx
      .selectFrom('idempotency_record')
      .select(['request_fingerprint', 'outcome', 'scope'])
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    const sameScope = existing.scope === scope;
    return {
      kind: 'existing',
      fingerprint: sameScope ? existing.request_fingerprint : `${existing.scope}:other`,
      outcome: existing.outcome,
    };
  }

  async saveIdempotencyOutcome(key: string, outcome: unknown): Promise<void> {
    await this.trx
      .updateTable('idempotency_record')
      .set({ outcome: JSON.stringify(outcome) })
      .where('key', '=', key)
      .execute();
  }

  async attempt<T>(work: () => Promise<T>): Promise<T> {
    const name = sql.id(`attempt_${++this.savepoints}`);
    await sql`savepoint ${name}`.execute(this.trx);
    try {
      const result = await work();
      await sql`release savepoint ${name}`.execute(this.trx);
      return result;
    } catch (error) {
      await sql`rollback to savepoint ${name}`.execute(this.trx);
      throw error;
    }
  }

  insertAppointment(a: NewAppointment, now: Date, options?: InsertAppointmentOptions): Promise<Appointment | null> {
    return insertAppointment(this.trx, a, now, options);
  }

  consumeEmailVerification(attempt: EmailCodeAttempt): Promise<boolean> {
    return consumeEmailVerification(this.trx, attempt);
  }

  insertAuditEvent(event: AuditEventInput): Promise<void> {
    return insertAuditEvent(this.trx, event);
  }

  async lockAppointmentByToken(tokenHash: string): Promise<Appointment | null> {
    const row = await appointmentQuery(this.trx)
      .where('a.management_token_hash', '=', tokenHash)
      .forUpdate('a')
      .executeTakeFirst();
    return row ? toAppointment(row) : null;
  }

  async lockAppointmentById(id: string): Promise<Appointment | null> {
    if (!isUuid(id)) return null;
    const row = await appointmentQuery(this.trx).where('a.id', '=', id).forUpdate('a').executeTakeFirst();
    return row ? toAppointment(row) : null;
  }

  async setAppointmentStatus(id: string, status: AppointmentStatus, now: Date): Promise<Appointment> {
    const row = await this.trx
      .updateTable('appointment')
      .set({ status, updated_at: now, ...(status === 'cancelled' ? { cancelled_at: now } : {}) })
      .where('id', '=', id)
      .returning('slot_id')
      .executeTakeFirst()
      .catch(translateConstraintViolation);
    // The database closed the freed slot to first-come booking (slot_freed_goes_to_draw); it
    // waits a full collection window from now before its draw.
    if (row && status === 'cancelled') await markSlotFreed(this.trx, row.slot_id, now);
    return toAppointment(await appointmentQuery(this.trx).where('a.id', '=', id).executeTakeFirstOrThrow());
  }

  async setAppointmentPhone(id: string, phone: string | null, now: Date): Promise<Appointment> {
    await this.trx
      .updateTable('appointment')
      .set({ phone, updated_at: now })
      .where('id', '=', id)
      .execute()
      .catch(translateConstraintViolation);
    return toAppointment(await appointmentQuery(this.trx).where('a.id', '=', id).executeTakeFirstOrThrow());
  }

  recordCancellationChurn(appointmentId: string, now: Date): Promise<void> {
    return recordChurn(this.trx, 'appointment', appointmentId, 'cancellation', now);
  }

  churnSince(identityKey: string, procedureId: string, since: Date): Promise<Date[]> {
    return churnSince(this.trx, identityKey, procedureId, since);
  }

  async moveAppointment(
    id: string,
    slotId: string,
    now: Date,
    reserve: 'public' | 'agents' = 'public',
  ): Promise<Appointment | null> {
    const current = await this.trx
      .selectFrom('appointment')
      .select(['procedure_id', 'slot_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const target = await bookableSlot(this.trx, slotId, current.procedure_id, now, reserve)
      .select(['id', 'site_id'])
      .executeTakeFirst();
    if (!target) return null;
    await this.trx
      .updateTable('appointment')
      .set((eb) => ({
        slot_id: target.id,
        site_id: target.site_id,
        reschedule_count: eb('reschedule_count', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', id)
      .execute()
      .catch(translateConstraintViolation);
    await markSlotFreed(this.trx, current.slot_id, now);
    return toAppointment(await appointmentQuery(this.trx).where('a.id', '=', id).executeTakeFirstOrThrow());
  }
}

/** A slot freed at `now` (cancellation, move, declined or expired offer) is drawn after a full collection window from now. */
export async function markSlotFreed(trx: Transaction<Database>, slotId: string, now: Date): Promise<void> {
  await trx
    .updateTable('slot')
    .set({ available_since: now, opened_at: null, opened_by_draw: null })
    .where('id', '=', slotId)
    .execute();
}

/** A withdrawal or cancellation by the person, counted by the cooling-off rule (domain/churn-rules.ts). */
export async function recordChurn(
  trx: Transaction<Database>,
  table: 'appointment' | 'allocation_request',
  id: string,
  kind: 'withdrawal' | 'cancellation',
  now: Date,
): Promise<void> {
  await sql`
    insert into churn_event (identity_key, procedure_id, kind, at)
    select identity_key, procedure_id, ${kind}, ${now}::timestamptz from ${sql.table(table)} where id = ${id}`.execute(
    trx,
  );
}

/** Withdrawals and cancellations of this document for this procedure since `since`, oldest first. */
export async function churnSince(
  db: Db | Transaction<Database>,
  identityKey: string,
  procedureId: string,
  since: Date,
): Promise<Date[]> {
  const rows = await db
    .selectFrom('churn_event')
    .select('at')
    .where('identity_key', '=', identityKey)
    .where('procedure_id', '=', procedureId)
    .where('at', '>', since)
    .orderBy('at')
    .execute();
  return rows.map((r) => new Date(r.at));
}

export function createBookingStore(db: Db): BookingStore {
  return {
    listPrefectures: async () =>
      (await db.selectFrom('prefecture').select(PREFECTURE_COLUMNS).orderBy('id').execute()).map(toPrefecture),
    getPrefecture: async (id) => {
      const row = await db.selectFrom('prefecture').select(PREFECTURE_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? toPrefecture(row) : null;
    },
    listSites: async (prefectureId) =>
      (
        await db
          .selectFrom('site')
          .select(SITE_COLUMNS)
          .where('prefecture_id', '=', prefectureId)
          .orderBy('kind')
          .orderBy('name')
          .execute()
      ).map(toSite),
    listSitesOffering: async (prefectureId, procedureId, now, today) => {
      const slotsHere = (eb: ExpressionBuilder<Database, 'site'>) =>
        eb.selectFrom('slot').whereRef('slot.site_id', '=', 'site.id').where('slot.procedure_id', '=', procedureId);
      const rows = await db
        .selectFrom('site')
        .select(SITE_COLUMNS)
        .select((eb) =>
          slotsHere(eb)
            .select((inner) => inner.fn.min('slot.released_at').as('next'))
            .where('slot.released_at', '>', now)
            .as('next_release_at'),
        )
        .where('prefecture_id', '=', prefectureId)
        .where((site) =>
          site
            .not(
              site.exists(
                site
                  .selectFrom('site_procedure')
                  .select('site_procedure.site_id')
                  .whereRef('site_procedure.site_id', '=', 'site.id')
                  .where('site_procedure.procedure_id', '=', procedureId)
                  .where('site_procedure.offered', '=', false),
              ),
            )
            .and(
              site.or([
                // An active counter open for it from today: a rule still valid, or an exceptional opening.
                site.exists(
                  site
                    .selectFrom('counter')
                    .select('counter.id')
                    .whereRef('counter.site_id', '=', 'site.id')
                    .where('counter.active', '=', true)
                    .where((eb) =>
                      eb.or([
                        eb.exists(
                          eb
                            .selectFrom('opening_rule')
                            .select('opening_rule.id')
                            .whereRef('opening_rule.counter_id', '=', 'counter.id')
                            .where('opening_rule.procedure_id', '=', procedureId)
                            .where((r) => r.or([r('valid_until', 'is', null), r('valid_until', '>=', today)])),
                        ),
                        eb.exists(
                          eb
                            .selectFrom('exceptional_opening')
                            .select('exceptional_opening.id')
                            .whereRef('exceptional_opening.counter_id', '=', 'counter.id')
                            .where('exceptional_opening.procedure_id', '=', procedureId)
                            .where('exceptional_opening.date', '>=', today),
                        ),
                      ]),
                    ),
                ),
                site.exists(slotsHere(site).select('slot.id').where('slot.starts_at', '>', now)),
              ]),
            ),
        )
        .orderBy('kind')
        .orderBy('name')
        .execute();
      return rows.map((row) => ({
        ...toSite(row),
        nextReleaseAt: row.next_release_at === null ? null : new Date(row.next_release_at),
      }));
    },
    getSite: async (id) => {
      const row = await db.selectFrom('site').select(SITE_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? toSite(row) : null;
    },
    listProcedures: async () =>
      (await db.selectFrom('procedure').select(PROCEDURE_COLUMNS).orderBy('name_fr').execute()).map(toProcedure),
    getProcedure: async (id) => {
      const row = await db.selectFrom('procedure').select(PROCEDURE_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? toProcedure(row) : null;
    },

    async findSlot(id: string): Promise<SlotDetails | null> {
      const {
        rows: [row],
      } = await findSlotQuery(db, { slotId: id });
      if (!row) return null;
      return {
        id: row.slot_id,
        siteId: row.site_id,
        prefectureId: row.prefecture_id,
        timeZone: row.time_zone,
        procedureId: row.id,
        startsAt: new Date(row.starts_at),
        endsAt: new Date(row.ends_at),
        localDate: row.local_date,
        releasedAt: new Date(row.released_at),
        status: row.status,
        reservedForAgents: row.reserved_for_agents,
        held: row.held,
        procedure: toProcedure(row),
      };
    },

    async listFreeSlots(q: FreeSlotQuery): Promise<FreeSlot[]> {
      // One row per site and start time; when several counters are free at that time, one
      // picked by a hash of its id: spread over the counters, yet the same answer until a
      // change (a random pick made the shared, cached answer and its ETag change at every
      // recomputation, so pollers never got a 304). The public sees the slots outside the
      // agents' reserve; agents (reserve 'agents') only those in it.
      // Grouped in the answer's own order (start, then site): the limit then stops the groups
      // and hashes at the last one it keeps, where grouping by site first needed every group,
      // then a sort (4 sites × 30 days, 500 kept of 1,440: 42 → 22 ms on PGlite).
      const { rows } = await sql<{
        id: string;
        site_id: string;
        starts_at: Date;
        ends_at: Date;
        local_date: string;
        free_counters: number;
      }>`
        select distinct on (s.starts_at, s.site_id)
               s.id, s.site_id, s.starts_at, s.ends_at, s.local_date,
               (count(*) over (partition by s.starts_at, s.site_id))::int as free_counters
          from slot s
         where s.procedure_id = ${q.procedureId}
           and s.site_id in (${sql.join(q.siteIds)})
           and s.local_date between ${q.fromDate} and ${q.toDate}
           and s.status = 'open' and s.released_at <= ${q.now} and s.starts_at > ${q.now}
           and s.reserved_for_agents = ${q.reserve === 'agents'}
           ${q.reserve === 'agents' ? sql`` : sql`and s.opened_at is not null -- the public books first come only what a draw left`}
           and not exists (select 1 from appointment a where a.slot_id = s.id and a.status <> 'cancelled')
         order by s.starts_at, s.site_id, md5(s.id::text)
         limit ${q.limit}`.execute(db);
      return rows.map((r) => ({
        slotId: r.id,
        siteId: r.site_id,
        startsAt: new Date(r.starts_at),
        endsAt: new Date(r.ends_at),
        localDate: r.local_date,
        freeCounters: Number(r.free_counters),
      }));
    },

    async purgeIdempotencyRecords(before: Date): Promise<number> {
      const result = await db.deleteFrom('idempotency_record').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    transaction: (work) => runTransaction(db, (trx) => work(new KyselyBookingTransaction(trx))),
  };
}
