// The rules of "speed and lies buy nothing", end to end on both engines: the draw's order
// (class, batch, lottery — never the filing instant), verified urgency only, the collection
// window and the leftovers, short-notice offers, the per-email cap over requests and
// appointments, identity = document, the cooling-off, and the database trigger that keeps
// every slot for a draw before anyone may book it.
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { listFreeSlots } from '../../src/app/booking/list-free-slots.ts';
import { type DrawRunReport, runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { confirmOffer } from '../../src/app/offers/confirm-offer.ts';
import { declineOffer } from '../../src/app/offers/decline-offer.ts';
import { expireOffers } from '../../src/app/offers/expire-offers.ts';
import { fileRequest as fileRequestUseCase } from '../../src/app/requests/file-request.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import { withdrawRequest } from '../../src/app/requests/withdraw-request.ts';
import { runDraw } from '../../src/domain/allocation-draw.ts';
import { pseudonymOf } from '../../src/domain/draw-commitment.ts';
import { decodeDrawSnapshot } from '../../src/domain/draw-snapshot.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { ApplicantIdentity } from '../../src/domain/identity.ts';
import { epochDayOf } from '../../src/domain/priority.ts';
import {
  createAllocationScenario,
  type FiledRequest,
  fileRequest,
  requestStatuses,
  requestStatusOf,
  testAllocationContext,
} from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { openCounters } from '../support/requests.ts';
import { applicant, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday 1 June 2026, 10:00 in Paris
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const later = (ms: number, from = NOW) => new Date(from.getTime() + ms);
const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

async function settle<T>(attempts: Promise<T>[]) {
  const results = await Promise.allSettled(attempts);
  const wins = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const codes = results.flatMap((r) =>
    r.status === 'rejected' ? [r.reason instanceof DomainError ? r.reason.code : String(r.reason)] : [],
  );
  return { wins, codes };
}

type Scenario = Awaited<ReturnType<typeof createAllocationScenario>>;

describeEachEngine('one flow', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const db = () => database().db;
  const ctx = () => testAllocationContext(db(), clock);
  const booking = () => testContext(db(), clock);
  const requests = () => requestContext(testContext(db(), clock), createRequestStore(db()));
  const hasher = () => testContext(db(), clock).hasher;
  const file = (s: Scenario, overrides: Parameters<typeof fileRequest>[3] = {}) =>
    fileRequest(db(), hasher(), s, overrides);
  const draw = async (s: Scenario, tick = clock.now()) => {
    const report = await runDrawForTick(ctx(), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick,
      trigger: 'manual',
    });
    assert.equal(report.status, 'drawn');
    return report as Extract<DrawRunReport, { status: 'drawn' }>;
  };
  const statusOf = (r: FiledRequest) => requestStatusOf(db(), r.id);
  const offered = async (rs: FiledRequest[]) => {
    const out: FiledRequest[] = [];
    for (const r of rs) if ((await statusOf(r)) === 'offered') out.push(r);
    return out;
  };
  /** A scenario whose procedure is received Monday to Friday, for the request use case. */
  const requestable = async () => {
    const s = await createAllocationScenario(db());
    await openCounters(db(), s.counterIds, s.procedureId);
    return s;
  };
  const filing = async (s: Scenario, person: ApplicantIdentity, urgencyDate?: string) =>
    fileRequestUseCase(requests(), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      applicant: person,
      urgencyDate,
      preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
      emailProof: await knownEmailProof(requests(), person.email, 'request'),
    });
  const book = async (slotId: string, person: ApplicantIdentity) =>
    bookSlot(booking(), { slotId, applicant: person, emailProof: await knownEmailProof(booking(), person.email) });

  // --- The draw's order ------------------------------------------------------------------

  it('orders by class, then batch (the day of queueing): an earlier day always first; a declared urgency counts only once confirmed, a registry one at once', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(6, IN_A_WEEK_9H, { drawFirst: true });
    const lateDay = [await file(s, { filedAt: later(-1 * DAY) }), await file(s, { filedAt: later(-1 * DAY + HOUR) })]; // 31 May
    const earlyDay = [await file(s, { filedAt: later(-3 * DAY + HOUR) }), await file(s, { filedAt: later(-3 * DAY) })]; // 29 May
    const registry = await file(s, { filedAt: NOW, urgencyDate: '2026-05-20', urgencySource: 'registry' }); // expired, a fact: class 0, filed today
    const declared = await file(s, { filedAt: later(-4 * DAY), urgencyDate: '2026-05-20', urgencySource: 'declared' }); // pending: class 2, 28 May
    const report = await draw(s);
    assert.equal(report.assignedCount, 6);
    const row = await db()
      .selectFrom('draw')
      .select(['input_snapshot', 'secret'])
      .where('id', '=', report.drawId)
      .executeTakeFirstOrThrow();
    const input = decodeDrawSnapshot(gunzipSync(row.input_snapshot).toString('utf8'));
    // The snapshot names requests by their pseudonyms in this draw (migration 0020).
    const as = (r: { id: string }) => pseudonymOf(row.secret!, r.id);
    const key = (r: { id: string }) => {
      const x = input.requests.find((y) => y.id === as(r))!;
      return [x.priorityClass, x.batch];
    };
    assert.deepEqual(key(registry), [0, epochDayOf('2026-06-01')]);
    assert.deepEqual(key(declared), [2, epochDayOf('2026-05-28')]);
    // The choosing order: registry urgency, then the 28 May batch, then 29 May (in lottery order), then 31 May.
    const order = runDraw(input).assignments.map((a) => a.requestId);
    assert.deepEqual(order.slice(0, 2), [as(registry), as(declared)]);
    assert.deepEqual(new Set(order.slice(2, 4)), new Set(earlyDay.map(as)));
    assert.deepEqual(new Set(order.slice(4, 6)), new Set(lateDay.map(as)));

    // With one slot: the declared urgency loses to an earlier batch until an agent confirms it.
    const t = await createAllocationScenario(db());
    await t.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const claimed = await file(t, { urgencyDate: '2026-05-20', urgencySource: 'declared' });
    const older = await file(t, { filedAt: later(-2 * DAY) });
    await draw(t);
    assert.deepEqual(
      (await offered([claimed, older])).map((r) => r.id),
      [older.id],
    );
    await db()
      .updateTable('allocation_request')
      .set({ urgency_status: 'confirmed' })
      .where('id', '=', claimed.id)
      .execute();
    const oldest = await file(t, { filedAt: later(-9 * DAY) });
    await t.addSlots(1, later(DAY, IN_A_WEEK_9H), { drawFirst: true });
    clock.set(later(HOUR));
    await draw(t);
    assert.deepEqual(
      (await offered([claimed, oldest])).map((r) => r.id),
      [claimed.id],
    );
  });

  it('filing instants within a day do not matter: of three requests filed at 00:00, 1 ms later and 10 h later the same day, each is drawn first in some draws', async () => {
    const s = await createAllocationScenario(db());
    const [slotId] = await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const dawn = new Date('2026-05-31T22:00:00Z'); // 00:00 on 1 June in Paris
    const first = await file(s, { filedAt: dawn });
    const second = await file(s, { filedAt: later(1, dawn) });
    const third = await file(s, { filedAt: later(10 * HOUR + 1, dawn) });
    const winners = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const report = await draw(s, later(i * 60_000));
      assert.equal(report.assignedCount, 1);
      const offer = await db()
        .selectFrom('offer')
        .select('request_id')
        .where('draw_id', '=', report.drawId)
        .where('slot_id', '=', slotId!)
        .executeTakeFirstOrThrow();
      winners.set(offer.request_id, (winners.get(offer.request_id) ?? 0) + 1);
      // Undo the offer: the same three wait again for the next draw.
      await db().deleteFrom('offer').where('draw_id', '=', report.drawId).execute();
      await db()
        .updateTable('allocation_request')
        .set({ status: 'waiting' })
        .where('id', 'in', [first.id, second.id, third.id])
        .execute();
    }
    // Each of the three won at least once (the chance that one never does is 3·(2/3)^40 ≈ 3·10⁻⁷).
    assert.deepEqual(
      [first, second, third].map((r) => (winners.get(r.id) ?? 0) > 0),
      [true, true, true],
      JSON.stringify([...winners.values()]),
    );
  });

  // --- Collection window and leftovers -----------------------------------------------------

  it('a draw less than 12 h after a release takes nothing; with nobody waiting, the leftovers open and can be booked', async () => {
    const s = await createAllocationScenario(db());
    const slots = await s.addSlots(2, IN_A_WEEK_9H, { drawFirst: true, releasedAt: later(-6 * HOUR) });
    const person = applicant();
    const early = await draw(s);
    assert.deepEqual([early.slotsCount, early.openedCount], [0, 0]);
    await assert.rejects(book(slots[0]!, person), code('SLOT_UNAVAILABLE'));
    const search = {
      procedureId: s.procedureId,
      siteIds: [s.siteId],
      fromDate: '2026-06-01',
      toDate: '2026-06-30',
      limit: 50,
    };
    assert.equal((await listFreeSlots(booking(), search)).slots.length, 0);

    clock.set(later(6 * HOUR));
    const due = await draw(s);
    assert.deepEqual([due.requestsCount, due.slotsCount, due.assignedCount, due.openedCount], [0, 2, 0, 2]);
    const opened = await db()
      .selectFrom('slot')
      .select(['opened_at', 'opened_by_draw'])
      .where('id', 'in', slots)
      .execute();
    assert.ok(
      opened.every(
        (o) => o.opened_by_draw === due.drawId && new Date(o.opened_at!).getTime() === clock.now().getTime(),
      ),
    );
    // Listed (one time, two counters free) and bookable.
    const listed = (await listFreeSlots(booking(), search)).slots;
    assert.deepEqual([listed.length, listed[0]!.freeCounters, slots.includes(listed[0]!.slotId)], [1, 2, true]);
    assert.equal((await book(slots[0]!, person)).confirmation.appointment.status, 'booked');
  });

  it('while people wait, nothing opens, and slots too soon to offer are given to nobody (no channel a reseller could time)', async () => {
    const s = await createAllocationScenario(db());
    const [soon] = await s.addSlots(1, later(2 * HOUR), { drawFirst: true }); // starts in 2 h: too soon to offer
    const [far] = await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true }); // a Monday
    const picky = await file(s, { weekdays: [3] }); // Wednesdays only: fits neither slot
    const report = await draw(s);
    assert.deepEqual(
      [report.requestsCount, report.slotsCount, report.assignedCount, report.openedCount, report.lateUnusedCount],
      [1, 1, 0, 0, 1],
    );
    const rows = await db()
      .selectFrom('slot')
      .select(['id', 'opened_at', 'reserved_for_agents'])
      .where('id', 'in', [soon!, far!])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.deepEqual([byId.get(soon!)!.reserved_for_agents, byId.get(soon!)!.opened_at], [false, null]);
    assert.deepEqual([byId.get(far!)!.reserved_for_agents, byId.get(far!)!.opened_at], [false, null]);
    // Neither the agents' channel (it lists the reserve only) nor the public sees it.
    assert.equal(
      (
        await listFreeSlots(booking(), {
          procedureId: s.procedureId,
          siteIds: [s.siteId],
          fromDate: '2026-06-01',
          toDate: '2026-06-30',
          limit: 500,
        })
      ).slots.some((f) => f.slotId === soon),
      false,
    );
    assert.equal(await statusOf(picky), 'waiting');
    await assert.rejects(book(far!, applicant()), code('SLOT_UNAVAILABLE'));
    await assert.rejects(book(soon!, applicant()), code('SLOT_UNAVAILABLE'));
  });

  // --- Short-notice offers ----------------------------------------------------------------

  it('a short-notice offer (slot in less than 26 h) costs nothing when declined or ignored', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(2, later(5 * HOUR), { drawFirst: true }); // 15:00 today, two counters
    const decliner = await file(s, { filedAt: later(-2 * DAY) });
    const ignorer = await file(s, { filedAt: later(-2 * DAY) });
    assert.equal((await draw(s)).assignedCount, 2);
    clock.set(later(HOUR));
    const declined = await declineOffer(ctx(), decliner.token);
    assert.deepEqual([declined.request.status, declined.request.declinedCount], ['waiting', 0]);
    // Past the deadline (start − 2 h): the unanswered one waits again, not paused, its batch kept.
    clock.set(later(3 * HOUR + 60_000));
    await expireOffers(ctx());
    const rows = await db()
      .selectFrom('allocation_request')
      .select(['id', 'status', 'declined_count', 'ignored_count', 'queued_on'])
      .where('id', 'in', [decliner.id, ignorer.id])
      .orderBy('declined_count')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.status, r.declined_count, r.ignored_count, r.queued_on]),
      [
        ['waiting', 0, 0, '2026-05-30'],
        ['waiting', 0, 0, '2026-05-30'],
      ],
    );
  });

  // --- Per-email cap ------------------------------------------------------------------------

  it('the per-email cap counts live requests and active appointments; confirming an offer at the cap still works', async () => {
    const s = await requestable();
    const [openSlot] = await s.addSlots(1, later(2 * DAY, IN_A_WEEK_9H));
    await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true });
    const email = `famille.${Math.random().toString(36).slice(2)}@example.org`;
    const first = await filing(s, applicant({ email }));
    const second = await filing(s, applicant({ email }));
    await assert.rejects(filing(s, applicant({ email })), code('EMAIL_CAP_REACHED'));
    await assert.rejects(book(openSlot!, applicant({ email })), code('EMAIL_CAP_REACHED'));
    // One of the two is offered the slot and confirms: the request leaves, the appointment comes, still 2.
    await draw(s);
    const emailRows = await db()
      .selectFrom('allocation_request')
      .select(['id', 'reference'])
      .where('email_key', '=', email)
      .execute();
    const statuses = await requestStatuses(
      db(),
      emailRows.map((r) => r.id),
    );
    const offeredReference = emailRows.find((r) => statuses.get(r.id) === 'offered')!.reference;
    const token = [first, second].find((f) => f.confirmation.request.reference === offeredReference)!.confirmation
      .managementToken;
    const { appointment } = await confirmOffer(ctx(), token);
    assert.equal(appointment.status, 'booked');
    await assert.rejects(filing(s, applicant({ email })), code('EMAIL_CAP_REACHED'));
    // Cancelling makes room again.
    await cancelAppointment(booking(), token);
    assert.equal((await filing(s, applicant({ email }))).confirmation.request.status, 'waiting');
  });

  it('of 6 parallel filings for one email (cap 2), exactly 2 succeed', async () => {
    const s = await requestable();
    const email = `course.${Math.random().toString(36).slice(2)}@example.org`;
    const { wins, codes } = await settle(Array.from({ length: 6 }, () => filing(s, applicant({ email }))));
    assert.equal(wins.length, 2);
    assert.deepEqual(codes, Array(4).fill('EMAIL_CAP_REACHED'));
    const quota = await db()
      .selectFrom('email_quota')
      .select(['active', 'cap'])
      .where('email_key', '=', email)
      .executeTakeFirstOrThrow();
    assert.deepEqual([quota.active, quota.cap], [2, 2]);
  });

  // --- Identity = document -----------------------------------------------------------------

  it('one document is one person: the same passport with another birth date, nationality or name is refused; twice the same is already requested', async () => {
    const s = await requestable();
    const other = await requestable();
    const [slotId] = await other.addSlots(1, IN_A_WEEK_9H);
    const person = applicant({ documentCountry: 'SEN' });
    await filing(s, person);
    await assert.rejects(
      filing(s, { ...person, email: `autre.${person.email}` }),
      code('ALREADY_REQUESTED_FOR_PROCEDURE'),
    );
    for (const lie of [{ birthDate: '1991-04-12' }, { nationality: 'MLI' }, { surname: 'Sow' }]) {
      await assert.rejects(
        filing(other, { ...person, ...lie, email: `x.${person.email}` }),
        code('IDENTITY_MISMATCH'),
        JSON.stringify(lie),
      );
      await assert.rejects(
        book(slotId!, { ...person, ...lie, email: `y.${person.email}` }),
        code('IDENTITY_MISMATCH'),
        JSON.stringify(lie),
      );
    }
    // Each refusal leaves a security event (evidence of a borrowed or invented identity).
    const watched = booking();
    const liar = { ...person, birthDate: '1992-01-01', email: `w.${person.email}` };
    await assert.rejects(
      bookSlot(
        watched,
        { slotId: slotId!, applicant: liar, emailProof: await knownEmailProof(watched, liar.email) },
        { origin: { ip: '203.0.113.9', route: 'POST /api/bookings' } },
      ),
      code('IDENTITY_MISMATCH'),
    );
    await watched.securityEvents.flush();
    const events = await db()
      .selectFrom('security_event')
      .select(['ip', 'reason', 'identity_key', 'email_hash'])
      .where('reason', '=', 'identity_mismatch')
      .where('ip', '=', '203.0.113.9')
      .execute();
    assert.equal(events.length, 1);
    assert.ok(
      events[0]!.identity_key && events[0]!.email_hash && !events[0]!.email_hash.includes('@'),
      'keyed, never the address',
    );
    // Spelling does not make another person: the same attributes, typed differently, are accepted.
    const respelled = await book(slotId!, {
      ...person,
      surname: 'DIALLO',
      givenNames: 'aminata',
      email: `z.${person.email}`,
    });
    assert.equal(respelled.confirmation.appointment.status, 'booked');
  });

  it('two filings of one document with different attributes at the same time: exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = [await requestable(), await requestable()];
      const person = applicant();
      const { wins, codes } = await settle([
        filing(a, person),
        filing(b, { ...person, birthDate: '1975-01-01', email: `b.${person.email}` }),
      ]);
      assert.equal(wins.length, 1, `round ${round}: ${codes.join()}`);
      assert.deepEqual(codes, ['IDENTITY_MISMATCH']);
    }
  });

  // --- Churn ---------------------------------------------------------------------------------

  it("refiling after a withdrawal joins today's batch with nothing carried over; the third withdrawal or cancellation in 30 days starts a 7-day cooling-off", async () => {
    const s = await requestable();
    const [slotId] = await s.addSlots(1, later(20 * DAY, IN_A_WEEK_9H));
    const person = applicant();
    const first = await filing(s, person, '2026-05-20');
    await db()
      .updateTable('allocation_request')
      .set({ urgency_status: 'confirmed' })
      .where('reference', '=', first.confirmation.request.reference)
      .execute();
    clock.set(later(2 * DAY));
    await withdrawRequest(requests(), first.confirmation.managementToken);
    const again = await filing(s, person, '2026-05-20');
    assert.deepEqual(
      [
        again.confirmation.request.queuedOn,
        again.confirmation.request.urgency.status,
        again.confirmation.request.priorityClass,
      ],
      ['2026-06-03', 'pending', 2],
    );
    clock.set(later(5 * DAY));
    await withdrawRequest(requests(), again.confirmation.managementToken);
    // Two in a month: no pause. The person books, then cancels: the third.
    const booked = await book(slotId!, person);
    clock.set(later(10 * DAY));
    await cancelAppointment(booking(), booked.confirmation.managementToken);
    const retryAfter = later(17 * DAY).toISOString();
    await assert.rejects(
      filing(s, person),
      (e: unknown) => code('COOLING_OFF')(e) && (e as DomainError).details?.retryAfter === retryAfter,
    );
    await assert.rejects(book(slotId!, person), code('COOLING_OFF'));
    clock.set(later(17 * DAY + 60_000));
    assert.equal((await filing(s, person)).confirmation.request.status, 'waiting');
  });

  // --- The database trigger --------------------------------------------------------------------

  it('the database refuses an online appointment on a slot neither opened nor offered to that person, whatever code writes it', async () => {
    const s = await createAllocationScenario(db());
    // Released an hour ago: awaiting its first draw.
    const [awaiting] = await s.addSlots(1, IN_A_WEEK_9H, { drawFirst: true, releasedAt: later(-HOUR) });
    const [offeredSlot] = await s.addSlots(1, later(2 * DAY, IN_A_WEEK_9H), { drawFirst: true });
    const request = await file(s);
    await draw(s); // offers `offeredSlot`, the only one due
    const [opened] = await s.addSlots(1, later(DAY, IN_A_WEEK_9H)); // as if a draw had opened it
    const offer = await db()
      .selectFrom('offer')
      .select('slot_id')
      .where('request_id', '=', request.id)
      .executeTakeFirstOrThrow();
    assert.equal(offer.slot_id, offeredSlot);
    const row = (slotId: string, identityKey: string) => {
      const suffix = Math.random().toString(36).slice(2, 10).toUpperCase();
      return {
        reference: `T-${suffix}`,
        slot_id: slotId,
        procedure_id: s.procedureId,
        site_id: s.siteId,
        surname: 'X',
        given_names: 'Y',
        birth_date: '1990-01-01',
        nationality: 'FRA',
        passport_number: `P${suffix}`,
        identity_key: identityKey,
        email: `t.${suffix}@example.org`,
        email_key: `t.${suffix}@example.org`,
        management_token_hash: `hash-${suffix}`,
      };
    };
    const insert = (slotId: string, identityKey: string) =>
      db().insertInto('appointment').values(row(slotId, identityKey)).execute();
    const refused = (e: unknown) => (e as { constraint?: string }).constraint === 'appointment_slot_drawn_first';
    await assert.rejects(insert(awaiting!, `someone-${Math.random()}`), refused);
    await assert.rejects(insert(offeredSlot!, `someone-else-${Math.random()}`), refused);
    // The slot opened by a draw, and the offered slot for the person it was offered to, are accepted.
    await insert(opened!, `anyone-${Math.random()}`);
    await db().updateTable('allocation_request').set({ status: 'booked' }).where('id', '=', request.id).execute();
    await insert(offeredSlot!, request.identityKey);
    // Moving an appointment onto a slot awaiting its draw is refused as well.
    await assert.rejects(
      db().updateTable('appointment').set({ slot_id: awaiting! }).where('slot_id', '=', opened!).execute(),
      refused,
    );
    const n = await db()
      .selectFrom('appointment')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('procedure_id', '=', s.procedureId)
      .executeTakeFirstOrThrow();
    assert.equal(n.n, 2);
  });
});
