import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import type { AllocationContext } from '../../src/app/allocation-context.ts';
import { bookSlot } from '../../src/app/book-slot.ts';
import { cancelAppointment } from '../../src/app/cancel-appointment.ts';
import { deliverDueMessages } from '../../src/app/deliver-outbox.ts';
import { confirmOffer } from '../../src/app/confirm-offer.ts';
import { declineOffer } from '../../src/app/decline-offer.ts';
import { runDueDraws, startDrawScheduler } from '../../src/app/draw-scheduler.ts';
import { expireOffers } from '../../src/app/expire-offers.ts';
import { extendOffer } from '../../src/app/extend-offer.ts';
import { replayDraw } from '../../src/app/replay-draw.ts';
import { rescheduleAppointment } from '../../src/app/reschedule-appointment.ts';
import { runDrawForTick, type DrawRunReport } from '../../src/app/run-draw.ts';
import { viewAppointment } from '../../src/app/view-appointment.ts';
import { viewOffer } from '../../src/app/view-offer.ts';
import { runDraw } from '../../src/domain/allocation-draw.ts';
import { decodeDrawSnapshot, encodeDrawSnapshot } from '../../src/domain/draw-snapshot.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { createAllocationScenario, fileRequest, testAllocationContext, type FiledRequest } from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { smtpMailer, testDelivery } from '../support/outbox.ts';
import { applicant, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday, 10:00 in Paris
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z'); // Monday 8 June, 09:00 in Paris
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const later = (ms: number, from = NOW) => new Date(from.getTime() + ms);
const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

describeEachEngine('draws and offers', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const db = () => database().db;
  const ctx = (): AllocationContext => testAllocationContext(db(), clock);
  const hasher = () => testContext(db(), clock).hasher;
  const file = (s: { prefectureId: string; procedureId: string; siteId: string }, overrides: Parameters<typeof fileRequest>[3] = {}) =>
    fileRequest(db(), hasher(), s, overrides);
  const draw = async (s: { prefectureId: string; procedureId: string }, tick = clock.now(), context = ctx()) => {
    const report = await runDrawForTick(context, { prefectureId: s.prefectureId, procedureId: s.procedureId, tick, trigger: 'manual' });
    assert.equal(report.status, 'drawn');
    return report as Extract<DrawRunReport, { status: 'drawn' }>;
  };
  const requestRow = (r: FiledRequest) => db().selectFrom('allocation_request').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow();
  const offersOf = (r: FiledRequest) => db().selectFrom('offer').selectAll().where('request_id', '=', r.id).orderBy('created_at').execute();

  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(() => smtp?.close());

  it('assigns by priority class, then filing order, and stores the seed, the digests and a snapshot that replays identically', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(2, IN_A_WEEK_9H);
    const early = await file(s, { filedAt: later(-3 * DAY) });
    const urgent = await file(s, { filedAt: later(-1 * DAY), urgencyDate: '2026-05-20' }); // permit expired: class 0
    const late = await file(s, { filedAt: later(-2 * DAY) });

    const report = await draw(s);
    assert.deepEqual([report.requestsCount, report.slotsCount, report.assignedCount, report.withdrawnCount], [3, 2, 2, 0]);
    assert.deepEqual([(await requestRow(urgent)).status, (await requestRow(early)).status, (await requestRow(late)).status], ['offered', 'offered', 'waiting']);
    const [offer] = await offersOf(urgent);
    assert.equal(offer!.status, 'pending');
    assert.equal(new Date(offer!.expires_at).toISOString(), later(48 * HOUR).toISOString());

    const row = await db().selectFrom('draw').selectAll().where('id', '=', report.drawId).executeTakeFirstOrThrow();
    assert.match(row.seed, /^[0-9a-f]{64}$/);
    assert.equal(row.seed, report.seed);
    assert.match(row.input_digest, /^[0-9a-f]{64}$/);
    assert.match(row.result_digest, /^[0-9a-f]{64}$/);
    assert.deepEqual([row.trigger, row.allocation_order, row.requests_count, row.slots_count, row.assigned_count], ['manual', 'fifo', 3, 2, 2]);
    // The snapshot is the very input drawn: rerun, it gives the stored digests.
    const input = decodeDrawSnapshot(gunzipSync(row.input_snapshot).toString('utf8'));
    assert.equal(input.seed, row.seed);
    assert.deepEqual(input.requests.map((r) => r.id).sort(), [early.id, urgent.id, late.id].sort());
    assert.equal(input.requests.find((r) => r.id === urgent.id)!.priorityClass, 0);
    const rerun = runDraw(input);
    assert.deepEqual([rerun.inputDigest, rerun.resultDigest], [row.input_digest, row.result_digest]);
    assert.deepEqual(rerun.assignments.map((a) => a.requestId), [urgent.id, early.id]);

    const replay = await replayDraw({ draws: createDrawStore(db()) }, report.drawId);
    assert.equal(replay.identical, true, replay.summary);
    assert.deepEqual([replay.storedOffers, replay.replayedAssignments], [2, 2]);
  });

  it('replay reports altered offers, an altered snapshot and an unreadable one', async () => {
    const s = await createAllocationScenario(db());
    const slots = await s.addSlots(3, IN_A_WEEK_9H);
    const first = await file(s, { filedAt: later(-2 * DAY) });
    await file(s, { filedAt: later(-1 * DAY) });
    const report = await draw(s);
    assert.equal(report.assignedCount, 2);
    const draws = createDrawStore(db());
    const [offer] = await offersOf(first);
    const offered = new Set((await db().selectFrom('offer').select('slot_id').where('draw_id', '=', report.drawId).execute()).map((o) => o.slot_id));
    const free = slots.find((id) => !offered.has(id))!;

    // Someone moves an offer to another slot behind the draw's back.
    await db().updateTable('offer').set({ slot_id: free }).where('id', '=', offer!.id).execute();
    const altered = await replayDraw({ draws }, report.drawId);
    assert.equal(altered.identical, false);
    assert.equal(altered.inputDigestMatches, true);
    assert.deepEqual(altered.firstDifference, { index: 0, stored: { requestId: first.id, slotId: free }, replayed: { requestId: first.id, slotId: offer!.slot_id } });
    assert.match(altered.summary, /assignment #1 differs/);
    await db().updateTable('offer').set({ slot_id: offer!.slot_id }).where('id', '=', offer!.id).execute();
    assert.equal((await replayDraw({ draws }, report.drawId)).identical, true);

    // Someone rewrites the snapshot (an earlier filing time for the second request).
    const row = await db().selectFrom('draw').select(['input_snapshot']).where('id', '=', report.drawId).executeTakeFirstOrThrow();
    const input = decodeDrawSnapshot(gunzipSync(row.input_snapshot).toString('utf8'));
    const forged = { ...input, requests: input.requests.map((r) => (r.id === first.id ? r : { ...r, filedAt: r.filedAt - 7 * DAY })) };
    await db().updateTable('draw').set({ input_snapshot: gzipSync([...encodeDrawSnapshot(forged)].join('')) }).where('id', '=', report.drawId).execute();
    const forgedReplay = await replayDraw({ draws }, report.drawId);
    assert.deepEqual([forgedReplay.identical, forgedReplay.inputDigestMatches], [false, false]);
    assert.match(forgedReplay.summary, /input digest mismatch/);

    await db().updateTable('draw').set({ input_snapshot: Buffer.from('not gzip at all') }).where('id', '=', report.drawId).execute();
    const unreadable = await replayDraw({ draws }, report.drawId);
    assert.deepEqual([unreadable.identical, unreadable.snapshotReadable], [false, false]);

    await assert.rejects(replayDraw({ draws }, '00000000-0000-4000-8000-000000000000'), code('DRAW_NOT_FOUND'));
    await assert.rejects(replayDraw({ draws }, 'not-a-uuid'), code('DRAW_NOT_FOUND'));
  });

  it('elects one of two instances drawing the same tick, and never offers a slot twice', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(5, IN_A_WEEK_9H);
    for (let i = 0; i < 8; i++) await file(s, { filedAt: later(-(i + 1) * HOUR) });
    // Two "instances": two stores, each running its transactions on its own connection (on
    // PostgreSQL; PGlite has one connection and serialises them — the outcome must be the same).
    const instanceA = testAllocationContext(db(), clock, {}, createDrawStore(db()));
    const instanceB = testAllocationContext(db(), clock, {}, createDrawStore(db()));
    const tick = clock.now();
    const reports = await Promise.all([instanceA, instanceB].map((c) =>
      runDrawForTick(c, { prefectureId: s.prefectureId, procedureId: s.procedureId, tick, trigger: 'daily' })));
    assert.deepEqual(reports.map((r) => r.status).sort(), ['already-drawn', 'drawn']);
    const draws = await db().selectFrom('draw').select('id').where('procedure_id', '=', s.procedureId).execute();
    assert.equal(draws.length, 1);

    // Two different ticks at once (a manual draw during the daily one) are serialised: the
    // second sees the first's offers and gives only what is left.
    await s.addSlots(3, later(DAY, IN_A_WEEK_9H));
    clock.set(later(HOUR));
    const [x, y] = await Promise.all([instanceA, instanceB].map((c, i) =>
      runDrawForTick(c, { prefectureId: s.prefectureId, procedureId: s.procedureId, tick: later(i * 60_000, clock.now()), trigger: 'manual' })));
    assert.deepEqual([x!.status, y!.status], ['drawn', 'drawn']);
    const offers = await db().selectFrom('offer as o').innerJoin('slot as s', 's.id', 'o.slot_id').select(['o.slot_id', 'o.request_id', 'o.status'])
      .where('s.procedure_id', '=', s.procedureId).execute();
    assert.equal(offers.length, 8);
    assert.equal(new Set(offers.map((o) => o.slot_id)).size, 8);
    assert.equal(new Set(offers.map((o) => o.request_id)).size, 8);
  });

  it('confirming makes the appointment with the request\'s identity, managed by the same token', async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    const request = await file(s, { surname: 'Ndiaye' });
    await draw(s);
    const pending = await viewOffer(ctx(), request.token);
    assert.deepEqual([pending.status, pending.slot.slotId, pending.expiresAtLocal, pending.slot.localTime], ['pending', slotId, '2026-06-03 10:00', '09:00']);
    assert.equal(pending.extensionWouldEndAt, later(96 * HOUR).toISOString());

    clock.set(later(HOUR));
    const { appointment, offer } = await confirmOffer(ctx(), request.token);
    assert.deepEqual([appointment.status, appointment.slotId, appointment.applicant.surname, appointment.applicant.email], ['booked', slotId, 'Ndiaye', request.email]);
    assert.equal(offer.status, 'confirmed');
    assert.equal(offer.request.status, 'booked');
    const row = await db().selectFrom('appointment').selectAll().where('reference', '=', appointment.reference).executeTakeFirstOrThrow();
    assert.deepEqual([row.identity_key, row.passport_number, row.channel, row.management_token_hash], [request.identityKey, request.passportNumber, 'online', hasher().tokenDigest(request.token)]);
    const offerRow = (await offersOf(request))[0]!;
    assert.deepEqual([offerRow.status, offerRow.appointment_id], ['confirmed', row.id]);
    assert.equal((await requestRow(request)).status, 'booked');
    // The request's token now opens the appointment.
    assert.equal((await viewAppointment(testContext(db(), clock), request.token)).reference, appointment.reference);
    await assert.rejects(confirmOffer(ctx(), request.token), code('OFFER_NOT_FOUND'));
    await assert.rejects(confirmOffer(ctx(), 'unknown-token-0123456789'), code('REQUEST_NOT_FOUND'));
  });

  it('declining frees the slot for the next draw; the request keeps its filing time and sits that draw out', async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H);
    const first = await file(s, { filedAt: later(-2 * DAY) });
    const second = await file(s, { filedAt: later(-1 * DAY) });
    await draw(s);
    assert.equal((await offersOf(first))[0]!.slot_id, slotId);

    clock.set(later(HOUR));
    const declined = await declineOffer(ctx(), first.token);
    assert.deepEqual([declined.status, declined.request.status, declined.request.declinedCount, declined.request.offersLeftBeforeClosure], ['declined', 'waiting', 1, 2]);
    const afterDecline = await requestRow(first);
    assert.deepEqual([afterDecline.status, afterDecline.declined_count, afterDecline.filed_at.toISOString()], ['waiting', 1, later(-2 * DAY).toISOString()]);
    await assert.rejects(declineOffer(ctx(), first.token), code('OFFER_NOT_FOUND'));

    // The next draw gives the slot to the next person, not back to the one who declined it.
    clock.set(later(DAY));
    const next = await draw(s);
    assert.equal(next.requestsCount, 1);
    assert.equal((await offersOf(second))[0]!.slot_id, slotId);
    assert.equal((await requestRow(first)).status, 'waiting');

    // The one after that counts the first request again, still ahead of the second.
    clock.set(later(DAY + HOUR));
    await declineOffer(ctx(), second.token);
    clock.set(later(2 * DAY));
    const third = await draw(s);
    assert.equal(third.requestsCount, 1);
    const offers = await offersOf(first);
    assert.deepEqual(offers.map((o) => o.status), ['declined', 'pending']);
  });

  it('expires unanswered offers; two ignored offers close the request, with an email on how to file again', async () => {
    const context = testAllocationContext(db(), clock);
    const mailer = smtpMailer(smtp);
    // The emails go through the outbox: delivered by the worker, then read from the SMTP server.
    const deliver = () => deliverDueMessages(testDelivery(db(), clock, { mailer }));
    const s = await createAllocationScenario(db());
    await s.addSlots(1, later(10 * DAY, IN_A_WEEK_9H));
    const request = await file(s);
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
    assert.deepEqual([once.status, once.ignored_count, once.closed_at], ['waiting', 1, null]);
    assert.equal((await offersOf(request))[0]!.status, 'expired');
    await assert.rejects(confirmOffer(context, request.token), code('OFFER_EXPIRED'));

    await draw(s, clock.now(), context);
    clock.set(later(97 * HOUR));
    const sweep = await expireOffers(context);
    assert.ok(sweep.expired >= 1 && sweep.closed >= 1);
    await deliver();
    const closed = await requestRow(request);
    assert.deepEqual([closed.status, closed.ignored_count, closed.closed_at?.toISOString()], ['closed', 2, later(97 * HOUR).toISOString()]);
    const closure = await smtp.waitForMessage((m) => m.recipients.includes(request.email) && /Demande close/.test(m.parsed.subject ?? ''));
    assert.match(closure.parsed.text ?? '', /déposez une nouvelle demande/);
    // A closed request is out of the queue.
    assert.equal((await draw(s, clock.now(), context)).requestsCount, 0);
    mailer.close();
  });

  it('extends an offer once, then refuses; an extended offer still expires', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(1, IN_A_WEEK_9H);
    const request = await file(s);
    await draw(s);
    clock.set(later(47 * HOUR));
    const extended = await extendOffer(ctx(), request.token);
    assert.deepEqual([extended.extended, extended.expiresAt, extended.extensionWouldEndAt], [true, later(96 * HOUR).toISOString(), null]);
    assert.equal(new Date((await offersOf(request))[0]!.expires_at).toISOString(), later(96 * HOUR).toISOString());
    await assert.rejects(extendOffer(ctx(), request.token), code('OFFER_ALREADY_EXTENDED'));
    clock.set(later(96 * HOUR));
    await assert.rejects(confirmOffer(ctx(), request.token), code('OFFER_EXPIRED'));
    await assert.rejects(extendOffer(ctx(), request.token), code('OFFER_EXPIRED'));
  });

  it('a cancelled appointment\'s slot is offered again by the next draw, never bookable or reachable directly', async () => {
    const s = await createAllocationScenario(db());
    const [slotId, otherSlotId] = await s.addSlots(2, IN_A_WEEK_9H);
    const first = await file(s, { filedAt: later(-2 * DAY) });
    await draw(s);
    // Only one request: the second slot stays free.
    const { appointment } = await confirmOffer(ctx(), first.token);
    const booking = testContext(db(), clock);
    // Moving onto the free slot first come, first served is refused.
    const target = appointment.slotId === slotId ? otherSlotId! : slotId!;
    await assert.rejects(rescheduleAppointment(booking, {
      managementToken: first.token, slotId: target, emailProof: await knownEmailProof(booking, first.email, 'reschedule'),
    }), code('PROCEDURE_NOT_BOOKABLE_DIRECTLY'));
    await cancelAppointment(booking, first.token);

    const person = applicant();
    await assert.rejects(bookSlot(booking, { slotId: appointment.slotId, applicant: person, emailProof: await knownEmailProof(booking, person.email) }), code('PROCEDURE_NOT_BOOKABLE_DIRECTLY'));
    const second = await file(s);
    clock.set(later(DAY));
    const next = await draw(s);
    assert.equal(next.slotsCount, 2);
    const offers = await offersOf(second);
    assert.equal(offers.length, 1);
    assert.ok([slotId, otherSlotId].includes(offers[0]!.slot_id));
    const slotsOffered = await db().selectFrom('offer').select('slot_id').where('draw_id', '=', next.drawId).execute();
    assert.deepEqual(slotsOffered.map((o) => o.slot_id), [offers[0]!.slot_id]);
  });

  it('runs each due tick once when two instances run the scheduler at the same moment', async () => {
    const s = await createAllocationScenario(db(), { prefectureId: '974', timeZone: 'Indian/Reunion' });
    await db().insertInto('draw_schedule').values({ prefecture_id: '974', daily_at: '07:00', after_release: false }).execute();
    await s.addSlots(2, IN_A_WEEK_9H);
    const request = await file(s);
    clock.set('2026-06-01T04:00:00Z'); // 08:00 in Réunion: the 07:00 draw (03:00Z) is due
    const instances = [testAllocationContext(db(), clock, {}, createDrawStore(db())), testAllocationContext(db(), clock, {}, createDrawStore(db()))];
    const runs = await Promise.all(instances.map((c) => runDueDraws(c)));
    for (const run of runs) assert.deepEqual(run.failures, []);
    const ours = runs.flatMap((r) => r.draws).filter((d) => d.procedureId === s.procedureId);
    assert.equal(ours.filter((d) => d.status === 'drawn').length, 1);
    const rows = await db().selectFrom('draw').select(['tick', 'trigger']).where('procedure_id', '=', s.procedureId).execute();
    assert.deepEqual(rows.map((r) => [new Date(r.tick).toISOString(), r.trigger]), [['2026-06-01T03:00:00.000Z', 'daily']]);
    assert.equal((await requestRow(request)).status, 'offered');

    // Later the same day nothing is due; after a release, a release tick is.
    clock.set('2026-06-01T05:00:00Z');
    assert.equal((await runDueDraws(instances[0]!)).draws.filter((d) => d.procedureId === s.procedureId).length, 0);
    await db().updateTable('draw_schedule').set({ after_release: true }).where('prefecture_id', '=', '974').execute();
    // (A queue is drawn while it has waiting requests or opening rules; this one has no rules.)
    await file(s);
    await s.addSlots(2, later(DAY, IN_A_WEEK_9H), { releasedAt: new Date('2026-06-01T05:30:00Z') });
    clock.set('2026-06-01T05:31:00Z');
    const [a, b] = await Promise.all(instances.map((c) => runDueDraws(c)));
    const released = [...a!.draws, ...b!.draws].filter((d) => d.procedureId === s.procedureId && d.status === 'drawn');
    assert.equal(released.length, 1);
    assert.equal(released[0]!.status === 'drawn' && released[0]!.trigger, 'release');
    const count = await db().selectFrom('draw').select(sql<number>`count(*)::int`.as('n')).where('procedure_id', '=', s.procedureId).executeTakeFirstOrThrow();
    assert.equal(count.n, 2);
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
