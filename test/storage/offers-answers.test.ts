// What the draws suite leaves loose, each asserted exactly (its own database: the sweep sees
// only this suite's offers): a draw refused for an unknown queue, a draw without emails, a
// queue's cadence as its collection window; a confirmation on a slot withdrawn since the
// offer, a reference drawn again when taken, the emails a confirmation writes; the sweep's
// counts, batches and emails.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { type DrawRunReport, type RunDrawOptions, runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { confirmOffer } from '../../src/app/offers/confirm-offer.ts';
import { declineOffer } from '../../src/app/offers/decline-offer.ts';
import { expireOffers } from '../../src/app/offers/expire-offers.ts';
import { extendOffer } from '../../src/app/offers/extend-offer.ts';
import { viewOffer } from '../../src/app/offers/view-offer.ts';
import { ReferenceTaken } from '../../src/ports/booking-store.ts';
import {
  createAllocationScenario,
  type FiledRequest,
  fileRequest,
  requestStatusOf,
  testAllocationContext,
} from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { code, DAY, HOUR, IN_A_WEEK_9H, later, NOW } from '../support/draw-times.ts';
import { codeOf } from '../support/outcome.ts';
import { TestClock, testContext } from '../support/scenario.ts';

type Scenario = Awaited<ReturnType<typeof createAllocationScenario>>;

