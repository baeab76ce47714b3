// The public numbers against the real store, on both engines: every weekly figure computed
// by the job against a scenario whose answer is known (12 requests booked after waits of
// 5…40 days → median 14, p90 29.4; …), the suppression rule, weeks in the prefecture's zone,
// the job elected once per period across two callers, idempotent, past weeks frozen.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createCapacityStore } from '../../src/adapters/db/capacity-store.ts';
import { createPublicStatisticsStore } from '../../src/adapters/db/public-statistics-store.ts';
import { computeWeeklyFigures } from '../../src/app/statistics/compute-weekly-figures.ts';
import type { StatisticsContext } from '../../src/app/statistics/statistics-context.ts';
import {
  openData,
  viewNationalStatistics,
  viewPrefectureStatistics,
} from '../../src/app/statistics/view-public-statistics.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { anotherView, describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock } from '../support/scenario.ts';
import {
  appointment,
  bookedThroughOffer,
  DAY_MS,
  draw,
  heldForFraud,
  noonParis,
  request,
} from '../support/statistics.ts';

// Wednesday 17 June 2026, 12:00 in Paris: the current week starts on 15 June, the last
// complete week (W) on 8 June.
const NOW = new Date('2026-06-17T10:00:00Z');
const W = '2026-06-08';
const CURRENT = '2026-06-15';

