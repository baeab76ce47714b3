// Agenda, check-in transitions and no-show statistics against the real store, on both
// engines: scoping by prefecture and site, transitions guarded in the UPDATE (of two agents
// clicking at once exactly one wins), the audit written with each change.
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { createAgendaStore } from '../../src/adapters/db/agenda-store.ts';
import { createConvocationStore } from '../../src/adapters/db/convocation-store.ts';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import type { AgendaContext } from '../../src/app/agenda/agenda-context.ts';
import { changeAppointmentStatus, findForCheckIn, viewCheckIn } from '../../src/app/agenda/check-in.ts';
import { noShowStatistics } from '../../src/app/agenda/no-show-statistics.ts';
import { viewAgenda } from '../../src/app/agenda/view-agenda.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { cancelAppointment } from '../../src/app/booking/cancel-appointment.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { givenAgent, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import {
  applicant,
  createScenario,
  knownEmailProof,
  TEST_IDENTITY_SECRET,
  TestClock,
  testContext,
} from '../support/scenario.ts';

const BOOKED_AT = new Date('2026-06-01T08:00:00Z');
const SLOT_9H = new Date('2026-06-02T07:00:00Z'); // 09:00 in Paris
const DAY = '2026-06-02';
const ORIGIN = { ip: '203.0.113.9', route: 'test' };

async function refusal(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof DomainError, `expected a refusal, got ${String(error)}`);
  return error.code;
}

