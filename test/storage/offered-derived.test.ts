// Migration 0026: 'offered' is no longer stored on a request but derived from its pending offer.
// Its up step turns the stored 'offered' of existing rows into 'waiting' (their pending offer
// keeps them offered) and refuses the value from then on; its down step stores it back.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { down, up } from '../../src/adapters/db/migrations/0026-offered-derived.ts';
import { runDrawForTick } from '../../src/app/draws/run-draw.ts';
import {
  createAllocationScenario,
  fileRequest,
  requestStatuses,
  testAllocationContext,
} from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { IN_A_WEEK_9H, NOW } from '../support/draw-times.ts';
import { TestClock, testContext } from '../support/scenario.ts';

describeEachEngine('offered, derived from the pending offer (migration 0026)', (database) => {
  it('up turns stored offered requests into waiting ones that read as offered, then refuses the value; down stores it back', async () => {
    const db = database().db;
    const clock = new TestClock(NOW);
    const s = await createAllocationScenario(db);
    await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const hasher = testContext(db, clock).hasher;
    const requests = [await fileRequest(db, hasher, s), await fileRequest(db, hasher, s)];
    const ids = requests.map((r) => r.id);
    const report = await runDrawForTick(testAllocationContext(db, clock), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: clock.now(),
      trigger: 'manual',
    });
    assert.equal(report.status === 'drawn' && report.assignedCount, 1);
    const stored = async () =>
      new Map(
        (await db.selectFrom('allocation_request').select(['id', 'status']).where('id', 'in', ids).execute()).map(
          (r) => [r.id, r.status],
        ),
      );
    const derived = await requestStatuses(db, ids);
    const offered = ids.find((id) => derived.get(id) === 'offered')!;
    const waiting = ids.find((id) => derived.get(id) === 'waiting')!;
    assert.ok(offered && waiting, JSON.stringify([...derived]));
    assert.deepEqual([(await stored()).get(offered), (await stored()).get(waiting)], ['waiting', 'waiting']);

    // Before the migration: the draw stored 'offered'.
    await down(db as unknown as Kysely<unknown>);
    assert.deepEqual([(await stored()).get(offered), (await stored()).get(waiting)], ['offered', 'waiting']);

    await up(db as unknown as Kysely<unknown>);
    assert.deepEqual([(await stored()).get(offered), (await stored()).get(waiting)], ['waiting', 'waiting']);
    assert.deepEqual(await requestStatuses(db, ids), derived);
    await assert.rejects(
      db.updateTable('allocation_request').set({ status: 'offered' }).where('id', '=', waiting).execute(),
      (e: unknown) => (e as { constraint?: string }).constraint === 'allocation_request_status_check',
    );
  });
});
