// Migration 0027: an offer's draw, request and slot are checked once per statement (a trigger
// over the statement's rows) instead of by three row-by-row foreign keys. What the foreign keys
// guaranteed must still hold: no offer of a missing row, no deletion of a row that has offers,
// no change of a referenced id, and the same under concurrency (PostgreSQL: a deletion and a write
// of offers in flight at once, in both orders).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { down, up } from '../../src/adapters/db/migrations/0027-offer-references.ts';
import { runDrawForTick } from '../../src/app/draws/run-draw.ts';
import {
  createAllocationScenario,
  type FiledRequest,
  fileRequest,
  testAllocationContext,
} from '../support/allocation.ts';
import { anotherView, describeEachEngine } from '../support/databases.ts';
import { IN_A_WEEK_9H, NOW } from '../support/draw-times.ts';
import { whileHeldOpen } from '../support/lock-waits.ts';
import { TestClock, testContext } from '../support/scenario.ts';

type AllocationScenario = Awaited<ReturnType<typeof createAllocationScenario>>;

interface Offered {
  drawId: string;
  requestId: string;
  slotId: string;
  offerId: string;
}

/** The SQLSTATE and constraint of a refused statement. */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    return `${code}${constraint ? ` ${constraint}` : ''}`;
  }
  return 'accepted';
}

/** A withdrawn offer (outside the one-pending-offer indexes) with the given references. */
const insertOffer = (db: Kysely<never> | Db, refs: { drawId: string; requestId: string; slotId: string }[]) =>
  sql`insert into offer (draw_id, request_id, slot_id, expires_at, status, decided_at)
      select * from unnest(${refs.map((r) => r.drawId)}::uuid[], ${refs.map((r) => r.requestId)}::uuid[],
                           ${refs.map((r) => r.slotId)}::uuid[]) as t(d, r, s),
             lateral (select now() + interval '1 day', 'withdrawn', now()) x`.execute(db);

const offersOf = async (db: Db, column: 'request_id' | 'slot_id', id: string) =>
  Number(
    (
      await db
        .selectFrom('offer')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(column, '=', id)
        .executeTakeFirstOrThrow()
    ).n,
  );

