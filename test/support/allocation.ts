// Scenario builders for draws and offers: an allocation procedure, and requests written
// straight into allocation_request (as the request use cases would leave them).
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/adapters/db/database.ts';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { allocationContext, type AllocationContext } from '../../src/app/allocation-context.ts';
import type { AppContext } from '../../src/app/context.ts';
import { emailKey } from '../../src/domain/identity.ts';
import type { Hasher } from '../../src/ports/secrets.ts';
import type { DrawStore } from '../../src/ports/draw-store.ts';
import { createScenario, testContext, type ScenarioOptions, type TestClock } from './scenario.ts';

export interface AllocationSettings {
  order?: 'fifo' | 'lottery';
  offerHours?: number;
  maxIgnoredOffers?: number;
  urgentWithinDays?: number;
}

/** A prefecture, a site with counters, and a procedure allocated by draws. */
export async function createAllocationScenario(db: Db, options: ScenarioOptions & { allocation?: AllocationSettings } = {}) {
  const scenario = await createScenario(db, { ...options, procedure: { ...options.procedure, bookingMode: 'allocation' } });
  const a = options.allocation ?? {};
  await db
    .updateTable('procedure')
    .set({
      allocation_order: a.order ?? 'fifo', offer_hours: a.offerHours ?? 48,
      max_ignored_offers: a.maxIgnoredOffers ?? 2, urgent_within_days: a.urgentWithinDays ?? 30,
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
  urgencyDate?: string | null;
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
  const identityKey = hasher.identityKey(`passport:${passportNumber}:SEN:1990-04-12`);
  const row = await db
    .insertInto('allocation_request')
    .values({
      reference: `R${suffix.toUpperCase()}`,
      prefecture_id: scenario.prefectureId,
      procedure_id: scenario.procedureId,
      site_ids: overrides.siteIds ?? [scenario.siteId],
      weekdays: overrides.weekdays ?? [1, 2, 3, 4, 5, 6, 7],
      half_days: overrides.halfDays ?? ['am', 'pm'],
      urgency_date: overrides.urgencyDate ?? null,
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
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token, email, surname, passportNumber, identityKey };
}

/** The draw and offer use cases' context over a test database. */
export function testAllocationContext(db: Db, clock: TestClock, overrides: Partial<AppContext> = {}, draws: DrawStore = createDrawStore(db)): AllocationContext {
  return allocationContext(testContext(db, clock, overrides), draws);
}
