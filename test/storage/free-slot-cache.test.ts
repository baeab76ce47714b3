// The free-slot calendar's cache against the database (adapters/db/free-slot-cache.ts): what
// makes an answer go — a write of this process (at once), a write of another process sharing
// the database (the change feed of migration 0014), time (the hard bound) — and what does not
// (another procedure's changes).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createFreeSlotCache, type FreeSlotCacheOptions } from '../../src/adapters/db/free-slot-cache.ts';
import { anotherView, describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const TOMORROW_9H = new Date('2026-06-02T07:00:00Z');

describeEachEngine('free-slot cache', (database) => {
  /** A cache whose every computation is counted: `computed()` tells how many ran. */
  function countingCache(options: Partial<FreeSlotCacheOptions> = {}, db = database().db) {
    const clock = new TestClock(NOW);
    const cache = createFreeSlotCache(db, { clock, ...options });
    let computations = 0;
    const ask = (procedureId: string, key = procedureId) =>
      cache.remember(procedureId, key, async () => ({ value: { computation: ++computations }, validUntil: null }));
    return { cache, clock, ask, computed: () => computations };
  }

  /**
   * A cache whose second computation is slow (the database busy elsewhere): it ends when the
   * test calls `release()`; `computed()` tells how many started, `inFlight()` waits for the second.
   */
  function cacheWithASlowSecond(procedureId: string, options: Partial<FreeSlotCacheOptions> = {}) {
    const clock = new TestClock(NOW);
    const cache = createFreeSlotCache(database().db, { clock, pollMs: 3_600_000, ...options });
    let release = () => {};
    let computations = 0;
    const ask = () =>
      cache.remember(procedureId, 'k', async () => {
        const computation = ++computations;
        if (computation === 2) await new Promise<void>((resolve) => (release = resolve));
        return { value: { computation }, validUntil: null };
      });
    const inFlight = async () => {
      while (computations < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    return { cache, clock, ask, inFlight, release: () => release(), computed: () => computations };
  }

  /** Withdraws one open slot of the procedure: a change of its free slots. */
  const withdrawOneSlot = (procedureId: string) =>
    database()
      .db.updateTable('slot')
      .set({ status: 'withdrawn' })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('slot')
          .select('id')
          .where('procedure_id', '=', procedureId)
          .where('status', '=', 'open')
          .limit(1),
      )
      .execute();

  it('computes once for every caller, kept while nothing changes', async () => {
    const { cache, ask, computed } = countingCache();
    const answers = await Promise.all([ask('p'), ask('p'), ask('p')]);
    assert.equal(computed(), 1);
    assert.ok(answers.every((a) => a === answers[0]));
    assert.equal(await ask('p'), answers[0]);
    assert.equal(computed(), 1);
    cache.close();
  });

  it('forgets a procedure at the first lookup after this process wrote to its slots, and only that one', async () => {
    const db = database().db;
    const s = await createScenario(db);
    const other = await createScenario(db);
    await s.addSlots(2, TOMORROW_9H);
    await other.addSlots(2, TOMORROW_9H);
    // The feed is read at the first lookup, then only after a write of this process (an hour between reads).
    const { cache, ask } = countingCache({ pollMs: 3_600_000 });
    const first = await ask(s.procedureId);
    const untouched = await ask(other.procedureId);
    await db.updateTable('slot').set({ status: 'withdrawn' }).where('procedure_id', '=', s.procedureId).execute();
    assert.notEqual(await ask(s.procedureId), first);
    assert.equal(await ask(other.procedureId), untouched);
    cache.close();
  });

  it('while a changed answer is recomputed, its first caller waits for it and the others get the one it replaces, within the bound', async () => {
    const db = database().db;
    const s = await createScenario(db);
    await s.addSlots(2, TOMORROW_9H);
    const { cache, clock, ask, inFlight, release } = cacheWithASlowSecond(s.procedureId, { maxAgeMs: 1_000 });
    const first = await ask();
    await db.updateTable('slot').set({ status: 'withdrawn' }).where('procedure_id', '=', s.procedureId).execute();
    const waiting = ask(); // the first caller after the change: recomputes, and waits
    await inFlight();
    assert.equal(await ask(), first, 'another caller meanwhile: the replaced answer, at once');
    clock.set(new Date(NOW.getTime() + 1_000));
    const late = ask(); // the replaced answer is past the bound now: this one is not given it
    release();
    assert.deepEqual(await waiting, { computation: 2 });
    assert.notEqual(await late, first, 'past the bound, a replaced answer is never served');
    cache.close();
  });

  it("sees another process's write through the change feed", async () => {
    const s = await createScenario(database().db);
    await s.addSlots(2, TOMORROW_9H);
    // Time never lapses here (the clock stands still, the bound is an hour): only the feed can tell.
    const { cache, ask } = countingCache({ maxAgeMs: 3_600_000, pollMs: 20 });
    const first = await ask(s.procedureId);
    const elsewhere = anotherView(database());
    await elsewhere.db
      .updateTable('slot')
      .set({ status: 'withdrawn' })
      .where('procedure_id', '=', s.procedureId)
      .execute();
    const deadline = Date.now() + 20_000;
    let answer = first;
    while (answer === first && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await ask(s.procedureId);
    }
    assert.notEqual(answer, first, 'the change feed never reported the write');
    cache.close();
  });

  it('a site or procedure change forgets every answer', async () => {
    const db = database().db;
    const s = await createScenario(db);
    const { cache, ask } = countingCache({ pollMs: 3_600_000 });
    const first = await ask('any-procedure');
    await db.updateTable('site').set({ name: 'Renamed' }).where('id', '=', s.siteId).execute();
    assert.notEqual(await ask('any-procedure'), first);
    cache.close();
  });

  it('never serves an answer past the hard bound, even when the feed says nothing', async () => {
    // The feed is read at the first lookup only (an hour between reads).
    const { cache, clock, ask } = countingCache({ maxAgeMs: 1_000, pollMs: 3_600_000 });
    const first = await ask('p');
    clock.set(new Date(NOW.getTime() + 999));
    assert.equal(await ask('p'), first);
    clock.set(new Date(NOW.getTime() + 1_000));
    assert.notEqual(await ask('p'), first);
    cache.close();
  });

  it('an answer lapses when its first slot starts, and never serves an earlier clock', async () => {
    const clock = new TestClock(NOW);
    const cache = createFreeSlotCache(database().db, { clock, maxAgeMs: 3_600_000 });
    let computations = 0;
    const ask = () =>
      cache.remember('p', 'k', async () => ({
        value: { computation: ++computations },
        validUntil: new Date(NOW.getTime() + 60_000),
      }));
    const first = await ask();
    clock.set(new Date(NOW.getTime() + 59_999));
    assert.equal(await ask(), first);
    clock.set(new Date(NOW.getTime() + 60_000));
    const second = await ask();
    assert.notEqual(second, first);
    clock.set(new Date(NOW.getTime() - 1));
    assert.notEqual(await ask(), second);
    cache.close();
  });

  it('after a change, recomputes at once for a burst of 3, then at most once every recomputeEveryMs: the answer the change replaced meanwhile', async () => {
    const db = database().db;
    const s = await createScenario(db);
    await s.addSlots(6, TOMORROW_9H);
    let realMs = 0;
    const { cache, ask, computed } = countingCache({
      recomputeEveryMs: 250,
      monotonicNow: () => realMs,
      pollMs: 3_600_000,
    });
    const withdrawOne = () => withdrawOneSlot(s.procedureId);
    let last = await ask(s.procedureId);
    // The first look, then a booking and a look twice: three computations, each change shown at once.
    for (let change = 2; change <= 3; change++) {
      await withdrawOne();
      const next = await ask(s.procedureId);
      assert.notEqual(next, last);
      assert.equal(computed(), change);
      last = next;
    }
    await withdrawOne();
    realMs = 249;
    assert.equal(await ask(s.procedureId), last, 'the burst spent, within 250 ms: the answer the change replaced');
    assert.equal(computed(), 3);
    realMs = 250;
    const paced = await ask(s.procedureId);
    assert.notEqual(paced, last, '250 ms later: computed again');
    assert.equal(computed(), 4);
    assert.equal(await ask(s.procedureId), paced, 'nothing changed since: kept');
    realMs = 10_000; // a quiet spell refills the burst: three changes in a row show at once again
    for (let change = 5; change <= 7; change++) {
      await withdrawOne();
      assert.notEqual(await ask(s.procedureId), last);
      assert.equal(computed(), change);
    }
    cache.close();
  });

  it('a computation counts against the pace from its start: a change during one does not let more through', async () => {
    const db = database().db;
    const s = await createScenario(db);
    await s.addSlots(4, TOMORROW_9H);
    const { cache, ask, inFlight, release, computed } = cacheWithASlowSecond(s.procedureId, {
      recomputeEveryMs: 250,
      monotonicNow: () => 0,
    });
    const first = await ask();
    await withdrawOneSlot(s.procedureId);
    const slow = ask(); // the second computation starts, and stays in flight
    await inFlight();
    await withdrawOneSlot(s.procedureId); // a change meanwhile: the flight is dropped
    assert.deepEqual(await ask(), { computation: 3 }, 'the third of the burst');
    await withdrawOneSlot(s.procedureId);
    assert.deepEqual(await ask(), { computation: 3 }, 'the burst spent by the three that started: the replaced answer');
    assert.equal(computed(), 3);
    release();
    assert.deepEqual(await slow, { computation: 2 }, 'the slow one answers its own caller');
    assert.deepEqual(await ask(), { computation: 3 }, 'and never replaces the newer stand-in');
    assert.notEqual(first, await ask());
    cache.close();
  });

  it('the recomputation pace never serves a replaced answer past the hard bound', async () => {
    const db = database().db;
    const s = await createScenario(db);
    await s.addSlots(3, TOMORROW_9H);
    const { cache, clock, ask } = countingCache({
      maxAgeMs: 1_000,
      recomputeEveryMs: 500,
      monotonicNow: () => 0, // real time stands still: only the hard bound can let the answer go
      pollMs: 3_600_000,
    });
    // The burst spent first (three computations), so that only the bound can let the next answer go.
    await ask(s.procedureId);
    await withdrawOneSlot(s.procedureId);
    await ask(s.procedureId);
    await withdrawOneSlot(s.procedureId);
    const first = await ask(s.procedureId);
    await withdrawOneSlot(s.procedureId);
    clock.set(new Date(NOW.getTime() + 999));
    assert.equal(await ask(s.procedureId), first);
    clock.set(new Date(NOW.getTime() + 1_000));
    assert.notEqual(await ask(s.procedureId), first);
    cache.close();
  });

  it('keeps distinct keys apart and at most maxEntries of them', async () => {
    const { cache, ask, computed } = countingCache({ maxEntries: 2 });
    const a = await ask('p', 'a');
    const b = await ask('p', 'b');
    assert.notEqual(a, b);
    assert.equal(await ask('p', 'a'), a);
    await ask('p', 'c'); // evicts the oldest stored, "a"
    assert.equal(computed(), 3);
    assert.notEqual(await ask('p', 'a'), a);
    cache.close();
  });
});
