import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { listFreeSlots } from '../../src/app/booking/list-free-slots.ts';
import { rescheduleAppointment } from '../../src/app/booking/reschedule-appointment.ts';
import { viewAppointment } from '../../src/app/booking/view-appointment.ts';
import type { AllocationContext } from '../../src/app/draws/allocation-context.ts';
import { runDueDraws, startDrawScheduler } from '../../src/app/draws/draw-scheduler.ts';
import { replayDraw } from '../../src/app/draws/replay-draw.ts';
import { type DrawRunReport, runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { deliverDueMessages } from '../../src/app/notifications/deliver-outbox.ts';
import { confirmOffer } from '../../src/app/offers/confirm-offer.ts';
import { declineOffer } from '../../src/app/offers/decline-offer.ts';
import { expireOffers } from '../../src/app/offers/expire-offers.ts';
import { extendOffer } from '../../src/app/offers/extend-offer.ts';
import { viewOffer } from '../../src/app/offers/view-offer.ts';
import { reconfirmRequest } from '../../src/app/requests/reconfirm-request.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import { withdrawRequest } from '../../src/app/requests/withdraw-request.ts';
import { runDraw } from '../../src/domain/allocation-draw.ts';
import { pseudonymOf } from '../../src/domain/draw-commitment.ts';
import { decodeDrawSnapshot, encodeDrawSnapshot } from '../../src/domain/draw-snapshot.ts';
import { epochDayOf } from '../../src/domain/priority.ts';
import type { DrawStore } from '../../src/ports/draw-store.ts';
import {
  createAllocationScenario,
  type FiledRequest,
  fileRequest,
  requestStatuses,
  requestStatusOf,
  testAllocationContext,
} from '../support/allocation.ts';
import { anotherView, describeEachEngine } from '../support/databases.ts';
import { code, DAY, HOUR, IN_A_WEEK_9H, later, NOW } from '../support/draw-times.ts';
import { untilSomeoneWaits, whileHeldOpen } from '../support/lock-waits.ts';
import { smtpMailer, testDelivery } from '../support/outbox.ts';
import { applicant, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

describeEachEngine('draws and offers', (database, engine) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const db = () => database().db;
  const ctx = (): AllocationContext => testAllocationContext(db(), clock);
  const hasher = () => testContext(db(), clock).hasher;
  const file = (
    s: { prefectureId: string; procedureId: string; siteId: string },
    overrides: Parameters<typeof fileRequest>[3] = {},
  ) => fileRequest(db(), hasher(), s, overrides);
  const draw = async (s: { prefectureId: string; procedureId: string }, tick = clock.now(), context = ctx()) => {
    const report = await runDrawForTick(context, {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick,
      trigger: 'manual',
    });
    assert.equal(report.status, 'drawn');
    return report as Extract<DrawRunReport, { status: 'drawn' }>;
  };
  /** The request's row, with its status as the domain reads it ('offered' is derived). */
  const requestRow = async (r: FiledRequest) => ({
    ...(await db().selectFrom('allocation_request').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow()),
    status: await requestStatusOf(db(), r.id),
  });
  const offersOf = (r: FiledRequest) =>
    db().selectFrom('offer').selectAll().where('request_id', '=', r.id).orderBy('created_at').execute();
  /** Released slots awaiting their first draw (released 30 days before their start: their collection window is long over). */
  const drawnSlots = (
    s: { addSlots: (n: number, start: Date, o?: { releasedAt?: Date; drawFirst?: boolean }) => Promise<string[]> },
    n: number,
    start: Date,
  ) => s.addSlots(n, start, { drawFirst: true });

  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(() => smtp?.close());

  it('assigns by priority class, then batch (the day of queueing), and stores the seed, the digests and a snapshot that replays identically', async () => {
    const s = await createAllocationScenario(db());
    await drawnSlots(s, 2, IN_A_WEEK_9H);
    const early = await file(s, { filedAt: later(-3 * DAY) });
    const urgent = await file(s, { filedAt: later(-1 * DAY), urgencyDate: '2026-05-20' }); // registry: permit expired, class 0
    const late = await file(s, { filedAt: later(-2 * DAY) });

    const report = await draw(s);
    assert.deepEqual(
      [report.requestsCount, report.slotsCount, report.assignedCount, report.withdrawnCount],
      [3, 2, 2, 0],
    );
    assert.deepEqual(
      [(await requestRow(urgent)).status, (await requestRow(early)).status, (await requestRow(late)).status],
      ['offered', 'offered', 'waiting'],
    );
    const [offer] = await offersOf(urgent);
    assert.equal(offer!.status, 'pending');
    assert.equal(new Date(offer!.expires_at).toISOString(), later(48 * HOUR).toISOString());

    const row = await db().selectFrom('draw').selectAll().where('id', '=', report.drawId).executeTakeFirstOrThrow();
    assert.match(row.seed, /^[0-9a-f]{64}$/);
    assert.equal(row.seed, report.seed);
    assert.match(row.input_digest, /^[0-9a-f]{64}$/);
    assert.match(row.result_digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      [row.trigger, row.allocation_order, row.requests_count, row.slots_count, row.assigned_count],
      ['manual', 'lottery', 3, 2, 2],
    );
    // The snapshot is the very input drawn: rerun, it gives the stored digests.
    const input = decodeDrawSnapshot(gunzipSync(row.input_snapshot).toString('utf8'));
    assert.equal(input.seed, row.seed);
    // Under this draw's pseudonyms (migration 0020): no request id in the snapshot.
    const as = (r: FiledRequest) => pseudonymOf(row.secret!, r.id);
    assert.deepEqual(input.requests.map((r) => r.id).sort(), [as(early), as(urgent), as(late)].sort());
    assert.equal(input.requests.find((r) => r.id === as(urgent))!.priorityClass, 0);
    // The batch is the local day each request was queued on (Paris), not its filing instant.
    assert.deepEqual(
      [early, late, urgent].map((r) => input.requests.find((x) => x.id === as(r))!.batch),
      ['2026-05-29', '2026-05-30', '2026-05-31'].map((d) => epochDayOf(d)),
    );
    const rerun = runDraw(input);
    assert.deepEqual([rerun.inputDigest, rerun.resultDigest], [row.input_digest, row.result_digest]);
    assert.deepEqual(
      rerun.assignments.map((a) => a.requestId),
      [as(urgent), as(early)],
    );

    const replay = await replayDraw({ draws: createDrawStore(db()) }, report.drawId);
    assert.equal(replay.identical, true, replay.summary);
    assert.deepEqual([replay.storedOffers, replay.replayedAssignments], [2, 2]);
  });

  it('replay reports altered offers, an altered snapshot and an unreadable one', async () => {
    const s = await createAllocationScenario(db());
    const slots = await drawnSlots(s, 3, IN_A_WEEK_9H);
    const first = await file(s, { filedAt: later(-2 * DAY) });
    await file(s, { filedAt: later(-1 * DAY) });
    const report = await draw(s);
    assert.equal(report.assignedCount, 2);
    const draws = createDrawStore(db());
    const [offer] = await offersOf(first);
    const offered = new Set(
      (await db().selectFrom('offer').select('slot_id').where('draw_id', '=', report.drawId).execute()).map(
        (o) => o.slot_id,
      ),
    );
    const free = slots.find((id) => !offered.has(id))!;

    // Someone moves an offer to another slot behind the draw's back.
    await db().updateTable('offer').set({ slot_id: free }).where('id', '=', offer!.id).execute();
    const altered = await replayDraw({ draws }, report.drawId);
    assert.equal(altered.identical, false);
    assert.equal(altered.inputDigestMatches, true);
    assert.deepEqual(altered.firstDifference, {
      index: 0,
      stored: { requestId: first.id, slotId: free },
      replayed: { requestId: first.id, slotId: offer!.slot_id },
    });
    assert.match(altered.summary, /assignment #1 differs/);
    await db().updateTable('offer').set({ slot_id: offer!.slot_id }).where('id', '=', offer!.id).execute();
    assert.equal((await replayDraw({ draws }, report.drawId)).identical, true);

    // Someone rewrites the snapshot (an earlier batch for the second request).
    const row = await db()
      .selectFrom('draw')
      .select(['input_snapshot'])
      .where('id', '=', report.drawId)
      .executeTakeFirstOrThrow();
    const input = decodeDrawSnapshot(gunzipSync(row.input_snapshot).toString('utf8'));
    const forged = {
      ...input,
      requests: input.requests.map((r) => (r.id === first.id ? r : { ...r, batch: r.batch - 7 })),
    };
    await db()
      .updateTable('draw')
      .set({ input_snapshot: gzipSync([...encodeDrawSnapshot(forged)].join('')) })
      .where('id', '=', report.drawId)
      .execute();
    const forgedReplay = await replayDraw({ draws }, report.drawId);
    assert.deepEqual([forgedReplay.identical, forgedReplay.inputDigestMatches], [false, false]);
    assert.match(forgedReplay.summary, /input digest mismatch/);

    await db()
      .updateTable('draw')
      .set({ input_snapshot: Buffer.from('not gzip at all') })
      .where('id', '=', report.drawId)
      .execute();
    const unreadable = await replayDraw({ draws }, report.drawId);
    assert.deepEqual([unreadable.identical, unreadable.snapshotReadable], [false, false]);

    await assert.rejects(replayDraw({ draws }, '00000000-0000-4000-8000-000000000000'), code('DRAW_NOT_FOUND'));
    await assert.rejects(replayDraw({ draws }, 'not-a-uuid'), code('DRAW_NOT_FOUND'));
  });

  it('elects one of two instances drawing the same tick, and never offers a slot twice', async () => {
    const s = await createAllocationScenario(db());
    await drawnSlots(s, 5, IN_A_WEEK_9H);
    for (let i = 0; i < 8; i++) await file(s, { filedAt: later(-(i + 1) * HOUR) });
    // Two "instances": two stores, each running its transactions on its own connection (on
    // PostgreSQL; PGlite has one connection and serialises them — the outcome must be the same).
    const instanceA = testAllocationContext(db(), clock, {}, createDrawStore(db()));
    const instanceB = testAllocationContext(db(), clock, {}, createDrawStore(db()));
    const tick = clock.now();
    const reports = await Promise.all(
      [instanceA, instanceB].map((c) =>
        runDrawForTick(c, { prefectureId: s.prefectureId, procedureId: s.procedureId, tick, trigger: 'daily' }),
      ),
    );
    assert.deepEqual(reports.map((r) => r.status).sort(), ['already-drawn', 'drawn']);
    const draws = await db().selectFrom('draw').select('id').where('procedure_id', '=', s.procedureId).execute();
    assert.equal(draws.length, 1);

    // Two different ticks at once (a manual draw during the daily one) are serialised: the
    // second sees the first's offers and gives only what is left.
    await drawnSlots(s, 3, later(DAY, IN_A_WEEK_9H));
    clock.set(later(HOUR));
    const [x, y] = await Promise.all(
      [instanceA, instanceB].map((c, i) =>
        runDrawForTick(c, {
          prefectureId: s.prefectureId,
          procedureId: s.procedureId,
          tick: later(i * 60_000, clock.now()),
          trigger: 'manual',
        }),
      ),
    );
    assert.deepEqual([x!.status, y!.status], ['drawn', 'drawn']);
    const offers = await db()
      .selectFrom('offer as o')
      .innerJoin('slot as s', 's.id', 'o.slot_id')
      .select(['o.slot_id', 'o.request_id', 'o.status'])
      .where('s.procedure_id', '=', s.procedureId)
      .execute();
    assert.equal(offers.length, 8);
    assert.equal(new Set(offers.map((o) => o.slot_id)).size, 8);
    assert.equal(new Set(offers.map((o) => o.request_id)).size, 8);
  });

  /** A draw context whose store reads `batchSize` rows per FETCH, and whose seed is fixed (the same lottery every draw). */
  const fixedSeedContext = (batchSize: number, readSlotsBeside = false): AllocationContext => {
    const context = testAllocationContext(db(), clock, {}, createDrawStore(db(), { batchSize, readSlotsBeside }));
    return { ...context, secrets: { ...context.secrets, randomBytes: (count) => new Uint8Array(count).fill(42) } };
  };
  const offersOfDraw = async (drawId: string) =>
    (await db().selectFrom('offer').select(['request_id', 'slot_id', 'status']).where('draw_id', '=', drawId).execute())
      .map((o) => `${o.request_id} → ${o.slot_id} ${o.status}`)
      .sort();

  it('reads and writes a draw in batches: requests, slots and offers spanning several batches give the offers of one batch, and slots read on a connection of their own (PostgreSQL) the same as in the draw transaction', async () => {
    const s = await createAllocationScenario(db());
    await drawnSlots(s, 7, IN_A_WEEK_9H);
    const requests: FiledRequest[] = [];
    for (let i = 0; i < 11; i++)
      requests.push(
        await file(s, { filedAt: later(-(1 + (i % 3)) * DAY), ...(i % 4 === 0 ? { urgencyDate: '2026-05-20' } : {}) }),
      );
    const sundaysOnly = await file(s, { weekdays: [7] }); // read, drawn, given nothing: the slots are on a Monday

    // Batches of 2: 6 fetches of requests, 4 of slots, 4 of the offer notices (the offers: one statement).
    // On PostgreSQL the slots are read on a connection of their own, beside the requests, as in production.
    const inBatches = await draw(s, clock.now(), fixedSeedContext(2, engine === 'postgres'));
    assert.deepEqual([inBatches.requestsCount, inBatches.slotsCount, inBatches.assignedCount], [12, 7, 7]);
    const offers = await offersOfDraw(inBatches.drawId);
    assert.equal(offers.length, 7);
    assert.ok(offers.every((o) => o.endsWith(' pending')));
    assert.equal((await requestRow(sundaysOnly)).status, 'waiting');
    const replay = await replayDraw({ draws: createDrawStore(db()) }, inBatches.drawId);
    assert.equal(replay.identical, true, replay.summary);

    // Undo it, and draw the same tick with the same seed in one batch, every read in the draw's
    // transaction: the same input, the same offers.
    await db().deleteFrom('offer').where('draw_id', '=', inBatches.drawId).execute();
    await db()
      .updateTable('allocation_request')
      .set({ status: 'waiting' })
      .where(
        'id',
        'in',
        requests.map((r) => r.id),
      )
      .execute();
    await db().deleteFrom('draw').where('id', '=', inBatches.drawId).execute();
    const inOne = await draw(s, clock.now(), fixedSeedContext(1000));
    assert.deepEqual([inOne.inputDigest, inOne.resultDigest], [inBatches.inputDigest, inBatches.resultDigest]);
    assert.deepEqual(await offersOfDraw(inOne.drawId), offers);
    // Every pending offer's email, read back across the notice batches as in one.
    assert.ok(inBatches.messagesQueued >= 7, String(inBatches.messagesQueued));
    assert.equal(inBatches.messagesQueued, inOne.messagesQueued);
  });

  it("gives a draw's offers ids ordered as they are written (UUID version 7: the draw's instant, then a counter), apart from another draw's", async () => {
    const s = await createAllocationScenario(db());
    await drawnSlots(s, 6, IN_A_WEEK_9H);
    for (let i = 0; i < 6; i++) await file(s, { filedAt: later(-(1 + i) * DAY) });
    const first = await draw(s);
    const offers = await db()
      .selectFrom('offer')
      .select(['id', 'request_id', 'created_at'])
      .where('draw_id', '=', first.drawId)
      .orderBy('request_id')
      .execute();
    assert.equal(offers.length, 6);
    const ids = offers.map((o) => o.id);
    assert.deepEqual([...ids].sort(), ids, 'written in request order, the ids ascend with it');
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16), offers[0]!.created_at.getTime());
    }
    // A second draw at the same instant (the next tick; the offers declined away first) gets ids of its own.
    await db().updateTable('offer').set({ status: 'declined', decided_at: clock.now() }).execute();
    const second = await draw(s, later(HOUR));
    const again = await db().selectFrom('offer').select('id').where('draw_id', '=', second.drawId).execute();
    assert.equal(again.length, 6);
    assert.equal(again.filter((o) => ids.includes(o.id)).length, 0);
  });

  // PGlite has one connection: a draw reads its slots in its own transaction there anyway.
  if (engine === 'postgres')
    it('a draw whose pool has no connection to spare reads its slots in its own transaction (PostgreSQL)', async () => {
      const s = await createAllocationScenario(db());
      await drawnSlots(s, 3, IN_A_WEEK_9H);
      const filed = [await file(s), await file(s)];
      // One connection, held by the draw's transaction: the side read waits 100 ms for another, in vain.
      const lone = anotherView(database(), 1, { connectionTimeoutMs: 100 });
      try {
        const store = createDrawStore(lone.db, { readSlotsBeside: true });
        const report = await draw(s, clock.now(), testAllocationContext(lone.db, clock, {}, store));
        assert.deepEqual([report.requestsCount, report.slotsCount, report.assignedCount], [2, 3, 2]);
        assert.deepEqual(
          [
            ...(
              await requestStatuses(
                db(),
                filed.map((r) => r.id),
              )
            ).values(),
          ],
          ['offered', 'offered'],
        );
      } finally {
        await lone.close();
      }
    });

  it('writes all of a draw or nothing: a constraint refusing one offer in the middle of the writes leaves no offer, no offered request and no draw behind', async () => {
    const s = await createAllocationScenario(db());
    await drawnSlots(s, 6, IN_A_WEEK_9H);
    const queue: FiledRequest[] = [];
    for (let i = 0; i < 6; i++) queue.push(await file(s, { filedAt: later(-(i + 1) * HOUR) }));
    // Planted for the test: a constraint that refuses one of the six offers, wherever the
    // draw's one statement writes it.
    await sql`alter table offer add constraint refuses_one_offer check (request_id <> ${sql.lit(queue[3]!.id)}::uuid)`.execute(
      db(),
    );
    clock.set(later(HOUR));
    await assert.rejects(
      runDrawForTick(fixedSeedContext(2), {
        prefectureId: s.prefectureId,
        procedureId: s.procedureId,
        tick: clock.now(),
        trigger: 'manual',
      }),
      (e: unknown) => (e as { constraint?: string }).constraint === 'refuses_one_offer',
    );
    assert.deepEqual(
      await db().selectFrom('draw').select('id').where('procedure_id', '=', s.procedureId).execute(),
      [],
    );
    const ids = queue.map((r) => r.id);
    assert.deepEqual(await db().selectFrom('offer').select('request_id').where('request_id', 'in', ids).execute(), []);
    assert.deepEqual([...(await requestStatuses(db(), ids)).values()], Array(6).fill('waiting'));
    // Nothing was half-written: without the planted constraint, the same tick draws the six.
    await sql`alter table offer drop constraint refuses_one_offer`.execute(db());
    const report = await draw(s, clock.now(), fixedSeedContext(2));
    assert.deepEqual([report.requestsCount, report.assignedCount], [6, 6]);
    assert.deepEqual([...(await requestStatuses(db(), ids)).values()], Array(6).fill('offered'));
  });

  it('a request withdrawn while its draw runs never keeps the offer: withdrawn before the write or in flight during it (PostgreSQL), the offer is written withdrawn; after it, the withdrawal waits for the draw and takes the offer with it', async () => {
    const s = await createAllocationScenario(db());
    await drawnSlots(s, 4, IN_A_WEEK_9H);
    const [before, inFlight, during, stays] = [await file(s), await file(s), await file(s), await file(s)];
    const requests = () => requestContext(testContext(db(), clock), createRequestStore(db()));
    const store = createDrawStore(db());
    const withdrawals: Promise<unknown>[] = [];
    /** On PostgreSQL: `inFlight` withdrawn by a transaction still open when the draw writes, committed once the draw waits for it. */
    const writeWithWithdrawalInFlight = async (write: () => Promise<{ pending: number }>) =>
      whileHeldOpen(
        db(),
        (trx) => sql`update allocation_request set status = 'withdrawn' where id = ${inFlight.id}::uuid`.execute(trx),
        write,
      );
    const racing: DrawStore = {
      ...store,
      transaction: (work) =>
        store.transaction((repos) =>
          work({
            ...repos,
            offers: {
              ...repos.offers,
              async record(drawId, offers, now) {
                // PGlite has one connection: another transaction runs only after the draw's commit,
                // so there the first withdrawal too comes after the draw, and none is in flight.
                if (engine === 'postgres') await withdrawRequest(requests(), before.token);
                else withdrawals.push(withdrawRequest(requests(), before.token));
                const write = () => repos.offers.record(drawId, offers, now);
                const recorded = engine === 'postgres' ? await writeWithWithdrawalInFlight(write) : await write();
                withdrawals.push(withdrawRequest(requests(), during.token));
                // On PostgreSQL, the draw goes on only once the withdrawal waits for its lock.
                if (engine === 'postgres') await untilSomeoneWaits(db());
                return recorded;
              },
            },
          }),
        ),
    };
    const report = await draw(s, clock.now(), testAllocationContext(db(), clock, {}, racing));
    await Promise.all(withdrawals);
    const pg = engine === 'postgres';
    assert.deepEqual([report.requestsCount, report.withdrawnCount], [4, pg ? 2 : 0]);
    const offers = new Map((await offersOfDraw(report.drawId)).map((o) => [o.split(' → ')[0], o.split(' ').pop()]));
    assert.deepEqual(
      [before, inFlight, during, stays].map((r) => offers.get(r.id)),
      ['withdrawn', pg ? 'withdrawn' : 'pending', 'withdrawn', 'pending'],
    );
    const statuses = await requestStatuses(db(), [before.id, inFlight.id, during.id, stays.id]);
    assert.deepEqual(
      [before, inFlight, during, stays].map((r) => statuses.get(r.id)),
      ['withdrawn', pg ? 'withdrawn' : 'offered', 'withdrawn', 'offered'],
    );
  });

  it("confirming makes the appointment with the request's identity, managed by the same token", async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await drawnSlots(s, 1, IN_A_WEEK_9H);
    const request = await file(s, { surname: 'Ndiaye' });
    // Before the draw there is a request and no offer; an unknown token opens nothing.
    await assert.rejects(viewOffer(ctx(), request.token), code('OFFER_NOT_FOUND'));
    await assert.rejects(viewOffer(ctx(), 'unknown-token-0123456789'), code('REQUEST_NOT_FOUND'));
    await draw(s);
    const pending = await viewOffer(ctx(), request.token);
    assert.deepEqual(
      [pending.status, pending.slot.slotId, pending.expiresAtLocal, pending.slot.localTime],
      ['pending', slotId, '2026-06-03 10:00', '09:00'],
    );
    assert.equal(pending.extensionWouldEndAt, later(96 * HOUR).toISOString());

    clock.set(later(HOUR));
    const { appointment, offer } = await confirmOffer(ctx(), request.token);
    assert.deepEqual(
      [appointment.status, appointment.slotId, appointment.applicant.surname, appointment.applicant.email],
      ['booked', slotId, 'Ndiaye', request.email],
    );
    assert.equal(offer.status, 'confirmed');
    assert.equal(offer.request.status, 'booked');
    const row = await db()
      .selectFrom('appointment')
      .selectAll()
      .where('reference', '=', appointment.reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.identity_key, row.passport_number, row.channel, row.management_token_hash],
      [request.identityKey, request.passportNumber, 'online', hasher().tokenDigest(request.token)],
    );
    const offerRow = (await offersOf(request))[0]!;
    assert.deepEqual([offerRow.status, offerRow.appointment_id], ['confirmed', row.id]);
    assert.equal((await requestRow(request)).status, 'booked');
    // The request's token now opens the appointment.
    assert.equal((await viewAppointment(testContext(db(), clock), request.token)).reference, appointment.reference);
    await assert.rejects(confirmOffer(ctx(), request.token), code('OFFER_NOT_FOUND'));
    await assert.rejects(confirmOffer(ctx(), 'unknown-token-0123456789'), code('REQUEST_NOT_FOUND'));
  });

  it("declining requeues the request in today's batch (behind earlier batches) and it sits the next draw out", async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await drawnSlots(s, 1, IN_A_WEEK_9H);
    const first = await file(s, { filedAt: later(-3 * DAY) }); // batch 29 May
    const middle = await file(s, { filedAt: later(-2 * DAY) }); // batch 30 May
    await draw(s);
    assert.equal((await offersOf(first))[0]!.slot_id, slotId);

    clock.set(later(HOUR));
    const declined = await declineOffer(ctx(), first.token);
    assert.deepEqual(
      [declined.status, declined.request.status, declined.request.declinedCount, declined.request.declinesLeft],
      ['declined', 'waiting', 1, 1],
    );
    const afterDecline = await requestRow(first);
    assert.deepEqual(
      [afterDecline.status, afterDecline.declined_count, afterDecline.queued_on],
      ['waiting', 1, '2026-06-01'],
    );
    await assert.rejects(declineOffer(ctx(), first.token), code('OFFER_NOT_FOUND'));

    // A draw right after: the freed slot has not waited its window, and the decliner sits it out.
    clock.set(later(HOUR + 60_000));
    const soon = await draw(s);
    assert.deepEqual([soon.requestsCount, soon.slotsCount, soon.assignedCount, soon.openedCount], [1, 0, 0, 0]);
    // Two hours later the slot is drawn: the request of 30 May now comes before the one that said no.
    clock.set(later(3 * HOUR));
    const next = await draw(s);
    assert.deepEqual([next.requestsCount, next.slotsCount, next.assignedCount], [2, 1, 1]);
    assert.equal((await offersOf(middle))[0]!.slot_id, slotId);
    assert.equal((await requestRow(first)).status, 'waiting');
  });

  it("limits declines to the procedure's max_declines: the third closes the request, with an email", async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await drawnSlots(s, 1, IN_A_WEEK_9H);
    const request = await file(s);
    // Each round: offered, declined an hour later, sits one draw out, offered again.
    for (let round = 0; round < 3; round++) {
      const t0 = later(round * 3 * HOUR);
      clock.set(t0);
      const offering = await draw(s);
      assert.equal(offering.assignedCount, 1, `round ${round}`);
      clock.set(later(HOUR, t0));
      const view = await declineOffer(ctx(), request.token);
      assert.deepEqual(
        [view.request.status, view.request.declinedCount],
        [round < 2 ? 'waiting' : 'closed', round + 1],
      );
      clock.set(later(2 * HOUR, t0));
      if (round < 2) assert.equal((await draw(s)).assignedCount, 0);
    }
    const closed = await requestRow(request);
    assert.deepEqual(
      [closed.status, closed.declined_count, closed.closed_at?.toISOString()],
      ['closed', 3, later(7 * HOUR).toISOString()],
    );
    const offers = await offersOf(request);
    assert.deepEqual(
      [
        offers.length,
        new Set(offers.map((o) => o.slot_id)).size,
        offers.every((o) => o.status === 'declined' && o.slot_id === slotId),
      ],
      [3, 1, true],
    );
    const mail = await db().selectFrom('outbox').select('kind').where('recipient', '=', request.email).execute();
    assert.ok(
      mail.some((m) => m.kind === 'request-closed'),
      JSON.stringify(mail),
    );
  });

  it("an ignored offer pauses the request until its owner reconfirms (today's batch); the second ignored offer closes it, with an email on how to file again", async () => {
    const context = testAllocationContext(db(), clock);
    const requests = () => requestContext(testContext(db(), clock), createRequestStore(db()));
    const mailer = smtpMailer(smtp);
    // The emails go through the outbox: delivered by the worker, then read from the SMTP server.
    const deliver = () => deliverDueMessages(testDelivery(db(), clock, { mailer }));
    const s = await createAllocationScenario(db());
    const [slotId] = await drawnSlots(s, 1, later(10 * DAY, IN_A_WEEK_9H));
    const request = await file(s, { filedAt: later(-5 * DAY) });
    await draw(s, clock.now(), context);
    await deliver();
    const offerMail = await smtp.waitForMessage((m) => m.recipients.includes(request.email));
    assert.match(offerMail.parsed.subject ?? '', /Rendez-vous proposé/);
    assert.match(offerMail.parsed.text ?? '', /Répondez avant le mercredi 3 juin 2026 à 10h00/);

    // One minute past the deadline: confirming is refused even before the sweep.
    clock.set(later(48 * HOUR + 60_000));
    await assert.rejects(confirmOffer(context, request.token), code('OFFER_EXPIRED'));
    assert.equal((await viewOffer(context, request.token)).status, 'expired');
    // (The sweep covers the whole database: earlier tests' offers expire too.)
    assert.ok((await expireOffers(context)).expired >= 1);
    const once = await requestRow(request);
    assert.deepEqual(
      [once.status, once.ignored_count, once.closed_at, once.queued_on],
      ['paused', 1, null, '2026-05-27'],
    );
    assert.equal((await offersOf(request))[0]!.status, 'expired');
    await assert.rejects(confirmOffer(context, request.token), code('OFFER_EXPIRED'));

    // Paused: out of the draws, even once its slot has waited its window.
    clock.set(later(50 * HOUR));
    const without = await draw(s, clock.now(), context);
    assert.deepEqual([without.requestsCount, without.slotsCount, without.assignedCount], [0, 1, 0]);
    // Reconfirmed: back in, in today's batch (3 June), not its filing day.
    const back = await reconfirmRequest(requests(), request.token);
    assert.deepEqual([back.status, back.queuedOn], ['waiting', '2026-06-03']);
    await assert.rejects(reconfirmRequest(requests(), request.token), code('REQUEST_NOT_PAUSED'));
    clock.set(later(51 * HOUR));
    assert.equal((await draw(s, clock.now(), context)).assignedCount, 1);
    assert.equal((await offersOf(request))[1]!.slot_id, slotId);

    clock.set(later(100 * HOUR));
    const sweep = await expireOffers(context);
    assert.ok(sweep.expired >= 1 && sweep.closed >= 1);
    await deliver();
    const closed = await requestRow(request);
    assert.deepEqual(
      [closed.status, closed.ignored_count, closed.closed_at?.toISOString()],
      ['closed', 2, later(100 * HOUR).toISOString()],
    );
    const closure = await smtp.waitForMessage(
      (m) => m.recipients.includes(request.email) && /Demande close/.test(m.parsed.subject ?? ''),
    );
    assert.match(closure.parsed.text ?? '', /déposez une nouvelle demande/);
    // A closed request is out of the queue.
    assert.equal((await draw(s, clock.now(), context)).requestsCount, 0);
    mailer.close();
  });

  it('extends an offer once, then refuses; an extended offer still expires', async () => {
    const s = await createAllocationScenario(db());
    await drawnSlots(s, 1, IN_A_WEEK_9H);
    const request = await file(s);
    await draw(s);
    clock.set(later(47 * HOUR));
    const extended = await extendOffer(ctx(), request.token);
    assert.deepEqual(
      [extended.extended, extended.expiresAt, extended.extensionWouldEndAt],
      [true, later(96 * HOUR).toISOString(), null],
    );
    assert.equal(new Date((await offersOf(request))[0]!.expires_at).toISOString(), later(96 * HOUR).toISOString());
    await assert.rejects(extendOffer(ctx(), request.token), code('OFFER_ALREADY_EXTENDED'));
    clock.set(later(96 * HOUR));
    await assert.rejects(confirmOffer(ctx(), request.token), code('OFFER_EXPIRED'));
    await assert.rejects(extendOffer(ctx(), request.token), code('OFFER_EXPIRED'));
  });

  it("a cancelled appointment's slot is not bookable first come: it goes to the next draw among those waiting (the hand-off fails)", async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H); // opened by an earlier draw
    const [awaiting] = await drawnSlots(s, 1, later(DAY, IN_A_WEEK_9H));
    const booking = testContext(db(), clock);
    const holder = applicant();
    const booked = await bookSlot(booking, {
      slotId: slotId!,
      applicant: holder,
      emailProof: await knownEmailProof(booking, holder.email),
    });
    // Moving onto a slot awaiting its draw is refused.
    await assert.rejects(
      rescheduleAppointment(booking, {
        managementToken: booked.confirmation.managementToken,
        slotId: awaiting!,
        emailProof: await knownEmailProof(booking, holder.email, 'reschedule'),
      }),
      code('SLOT_UNAVAILABLE'),
    );
    const waiting = await file(s, { filedAt: later(-DAY) });

    // The holder cancels; the accomplice, ready, books the slot the same second: refused.
    await cancelAppointment(booking, booked.confirmation.managementToken);
    const slot = await db()
      .selectFrom('slot')
      .select(['opened_at', 'available_since'])
      .where('id', '=', slotId!)
      .executeTakeFirstOrThrow();
    assert.deepEqual([slot.opened_at, new Date(slot.available_since).toISOString()], [null, NOW.toISOString()]);
    const accomplice = applicant();
    await assert.rejects(
      bookSlot(booking, {
        slotId: slotId!,
        applicant: accomplice,
        emailProof: await knownEmailProof(booking, accomplice.email),
      }),
      code('SLOT_UNAVAILABLE'),
    );
    const listed = await listFreeSlots(booking, {
      procedureId: s.procedureId,
      siteIds: [s.siteId],
      fromDate: '2026-06-01',
      toDate: '2026-06-30',
      limit: 50,
    });
    assert.ok(!listed.slots.some((f) => f.slotId === slotId), 'a freed slot is not listed');

    // Half an hour later it has not waited its window (an hour for a freed slot): not drawn yet.
    clock.set(later(30 * 60_000));
    const early = await draw(s);
    // Only the other slot, released long ago; nobody waits afterwards, yet the freed slot does not open either.
    assert.deepEqual([early.slotsCount, early.assignedCount, early.openedCount], [1, 1, 0]);
    const offered = await offersOf(waiting);
    assert.equal(offered[0]!.slot_id, awaiting);
    clock.set(later(40 * 60_000));
    await declineOffer(ctx(), waiting.token);
    // After the window it goes to whoever waits (the decliner sits this draw out: a newcomer takes it).
    const newcomer = await file(s);
    clock.set(later(2 * HOUR));
    const next = await draw(s);
    assert.deepEqual([next.requestsCount, next.slotsCount, next.assignedCount, next.openedCount], [1, 2, 1, 0]);
    const newcomerOffer = (await offersOf(newcomer))[0]!;
    assert.ok([slotId, awaiting].includes(newcomerOffer.slot_id));
    await assert.rejects(
      bookSlot(booking, {
        slotId: slotId!,
        applicant: accomplice,
        emailProof: await knownEmailProof(booking, accomplice.email),
      }),
      code('SLOT_UNAVAILABLE'),
    );
  });

  it('runs each due tick once when two instances run the scheduler at the same moment (daily, then hourly)', async () => {
    const s = await createAllocationScenario(db(), { prefectureId: '974', timeZone: 'Indian/Reunion' });
    await db().insertInto('draw_schedule').values({ prefecture_id: '974', daily_at: '07:00' }).execute();
    await drawnSlots(s, 2, IN_A_WEEK_9H);
    const request = await file(s, { filedAt: new Date('2026-05-30T10:00:00Z') });
    clock.set('2026-06-01T04:30:00Z'); // 08:30 in Réunion: the 08:00 tick (04:00Z) is the latest due
    const instances = [
      testAllocationContext(db(), clock, {}, createDrawStore(db())),
      testAllocationContext(db(), clock, {}, createDrawStore(db())),
    ];
    const runs = await Promise.all(instances.map((c) => runDueDraws(c)));
    for (const run of runs) assert.deepEqual(run.failures, []);
    const ours = runs.flatMap((r) => r.draws).filter((d) => d.procedureId === s.procedureId);
    assert.equal(ours.filter((d) => d.status === 'drawn').length, 1);
    const ticks = async () =>
      (
        await db()
          .selectFrom('draw')
          .select(['tick', 'trigger'])
          .where('procedure_id', '=', s.procedureId)
          .orderBy('tick')
          .execute()
      ).map((r) => [new Date(r.tick).toISOString(), r.trigger]);
    assert.deepEqual(await ticks(), [['2026-06-01T04:00:00.000Z', 'daily']]);
    assert.equal((await requestRow(request)).status, 'offered');

    // Within the same hour nothing more is due; the next hourly tick (09:00, 05:00Z) is drawn once.
    clock.set('2026-06-01T04:59:00Z');
    assert.equal((await runDueDraws(instances[0]!)).draws.filter((d) => d.procedureId === s.procedureId).length, 0);
    await file(s);
    clock.set('2026-06-01T05:01:00Z');
    const [a, b] = await Promise.all(instances.map((c) => runDueDraws(c)));
    assert.equal(
      [...a!.draws, ...b!.draws].filter((d) => d.procedureId === s.procedureId && d.status === 'drawn').length,
      1,
    );
    assert.deepEqual(await ticks(), [
      ['2026-06-01T04:00:00.000Z', 'daily'],
      ['2026-06-01T05:00:00.000Z', 'daily'],
    ]);
  });

  it('runs the scheduler on a timer without overlapping runs, and stops after the current one', async () => {
    const reports: unknown[] = [];
    const scheduler = startDrawScheduler(ctx(), { intervalMs: 3_600_000, onReport: (r) => reports.push(r) });
    const [first, second] = await Promise.all([scheduler.runNow(), scheduler.runNow()]);
    assert.ok(first);
    assert.equal(second, null);
    const third = scheduler.runNow();
    await scheduler.stop();
    assert.ok(await third);
    assert.equal(reports.length, 2);
  });
});