describeEachEngine('agenda and check-in', (database) => {
  const clock = new TestClock(BOOKED_AT);
  beforeEach(() => clock.set(BOOKED_AT));
  const db = () => database().db;
  const agenda = (): AgendaContext => ({
    agenda: createAgendaStore(db()),
    convocations: {
      store: createConvocationStore(db()),
      clock,
      securityEvents: { record() {}, async flush() {} },
      signer: signerFromConfig({ convocationSigningKey: null, identityKeySecret: TEST_IDENTITY_SECRET }),
    },
    clock,
  });

  /** A site of `prefectureId` with 2 counters and `count` appointments booked from 09:00 on DAY. */
  async function bookedSite(prefectureId = '93', count = 3) {
    const ctx = testContext(db(), clock);
    const s = await createScenario(db(), {
      prefectureId,
      ...(prefectureId === '973' ? { timeZone: 'America/Cayenne' } : {}),
    });
    const slots = await s.addSlots(count, SLOT_9H);
    const appointments = [];
    for (const [i, slotId] of slots.entries()) {
      const person = applicant({ surname: `Person${i}` });
      const { confirmation } = await bookSlot(ctx, {
        slotId,
        applicant: person,
        emailProof: await knownEmailProof(ctx, person.email),
      });
      const stored = await createConvocationStore(db()).findAppointmentByReference(confirmation.appointment.reference);
      appointments.push({
        id: stored!.id,
        reference: confirmation.appointment.reference,
        managementToken: confirmation.managementToken,
        person,
      });
    }
    return { ...s, appointments };
  }

  const agent = async (
    role: 'counter' | 'supervisor' | 'admin',
    prefectureId: string | null,
    siteIds: string[] = [],
  ): Promise<TestAgent> => {
    // The prefecture must exist before its agents (a site of 973 in Cayenne time).
    if (prefectureId === '973') await createScenario(db(), { prefectureId, timeZone: 'America/Cayenne' });
    return givenAgent(testAgentContext(db(), clock), role, prefectureId, siteIds);
  };

  it("lists a site's day by time and counter, leaving cancelled appointments out, for the agents of that site only", async () => {
    const site = await bookedSite('93', 4);
    const other = await bookedSite('93', 1);
    await cancelAppointment(testContext(db(), clock), site.appointments[3]!.managementToken);
    const counter = (await agent('counter', '93', [site.siteId])).agent;
    const supervisor = (await agent('supervisor', '93')).agent;
    const supervisor973 = (await agent('supervisor', '973')).agent;

    const day = await viewAgenda(agenda(), counter, { date: DAY });
    assert.equal(day.site?.id, site.siteId, "a counter agent's first site by default");
    assert.deepEqual(
      day.sites.map((s) => s.id),
      [site.siteId],
    );
    assert.deepEqual(
      day.entries.map((e) => e.reference),
      site.appointments.slice(0, 3).map((a) => a.reference),
    );
    assert.deepEqual(
      day.entries.map((e) => [e.startsAt.toISOString(), e.status, e.channel]),
      [
        ['2026-06-02T07:00:00.000Z', 'booked', 'online'],
        ['2026-06-02T07:00:00.000Z', 'booked', 'online'],
        ['2026-06-02T07:30:00.000Z', 'booked', 'online'],
      ],
    );
    const oneCounter = await viewAgenda(agenda(), counter, { date: DAY, counterId: site.counterIds[1]! });
    assert.deepEqual(
      oneCounter.entries.map((e) => e.counterId),
      [site.counterIds[1]],
    );
    assert.equal((await viewAgenda(agenda(), counter, { date: '2026-06-03' })).entries.length, 0);

    assert.equal(await refusal(viewAgenda(agenda(), counter, { siteId: other.siteId })), 'FORBIDDEN_SCOPE');
    assert.equal(await refusal(viewAgenda(agenda(), supervisor973, { siteId: site.siteId })), 'FORBIDDEN_SCOPE');
    assert.ok(!(await viewAgenda(agenda(), supervisor973, {})).sites.some((s) => s.prefectureId === '93'));
    const seen = await viewAgenda(agenda(), supervisor, { siteId: other.siteId, date: DAY });
    assert.deepEqual(
      seen.entries.map((e) => e.reference),
      [other.appointments[0]!.reference],
    );
    // Today by default, in the site's zone.
    clock.set(new Date('2026-06-01T22:30:00Z'));
    assert.equal((await viewAgenda(agenda(), supervisor, { siteId: site.siteId })).date, DAY);
  });

  it('checks in, serves and audits each step in the same transaction; stamps who and when', async () => {
    const site = await bookedSite('93', 2);
    const counter = await agent('counter', '93', [site.siteId]);
    const [a, b] = site.appointments;
    clock.set(new Date('2026-06-02T06:45:00Z'));
    const id = await findForCheckIn(agenda(), counter.agent, { shortCode: a!.reference }, ORIGIN);
    assert.equal(id, a!.id);
    const shown = await viewCheckIn(agenda(), counter.agent, id);
    assert.equal(shown.appointment.passportNumber, a!.person.passportNumber);
    assert.deepEqual(shown.actions, ['arrived']);

    const arrived = await changeAppointmentStatus(agenda(), counter.agent, id, 'arrived', ORIGIN);
    assert.equal(arrived.appointment.status, 'arrived');
    assert.equal(arrived.appointment.checkedInAt?.toISOString(), '2026-06-02T06:45:00.000Z');
    clock.set(new Date('2026-06-02T07:20:00Z'));
    const served = await changeAppointmentStatus(agenda(), counter.agent, id, 'served', ORIGIN);
    assert.equal(served.appointment.status, 'served');
    assert.equal(served.appointment.servedAt?.toISOString(), '2026-06-02T07:20:00.000Z');
    assert.deepEqual(served.actions, []);
    const row = await db()
      .selectFrom('appointment')
      .select(['status_changed_by', 'status_changed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.status_changed_by, counter.agent.id);

    const audit = await db().selectFrom('audit_event').selectAll().where('target_id', '=', id).orderBy('id').execute();
    assert.deepEqual(
      audit.map((e) => [e.action, e.agent_id, e.prefecture_id, e.ip]),
      [
        ['appointment.arrived', counter.agent.id, '93', ORIGIN.ip],
        ['appointment.served', counter.agent.id, '93', ORIGIN.ip],
      ],
    );
    assert.deepEqual(
      [audit[0]!.before, audit[0]!.after],
      [
        { status: 'booked', reference: a!.reference },
        { status: 'arrived', reference: a!.reference },
      ],
    );

    // Too early for a no-show (07:00 + 15 min), then fine; never twice.
    clock.set(new Date('2026-06-02T07:10:00Z'));
    assert.equal(
      await refusal(changeAppointmentStatus(agenda(), counter.agent, b!.id, 'no_show', ORIGIN)),
      'NO_SHOW_TOO_EARLY',
    );
    clock.set(new Date('2026-06-02T07:15:00Z'));
    assert.equal(
      (await changeAppointmentStatus(agenda(), counter.agent, b!.id, 'no_show', ORIGIN)).appointment.status,
      'no_show',
    );
    assert.equal(
      await refusal(changeAppointmentStatus(agenda(), counter.agent, b!.id, 'no_show', ORIGIN)),
      'APPOINTMENT_STATUS_CONFLICT',
    );
    assert.equal(
      await refusal(changeAppointmentStatus(agenda(), counter.agent, b!.id, 'arrived', ORIGIN)),
      'APPOINTMENT_STATUS_CONFLICT',
    );
    // A refused transition wrote nothing.
    assert.equal(
      (await db().selectFrom('audit_event').select('id').where('target_id', '=', b!.id).execute()).length,
      1,
    );

    // A mis-click taken back the same day: booked again, the no-show time cleared, audited.
    const undone = await changeAppointmentStatus(agenda(), counter.agent, b!.id, 'undo', ORIGIN);
    assert.deepEqual([undone.appointment.status, undone.appointment.noShowAt], ['booked', null]);
    const servedBack = await changeAppointmentStatus(agenda(), counter.agent, id, 'undo', ORIGIN);
    assert.deepEqual(
      [
        servedBack.appointment.status,
        servedBack.appointment.servedAt,
        servedBack.appointment.checkedInAt?.toISOString(),
      ],
      ['arrived', null, '2026-06-02T06:45:00.000Z'],
    );
    const undoAudit = await db()
      .selectFrom('audit_event')
      .select(['action', 'before', 'after'])
      .where('target_id', '=', b!.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      undoAudit.map((e) => [e.action, (e.before as { status: string }).status, (e.after as { status: string }).status]),
      [
        ['appointment.no_show', 'booked', 'no_show'],
        ['appointment.undo', 'no_show', 'booked'],
      ],
    );
    clock.set(new Date('2026-06-02T22:00:00Z')); // midnight in Paris: the next day
    assert.equal(
      await refusal(changeAppointmentStatus(agenda(), counter.agent, id, 'undo', ORIGIN)),
      'CHECK_IN_UNDO_TOO_LATE',
    );
  });

  it('lets exactly one of two concurrent identical transitions through', async () => {
    const site = await bookedSite('93', 2);
    const one = await agent('counter', '93', [site.siteId]);
    const two = await agent('supervisor', '93');
    clock.set(new Date('2026-06-02T06:50:00Z'));
    for (const appointment of site.appointments) {
      const outcomes = await Promise.allSettled([
        changeAppointmentStatus(agenda(), one.agent, appointment.id, 'arrived', ORIGIN),
        changeAppointmentStatus(agenda(), two.agent, appointment.id, 'arrived', ORIGIN),
      ]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      assert.equal((rejected.reason as DomainError).code, 'APPOINTMENT_STATUS_CONFLICT');
      const audit = await db()
        .selectFrom('audit_event')
        .select('action')
        .where('target_id', '=', appointment.id)
        .execute();
      assert.deepEqual(
        audit.map((e) => e.action),
        ['appointment.arrived'],
      );
    }
    // The store itself: the conditional UPDATE from a stale status changes nothing.
    const store = createAgendaStore(db());
    const again = await Promise.all(
      [0, 1].map(() =>
        store.transaction((tx) =>
          tx.transitionAppointment(site.appointments[0]!.id, 'arrived', 'served', clock.now(), one.agent.id),
        ),
      ),
    );
    assert.deepEqual(again.sort(), [false, true]);
  });

  it("refuses another prefecture's or another site's appointment like an unknown one", async () => {
    const site = await bookedSite('93', 1);
    const elsewhere = await bookedSite('93', 1);
    const a = site.appointments[0]!;
    const counterElsewhere = (await agent('counter', '93', [elsewhere.siteId])).agent;
    const supervisor973 = (await agent('supervisor', '973')).agent;
    const admin = (await agent('admin', null)).agent;
    clock.set(new Date('2026-06-02T06:50:00Z'));
    for (const outsider of [counterElsewhere, supervisor973]) {
      assert.equal(
        await refusal(findForCheckIn(agenda(), outsider, { shortCode: a.reference }, ORIGIN)),
        'CONVOCATION_INVALID',
      );
      assert.equal(await refusal(viewCheckIn(agenda(), outsider, a.id)), 'CONVOCATION_INVALID');
      assert.equal(
        await refusal(changeAppointmentStatus(agenda(), outsider, a.id, 'arrived', ORIGIN)),
        'CONVOCATION_INVALID',
      );
    }
    assert.equal(
      await refusal(viewCheckIn(agenda(), admin, '00000000-0000-4000-8000-000000000000')),
      'CONVOCATION_INVALID',
    );
    assert.equal(await refusal(viewCheckIn(agenda(), admin, 'not-a-uuid')), 'CONVOCATION_INVALID');
    assert.equal(
      (await db().selectFrom('appointment').select('status').where('id', '=', a.id).executeTakeFirstOrThrow()).status,
      'booked',
    );
    assert.equal((await viewCheckIn(agenda(), admin, a.id)).appointment.surname, 'Person0');
  });

  it('counts appointments due, came, served and no-shows per site and procedure, within the scope', async () => {
    const site = await bookedSite('93', 5);
    const site973 = await bookedSite('973', 1);
    const counter = await agent('counter', '93', [site.siteId]);
    const supervisor = (await agent('supervisor', '93')).agent;
    const supervisor973 = (await agent('supervisor', '973')).agent;
    const [a, b, c] = site.appointments;
    clock.set(new Date('2026-06-02T06:50:00Z'));
    await changeAppointmentStatus(agenda(), counter.agent, a!.id, 'arrived', ORIGIN);
    await changeAppointmentStatus(agenda(), counter.agent, b!.id, 'arrived', ORIGIN);
    await changeAppointmentStatus(agenda(), counter.agent, b!.id, 'served', ORIGIN);
    clock.set(new Date('2026-06-02T07:45:00Z'));
    await changeAppointmentStatus(agenda(), counter.agent, c!.id, 'no_show', ORIGIN);
    // Slots 07:00, 07:00, 07:30, 07:30, 08:00: at 07:45 the last one has not started, it is not due yet.
    const stats = await noShowStatistics(agenda(), supervisor, { fromDate: DAY, toDate: DAY });
    const row = stats.rows.find((r) => r.siteId === site.siteId);
    assert.deepEqual(row && [row.due, row.came, row.served, row.noShows, row.unmarked], [4, 2, 1, 1, 1]);
    assert.equal(row?.rate, 0.25);
    assert.equal(stats.bySite.find((r) => r.id === site.siteId)?.due, 4);
    assert.equal(stats.byProcedure.find((r) => r.id === site.procedureId)?.noShows, 1);
    assert.ok(!stats.rows.some((r) => r.siteId === site973.siteId), "another prefecture's sites are not counted");
    assert.equal(
      (await noShowStatistics(agenda(), supervisor973, { fromDate: DAY, toDate: DAY })).rows.every(
        (r) => r.prefectureId === '973',
      ),
      true,
    );
    // Defaults: the last 30 days up to today.
    const defaults = await noShowStatistics(agenda(), supervisor, {});
    assert.deepEqual([defaults.fromDate, defaults.toDate], ['2026-05-04', DAY]);
    assert.equal(await refusal(noShowStatistics(agenda(), counter.agent, {})), 'FORBIDDEN_SCOPE');
    assert.equal(await refusal(noShowStatistics(agenda(), supervisor, { prefectureId: '973' })), 'FORBIDDEN_SCOPE');
    assert.equal(
      await refusal(noShowStatistics(agenda(), supervisor, { fromDate: '2026-06-03', toDate: DAY })),
      'DATE_RANGE_INVALID',
    );
    assert.equal(
      await refusal(noShowStatistics(agenda(), supervisor, { fromDate: '2024-01-01', toDate: DAY })),
      'DATE_RANGE_INVALID',
    );
  });
});
