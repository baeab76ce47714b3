import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { createScheduleStore } from '../../src/adapters/db/schedule-store.ts';
import { materialiseSlots } from '../../src/app/catalogue/materialise-slots.ts';
import { describeEachEngine } from '../support/databases.ts';
import { TestClock } from '../support/scenario.ts';

describeEachEngine('slot materialisation', (database) => {
  it('materialises the rolling horizon across the March DST change, skips holidays, and is idempotent', async () => {
    const db = database().db;
    await db.insertInto('prefecture').values({ id: '67', name: 'Bas-Rhin', time_zone: 'Europe/Paris' }).execute();
    await db
      .insertInto('site')
      .values({
        id: 'strasbourg',
        prefecture_id: '67',
        kind: 'prefecture',
        name: 'Strasbourg',
        address: '5 place de la République',
      })
      .execute();
    await db.insertInto('counter').values({ id: 'strasbourg-1', site_id: 'strasbourg', name: 'G1' }).execute();
    await db
      .insertInto('procedure')
      .values({
        id: 'titre-67',
        name_fr: 'Titre',
        name_en: 'Permit',
        slot_minutes: 30,
        identity_proof: 'passport',
        channel: 'appointment',
        release_days_ahead: 7,
        release_time: '08:00',
      })
      .execute();
    await db
      .insertInto('opening_rule')
      .values({
        counter_id: 'strasbourg-1',
        procedure_id: 'titre-67',
        weekdays: [1, 2, 3, 4, 5],
        valid_from: '2026-01-01',
        valid_until: null,
        windows: JSON.stringify([{ start: '09:00', end: '11:00' }]),
        slot_minutes: 30,
      })
      .execute();
    // A broken rule is reported and skipped; the good one still produces slots.
    await db
      .insertInto('opening_rule')
      .values({
        counter_id: 'strasbourg-1',
        procedure_id: 'titre-67',
        weekdays: [6],
        valid_from: '2026-01-01',
        valid_until: null,
        windows: JSON.stringify([{ start: '12:00', end: '10:00' }]),
        slot_minutes: 30,
      })
      .execute();

    const clock = new TestClock(new Date('2026-03-20T10:00:00Z'));
    const deps = { schedules: createScheduleStore(db), clock };
    const [report] = (await materialiseSlots(deps, 20)).filter((r) => r.prefectureId === '67');
    assert.equal(report!.fromDate, '2026-03-20');
    assert.equal(report!.toDate, '2026-04-09');
    assert.equal(report!.skippedRules.length, 1);

    const rows = await db
      .selectFrom('slot')
      .select(['starts_at', 'released_at', 'local_date'])
      .where('site_id', '=', 'strasbourg')
      .orderBy('starts_at')
      .execute();
    const days = [...new Set(rows.map((r) => r.local_date))];
    // Weekdays from 20 March to 9 April 2026, minus Good Friday (3 April, Alsace-Moselle) and Easter Monday (6 April).
    assert.deepEqual(days, [
      '2026-03-20',
      '2026-03-23',
      '2026-03-24',
      '2026-03-25',
      '2026-03-26',
      '2026-03-27',
      '2026-03-30',
      '2026-03-31',
      '2026-04-01',
      '2026-04-02',
      '2026-04-07',
      '2026-04-08',
      '2026-04-09',
    ]);
    assert.equal(report!.inserted, days.length * 4);
    const first = (date: string) => rows.find((r) => r.local_date === date)!;
    assert.equal(new Date(first('2026-03-27').starts_at).toISOString(), '2026-03-27T08:00:00.000Z'); // winter time
    assert.equal(new Date(first('2026-03-30').starts_at).toISOString(), '2026-03-30T07:00:00.000Z'); // summer time
    // Released 7 days ahead at 08:00 local: on 23 March (winter) for 30 March.
    assert.equal(new Date(first('2026-03-30').released_at).toISOString(), '2026-03-23T07:00:00.000Z');

    const again = (await materialiseSlots(deps, 20)).find((r) => r.prefectureId === '67');
    assert.equal(again!.inserted, 0);
    clock.set(new Date('2026-03-21T10:00:00Z'));
    const nextDay = (await materialiseSlots(deps, 20)).find((r) => r.prefectureId === '67');
    assert.equal(nextDay!.inserted, 4); // 10 April joins the horizon
    const count = await db
      .selectFrom('slot')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('site_id', '=', 'strasbourg')
      .executeTakeFirstOrThrow();
    assert.equal(count.n, (days.length + 1) * 4);
  });
});
