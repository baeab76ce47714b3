// The stored names-and-birth-date key (migration 0025) behind the likely-duplicate signal: each
// new request and appointment gets domain/duplicate-rules.ts nameBirthDateKey of its names, and
// the migration's backfill gives rows written before it the very same key — in batches.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { fillNameKeys } from '../../src/adapters/db/migrations/0025-name-key.ts';
import { nameBirthDateKey } from '../../src/domain/duplicate-rules.ts';
import { describeEachEngine } from '../support/databases.ts';
import { allocationScenario, filedRequest } from '../support/requests.ts';
import { applicant, bookedOnline, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');

describeEachEngine('names-and-birth-date key', (database) => {
  it('is stored with each new request and appointment, and the backfill gives older rows the same key', async () => {
    const db = database().db;
    const clock = new TestClock(NOW);
    const ctx = testContext(db, clock);
    const s = await allocationScenario(db);
    const [slotId] = await s.addSlots(1, new Date('2026-06-10T07:00:00Z'));
    const booker = applicant({ surname: 'N’Diaye', givenNames: 'Élodie  Marie', birthDate: '1988-02-29' });
    const { appointment } = await bookedOnline(ctx, slotId!, booker);
    const filer = applicant({ surname: 'fall', givenNames: 'OUSMANE', birthDate: '1975-12-31' });
    const confirmation = await filedRequest(db, clock, filer, s);
    const keyOf = async () => ({
      appointment: (
        await db
          .selectFrom('appointment')
          .select('name_key')
          .where('reference', '=', appointment.reference)
          .executeTakeFirstOrThrow()
      ).name_key,
      request: (
        await db
          .selectFrom('allocation_request')
          .select('name_key')
          .where('reference', '=', confirmation.request.reference)
          .executeTakeFirstOrThrow()
      ).name_key,
    });
    const expected = { appointment: nameBirthDateKey(booker), request: nameBirthDateKey(filer) };
    assert.deepEqual(await keyOf(), expected);
    assert.notEqual(expected.appointment, expected.request);

    // As before the migration: no key. The backfill puts the same ones back.
    await db.updateTable('appointment').set({ name_key: null }).execute();
    await db.updateTable('allocation_request').set({ name_key: null }).execute();
    assert.deepEqual(await keyOf(), { appointment: null, request: null });
    await fillNameKeys(db as unknown as Kysely<unknown>, 'appointment');
    await fillNameKeys(db as unknown as Kysely<unknown>, 'allocation_request');
    assert.deepEqual(await keyOf(), expected);
  });
});
