// Scenario builders for the review lists: live requests with a declared urgency (the columns
// of migration 0012) and active appointments, written straight into the tables as the
// request and booking use cases would leave them — with the names, birth date, email and
// identity document each test chooses, to make (or not make) likely duplicates.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/adapters/db/database.ts';
import { emailKey } from '../../src/domain/identity.ts';

export interface Person {
  surname?: string;
  givenNames?: string;
  birthDate?: string;
  nationality?: string;
  /** null: no email (phone / counter appointment only). */
  email?: string | null;
  /** The identity document: a fresh one by default. */
  identityKey?: string;
}

export interface ReviewRequestOptions extends Person {
  siteIds?: string[];
  filedAt?: Date;
  /** The declared permit expiry; null: no urgency declared. */
  urgencyDate?: string | null;
  /** The review state of the declaration (default pending). */
  urgencyStatus?: 'pending' | 'confirmed' | 'refused';
  status?: 'waiting' | 'offered' | 'paused' | 'booked' | 'withdrawn' | 'closed';
  channel?: 'online' | 'phone' | 'counter';
}

const suffix = () => randomBytes(5).toString('hex');

/** A request of `scenario`'s queue; returns its id, reference and identity key. */
export async function reviewRequest(
  db: Db,
  scenario: { prefectureId: string; procedureId: string; siteId: string },
  options: ReviewRequestOptions = {},
): Promise<{ id: string; reference: string; identityKey: string }> {
  const s = suffix();
  const email = options.email === undefined ? `demandeur.${s}@example.org` : options.email;
  const identityKey = options.identityKey ?? `test-identity-${s}`;
  const urgencyDate = options.urgencyDate === undefined ? '2026-06-20' : options.urgencyDate;
  const reference = `R${s.toUpperCase()}`;
  const row = await db
    .insertInto('allocation_request')
    .values({
      reference,
      prefecture_id: scenario.prefectureId,
      procedure_id: scenario.procedureId,
      site_ids: options.siteIds ?? [scenario.siteId],
      status: options.status ?? 'waiting',
      surname: options.surname ?? 'Mendy',
      given_names: options.givenNames ?? 'Awa',
      birth_date: options.birthDate ?? '1990-04-12',
      nationality: options.nationality ?? 'SEN',
      email: email ?? '',
      email_key: email ? emailKey(email) : `none-${s}`,
      passport_number: `P${s.toUpperCase()}`,
      identity_key: identityKey,
      management_token_hash: `hash-${s}`,
      channel: options.channel ?? 'online',
      urgency_date: urgencyDate,
      urgency_source: urgencyDate ? 'declared' : null,
      urgency_status: urgencyDate ? (options.urgencyStatus ?? 'pending') : 'none',
      ...(options.filedAt ? { filed_at: options.filedAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, reference, identityKey };
}

/** A booked appointment at `startsAt`, on a new slot opened to first come (so the database takes it) of a new counter. */
export async function reviewAppointment(
  db: Db,
  scenario: { siteId: string; procedureId: string },
  startsAt: Date,
  person: Person = {},
): Promise<{ id: string; reference: string; identityKey: string }> {
  const s = suffix();
  // A counter of its own, so that any number of appointments may start at the same time.
  const counterId = `counter-${s}`;
  await db
    .insertInto('counter')
    .values({ id: counterId, site_id: scenario.siteId, name: `Guichet ${s}` })
    .execute();
  const slot = await db
    .insertInto('slot')
    .values({
      site_id: scenario.siteId,
      counter_id: counterId,
      procedure_id: scenario.procedureId,
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + 30 * 60_000),
      local_date: startsAt.toISOString().slice(0, 10),
      released_at: new Date(startsAt.getTime() - 30 * 86_400_000),
      opened_at: new Date(startsAt.getTime() - 20 * 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const email = person.email === undefined ? `usager.${s}@example.org` : person.email;
  const identityKey = person.identityKey ?? `test-identity-${s}`;
  const reference = `A${s.toUpperCase()}`;
  const row = await db
    .insertInto('appointment')
    .values({
      reference,
      slot_id: slot.id,
      procedure_id: scenario.procedureId,
      site_id: scenario.siteId,
      surname: person.surname ?? 'Diallo',
      given_names: person.givenNames ?? 'Aminata',
      birth_date: person.birthDate ?? '1985-01-01',
      nationality: person.nationality ?? 'MLI',
      email,
      email_key: email ? emailKey(email) : null,
      passport_number: `Q${s.toUpperCase()}`,
      identity_key: identityKey,
      management_token_hash: `hash-${s}`,
      channel: email ? 'online' : 'phone',
      // Booked by phone without email: a number to call (migration 0017).
      phone: email ? null : '0612345678',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, reference, identityKey };
}
