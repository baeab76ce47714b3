// The waiting queue's tally (migration 0030): a place in the queue is read from counts kept by
// triggers, not by counting the queue. Every storage suite checks the tally against the queue
// when it ends (test/support/databases.ts); this one checks what those cannot see: filings on
// many connections at once, shards gathered by a draw, and no filing or draw waiting for another.
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { queueTallyDrift, rebuildQueueTally } from '../../src/adapters/db/queue-tally.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import type { Database } from '../../src/adapters/db/schema.ts';
import { type DrawRunReport, runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { createAllocationScenario, fileRequest, testAllocationContext } from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { HOUR, IN_A_WEEK_9H, later, NOW } from '../support/draw-times.ts';
import { TestClock, testContext } from '../support/scenario.ts';

type Scenario = Awaited<ReturnType<typeof createAllocationScenario>>;

describeEachEngine('the queue tally', (database, engine) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const db = () => database().db;
  const file = (s: Scenario, on: Db = db(), queuedOn?: string) =>
    fileRequest(on, testContext(db(), clock).hasher, s, queuedOn ? { queuedOn } : {});
  const draw = async (s: Scenario) => {
    const report = await runDrawForTick(testAllocationContext(db(), clock), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: clock.now(),
      trigger: 'manual',
    });
    assert.equal(report.status, 'drawn');
    return report as Extract<DrawRunReport, { status: 'drawn' }>;
  };
  const waitingIn = async (s: Scenario, queuedOn: string) => {
    const { groups } = await createRequestStore(db()).queueStanding({ ...s, queuedOn }, NOW);
    return groups.reduce((sum, g) => sum + g.waiting, 0);
  };
  const tallyRows = async (s: Scenario) =>
    (
      await sql<{ shard: number; waiting: number }>`
        select shard, waiting from queue_tally where procedure_id = ${s.procedureId} order by shard`.execute(db())
    ).rows;

  it('counts filings made at once on every connection of the pool, and a draw gathers them into one row per batch', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(10, IN_A_WEEK_9H, { drawFirst: true });
    await Promise.all(Array.from({ length: 30 }, () => file(s)));
    await Promise.all(Array.from({ length: 5 }, () => file(s, db(), '2026-05-20')));
    assert.equal(await waitingIn(s, '2026-05-20'), 35);
    assert.deepEqual(await queueTallyDrift(db()), []);

    clock.set(later(HOUR));
    const report = await draw(s);
    assert.equal(report.assignedCount, 10);
    assert.equal(await waitingIn(s, '2026-05-20'), 25);
    // The oldest batch is served first: its five were offered and it is gone from the tally.
    const rows = await tallyRows(s);
    assert.deepEqual(
      rows.map((r) => [r.shard, r.waiting]),
      [[-1, 25]],
    );
    assert.deepEqual(await queueTallyDrift(db()), []);
  });

  it('finds a tally that differs from the queue, and counts it again from the queue', async () => {
    const s = await createAllocationScenario(db());
    await file(s, db(), '2026-06-01');
    await file(s, db(), '2026-06-01');
    await file(s, db(), '2026-05-20');
    // As a database restored in part would leave it: one batch's count lost, another's off by two.
    await sql`delete from queue_tally where procedure_id = ${s.procedureId} and queued_on = '2026-05-20'`.execute(db());
    await sql`update queue_tally set waiting = waiting + 2 where procedure_id = ${s.procedureId} and queued_on <> '2026-05-20'`.execute(
      db(),
    );
    const drift = (await queueTallyDrift(db())).filter((d) => d.procedureId === s.procedureId);
    assert.deepEqual(
      drift.map((d) => [d.queuedOn, d.counted, d.tallied]),
      [
        ['2026-05-20', 1, 0],
        ['2026-06-01', 2, 4],
      ],
    );
    const rebuilt = await rebuildQueueTally(db());
    assert.deepEqual(await queueTallyDrift(db()), []);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from allocation_request r
       where status = 'waiting' and not exists (select 1 from offer o where o.request_id = r.id and o.status = 'pending')`.execute(
      db(),
    );
    assert.equal(rebuilt.waiting, rows[0]!.n);
    assert.equal(await waitingIn(s, '2026-06-01'), 3);
  });

  // PGlite has one connection: nothing there runs beside anything else.
  if (engine === 'postgres')
    it('a filing does not wait for another filing of the same batch, nor a draw for a filing still open (PostgreSQL)', async () => {
      const s = await createAllocationScenario(db());
      await s.addSlots(2, IN_A_WEEK_9H, { drawFirst: true });
      await file(s, db(), '2026-05-20');
      await file(s, db(), '2026-05-20');
      await onTwoShards(db(), async (first, second) => {
        // The first connection's row of today's batch exists: the open filing below updates it, and holds it.
        await file(s, first as Db);
        await sql`begin`.execute(first);
        try {
          await file(s, first as Db);
          // A single counter row per batch would keep the second filing waiting for the first's commit.
          await sql`set lock_timeout = '5s'`.execute(second);
          await file(s, second as Db);
          await sql`reset lock_timeout`.execute(second);
          clock.set(later(HOUR));
          const drawing = draw(s);
          let waited = false;
          for (let settled = false; !settled; ) {
            settled = await Promise.race([
              drawing.then(() => true),
              new Promise<boolean>((r) => setTimeout(() => r(false), 20)),
            ]);
            const { rows } = await sql<{
              n: number;
            }>`select count(*)::int as n from pg_locks where not granted`.execute(db());
            if (rows[0]!.n > 0) waited = true;
            if (waited) break;
          }
          assert.equal(waited, false, 'the draw waited for the open filing');
          assert.equal((await drawing).assignedCount, 2);
        } finally {
          await sql`commit`.execute(first);
        }
      });
      assert.equal(await waitingIn(s, '2026-05-20'), 3);
      // The open filing's row was left to it by the fold; the next fold gathers it.
      assert.ok((await tallyRows(s)).some((r) => r.shard >= 0));
      assert.deepEqual(await queueTallyDrift(db()), []);
    });
});

/**
 * Runs `work` on two connections of the pool held for it, whose backends add to different
 * shards of the tally (backend pid modulo 16, as queue_tally_add does).
 */
async function onTwoShards(
  db: Db,
  work: (first: Kysely<Database>, second: Kysely<Database>) => Promise<void>,
): Promise<void> {
  const held: { conn: Kysely<Database>; shard: number }[] = [];
  const hold = async (): Promise<void> =>
    db.connection().execute(async (conn) => {
      const { rows } = await sql<{ shard: number }>`select pg_backend_pid() % 16 as shard`.execute(conn);
      held.push({ conn, shard: rows[0]!.shard });
      const other = held.find((h) => h.shard !== held[0]!.shard);
      if (other) return work(held[0]!.conn, other.conn);
      if (held.length >= 5) throw new Error('five connections on one shard');
      return hold();
    });
  await hold();
}
