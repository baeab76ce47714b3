// Scenario builders for draws and offers: an allocation procedure, and requests written
// straight into allocation_request (as the request use cases would leave them).
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/adapters/db/database.ts';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { requestStatus } from '../../src/adapters/db/request-status.ts';
import { type AllocationContext, allocationContext } from '../../src/app/draws/allocation-context.ts';
import { emailKey } from '../../src/domain/identity.ts';
import type { RequestStatus } from '../../src/domain/request-rules.ts';
import type { DrawStore } from '../../src/ports/draw-store.ts';
import type { Hasher } from '../../src/ports/secrets.ts';
import { createScenario, type ScenarioOptions, type TestClock, testContext } from './scenario.ts';
import type { PortOverrides } from './services.ts';

export interface AllocationSettings {
  offerHours?: number;
  maxDeclines?: number;
  maxIgnoredOffers?: number;
  urgentWithinDays?: number;
}

/** A prefecture, a site with counters, and a procedure (every appointment procedure takes requests, drawn). */
export async function createAllocationScenario(
  db: Db,
  options: ScenarioOptions & { allocation?: AllocationSettings } = {},
) {
  const scenario = await createScenario(db, options);
  const a = options.allocation ?? {};
  await db
    .updateTable('procedure')
    .set({
      offer_hours: a.offerHours ?? 48,
      max_declines: a.maxDeclines ?? 2,
      max_ignored_offers: a.maxIgnoredOffers ?? 2,
      urgent_within_days: a.urgentWithinDays ?? 30,
    })
    .where('id', '=', scenario.procedureId)
    .execute();
  return scenario;
}

export interface FiledRequest {
  id: string;
  token: string;
  email: string;
  surname: string;
  passportNumber: string;
  identityKey: string;
}

export interface RequestOverrides {
  filedAt?: Date;
  /** The batch (YYYY-MM-DD); by default the local day of filing (a database trigger). */
  queuedOn?: string;
  urgencyDate?: string | null;
  /** Where the urgency date comes from: the registry (a fact, counts at once: the default) or declared (pending until an agent confirms). */
  urgencySource?: 'registry' | 'declared';
  /** Default: 'confirmed' for the registry, 'pending' for a declaration. */
  urgencyStatus?: 'pending' | 'confirmed' | 'refused';
  siteIds?: string[];
  weekdays?: number[];
  halfDays?: ('am' | 'pm')[];
  surname?: string;
}

/** A waiting request of the scenario's queue, with its management token. */
export async function fileRequest(
  db: Db,
  hasher: Hasher,
  scenario: { prefectureId: string; procedureId: string; siteId: string },
  overrides: RequestOverrides = {},
): Promise<FiledRequest> {
  const suffix = randomBytes(5).toString('hex');
  const token = randomBytes(32).toString('base64url');
  const email = `demandeur.${suffix}@example.org`;
  const surname = overrides.surname ?? 'Mendy';
  const passportNumber = `P${suffix.toUpperCase()}`;
  const identityKey = hasher.identityKey(`passport:SEN:${passportNumber}`);
  const urgencyDate = overrides.urgencyDate ?? null;
  const urgencySource = urgencyDate ? (overrides.urgencySource ?? 'registry') : null;
  const row = await db
    .insertInto('allocation_request')
    .values({
      reference: `R${suffix.toUpperCase()}`,
      prefecture_id: scenario.prefectureId,
      procedure_id: scenario.procedureId,
      site_ids: overrides.siteIds ?? [scenario.siteId],
      weekdays: overrides.weekdays ?? [1, 2, 3, 4, 5, 6, 7],
      half_days: overrides.halfDays ?? ['am', 'pm'],
      urgency_date: urgencyDate,
      urgency_source: urgencySource,
      urgency_status: urgencySource
        ? (overrides.urgencyStatus ?? (urgencySource === 'registry' ? 'confirmed' : 'pending'))
        : 'none',
      surname,
      given_names: 'Awa',
      birth_date: '1990-04-12',
      nationality: 'SEN',
      email,
      email_key: emailKey(email),
      passport_number: passportNumber,
      identity_key: identityKey,
      management_token_hash: hasher.tokenDigest(token),
      ...(overrides.filedAt ? { filed_at: overrides.filedAt } : {}),
      ...(overrides.queuedOn ? { queued_on: overrides.queuedOn } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token, email, surname, passportNumber, identityKey };
}

/** The draw and offer use cases' context over a test database. */
export function testAllocationContext(
  db: Db,
  clock: TestClock,
  overrides: PortOverrides = {},
  draws: DrawStore = createDrawStore(db),
): AllocationContext {
  return allocationContext(testContext(db, clock, overrides), draws);
}

/** Each request's status as the domain reads it ('offered': waiting with a pending offer, migration 0026), by id. */
export async function requestStatuses(db: Db, ids: readonly string[]): Promise<Map<string, RequestStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('allocation_request as r')
    .select(['r.id', requestStatus('r').as('status')])
    .where('r.id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** One request's status as the domain reads it. */
export async function requestStatusOf(db: Db, id: string): Promise<RequestStatus | undefined> {
  return (await requestStatuses(db, [id])).get(id);
}
