// Scenario builders for appointment requests: a procedure taking requests (drawn), with opening
// rules (requests may only name sites that receive the procedure).
import { sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { fileRequest } from '../../src/app/requests/file-request.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import type { ApplicantIdentity } from '../../src/domain/identity.ts';
import { createScenario, knownEmailProof, type TestClock, testContext } from './scenario.ts';

/** Opening rules (mornings of `weekdays`) for the procedure on each counter. */
export async function openCounters(
  db: Db,
  counterIds: string[],
  procedureId: string,
  weekdays = [1, 2, 3, 4, 5],
): Promise<void> {
  for (const counterId of counterIds) {
    await db
      .insertInto('opening_rule')
      .values({
        counter_id: counterId,
        procedure_id: procedureId,
        weekdays: sql<number[]>`cast(${`{${weekdays.join(',')}}`} as smallint[])`,
        valid_from: '2026-01-01',
        valid_until: null,
        windows: JSON.stringify([{ start: '09:00', end: '12:00' }]),
        slot_minutes: 30,
      })
      .execute();
  }
}

export interface AllocationOptions {
  identityProof?: 'agdref' | 'passport';
  urgentWithinDays?: number;
  registryCheck?: boolean;
}

/** A prefecture-93 site with a procedure taking requests (drawn), received Monday to Friday. */
export async function allocationScenario(db: Db, options: AllocationOptions = {}) {
  const s = await createScenario(db, { procedure: { identityProof: options.identityProof ?? 'passport' } });
  await db
    .updateTable('procedure')
    .set({
      urgent_within_days: options.urgentWithinDays ?? 30,
      registry_check: options.registryCheck ?? false,
    })
    .where('id', '=', s.procedureId)
    .execute();
  await openCounters(db, s.counterIds, s.procedureId);
  return s;
}
export type AllocationScenario = Awaited<ReturnType<typeof allocationScenario>>;

/** A request filed online (mornings of weekdays at the scenario's site) by `person`: its confirmation. */
export async function filedRequest(db: Db, clock: TestClock, person: ApplicantIdentity, scenario?: AllocationScenario) {
  const a = scenario ?? (await allocationScenario(db));
  const ctx = testContext(db, clock);
  const { confirmation } = await fileRequest(requestContext(ctx, createRequestStore(db)), {
    prefectureId: a.prefectureId,
    procedureId: a.procedureId,
    preferences: { siteIds: [a.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am'] },
    applicant: person,
    emailProof: await knownEmailProof(ctx, person.email, 'request'),
  });
  return confirmation;
}