describeEachEngine('offer references, checked per statement (migration 0027)', (database, engine) => {
  const db = () => database().db;
  const clock = new TestClock(NOW);
  let s: AllocationScenario;
  let offered: Offered;
  let spare: FiledRequest;

  beforeEach(async () => {
    s = await createAllocationScenario(db());
    await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const hasher = testContext(db(), clock).hasher;
    const request = await fileRequest(db(), hasher, s);
    const report = await runDrawForTick(testAllocationContext(db(), clock), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: clock.now(),
      trigger: 'manual',
    });
    assert.equal(report.status === 'drawn' && report.assignedCount, 1);
    const offer = await db()
      .selectFrom('offer')
      .select(['id', 'draw_id', 'slot_id'])
      .where('request_id', '=', request.id)
      .executeTakeFirstOrThrow();
    offered = { drawId: offer.draw_id, requestId: request.id, slotId: offer.slot_id, offerId: offer.id };
    spare = await fileRequest(db(), hasher, s);
  });

  it('refuses a statement of offers when one of them references a missing draw, request or slot, and writes none of them', async () => {
    const good = { ...offered, requestId: spare.id };
    for (const [missing, constraint] of [
      ['drawId', 'offer_draw_id_fkey'],
      ['requestId', 'offer_request_id_fkey'],
      ['slotId', 'offer_slot_id_fkey'],
    ] as const) {
      const bad = { ...good, [missing]: randomUUID() };
      assert.equal(await refusal(insertOffer(db(), [good, bad, good])), `23503 ${constraint}`, missing);
    }
    assert.equal(await offersOf(db(), 'request_id', spare.id), 0);
    // The same rows, all present: written.
    await insertOffer(db(), [good, good]);
    assert.equal(await offersOf(db(), 'request_id', spare.id), 2);
  });

  it('refuses to delete a draw, request or slot that has offers, and deletes one that has none', async () => {
    assert.equal(
      await refusal(db().deleteFrom('draw').where('id', '=', offered.drawId).execute()),
      '23503 offer_draw_id_fkey',
    );
    assert.equal(
      await refusal(db().deleteFrom('allocation_request').where('id', '=', offered.requestId).execute()),
      '23503 offer_request_id_fkey',
    );
    assert.equal(
      await refusal(db().deleteFrom('slot').where('id', '=', offered.slotId).execute()),
      '23503 offer_slot_id_fkey',
    );
    const deleted = await db().deleteFrom('allocation_request').where('id', '=', spare.id).executeTakeFirst();
    assert.equal(deleted.numDeletedRows, 1n);
    // Offers first, then what they referenced: as retention deletes.
    await db().deleteFrom('offer').where('request_id', '=', offered.requestId).execute();
    const gone = await db().deleteFrom('allocation_request').where('id', '=', offered.requestId).executeTakeFirst();
    assert.equal(gone.numDeletedRows, 1n);
  });

  it('refuses to point an offer at a missing row, and to change a referenced id; another existing row is accepted', async () => {
    const other = randomUUID();
    for (const column of ['draw_id', 'request_id', 'slot_id'] as const)
      assert.equal(
        await refusal(
          db()
            .updateTable('offer')
            .set({ [column]: other })
            .where('id', '=', offered.offerId)
            .execute(),
        ),
        `23503 offer_${column}_fkey`,
        column,
      );
    const ids = { draw: offered.drawId, allocation_request: offered.requestId, slot: offered.slotId };
    for (const table of ['draw', 'allocation_request', 'slot'] as const)
      assert.equal(
        await refusal(
          sql`update ${sql.table(table)} set id = ${other}::uuid where id = ${ids[table]}::uuid`.execute(db()),
        ),
        '23503',
        table,
      );
    await db().updateTable('offer').set({ request_id: spare.id }).where('id', '=', offered.offerId).execute();
    assert.equal(await offersOf(db(), 'request_id', spare.id), 1);
  });

  it('refuses writes of offers and deletions outside READ COMMITTED, where a check would read an older snapshot', async () => {
    const underRepeatableRead = (work: (trx: Kysely<never>) => Promise<unknown>) =>
      db()
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute((trx) => work(trx as unknown as Kysely<never>));
    assert.equal(
      await refusal(underRepeatableRead((trx) => insertOffer(trx, [{ ...offered, requestId: spare.id }]))),
      '0A000',
    );
    assert.equal(
      await refusal(
        underRepeatableRead((trx) => sql`delete from allocation_request where id = ${spare.id}::uuid`.execute(trx)),
      ),
      '0A000',
    );
  });

  it('down restores the foreign keys, up replaces them again', async () => {
    await down(db() as unknown as Kysely<unknown>);
    const constraints = async () =>
      (
        await sql<{ name: string }>`
          select conname as name from pg_constraint where conrelid = 'offer'::regclass and contype = 'f' order by 1`.execute(
          db(),
        )
      ).rows.map((r) => r.name);
    assert.deepEqual(await constraints(), [
      'offer_appointment_id_fkey',
      'offer_draw_id_fkey',
      'offer_request_id_fkey',
      'offer_slot_id_fkey',
    ]);
    assert.equal(await refusal(insertOffer(db(), [{ ...offered, slotId: randomUUID() }])), '23503 offer_slot_id_fkey');
    await up(db() as unknown as Kysely<unknown>);
    assert.deepEqual(await constraints(), ['offer_appointment_id_fkey']);
    assert.equal(await refusal(insertOffer(db(), [{ ...offered, slotId: randomUUID() }])), '23503 offer_slot_id_fkey');
  });

  if (engine === 'postgres')
    it('a deletion and a write of offers in flight at once: whichever commits first, the other is refused, and no offer is left without its request', async () => {
      const other = anotherView(database()).db;
      const race = async (first: (trx: Kysely<never>) => Promise<unknown>, second: () => Promise<unknown>) =>
        refusal(whileHeldOpen(db(), first, second));
      const orphans = async () =>
        (
          await sql<{ n: number }>`
            select count(*)::int as n from offer o where not exists (select 1 from allocation_request r where r.id = o.request_id)`.execute(
            db(),
          )
        ).rows[0]!.n;

      // The deletion first: the offers' check runs after it commits, and finds the request gone.
      const deleting = await fileRequest(db(), testContext(db(), clock).hasher, s);
      assert.equal(
        await race(
          (trx) => sql`delete from allocation_request where id = ${deleting.id}::uuid`.execute(trx),
          () => insertOffer(other, [{ ...offered, requestId: deleting.id }]),
        ),
        '23503 offer_request_id_fkey',
      );
      // The offers first: the deletion's check runs after they commit, and finds them.
      assert.equal(
        await race(
          (trx) => insertOffer(trx, [{ ...offered, requestId: spare.id }]),
          () => sql`delete from allocation_request where id = ${spare.id}::uuid`.execute(other),
        ),
        '23503 offer_request_id_fkey',
      );
      assert.equal(await offersOf(db(), 'request_id', spare.id), 1);
      assert.equal(await orphans(), 0);
    });
});
