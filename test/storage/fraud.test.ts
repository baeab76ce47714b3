// Fraud signals, held requests and their review, on both engines, through the use cases over
// the real stores (issue 16 §3):
//   * a burst from one /24 alone (a weak signal) scores but does not hold; with a second
//     signal (a private email domain shared by several people) the request is held, told by
//     email in the filing's transaction, and its observation recorded;
//   * a held request sits out of the draw's candidates; once its hold lapses it is back, with
//     no job; the lapse is noted (and audited) by the review list;
//   * clear puts it back and the same evidence does not hold it again; refuse closes it and
//     emails how to contest; both audited with the reason; a reason is required;
//   * a supervisor of another prefecture sees nothing, a counter agent may not review;
//   * an identity refused at check-in cancels the appointment and holds the requests sharing it.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { createAgendaStore } from '../../src/adapters/db/agenda-store.ts';
import { drawRequestRepository } from '../../src/adapters/db/draws/requests.ts';
import { createFraudStore } from '../../src/adapters/db/fraud-store.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import type { AgendaContext } from '../../src/app/agenda/agenda-context.ts';
import { viewCheckIn } from '../../src/app/agenda/check-in.ts';
import { refuseIdentity } from '../../src/app/agenda/refuse-identity.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { decideHold } from '../../src/app/fraud/decide-hold.ts';
import type { FraudContext } from '../../src/app/fraud/fraud-context.ts';
import { listFraudReview } from '../../src/app/fraud/review-list.ts';
import { scoreRequests } from '../../src/app/fraud/score-requests.ts';
import { viewFraudCase } from '../../src/app/fraud/view-fraud-case.ts';
import { expireOffers } from '../../src/app/offers/expire-offers.ts';
import { fileRequest } from '../../src/app/requests/file-request.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import { withdrawRequest } from '../../src/app/requests/withdraw-request.ts';
import { nameBirthDateKey } from '../../src/domain/duplicate-rules.ts';
import {
  DEFAULT_FRAUD_THRESHOLDS,
  FRAUD_COUNT_CAP,
  type FraudThresholds,
  networkOf,
} from '../../src/domain/fraud-signals.ts';
import type { ApplicantIdentity } from '../../src/domain/identity.ts';
import { givenAgent, type TestAgent, testAgentContext } from '../support/agents.ts';
import { testAllocationContext } from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { outboxRowsTo } from '../support/outbox.ts';
import { codeOf } from '../support/outcome.ts';
import { type AllocationScenario, allocationScenario } from '../support/requests.ts';
import { reviewAppointment } from '../support/review.ts';
import { bookedOnline, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday, 10:00 in Paris
const HOUR = 3_600_000;

// Small counts and points of their own (the defaults are the simulator's, README "Why these
// thresholds"): a burst of 3 filings from one network adds 25 (weak), 3 people at one private
// email domain add 35 — together 60, the hold score; one identity refused at a counter, 60.
const THRESHOLDS: FraudThresholds = {
  ...DEFAULT_FRAUD_THRESHOLDS,
  holdScore: 60,
  rules: {
    ...DEFAULT_FRAUD_THRESHOLDS.rules,
    network_burst: { from: 3, points: 25, strong: 100, strongPoints: 45 },
    email_domain_crowd: { from: 3, points: 35, strong: 50, strongPoints: 60 },
    identity_refused: { from: 1, points: 60, strong: 3, strongPoints: 100 },
    churn: { from: 1, points: 15, strong: 6, strongPoints: 30 },
    ignored_offers: { from: 1, points: 15, strong: 4, strongPoints: 30 },
  },
};

let people = 0;
/** A person no other test person looks like (names, birth date, document); a public email provider unless told. */
function person(email?: string): ApplicantIdentity {
  people++;
  const tag = `${people}${Math.random().toString(36).slice(2, 7)}`;
  return {
    surname: `Nom${tag}`,
    givenNames: `Prenom${tag}`,
    birthDate: `19${50 + (people % 40)}-0${1 + (people % 9)}-1${people % 10}`,
    nationality: 'SEN',
    email: email ?? `p.${tag}@gmail.com`,
    passportNumber: `P${tag.toUpperCase()}`,
  };
}

describeEachEngine('fraud signals and review', (database) => {
  const clock = new TestClock(NOW);
  let s: AllocationScenario;
  const who: Record<'supervisor' | 'supervisor973' | 'counter' | 'admin', TestAgent> = {} as never;
  const fraudCtx = (): FraudContext => ({ fraud: createFraudStore(database().db), clock, thresholds: THRESHOLDS });

  async function file(applicant: ApplicantIdentity, ip: string | null, device: string | null = null) {
    const db = database().db;
    const ctx = { ...testContext(db, clock), fraud: THRESHOLDS };
    const { confirmation } = await fileRequest(
      requestContext(ctx, createRequestStore(db)),
      {
        prefectureId: s.prefectureId,
        procedureId: s.procedureId,
        preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
        applicant,
        emailProof: await knownEmailProof(ctx, applicant.email!, 'request'),
      },
      { origin: { ip, route: 'POST /api/requests', device } },
    );
    const { id } = await db
      .selectFrom('allocation_request')
      .select('id')
      .where('reference', '=', confirmation.request.reference)
      .executeTakeFirstOrThrow();
    return { id, reference: confirmation.request.reference };
  }

  /** The draw's candidates at `at`, as the draw reads them (a cursor: in a transaction). */
  const candidates = async (at: Date) =>
    database()
      .db.transaction()
      .execute(async (trx) =>
        (await drawRequestRepository(trx).waiting(s.prefectureId, s.procedureId, null, at)).map((r) => r.id),
      );

  const row = (id: string) =>
    database()
      .db.selectFrom('allocation_request')
      .select(['review_state', 'fraud_score', 'fraud_reasons', 'lapses_at', 'held_at', 'cleared_kinds', 'status'])
      .select(['network', 'device_digest', 'email_domain', 'queued_on'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  const auditOf = (id: string) =>
    database()
      .db.selectFrom('audit_event')
      .select(['action', 'agent_id', 'after', 'prefecture_id'])
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();

  before(async () => {
    const db = database().db;
    s = await allocationScenario(db);
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    const agents = testAgentContext(db, clock);
    who.supervisor = await givenAgent(agents, 'supervisor', '93');
    who.supervisor973 = await givenAgent(agents, 'supervisor', '973');
    who.counter = await givenAgent(agents, 'counter', '93', [s.siteId]);
    who.admin = await givenAgent(agents, 'admin', null);
  });

  let held: { id: string; reference: string; email: string };

  it('keeps the network, a device digest and the private domain; a lone burst scores without holding; a second signal holds', async () => {
    clock.set(NOW);
    const a = await file(person(), '203.0.113.10', 'device-a');
    const b = await file(person(), '203.0.113.11');
    const stored = await row(a.id);
    assert.equal(stored.network, '203.0.113.0/24');
    assert.equal(stored.email_domain, null, 'a public provider is not counted');
    assert.match(stored.device_digest ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(stored.device_digest, 'device-a', 'never the cookie itself');
    assert.equal((await row(b.id)).device_digest, null);

    const lone = await file(person(), '203.0.113.12');
    const loneRow = await row(lone.id);
    assert.deepEqual(
      { state: loneRow.review_state, score: loneRow.fraud_score, reasons: loneRow.fraud_reasons },
      { state: 'none', score: 25, reasons: [{ kind: 'network_burst', count: 3, points: 25 }] },
    );

    // Two people at one private domain, from elsewhere: nothing yet.
    const fleet1 = await file(person('one@foyer-relais.fr'), '198.51.100.7');
    const fleet2 = await file(person('two@foyer-relais.fr'), null);
    assert.equal((await row(fleet1.id)).fraud_score, 0);
    assert.equal((await row(fleet2.id)).email_domain, 'foyer-relais.fr');

    const applicant = person('three@foyer-relais.fr');
    const third = await file(applicant, '203.0.113.99');
    const heldRow = await row(third.id);
    assert.deepEqual(
      {
        state: heldRow.review_state,
        score: heldRow.fraud_score,
        reasons: heldRow.fraud_reasons,
        heldAt: heldRow.held_at,
        lapsesAt: heldRow.lapses_at,
      },
      {
        state: 'held',
        score: 60,
        reasons: [
          { kind: 'email_domain_crowd', count: 3, points: 35 },
          { kind: 'network_burst', count: 4, points: 25 },
        ],
        heldAt: NOW,
        lapsesAt: new Date(NOW.getTime() + 72 * HOUR),
      },
    );
    const messages = await outboxRowsTo(database().db, 'three@foyer-relais.fr');
    assert.deepEqual(
      messages.map((m) => m.kind),
      ['request-filed', 'request-held'],
    );
    assert.deepEqual((messages[1]!.payload as { lapsesAt: string }).lapsesAt, '2026-06-04T08:00:00.000Z');
    const observations = await database()
      .db.selectFrom('fraud_observation')
      .select(['event', 'score', 'held', 'prefecture_id'])
      .where('request_id', '=', third.id)
      .execute();
    assert.deepEqual(observations, [{ event: 'filed', score: 60, held: true, prefecture_id: '93' }]);
    held = { id: third.id, reference: third.reference, email: 'three@foyer-relais.fr' };
  });

  it('keeps a held request out of the draw until its hold lapses, with no job; the lapse is noted and audited by the list', async () => {
    const during = await candidates(new Date(NOW.getTime() + 71 * HOUR));
    assert.ok(!during.includes(held.id), 'held: out of the draw');
    assert.ok(during.length >= 5, 'the others are drawn');
    const lapsed = await candidates(new Date(NOW.getTime() + 72 * HOUR));
    assert.ok(lapsed.includes(held.id), 'lapsed: back in the draw');
    const queued = (await row(held.id)).queued_on;
    assert.equal(queued, '2026-06-01', 'it kept its batch');

    // The list, before the lapse: held first, with its lapse.
    clock.set(new Date(NOW.getTime() + HOUR));
    const list = await listFraudReview(fraudCtx(), who.supervisor.agent, { prefectureId: null });
    assert.equal(list.prefectureId, '93');
    assert.deepEqual(
      list.items.slice(0, 1).map((i) => [i.kind, i.id, i.reviewState, i.score]),
      [['request', held.id, 'held', 60]],
    );
    assert.ok(list.days.some((d) => d.day === '2026-06-01' && d.held === 1 && d.flagged >= 2));
    assert.equal(list.lapsesNoted, 0);
  });

  it('clears a held request with a reason (audited); the same evidence does not hold it again', async () => {
    clock.set(new Date(NOW.getTime() + 2 * HOUR));
    const ctx = fraudCtx();
    assert.equal(
      await codeOf(decideHold(ctx, who.supervisor.agent, { requestId: held.id, decision: 'cleared', reason: '  ' })),
      'VALIDATION_FAILED',
    );
    assert.equal(
      await codeOf(decideHold(ctx, who.supervisor973.agent, { requestId: held.id, decision: 'cleared', reason: 'ok' })),
      'FRAUD_CASE_NOT_FOUND',
    );
    assert.equal(
      await codeOf(decideHold(ctx, who.counter.agent, { requestId: held.id, decision: 'cleared', reason: 'ok' })),
      'FORBIDDEN_SCOPE',
    );
    const decided = await decideHold(
      ctx,
      who.supervisor.agent,
      { requestId: held.id, decision: 'cleared', reason: 'Seen at the counter: a real tenant of the hostel' },
      { ip: '10.0.0.1' },
    );
    assert.equal(decided.reviewState, 'cleared');
    assert.equal(decided.decisionReason, 'Seen at the counter: a real tenant of the hostel');
    const stored = await row(held.id);
    assert.deepEqual(stored.cleared_kinds, ['network_burst', 'email_domain_crowd']);
    assert.equal(stored.status, 'waiting');
    const audit = await auditOf(held.id);
    assert.deepEqual(
      audit.map((a) => [a.action, a.agent_id, a.prefecture_id, (a.after as { reason: string }).reason]),
      [['request.fraud_clear', who.supervisor.agent.id, '93', 'Seen at the counter: a real tenant of the hostel']],
    );
    assert.ok((await candidates(clock.now())).includes(held.id));
    assert.equal(
      await codeOf(decideHold(ctx, who.supervisor.agent, { requestId: held.id, decision: 'refused', reason: 'x' })),
      'HOLD_ALREADY_DECIDED',
    );

    // More of the same evidence: scored again, not held again.
    await file(person('four@foyer-relais.fr'), '203.0.113.50');
    const again = await createRequestStore(database().db).transaction((tx) =>
      scoreRequests(tx, THRESHOLDS, [held.id], 'churn', clock.now()),
    );
    assert.deepEqual(again, [{ requestId: held.id, score: 60, held: false }]);
    assert.equal((await row(held.id)).review_state, 'cleared');
  });

  it('refuses a held request: closed, emailed how to contest, audited with the reason', async () => {
    clock.set(new Date(NOW.getTime() + 3 * HOUR));
    const refused = await file(person('five@foyer-relais.fr'), '203.0.113.51');
    assert.equal((await row(refused.id)).review_state, 'held');
    const decided = await decideHold(fraudCtx(), who.admin.agent, {
      requestId: refused.id,
      decision: 'refused',
      reason: 'Five filings from one hostel network under one catch-all domain',
    });
    assert.deepEqual([decided.reviewState, decided.status], ['refused', 'closed']);
    const messages = await outboxRowsTo(database().db, 'five@foyer-relais.fr');
    assert.deepEqual(
      messages.map((m) => m.kind),
      ['request-filed', 'request-held', 'request-refused'],
    );
    assert.equal((messages[2]!.payload as { prefectureName: string }).prefectureName, 'Préfecture 93');
    const audit = await auditOf(refused.id);
    assert.deepEqual(
      audit.map((a) => [a.action, a.prefecture_id, (a.after as { status: string }).status]),
      [['request.fraud_refuse', '93', 'closed']],
    );
  });

  it('notes a lapsed hold when the list or the case is next read: cleared by nobody, audited', async () => {
    clock.set(new Date(NOW.getTime() + 4 * HOUR));
    const late = await file(person('six@foyer-relais.fr'), '203.0.113.52');
    assert.equal((await row(late.id)).review_state, 'held');
    clock.set(new Date(NOW.getTime() + 4 * HOUR + 72 * HOUR));
    const found = await viewFraudCase(fraudCtx(), who.supervisor.agent, 'request', late.id);
    assert.deepEqual([found.reviewState, found.decisionReason, found.decidedByName], ['cleared', 'lapsed', null]);
    assert.deepEqual(
      found.observations.map((o) => [o.event, o.score, o.held]),
      [['filed', 60, true]],
    );
    assert.ok(
      found.related.some((r) => r.id === held.id && r.shares.includes('network') && r.shares.includes('email_domain')),
    );
    const audit = await auditOf(late.id);
    assert.deepEqual(
      audit.map((a) => [a.action, a.agent_id]),
      [['request.fraud_hold_lapsed', null]],
    );
    assert.equal(
      await codeOf(viewFraudCase(fraudCtx(), who.supervisor973.agent, 'request', late.id)),
      'FRAUD_CASE_NOT_FOUND',
    );
  });

  it('an identity refused at the counter cancels the appointment, frees its slot, is audited, and holds the requests sharing its email', async () => {
    const db = database().db;
    clock.set(new Date('2026-06-01T13:00:00Z')); // 15:00 in Paris, the appointment's day
    const sharedEmail = `shared.${Date.now()}@gmail.com`;
    const request = await file(person(sharedEmail), null);
    assert.equal((await row(request.id)).fraud_score, 0);
    const appointment = await reviewAppointment(db, s, new Date('2026-06-01T12:00:00Z'), {
      ...person(sharedEmail),
      email: sharedEmail,
    });
    const agendaCtx: AgendaContext = {
      agenda: createAgendaStore(db),
      convocations: undefined as never,
      clock,
      fraud: THRESHOLDS,
    };
    const view = await viewCheckIn(agendaCtx, who.counter.agent, appointment.id);
    assert.equal(view.canRefuseIdentity, true);
    const after = await refuseIdentity(agendaCtx, who.counter.agent, appointment.id, { ip: '10.0.0.9' });
    assert.deepEqual([after.appointment.status, after.canRefuseIdentity], ['cancelled', false]);
    const stored = await db
      .selectFrom('appointment as a')
      .innerJoin('slot as sl', 'sl.id', 'a.slot_id')
      .select(['a.identity_refused_at', 'a.identity_refused_by', 'a.cancelled_at', 'sl.available_since'])
      .where('a.id', '=', appointment.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored, {
      identity_refused_at: clock.now(),
      identity_refused_by: who.counter.agent.id,
      cancelled_at: clock.now(),
      available_since: clock.now(),
    });
    assert.deepEqual(
      (await auditOf(appointment.id)).map((a) => [a.action, a.agent_id]),
      [['appointment.identity_refused', who.counter.agent.id]],
    );
    const rescored = await row(request.id);
    assert.deepEqual(
      [rescored.review_state, rescored.fraud_score, rescored.fraud_reasons],
      ['held', 60, [{ kind: 'identity_refused', count: 1, points: 60 }]],
    );
    assert.deepEqual(
      (await outboxRowsTo(db, sharedEmail)).map((m) => m.kind),
      ['request-filed', 'request-held'],
    );
    assert.equal(
      await codeOf(refuseIdentity(agendaCtx, who.counter.agent, appointment.id, { ip: null })),
      'APPOINTMENT_STATUS_CONFLICT',
    );

    // A direct booking under the same email afterwards: scored, flagged on the review list (never held).
    const direct = await createScenario(db);
    const [slotId] = await direct.addSlots(1, new Date('2026-06-10T08:00:00Z'));
    const booked = await bookedOnline({ ...testContext(db, clock), fraud: THRESHOLDS }, slotId!, {
      ...person(sharedEmail),
      email: sharedEmail,
    });
    const bookedRow = await db
      .selectFrom('appointment')
      .select(['id', 'fraud_score'])
      .where('reference', '=', booked.appointment.reference)
      .executeTakeFirstOrThrow();
    assert.equal(bookedRow.fraud_score, 60);
    const list = await listFraudReview(fraudCtx(), who.supervisor.agent, { prefectureId: null });
    const flagged = list.items.find((i) => i.id === bookedRow.id);
    assert.deepEqual(flagged && [flagged.kind, flagged.reviewState, flagged.score], ['appointment', 'none', 60]);
  });

  it('a booking keeps its network, device digest and private domain with its row; a burst of bookings from one network scores the third', async () => {
    const db = database().db;
    clock.set(new Date('2026-06-04T09:00:00Z'));
    const direct = await createScenario(db);
    const slots = await direct.addSlots(3, new Date('2026-06-11T08:00:00Z'));
    const ctx = { ...testContext(db, clock), fraud: THRESHOLDS };
    const rows = [];
    for (const [i, slotId] of slots.entries()) {
      const applicant = person(`b${i}.${Math.random().toString(36).slice(2, 7)}@association-burst.fr`);
      const { confirmation } = await bookSlot(
        ctx,
        { slotId, applicant, emailProof: await knownEmailProof(ctx, applicant.email) },
        { origin: { ip: `192.0.2.${10 + i}`, route: 'POST /api/appointments', device: `device-${i}` } },
      );
      rows.push(
        await db
          .selectFrom('appointment')
          .select(['id', 'network', 'device_digest', 'email_domain', 'fraud_score', 'fraud_reasons'])
          .where('reference', '=', confirmation.appointment.reference)
          .executeTakeFirstOrThrow(),
      );
    }
    assert.deepEqual(
      rows.map((r) => [r.network, r.email_domain]),
      Array(3).fill(['192.0.2.0/24', 'association-burst.fr']),
    );
    assert.equal(new Set(rows.map((r) => r.device_digest)).size, 3);
    assert.ok(rows.every((r) => r.device_digest !== null && !r.device_digest.includes('device-')));
    // THRESHOLDS: 3 bookings from one network add 25; 3 people at one private domain add 35.
    assert.deepEqual(
      rows.map((r) => r.fraud_score),
      [0, 0, 60],
    );
    const observed = await db
      .selectFrom('fraud_observation')
      .select(['event', 'score', 'held'])
      .where(
        'appointment_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    assert.deepEqual(observed, [{ event: 'booked', score: 60, held: false }]);
  });

  it("a withdrawal scores the person's other live requests again (churn), in the withdrawal's transaction", async () => {
    const db = database().db;
    clock.set(new Date('2026-06-01T14:00:00Z'));
    const other = await allocationScenario(db);
    const applicant = person();
    const ctx = { ...testContext(db, clock), fraud: THRESHOLDS };
    const fileFor = async (scenario: AllocationScenario) =>
      (
        await fileRequest(requestContext(ctx, createRequestStore(db)), {
          prefectureId: scenario.prefectureId,
          procedureId: scenario.procedureId,
          preferences: { siteIds: [scenario.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am'] },
          applicant,
          emailProof: await knownEmailProof(ctx, applicant.email!, 'request'),
        })
      ).confirmation;
    const first = await fileFor(s);
    const second = await fileFor(other);
    const secondId = (
      await db
        .selectFrom('allocation_request')
        .select('id')
        .where('reference', '=', second.request.reference)
        .executeTakeFirstOrThrow()
    ).id;
    assert.equal((await row(secondId)).fraud_score, 0);
    await withdrawRequest(requestContext(ctx, createRequestStore(db)), first.managementToken);
    const rescored = await row(secondId);
    assert.deepEqual(
      [rescored.fraud_score, rescored.fraud_reasons, rescored.review_state],
      [15, [{ kind: 'churn', count: 1, points: 15 }], 'none'],
    );
    const observations = await db
      .selectFrom('fraud_observation')
      .select(['event', 'score'])
      .where('request_id', '=', secondId)
      .execute();
    assert.deepEqual(observations, [{ event: 'churn', score: 15 }]);
  });

  it('counts namesakes under other documents: names in either order, case, accents and spacing aside, same birth date, live only', async () => {
    const db = database().db;
    clock.set(new Date('2026-06-02T09:00:00Z'));
    const ctx = { ...testContext(db, clock), fraud: THRESHOLDS };
    const fileAs = async (applicant: ApplicantIdentity) => {
      const { confirmation } = await fileRequest(requestContext(ctx, createRequestStore(db)), {
        prefectureId: s.prefectureId,
        procedureId: s.procedureId,
        preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am'] },
        applicant,
        emailProof: await knownEmailProof(ctx, applicant.email!, 'request'),
      });
      const { id } = await db
        .selectFrom('allocation_request')
        .select('id')
        .where('reference', '=', confirmation.request.reference)
        .executeTakeFirstOrThrow();
      return { id, token: confirmation.managementToken };
    };
    const duplicates = async (id: string) =>
      (await row(id)).fraud_reasons.filter((r) => r.kind === 'likely_duplicate').map((r) => r.count);
    const original = person();
    const first = await fileAs({ ...original, surname: 'Ndiaye-Fall', givenNames: 'Aïssatou Marième' });
    // Another document, the names typed the other way round, upper case, without accents.
    const swapped = await fileAs({
      ...person(),
      birthDate: original.birthDate,
      surname: 'AISSATOU  MARIEME',
      givenNames: 'ndiaye fall',
    });
    // The same names, another birth date: a namesake only.
    const otherBirth = await fileAs({ ...person(), surname: 'Ndiaye-Fall', givenNames: 'Aïssatou Marième' });
    assert.deepEqual(await duplicates(first.id), []);
    assert.deepEqual(await duplicates(swapped.id), [1]);
    assert.deepEqual(await duplicates(otherBirth.id), []);

    // A third document: both live ones count; once one is withdrawn, only the other.
    const third = {
      ...person(),
      birthDate: original.birthDate,
      surname: 'Ndiaye Fall',
      givenNames: 'Aissatou Marieme',
    };
    await withdrawRequest(requestContext(ctx, createRequestStore(db)), first.token);
    const after = await fileAs(third);
    assert.deepEqual(await duplicates(after.id), [1]);
    const found = await viewFraudCase(fraudCtx(), who.supervisor.agent, 'request', after.id);
    const sharingNames = found.related.filter((r) => r.shares.includes('names')).map((r) => r.id);
    assert.deepEqual(sharingNames.sort(), [first.id, swapped.id].sort());
  });

  it('stops counting at the cap: a fleet of 250 records on one network and under one name reads "200 or more"', async () => {
    const db = database().db;
    const at = new Date('2026-06-03T09:00:00Z');
    clock.set(at);
    const fleet = { ...person(), surname: 'Capped', givenNames: 'Fleet' };
    const ip = '198.51.100.9';
    await sql`
      insert into allocation_request (reference, prefecture_id, procedure_id, site_ids, surname, given_names, birth_date, name_key,
             nationality, email, email_key, passport_number, identity_key, management_token_hash, channel, network, filed_at, updated_at)
      select 'CAP' || g, ${s.prefectureId}, ${s.procedureId}, array[${s.siteId}], 'Capped', 'Fleet', ${fleet.birthDate}::date,
             ${nameBirthDateKey(fleet)}, 'SEN', 'cap' || g || '@gmail.com', 'cap' || g || '@gmail.com', 'CAP' || g, 'cap-key-' || g,
             'cap-token-' || g, 'online', ${networkOf(ip)}, ${at}::timestamptz - g * interval '1 minute', ${at}
        from generate_series(1, 250) g`.execute(db);
    const filed = await file(fleet, ip);
    const counts = Object.fromEntries((await row(filed.id)).fraud_reasons.map((r) => [r.kind, r.count]));
    assert.deepEqual([counts.network_burst, counts.likely_duplicate], [FRAUD_COUNT_CAP, FRAUD_COUNT_CAP]);
  });

  it('an offer left unanswered scores its request again (ignored offers), in the expiry’s transaction', async () => {
    const db = database().db;
    const offeredAt = new Date('2026-06-01T15:00:00Z');
    clock.set(offeredAt);
    const request = await file(person(), null);
    const [slotId] = await s.addSlots(1, new Date('2026-06-08T07:00:00Z'), { drawFirst: true });
    const draw = await db
      .insertInto('draw')
      .values({
        prefecture_id: s.prefectureId,
        procedure_id: s.procedureId,
        tick: offeredAt,
        trigger: 'daily',
        allocation_order: 'lottery',
        seed: 'test',
        input_digest: 'x',
        result_digest: 'y',
        input_snapshot: new Uint8Array([1]),
        requests_count: 1,
        slots_count: 1,
        assigned_count: 1,
        started_at: offeredAt,
        finished_at: offeredAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('offer')
      .values({
        draw_id: draw.id,
        request_id: request.id,
        slot_id: slotId!,
        expires_at: new Date(offeredAt.getTime() + 24 * HOUR),
        created_at: offeredAt,
      })
      .execute();

    clock.set(new Date(offeredAt.getTime() + 25 * HOUR));
    await expireOffers({ ...testAllocationContext(db, clock), fraud: THRESHOLDS });
    const after = await row(request.id);
    assert.deepEqual(
      [after.status, after.fraud_score, after.fraud_reasons],
      ['paused', 15, [{ kind: 'ignored_offers', count: 1, points: 15 }]],
    );
  });
});