describeEachEngine('offers: answers and the sweep, exactly', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const db = () => database().db;
  const ctx = () => testAllocationContext(db(), clock);
  const file = (s: Scenario, overrides: Parameters<typeof fileRequest>[3] = {}) =>
    fileRequest(db(), testContext(db(), clock).hasher, s, overrides);
  const draw = async (s: { prefectureId: string; procedureId: string }, options: RunDrawOptions = {}) => {
    const report = await runDrawForTick(
      ctx(),
      { prefectureId: s.prefectureId, procedureId: s.procedureId, tick: clock.now(), trigger: 'manual' },
      options,
    );
    assert.equal(report.status, 'drawn');
    return report as Extract<DrawRunReport, { status: 'drawn' }>;
  };
  /** The request's row, with its status as the domain reads it ('offered' is derived). */
  const requestRow = async (r: FiledRequest) => ({
    ...(await db().selectFrom('allocation_request').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow()),
    status: await requestStatusOf(db(), r.id),
  });
  const offerRow = (r: FiledRequest) =>
    db().selectFrom('offer').selectAll().where('request_id', '=', r.id).executeTakeFirstOrThrow();
  /** The kinds of the messages written to the outbox for these requests' emails, per email. */
  const mailOf = async (...rs: FiledRequest[]) => {
    const rows = await db()
      .selectFrom('outbox')
      .select(['recipient', 'kind'])
      .where(
        'recipient',
        'in',
        rs.map((r) => r.email),
      )
      .orderBy('kind')
      .execute();
    return rs.map((r) => rows.filter((m) => m.recipient === r.email).map((m) => m.kind));
  };
  /** The use cases' context whose random bytes come from `next` (the reference is drawn from them). */
  const withRandomBytes = (next: (count: number) => Uint8Array) => {
    const c = ctx();
    return { ...c, secrets: { ...c.secrets, randomBytes: next } };
  };

  it('a draw is refused for an unknown procedure, one not by appointment, or an unknown prefecture', async () => {
    const s = await createAllocationScenario(db());
    const postal = await createAllocationScenario(db(), { procedure: { channel: 'postal' } });
    const run = (prefectureId: string, procedureId: string) =>
      runDrawForTick(ctx(), { prefectureId, procedureId, tick: clock.now(), trigger: 'manual' });
    await assert.rejects(run(s.prefectureId, 'no-such-procedure'), code('PROCEDURE_NOT_FOUND'));
    await assert.rejects(run(postal.prefectureId, postal.procedureId), code('PROCEDURE_NOT_FOUND'));
    await assert.rejects(run('00', s.procedureId), code('PREFECTURE_NOT_FOUND'));
    const draws = await db().selectFrom('draw').select('id').where('procedure_id', '=', s.procedureId).execute();
    assert.equal(draws.length, 0);
  });

  it("writes one offer email per offer, and none when told not to (benchmarks); the draw row records the draw's instants", async () => {
    const quietQueue = await createAllocationScenario(db());
    await quietQueue.addSlots(2, IN_A_WEEK_9H, { drawFirst: true });
    const quiet = [await file(quietQueue), await file(quietQueue)];
    const silent = await draw(quietQueue, { notify: false });
    assert.deepEqual([silent.assignedCount, silent.messagesQueued], [2, 0]);
    assert.deepEqual(await mailOf(...quiet), [[], []]);

    const s = await createAllocationScenario(db());
    await s.addSlots(3, IN_A_WEEK_9H, { drawFirst: true });
    const told = [await file(s), await file(s)];
    clock.set(later(HOUR));
    const report = await draw(s);
    assert.deepEqual([report.assignedCount, report.messagesQueued, report.openedCount], [2, 2, 1]);
    assert.deepEqual(await mailOf(...told), [['offer-made'], ['offer-made']]);
    // What the email says comes from the request, its offer, slot, site and procedure as stored.
    const { rows: stored } = await sql<{
      payload: Record<string, unknown>;
      language: string;
      expected: Record<string, unknown>;
    }>`
      select m.payload, m.language,
             jsonb_build_object(
               'requestReference', r.reference, 'givenNames', r.given_names, 'surname', r.surname,
               'procedureName', jsonb_build_object('fr', pr.name_fr, 'en', pr.name_en),
               'slot', jsonb_build_object('startsAt', s.starts_at, 'endsAt', s.ends_at, 'siteName', si.name, 'siteAddress', si.address),
               'timeZone', p.time_zone, 'expiresAt', o.expires_at, 'offerHours', pr.offer_hours,
               'declinesLeft', pr.max_declines - r.declined_count,
               'ignoredLeft', pr.max_ignored_offers - 1 - r.ignored_count) as expected -- this offer, if ignored, is one
        from outbox m
        join offer o on m.dedupe_key = 'offer-made:' || o.id
        join allocation_request r on r.id = o.request_id
        join slot s on s.id = o.slot_id join site si on si.id = s.site_id
        join prefecture p on p.id = si.prefecture_id join procedure pr on pr.id = s.procedure_id
       where o.draw_id = ${report.drawId} and m.recipient = r.email`.execute(db());
    assert.equal(stored.length, 2);
    const instant = (v: unknown) => new Date(String(v)).toISOString();
    for (const { payload, language, expected } of stored) {
      const slot = expected.slot as Record<string, unknown>;
      assert.deepEqual(
        { ...payload, slot: { ...(payload.slot as object) } },
        {
          ...expected,
          slot: { ...slot, startsAt: instant(slot.startsAt), endsAt: instant(slot.endsAt) },
          expiresAt: instant(expected.expiresAt),
        },
      );
      assert.equal(language, 'fr');
    }
    const row = await db()
      .selectFrom('draw')
      .select(['started_at', 'finished_at', 'opened_count'])
      .where('id', '=', report.drawId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [new Date(row.started_at).toISOString(), new Date(row.finished_at).toISOString(), row.opened_count],
      [later(HOUR).toISOString(), later(HOUR).toISOString(), 1],
    );
    // Timings are measured, never negative.
    for (const ms of Object.values(report.timings)) assert.ok(ms >= 0, JSON.stringify(report.timings));
  });

  it("a queue drawn on a cadence takes a slot that waited one step, not the daily draw's 12 hours", async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true, releasedAt: later(-30 * 60_000) });
    await file(s, { filedAt: later(-DAY) });
    // A daily queue: released 30 minutes ago, the slot has not waited its window.
    assert.deepEqual([(await draw(s)).slotsCount], [0]);
    await db()
      .insertInto('draw_cadence')
      .values({ prefecture_id: s.prefectureId, procedure_id: s.procedureId, every_minutes: 15 })
      .execute();
    clock.set(later(60_000));
    const report = await draw(s);
    assert.deepEqual([report.slotsCount, report.assignedCount], [1, 1]);
  });

  it('a decline within the limit puts the request back without an email; the one past it (max_declines + 1) closes the request and says so; no offer to answer is OFFER_NOT_FOUND', async () => {
    const s = await createAllocationScenario(db());
    await db().updateTable('procedure').set({ max_declines: 0 }).where('id', '=', s.procedureId).execute();
    await s.addSlots(2, IN_A_WEEK_9H, { drawFirst: true });
    const first = await file(s, { filedAt: later(-2 * DAY) });
    const never = await file(s, { filedAt: later(-DAY), siteIds: ['nowhere'] });
    await draw(s, { notify: false });
    assert.equal(await codeOf(declineOffer(ctx(), never.token)), 'OFFER_NOT_FOUND');
    const declined = await declineOffer(ctx(), first.token);
    assert.deepEqual(
      [declined.status, declined.request.status, declined.request.declinedCount],
      ['declined', 'closed', 1],
    );
    assert.deepEqual(await mailOf(first, never), [['request-closed'], []]);
    assert.equal(await codeOf(declineOffer(ctx(), first.token)), 'OFFER_NOT_FOUND');

    await db().updateTable('procedure').set({ max_declines: 2 }).where('id', '=', s.procedureId).execute();
    const second = await file(s, { filedAt: later(-DAY) });
    clock.set(later(DAY));
    await draw(s, { notify: false });
    const back = await declineOffer(ctx(), second.token);
    assert.deepEqual([back.request.status, back.request.declinedCount], ['waiting', 1]);
    assert.deepEqual(await mailOf(second), [[]]);
  });

  it('confirming on a slot withdrawn since the offer: OFFER_WITHDRAWN, the offer recorded withdrawn, the request back in the queue with its place and nothing counted, no appointment, no email', async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const request = await file(s, { filedAt: later(-2 * DAY) }); // batch 30 May
    await draw(s, { notify: false });
    const { reference } = await requestRow(request);
    const site = await db().selectFrom('site').select('name').where('id', '=', s.siteId).executeTakeFirstOrThrow();
    const pending = {
      status: 'pending',
      procedureId: s.procedureId,
      slot: {
        slotId,
        siteId: s.siteId,
        siteName: site.name,
        siteAddress: '1 rue de la Préfecture',
        startsAt: IN_A_WEEK_9H.toISOString(),
        endsAt: later(30 * 60_000, IN_A_WEEK_9H).toISOString(),
        localDate: '2026-06-08',
        localTime: '09:00',
      },
      timeZone: 'Europe/Paris',
      expiresAt: later(48 * HOUR).toISOString(),
      expiresAtLocal: '2026-06-03 10:00',
      extended: false,
      extensionWouldEndAt: later(96 * HOUR).toISOString(),
      request: { reference, status: 'offered', declinedCount: 0, ignoredCount: 0, declinesLeft: 2, unansweredLeft: 1 },
    };
    assert.deepEqual(await viewOffer(ctx(), request.token), pending);
    // The prefecture closes the site that day.
    await db().updateTable('slot').set({ status: 'withdrawn' }).where('id', '=', slotId!).execute();
    clock.set(later(HOUR));
    await assert.rejects(confirmOffer(ctx(), request.token), code('OFFER_WITHDRAWN'));
    const offer = await offerRow(request);
    assert.deepEqual(
      [offer.status, new Date(offer.decided_at!).toISOString(), offer.appointment_id],
      ['withdrawn', later(HOUR).toISOString(), null],
    );
    const row = await requestRow(request);
    assert.deepEqual(
      [row.status, row.declined_count, row.ignored_count, row.queued_on],
      ['waiting', 0, 0, '2026-05-30'],
    );
    const appointments = await db().selectFrom('appointment').select('id').where('slot_id', '=', slotId!).execute();
    assert.equal(appointments.length, 0);
    assert.deepEqual(await mailOf(request), [[]]);
    // Withdrawn: nothing to extend any more, and the request waits again.
    assert.deepEqual(await viewOffer(ctx(), request.token), {
      ...pending,
      status: 'withdrawn',
      extensionWouldEndAt: null,
      request: { ...pending.request, status: 'waiting' },
    });
  });

  it('confirming draws another reference while the one drawn is taken, three times at most; the confirmation and the reminder go to the outbox', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(3, IN_A_WEEK_9H, { drawFirst: true });
    const [first, second, third] = [await file(s), await file(s), await file(s)];
    await draw(s, { notify: false });
    clock.set(later(HOUR));
    // All-zero bytes always give the same reference.
    const zeros = (count: number) => new Uint8Array(count);
    const taken = await confirmOffer(withRandomBytes(zeros), first.token);

    // Taken twice, then a fresh one: the third attempt books.
    let draws = 0;
    const retried = await confirmOffer(
      withRandomBytes((count) => (++draws <= 2 ? zeros(count) : randomBytes(count))),
      second.token,
    );
    assert.equal(draws, 3);
    assert.notEqual(retried.appointment.reference, taken.appointment.reference);
    assert.equal(retried.offer.status, 'confirmed');

    // Always taken: the third refusal is final, and nothing is written.
    draws = 0;
    await assert.rejects(
      confirmOffer(
        withRandomBytes((count) => {
          draws++;
          return zeros(count);
        }),
        third.token,
      ),
      (e) => e instanceof ReferenceTaken,
    );
    assert.equal(draws, 3);
    assert.deepEqual([(await requestRow(third)).status, (await offerRow(third)).status], ['offered', 'pending']);

    assert.deepEqual(await mailOf(first, second, third), [
      ['appointment-reminder', 'offer-confirmed'],
      ['appointment-reminder', 'offer-confirmed'],
      [],
    ]);
  });

  it('the sweep expires exactly the offers past their deadline, in batches, pausing (with an email on how to reconfirm) or closing (with an email on how to file again) their requests', async () => {
    // Three days on, the earlier tests' offers are swept first: the counts below are this test's.
    const start = later(3 * DAY);
    clock.set(start);
    await expireOffers(ctx());
    const s = await createAllocationScenario(db());
    await s.addSlots(4, IN_A_WEEK_9H, { drawFirst: true });
    const pausing = await file(s);
    const closing = [await file(s), await file(s)];
    const extended = await file(s);
    // One ignored offer already: the next closes it (max_ignored_offers 2).
    await db()
      .updateTable('allocation_request')
      .set({ ignored_count: 1 })
      .where(
        'id',
        'in',
        closing.map((r) => r.id),
      )
      .execute();
    await draw(s, { notify: false });
    clock.set(later(HOUR, start));
    await extendOffer(ctx(), extended.token);

    clock.set(later(48 * HOUR, start));
    // Two batches (2 + 1): the report adds them up.
    assert.deepEqual(await expireOffers(ctx(), { batchSize: 2 }), { expired: 3, closed: 2 });
    const everyone = [pausing, ...closing, extended];
    const rows = await Promise.all(everyone.map(requestRow));
    const closedAt = later(48 * HOUR, start).toISOString();
    assert.deepEqual(
      rows.map((r) => [r.status, r.ignored_count, r.closed_at?.toISOString() ?? null]),
      [
        ['paused', 1, null],
        ['closed', 2, closedAt],
        ['closed', 2, closedAt],
        ['offered', 0, null],
      ],
    );
    const offers = await Promise.all(everyone.map(offerRow));
    assert.deepEqual(
      offers.map((o) => o.status),
      ['expired', 'expired', 'expired', 'pending'],
    );
    assert.deepEqual(await mailOf(...everyone), [['request-paused'], ['request-closed'], ['request-closed'], []]);
    // Nothing more to expire until the extended deadline.
    assert.deepEqual(await expireOffers(ctx()), { expired: 0, closed: 0 });
  });
});