describeEachEngine('public statistics', (database) => {
  const clock = new TestClock(NOW);
  const db = () => database().db;
  const ctx = (): StatisticsContext => ({
    statistics: createPublicStatisticsStore(db()),
    capacity: createCapacityStore(db()),
    clock,
  });
  let p1: Awaited<ReturnType<typeof createScenario>>;
  let p2: Awaited<ReturnType<typeof createScenario>>;
  let p3: Awaited<ReturnType<typeof createScenario>>;
  let cayenne: Awaited<ReturnType<typeof createScenario>>;

  before(async () => {
    p1 = await createScenario(db(), { prefectureId: '93' });
    p2 = await createScenario(db(), { prefectureId: '93' });
    p3 = await createScenario(db(), { prefectureId: '93' });
    cayenne = await createScenario(db(), { prefectureId: '973', timeZone: 'America/Cayenne' });
    const oldDraw = await draw(db(), '93', p1.procedureId, new Date('2026-05-01T05:00:00Z'));

    // P1 — 12 requests booked through offers accepted on Wednesday 10 June, for appointments on
    // 25 June, filed 5, 7, 9, 10, 12, 14, 14, 16, 20, 24, 30 and 40 days before: median 14, p90 29.4.
    const [offeredSlots] = [await p1.addSlots(12, new Date('2026-06-25T07:00:00Z'), { drawFirst: true })];
    const waits = [5, 7, 9, 10, 12, 14, 14, 16, 20, 24, 30, 40];
    for (const [i, wait] of waits.entries()) {
      const req = await request(db(), p1, { filedAt: noonParis('2026-06-25', wait), status: 'booked' });
      await bookedThroughOffer(db(), p1, oldDraw, req, offeredSlots[i]!, new Date('2026-06-10T10:00:00Z'));
    }
    // P1 — 10 open slots booked in W, 0.5 … 10 days after their release: median 2.5, p90 5.5.
    const openSlots = await p1.addSlots(10, new Date('2026-06-26T07:00:00Z'), {
      releasedAt: new Date('2026-06-01T00:00:00Z'),
    });
    const releaseToBooking = [0.5, 1, 1, 2, 2, 3, 3, 4, 5, 10];
    for (const [i, days] of releaseToBooking.entries()) {
      const bookedAt = new Date('2026-06-13T10:00:00Z');
      const releasedAt = new Date(bookedAt.getTime() - days * DAY_MS);
      await db().updateTable('slot').set({ released_at: releasedAt }).where('id', '=', openSlots[i]!).execute();
      await appointment(db(), p1, openSlots[i]!, { createdAt: bookedAt });
    }
    // P1 — 10 requests waiting, filed 1 … 10 local days before Monday 15 June: at the end of W
    // their median age is 5.5 days; now (Wednesday) 7.5. One withdrawn in W is not waiting.
    for (let d = 1; d <= 10; d++) await request(db(), p1, { filedAt: noonParis('2026-06-15', d) });
    await request(db(), p1, {
      filedAt: noonParis('2026-06-09'),
      status: 'withdrawn',
      closedAt: noonParis('2026-06-12'),
    });
    // P1 — the slots of Tuesday 9 June: 13 released, 10 taken (8 served, 2 no-shows), 2 opened
    // by a draw (one taken, one not), 3 unused (one of them had a cancelled appointment);
    // a withdrawn slot nobody held is no offer.
    const tuesday = await p1.addSlots(14, new Date('2026-06-09T07:00:00Z'), { drawFirst: true });
    const booked = new Date('2026-05-20T10:00:00Z');
    for (let i = 0; i < 10; i++)
      await appointment(db(), p1, tuesday[i]!, { createdAt: booked, status: i < 8 ? 'served' : 'no_show' });
    await appointment(db(), p1, tuesday[10]!, { createdAt: booked, status: 'cancelled' });
    await db()
      .updateTable('slot')
      .set({ opened_at: new Date('2026-06-05T00:00:00Z') })
      .where('id', 'in', [tuesday[0]!, tuesday[11]!])
      .execute();
    await db().updateTable('slot').set({ status: 'withdrawn' }).where('id', '=', tuesday[13]!).execute();
    // P1 — three draws in W (Monday 00:00 Paris is 7 June 22:00 UTC), one just after it.
    await draw(db(), '93', p1.procedureId, new Date('2026-06-07T22:00:00Z'));
    await draw(db(), '93', p1.procedureId, new Date('2026-06-10T05:00:00Z'));
    await draw(db(), '93', p1.procedureId, new Date('2026-06-14T21:59:00Z'));
    await draw(db(), '93', p1.procedureId, new Date('2026-06-14T22:00:00Z'));

    // P2 — 10 confirmed urgencies whose permits expired on Friday 12 June: 7 seen on Thursday
    // 11 June, 1 no-show that day, 2 given nothing (closed on 13 June): 70 % served. The 8
    // appointments are due in W (fewer than 10: suppressed).
    const thursday = await p2.addSlots(8, new Date('2026-06-11T07:00:00Z'), { drawFirst: true });
    for (let i = 0; i < 10; i++) {
      const urgent = {
        filedAt: noonParis('2026-05-01'),
        urgencyDate: '2026-06-12',
        urgencySource: 'registry' as const,
        urgencyStatus: 'confirmed' as const,
      };
      if (i >= 8) {
        await request(db(), p2, { ...urgent, status: 'closed', closedAt: noonParis('2026-06-13') });
        continue;
      }
      const req = await request(db(), p2, { ...urgent, status: 'booked' });
      const at = new Date('2026-06-05T10:00:00Z');
      await bookedThroughOffer(db(), p2, oldDraw, req, thursday[i]!, at, i === 7 ? 'no_show' : 'served');
    }

    // P3 — 11 requests filed in W with a declared urgency (held for review), 2 refused; all withdrawn.
    for (let i = 0; i < 11; i++)
      await request(db(), p3, {
        filedAt: noonParis('2026-06-10'),
        status: 'withdrawn',
        closedAt: noonParis('2026-06-11'),
        urgencyDate: '2026-07-01',
        urgencySource: 'declared',
        urgencyStatus: i < 2 ? 'refused' : 'pending',
      });

    // P3 — fraud checks: 12 requests filed on Monday 8 June held on Tuesday 9 June (one held
    // again on Thursday 11 June: counted once), 3 of them refused on Friday 12 June, the others
    // withdrawn on Saturday 13 June; one filed on 28 May, held on 1 June, refused on 9 June
    // (held in the week of 1 June, refused in W).
    for (let i = 0; i < 12; i++) {
      const refused = i < 3;
      const req = await request(db(), p3, {
        filedAt: noonParis('2026-06-08'),
        ...(refused ? {} : { status: 'withdrawn' as const, closedAt: noonParis('2026-06-13') }),
      });
      await heldForFraud(db(), '93', req.id, noonParis('2026-06-09'), refused ? noonParis('2026-06-12') : undefined);
      if (i === 11)
        await db()
          .insertInto('fraud_observation')
          .values({
            prefecture_id: '93',
            request_id: req.id,
            at: noonParis('2026-06-11'),
            event: 'churn',
            score: 75,
            reasons: '[]',
            held: true,
          })
          .execute();
    }
    const early = await request(db(), p3, { filedAt: noonParis('2026-05-28') });
    await heldForFraud(db(), '93', early.id, noonParis('2026-06-01'), noonParis('2026-06-09'));

    // Cayenne — a draw on Sunday 7 June at 23:30 local (Monday 02:30 UTC): the week of 1 June there.
    await draw(db(), '973', cayenne.procedureId, new Date('2026-06-08T02:30:00Z'));

    // Automation, national: 3 refused proofs of work and 2 rate-limited requests in W.
    for (const [reason, at] of [
      ['pow_invalid', '2026-06-08T10:00:00Z'],
      ['pow_replayed', '2026-06-09T10:00:00Z'],
      ['pow_missing', '2026-06-14T21:00:00Z'],
      ['rate_limited', '2026-06-10T10:00:00Z'],
      ['rate_limited', '2026-06-11T10:00:00Z'],
      ['email_code_invalid', '2026-06-11T10:00:00Z'],
      ['rate_limited', '2026-06-14T22:00:00Z'],
    ] as const)
      await db()
        .insertInto('security_event')
        .values({ at: new Date(at), ip: '203.0.113.9', route: 'test', reason })
        .execute();
  });

  it('elects one of two concurrent callers per period, and fills the whole year on the first run', async () => {
    const other: StatisticsContext = {
      statistics: createPublicStatisticsStore(anotherView(database()).db),
      capacity: createCapacityStore(anotherView(database()).db),
      clock,
    };
    const reports = await Promise.all([computeWeeklyFigures(ctx()), computeWeeklyFigures(other)]);
    assert.deepEqual(reports.map((r) => r.status).sort(), ['computed', 'skipped']);
    const computed = reports.find((r) => r.status === 'computed')!;
    assert.equal(computed.period, '2026-06-17T10:00:00.000Z');
    assert.equal(computed.weeks, 2 * 53, 'two prefectures, a year each');
    assert.equal((await computeWeeklyFigures(ctx())).status, 'skipped', 'the same hour again');
  });

  it('computes every figure of W for a procedure against the known answers', async () => {
    const stats = await viewPrefectureStatistics(ctx(), { prefectureId: '93', procedureId: p1.procedureId });
    assert.equal(stats.weeks.length, 53);
    assert.equal(stats.weeks.at(-1)!.weekStart, CURRENT);
    const w = stats.weeks.find((x) => x.weekStart === W)!;
    assert.equal(w.requestsBooked, 12);
    assert.equal(w.waitMedianDays, 14);
    assert.ok(Math.abs(w.waitP90Days! - 29.4) < 1e-9, String(w.waitP90Days));
    assert.equal(w.openBooked, 10);
    assert.ok(Math.abs(w.openMedianDays! - 2.5) < 1e-9, String(w.openMedianDays));
    assert.ok(Math.abs(w.openP90Days! - 5.5) < 1e-9, String(w.openP90Days));
    assert.equal(w.requestsWaiting, 10);
    assert.equal(w.waitingAgeMedianDays, 5.5);
    assert.deepEqual([w.slotsOffered, w.slotsTaken, w.slotsOpen, w.slotsUnused], [13, 10, 2, 3]);
    assert.deepEqual([w.appointmentsDue, w.noShows], [10, 2]);
    assert.equal(w.draws, 3);
    assert.deepEqual([w.urgentCases, w.urgencyHeld], [0, 0]);
    const published = stats.published.find((x) => x.weekStart === W)!.figures;
    assert.deepEqual(published.no_show_rate, { value: 0.2, status: 'published' });
    assert.deepEqual(published.wait_median_days, { value: 14, status: 'published' });
    // The current week: still the same 10 requests waiting, two days older.
    const now = stats.weeks.at(-1)!;
    assert.equal(now.requestsWaiting, 10);
    assert.equal(now.waitingAgeMedianDays, 7.5);
  });

  it('computes urgencies, held declarations and suppresses figures on fewer than 10 people', async () => {
    const two = await viewPrefectureStatistics(ctx(), { prefectureId: '93', procedureId: p2.procedureId });
    const w2 = two.weeks.find((x) => x.weekStart === W)!;
    assert.deepEqual([w2.urgentCases, w2.urgentServed], [10, 7]);
    assert.deepEqual([w2.appointmentsDue, w2.noShows], [8, 1]);
    const f2 = two.published.find((x) => x.weekStart === W)!.figures;
    assert.deepEqual(f2.urgent_served_share, { value: 0.7, status: 'published' });
    assert.deepEqual(f2.appointments_due, { value: null, status: 'suppressed' });
    assert.deepEqual(f2.no_show_rate, { value: null, status: 'suppressed' });
    assert.deepEqual(f2.slots_taken, { value: 8, status: 'published' }, 'slots are not people');
    const three = await viewPrefectureStatistics(ctx(), { prefectureId: '93', procedureId: p3.procedureId });
    const w3 = three.weeks.find((x) => x.weekStart === W)!;
    assert.deepEqual([w3.urgencyHeld, w3.urgencyRefused, w3.requestsWaiting], [11, 2, 0]);
    assert.deepEqual([w3.fraudHeld, w3.fraudRefused], [12, 4]);
    const f3 = three.published.find((x) => x.weekStart === W)!.figures;
    assert.deepEqual(f3.fraud_held, { value: 12, status: 'published' });
    assert.deepEqual(f3.fraud_refused, { value: 4, status: 'published' });
    const weekBefore = three.weeks.find((x) => x.weekStart === '2026-06-01')!;
    assert.deepEqual([weekBefore.fraudHeld, weekBefore.fraudRefused], [1, 0]);
    assert.deepEqual(three.published.find((x) => x.weekStart === '2026-06-01')!.figures.fraud_held, {
      value: null,
      status: 'suppressed',
    });
    const one = await viewPrefectureStatistics(ctx(), { prefectureId: '93', procedureId: p1.procedureId });
    assert.deepEqual([one.weeks.find((x) => x.weekStart === W)!.fraudHeld], [0]);
  });

  it('adds the procedures up in the all-procedures row, and counts automation nationally', async () => {
    const all = await viewPrefectureStatistics(ctx(), { prefectureId: '93' });
    assert.equal(all.procedure, null);
    assert.deepEqual(all.procedures.map((p) => p.id).sort(), [p1.procedureId, p2.procedureId, p3.procedureId].sort());
    const w = all.weeks.find((x) => x.weekStart === W)!;
    assert.equal(w.procedureId, '*');
    assert.deepEqual(
      [w.requestsBooked, w.requestsWaiting, w.slotsOffered, w.slotsTaken, w.appointmentsDue, w.noShows, w.draws],
      [12, 10, 21, 18, 18, 3, 3],
    );
    assert.deepEqual([w.urgentCases, w.urgentServed, w.urgencyHeld, w.urgencyRefused], [10, 7, 11, 2]);
    assert.deepEqual([w.fraudHeld, w.fraudRefused], [12, 4]);
    assert.deepEqual(
      all.pressure.find((p) => p.weekStart === W),
      { weekStart: W, powRefused: 3, rateLimited: 2 },
    );
  });

  it("buckets by the prefecture's own calendar: Sunday night in Cayenne", async () => {
    const stats = await viewPrefectureStatistics(ctx(), { prefectureId: '973' });
    assert.equal(stats.weeks.find((x) => x.weekStart === '2026-06-01')!.draws, 1);
    assert.equal(stats.weeks.find((x) => x.weekStart === W)!.draws, 0);
  });

  it('refuses an unknown prefecture or a procedure without figures there', async () => {
    const code = async (attempt: Promise<unknown>) =>
      attempt.then(
        () => 'none',
        (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
      );
    assert.equal(await code(viewPrefectureStatistics(ctx(), { prefectureId: '01' })), 'PREFECTURE_NOT_FOUND');
    assert.equal(
      await code(viewPrefectureStatistics(ctx(), { prefectureId: '973', procedureId: p1.procedureId })),
      'PROCEDURE_NOT_FOUND',
    );
    assert.equal(await code(openData(ctx(), { prefectureId: '01' })), 'PREFECTURE_NOT_FOUND');
  });

  it('is idempotent in a new period, and leaves past weeks frozen', async () => {
    const before = await createPublicStatisticsStore(db()).weeks({
      prefectureId: '93',
      procedureId: null,
      fromWeek: '2025-01-01',
    });
    // A late draw recorded in an old week, and one in the current week.
    await draw(db(), '93', p1.procedureId, new Date('2026-05-06T08:00:00Z'));
    await draw(db(), '93', p1.procedureId, new Date('2026-06-16T08:00:00Z'));
    clock.set(new Date(NOW.getTime() + 60 * 60_000));
    const report = await computeWeeklyFigures(ctx());
    assert.equal(report.status, 'computed');
    assert.equal(report.weeks, 2 * 2, 'the current and previous week of each prefecture');
    const after = await createPublicStatisticsStore(db()).weeks({
      prefectureId: '93',
      procedureId: null,
      fromWeek: '2025-01-01',
    });
    const key = (f: { procedureId: string; weekStart: string }) => `${f.procedureId}|${f.weekStart}`;
    const changed = after.filter((a) => {
      const b = before.find((x) => key(x) === key(a));
      return JSON.stringify(a) !== JSON.stringify(b);
    });
    assert.deepEqual(
      changed.map(key).sort(),
      [`${p1.procedureId}|${CURRENT}`, `*|${CURRENT}`].sort(),
      'only the current week moved (its new draw); W was recomputed to the same figures; May stays frozen',
    );
    assert.equal(after.length, before.length);
  });

  it('publishes the open data with suppression, and the national view to administrators only', async () => {
    const data = await openData(ctx(), { prefectureId: '93' });
    const row = data.rows.find((r) => r.procedureId === p2.procedureId && r.week.weekStart === W)!;
    assert.equal(row.prefectureName, 'Préfecture 93');
    assert.equal(row.week.figures.appointments_due!.status, 'suppressed');
    assert.equal(row.week.figures.appointments_due!.value, null);
    const everyone = await openData(ctx(), { prefectureId: null });
    assert.deepEqual([...new Set(everyone.rows.map((r) => r.prefectureId))].sort(), ['93', '973']);

    const admin = { role: 'admin' as const, prefectureId: null, siteIds: [] };
    const view = await viewNationalStatistics(ctx(), admin, {});
    assert.equal(view.weekStart, W);
    assert.deepEqual(
      view.rows.map((r) => [r.id, r.week.figures.wait_median_days!.value]),
      [
        ['93', 14],
        ['973', null],
      ],
    );
    const supervisor = { role: 'supervisor' as const, prefectureId: '93', siteIds: [] };
    await assert.rejects(
      viewNationalStatistics(ctx(), supervisor, {}),
      (e: unknown) => e instanceof DomainError && e.code === 'FORBIDDEN_SCOPE',
    );
  });
  it('computes the whole year again for a prefecture whose oldest week is missing (a first run cut short)', async () => {
    const store = createPublicStatisticsStore(db());
    const oldest = (await store.weeks({ prefectureId: '93', procedureId: '*', fromWeek: '2025-01-01' }))[0]!;
    await db()
      .deleteFrom('public_statistics_week')
      .where('prefecture_id', '=', '93')
      .where('week_start', 'in', [oldest.weekStart, '2026-01-05'])
      .execute();
    clock.set(new Date(NOW.getTime() + 2 * 60 * 60_000));
    const report = await computeWeeklyFigures(ctx());
    assert.equal(report.weeks, 53 + 2, 'the year of 93, the last two weeks of 973');
    assert.ok(await store.hasWeek('93', oldest.weekStart));
    assert.ok(await store.hasWeek('93', '2026-01-05'));
  });
  it('stops between two weeks when asked (a stopping process never waits for a year of weeks)', async () => {
    clock.set(new Date(NOW.getTime() + 3 * 60 * 60_000));
    const stopping = new AbortController();
    stopping.abort();
    const report = await computeWeeklyFigures(ctx(), { signal: stopping.signal });
    assert.deepEqual([report.status, report.weeks], ['computed', 0]);
  });
});
