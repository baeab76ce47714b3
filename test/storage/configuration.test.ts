// The configuration use cases on both engines: a change reaches the future FREE slots and
// never a booked one; a closure cancels the appointments it falls on — only once confirmed —
// with, in the same transaction, the applicants' emails, their way back (the request back in
// the queue's top class, or a link to file one: there are no booking modes) and the audit; a
// booking racing a closure never leaves a live appointment on a withdrawn slot; the draw
// cadence of a procedure and its national policy are set, validated, scoped and audited.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { createBookingStore, insertAppointment } from '../../src/adapters/db/booking-store.ts';
import { createConfigurationStore } from '../../src/adapters/db/configuration-store.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import { syncSettings } from '../../src/adapters/db/database.ts';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { addCounter } from '../../src/app/configuration/add-counter.ts';
import { addExceptionalOpening } from '../../src/app/configuration/add-exceptional-opening.ts';
import { addOpeningRule } from '../../src/app/configuration/add-opening-rule.ts';
import { closeSite } from '../../src/app/configuration/close-site.ts';
import type { ConfigurationContext } from '../../src/app/configuration/configuration-context.ts';
import { endOpeningRule } from '../../src/app/configuration/end-opening-rule.ts';
import { removeExceptionalOpening } from '../../src/app/configuration/remove-exceptional-opening.ts';
import { updateCounter } from '../../src/app/configuration/update-counter.ts';
import { removeDrawCadence, setDrawCadence } from '../../src/app/configuration/update-draw-cadence.ts';
import { updateDrawSchedule } from '../../src/app/configuration/update-draw-schedule.ts';
import { updateEmailCap } from '../../src/app/configuration/update-email-cap.ts';
import { updateProcedurePolicy } from '../../src/app/configuration/update-procedure-policy.ts';
import { updateSiteOffer } from '../../src/app/configuration/update-site-offer.ts';
import { renderOutboxMessage } from '../../src/app/notifications/messages/render.ts';
import { isDomainError } from '../../src/domain/errors.ts';
import { emailKey } from '../../src/domain/identity.ts';
import type { Agent } from '../../src/ports/agent-store.ts';
import { givenAgent, testAgentContext } from '../support/agents.ts';
import { fileRequest } from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock, testContext } from '../support/scenario.ts';
import { testServices } from '../support/services.ts';

// Monday 2026-06-01, 08:00 in Paris.
const NOW = new Date('2026-06-01T06:00:00Z');
const ORIGIN = { ip: '203.0.113.7' };
const WEEKDAYS = [1, 2, 3, 4, 5] as (1 | 2 | 3 | 4 | 5)[];

/**
 * A booked appointment on a slot, as a first-come booking leaves it (null: the slot was not
 * bookable): the slot is first opened, as a draw that left it without a taker would.
 */
async function book(
  db: Db,
  slotId: string,
  procedureId: string,
  email: string | null = `p.${randomBytes(4).toString('hex')}@example.org`,
) {
  await db
    .updateTable('slot')
    .set({ opened_at: NOW })
    .where('id', '=', slotId)
    .where('opened_at', 'is', null)
    .execute();
  const suffix = randomBytes(5).toString('hex').toUpperCase();
  return insertAppointment(
    db,
    {
      reference: `A${suffix}`,
      slotId,
      procedureId,
      surname: 'Diallo',
      givenNames: 'Moussa',
      birthDate: '1988-02-03',
      nationality: 'MLI',
      email,
      emailKey: email ? emailKey(email) : null,
      agdrefNumber: null,
      passportNumber: `P${suffix}`,
      identityKey: `key-${suffix}`,
      managementTokenHash: `hash-${suffix}`,
      channel: email ? 'online' : 'phone',
      // A phone booking without email has a number to call (migration 0017).
      phone: email ? null : '0612345678',
      language: 'fr',
    },
    NOW,
  );
}

const slotsOf = (db: Db, counterId: string) =>
  db
    .selectFrom('slot')
    .select(['id', 'status', 'starts_at', 'local_date', 'reserved_for_agents', 'procedure_id'])
    .where('counter_id', '=', counterId)
    .orderBy('starts_at')
    .execute();
const auditActions = async (db: Db, targetId: string) =>
  (await db.selectFrom('audit_event').select('action').where('target_id', '=', targetId).orderBy('id').execute()).map(
    (r) => r.action,
  );

/** The closure email of `payload` as sent to `to`, in French. */
const closureMail = (payload: unknown, to: string) =>
  renderOutboxMessage({ kind: 'appointment-closed', payload } as never, {
    to,
    language: 'fr',
    messageId: '<x@creneau>',
    writtenAt: NOW,
    publicUrl: 'https://rdv.example.gouv.fr',
    organizer: { name: 'Créneau', email: 'ne-pas-repondre@example.gouv.fr' },
    convocation: null,
  });

describeEachEngine('configuration', (database, engine) => {
  const clock = new TestClock(NOW);
  let db: Db;
  let ctx: ConfigurationContext;
  let supervisor: Agent;
  let supervisor973: Agent;

  before(async () => {
    db = database().db;
    ctx = { store: createConfigurationStore(db), clock, horizonDays: 14 };
    await createScenario(db, { prefectureId: '93', counters: 0 });
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    supervisor = (await givenAgent(testAgentContext(db, clock), 'supervisor', '93')).agent;
    supervisor973 = (await givenAgent(testAgentContext(db, clock), 'supervisor', '973')).agent;
  });

  /** A new counter of the site opened Monday–Friday 09:00–10:00, 20-minute slots. */
  async function counterWithHours(scenario: { siteId: string; procedureId: string }, name: string) {
    const counter = await addCounter(ctx, supervisor, scenario.siteId, { name }, ORIGIN);
    const { rule, slots } = await addOpeningRule(
      ctx,
      supervisor,
      counter.id,
      {
        procedureId: scenario.procedureId,
        weekdays: WEEKDAYS,
        validFrom: '2026-06-01',
        validUntil: null,
        windows: [{ start: '09:00', end: '10:00' }],
        slotMinutes: 20,
      },
      ORIGIN,
    );
    return { counter, rule, slots };
  }

  /** A site of 93 with one new counter opened Monday–Friday 09:00–10:00, 20-minute slots. */
  async function openedCounter() {
    const scenario = await createScenario(db, { prefectureId: '93', counters: 0 });
    return { scenario, ...(await counterWithHours(scenario, 'Guichet A')) };
  }

  it('adds an opening rule: its slots appear at once, audited in the same transaction', async () => {
    const { counter, rule, slots } = await openedCounter();
    const rows = await slotsOf(db, counter.id);
    // 1–12 June: 10 weekdays × 3 slots (09:00, 09:20, 09:40); 13–15 June: Saturday, Sunday, then Monday 15th = 3 more.
    assert.equal(rows.length, 33);
    assert.equal(slots.inserted, 33);
    assert.ok(rows.every((r) => r.status === 'open'));
    assert.deepEqual(await auditActions(db, rule.id), ['opening_rule.create']);
    assert.deepEqual(await auditActions(db, counter.id), ['counter.create']);
  });

  it("refuses another prefecture's counter and a rule that does not hold, writing nothing", async () => {
    const { counter } = await openedCounter();
    await assert.rejects(
      addOpeningRule(
        ctx,
        supervisor973,
        counter.id,
        {
          procedureId: 'x',
          weekdays: WEEKDAYS,
          validFrom: '2026-06-01',
          validUntil: null,
          windows: [{ start: '09:00', end: '10:00' }],
          slotMinutes: 20,
        },
        ORIGIN,
      ),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    const before = (await slotsOf(db, counter.id)).length;
    await assert.rejects(
      addOpeningRule(
        ctx,
        supervisor,
        counter.id,
        {
          procedureId: (await db.selectFrom('procedure').select('id').executeTakeFirstOrThrow()).id,
          weekdays: WEEKDAYS,
          validFrom: '2026-05-01',
          validUntil: null,
          windows: [{ start: '10:00', end: '09:00' }],
          slotMinutes: 20,
        },
        ORIGIN,
      ),
      (e) =>
        isDomainError(e) &&
        e.code === 'VALIDATION_FAILED' &&
        JSON.stringify(e.details).includes('"path":"validFrom"') &&
        JSON.stringify(e.details).includes('"path":"windows"'),
    );
    // A procedure done by post or online gets no opening rule: its slots could never be booked.
    const postal = await createScenario(db, { procedure: { channel: 'postal' } });
    await assert.rejects(
      addOpeningRule(
        ctx,
        supervisor,
        counter.id,
        {
          procedureId: postal.procedureId,
          weekdays: WEEKDAYS,
          validFrom: '2026-06-02',
          validUntil: null,
          windows: [{ start: '09:00', end: '10:00' }],
          slotMinutes: 20,
        },
        ORIGIN,
      ),
      (e) =>
        isDomainError(e) && e.code === 'VALIDATION_FAILED' && JSON.stringify(e.details).includes('notByAppointment'),
    );
    assert.equal((await slotsOf(db, counter.id)).length, before);
  });

  it('ends a rule from a date: free slots from then are withdrawn, a booked one stays open and booked', async () => {
    const { scenario, counter, rule } = await openedCounter();
    const rows = await slotsOf(db, counter.id);
    const late = rows.find((r) => r.local_date === '2026-06-10')!;
    assert.ok(await book(db, late.id, scenario.procedureId));
    const result = await endOpeningRule(ctx, supervisor, rule.id, { endsFrom: '2026-06-08' }, ORIGIN);
    assert.equal(result.status, 'ended');
    const after = await slotsOf(db, counter.id);
    assert.ok(after.filter((r) => r.local_date < '2026-06-08').every((r) => r.status === 'open'));
    const fromEnd = after.filter((r) => r.local_date >= '2026-06-08');
    assert.deepEqual(
      fromEnd.filter((r) => r.status === 'open').map((r) => r.id),
      [late.id],
    );
    assert.equal(
      (await db.selectFrom('appointment').select('status').where('slot_id', '=', late.id).executeTakeFirstOrThrow())
        .status,
      'booked',
    );
    assert.deepEqual(await auditActions(db, rule.id), ['opening_rule.create', 'opening_rule.end']);
    assert.equal(
      (await db.selectFrom('opening_rule').select('valid_until').where('id', '=', rule.id).executeTakeFirstOrThrow())
        .valid_until,
      '2026-06-07',
    );
  });

  it('a reserved share re-marks the free slots; withdrawing the procedure or the counter keeps the booked ones', async () => {
    const { scenario, counter } = await openedCounter();
    const first = (await slotsOf(db, counter.id))[0]!;
    assert.ok(await book(db, first.id, scenario.procedureId));
    const { slots } = await updateSiteOffer(
      ctx,
      supervisor,
      { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: true, reservedPercent: 100 },
      ORIGIN,
    );
    assert.equal(slots.updated, 32);
    const marked = await slotsOf(db, counter.id);
    assert.deepEqual(
      marked.filter((r) => !r.reserved_for_agents).map((r) => r.id),
      [first.id],
      'all free slots reserved, the booked one untouched',
    );

    await updateSiteOffer(
      ctx,
      supervisor,
      { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: false, reservedPercent: 0 },
      ORIGIN,
    );
    assert.deepEqual(
      (await slotsOf(db, counter.id)).filter((r) => r.status === 'open').map((r) => r.id),
      [first.id],
    );
    // Offered again: the withdrawn slots are reopened in place (same counter and start).
    await updateSiteOffer(
      ctx,
      supervisor,
      { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: true, reservedPercent: 0 },
      ORIGIN,
    );
    assert.equal((await slotsOf(db, counter.id)).filter((r) => r.status === 'open').length, 33);

    await updateCounter(ctx, supervisor, counter.id, { active: false }, ORIGIN);
    assert.deepEqual(
      (await slotsOf(db, counter.id)).filter((r) => r.status === 'open').map((r) => r.id),
      [first.id],
    );
    assert.deepEqual((await auditActions(db, counter.id)).slice(-1), ['counter.deactivate']);
    assert.deepEqual(await auditActions(db, `${scenario.siteId}/${scenario.procedureId}`), [
      'site_procedure.update',
      'site_procedure.update',
      'site_procedure.update',
    ]);
  });

  it('an exceptional opening on a Saturday makes its slots; removing it withdraws the free ones', async () => {
    const { scenario, counter } = await openedCounter();
    const { opening, slots } = await addExceptionalOpening(
      ctx,
      supervisor,
      counter.id,
      {
        procedureId: scenario.procedureId,
        date: '2026-06-06',
        windows: [{ start: '09:00', end: '11:00' }],
        slotMinutes: 30,
      },
      ORIGIN,
    );
    assert.equal(slots.inserted, 4);
    const saturday = () => slotsOf(db, counter.id).then((rows) => rows.filter((r) => r.local_date === '2026-06-06'));
    assert.deepEqual(
      (await saturday()).map((r) => r.status),
      ['open', 'open', 'open', 'open'],
    );
    assert.ok(await book(db, (await saturday())[1]!.id, scenario.procedureId));
    await assert.rejects(
      removeExceptionalOpening(ctx, supervisor973, opening.id, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      addExceptionalOpening(
        ctx,
        supervisor,
        counter.id,
        {
          procedureId: scenario.procedureId,
          date: '2026-05-30',
          windows: [{ start: '09:00', end: '11:00' }],
          slotMinutes: 30,
        },
        ORIGIN,
      ),
      (e) => isDomainError(e) && JSON.stringify(e.details).includes('"path":"date"'),
    );
    await removeExceptionalOpening(ctx, supervisor, opening.id, ORIGIN);
    assert.deepEqual(
      (await saturday()).map((r) => r.status),
      ['withdrawn', 'open', 'withdrawn', 'withdrawn'],
    );
    assert.deepEqual(await auditActions(db, opening.id), ['exceptional_opening.create', 'exceptional_opening.delete']);
  });

  it('a closure over booked appointments writes nothing until confirmed with their count', async () => {
    const { scenario, counter } = await openedCounter();
    const day = (await slotsOf(db, counter.id)).filter((r) => r.local_date === '2026-06-03');
    const booked = await book(db, day[0]!.id, scenario.procedureId);
    assert.ok(booked);
    const input = {
      siteId: scenario.siteId,
      counterId: null,
      dateFrom: '2026-06-03',
      dateTo: '2026-06-04',
      reason: 'Travaux',
    };

    const asked = await closeSite(ctx, supervisor, input, ORIGIN);
    assert.equal(asked.status, 'needs-confirmation');
    assert.deepEqual(asked.status === 'needs-confirmation' ? asked.appointments.map((a) => a.reference) : [], [
      booked.reference,
    ]);
    const wrongCount = await closeSite(ctx, supervisor, { ...input, confirmAppointments: 2 }, ORIGIN);
    assert.equal(wrongCount.status, 'needs-confirmation');
    assert.equal(
      (await db.selectFrom('closure').select('id').where('site_id', '=', scenario.siteId).execute()).length,
      0,
    );
    assert.ok(
      (await slotsOf(db, counter.id)).filter((r) => r.local_date === '2026-06-03').every((r) => r.status === 'open'),
    );
    assert.equal(
      (await db.selectFrom('appointment').select('status').where('id', '=', booked.id).executeTakeFirstOrThrow())
        .status,
      'booked',
    );
    assert.equal(
      (await db.selectFrom('outbox').select('id').where('recipient', '=', booked.email!).execute()).length,
      0,
    );
    assert.deepEqual(await auditActions(db, booked.id), []);

    const done = await closeSite(ctx, supervisor, { ...input, confirmAppointments: 1 }, ORIGIN);
    assert.equal(done.status, 'closed');
    const closureId = done.status === 'closed' ? done.closure.id : '';
    assert.equal(done.status === 'closed' ? done.slotsWithdrawn : 0, 6);
    assert.ok(
      (await slotsOf(db, counter.id))
        .filter((r) => r.local_date >= '2026-06-03' && r.local_date <= '2026-06-04')
        .every((r) => r.status === 'withdrawn'),
    );
    assert.equal(
      (await db.selectFrom('appointment').select('status').where('id', '=', booked.id).executeTakeFirstOrThrow())
        .status,
      'cancelled',
    );
    const quota = await db
      .selectFrom('email_quota')
      .select('active')
      .where('email_key', '=', emailKey(booked.email!))
      .executeTakeFirstOrThrow();
    assert.equal(quota.active, 0);
    const mail = await db
      .selectFrom('outbox')
      .select(['kind', 'payload', 'language'])
      .where('recipient', '=', booked.email!)
      .executeTakeFirstOrThrow();
    assert.equal(mail.kind, 'appointment-closed');
    const payload = mail.payload as { reason: string; wayBack: { kind: string; path: string } };
    assert.equal(payload.reason, 'Travaux');
    // Booked first come, not from a request: the way back is a request (the freed slots go to a draw first).
    assert.equal(payload.wayBack.kind, 'request');
    assert.match(payload.wayBack.path, new RegExp(`^/request\\?procedure=${scenario.procedureId}&prefecture=93$`));
    const rendered = closureMail(payload, booked.email!);
    assert.match(rendered.text, /Travaux/);
    assert.match(rendered.text, /https:\/\/rdv\.example\.gouv\.fr\/request\?procedure=/);
    assert.deepEqual(await auditActions(db, closureId), ['closure.create']);
    assert.deepEqual(await auditActions(db, booked.id), ['appointment.cancel']);
    // The closure holds for later materialisations: a resync does not bring those days back.
    await updateSiteOffer(
      ctx,
      supervisor,
      { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: true, reservedPercent: 0 },
      ORIGIN,
    );
    assert.ok(
      (await slotsOf(db, counter.id))
        .filter((r) => r.local_date === '2026-06-04')
        .every((r) => r.status === 'withdrawn'),
    );
  });

  it('a closure puts the request an appointment came from back in the queue: top class, confirmed closure urgency, same batch', async () => {
    const { scenario, counter } = await openedCounter();
    const slot = (await slotsOf(db, counter.id)).find((r) => r.local_date === '2026-06-05')!;
    const request = await fileRequest(db, testContext(db, clock).hasher, scenario, {
      filedAt: new Date('2026-05-20T09:00:00Z'),
    });
    // A declared urgency still awaiting an agent's review: the closure's confirmed one replaces it.
    await db
      .updateTable('allocation_request')
      .set({ urgency_date: '2026-09-01', urgency_source: 'declared', urgency_status: 'pending' })
      .where('id', '=', request.id)
      .execute();
    const queuedOn = (
      await db
        .selectFrom('allocation_request')
        .select('queued_on')
        .where('id', '=', request.id)
        .executeTakeFirstOrThrow()
    ).queued_on;
    // As a draw and a confirmed offer leave it: the slot offered, the request booked, the offer confirmed with its appointment.
    const draw = await db
      .insertInto('draw')
      .values({
        prefecture_id: '93',
        procedure_id: scenario.procedureId,
        tick: NOW,
        trigger: 'manual',
        allocation_order: 'lottery',
        seed: 's',
        input_digest: 'i',
        result_digest: 'r',
        input_snapshot: Buffer.from([0]),
        requests_count: 1,
        slots_count: 1,
        assigned_count: 1,
        started_at: NOW,
        finished_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const offer = await db
      .insertInto('offer')
      .values({ draw_id: draw.id, request_id: request.id, slot_id: slot.id, status: 'pending', expires_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    const appointment = await insertAppointment(
      db,
      {
        reference: `A${randomBytes(5).toString('hex').toUpperCase()}`,
        slotId: slot.id,
        procedureId: scenario.procedureId,
        surname: request.surname,
        givenNames: 'Awa',
        birthDate: '1990-04-12',
        nationality: 'SEN',
        email: request.email,
        emailKey: emailKey(request.email),
        agdrefNumber: null,
        passportNumber: request.passportNumber,
        identityKey: request.identityKey,
        managementTokenHash: `hash-${request.id}`,
        channel: 'online',
        language: 'fr',
      },
      NOW,
    );
    assert.ok(appointment);
    await db
      .updateTable('offer')
      .set({ status: 'confirmed', appointment_id: appointment.id, decided_at: NOW })
      .where('id', '=', offer.id)
      .execute();
    await db.updateTable('allocation_request').set({ status: 'booked' }).where('id', '=', request.id).execute();

    const asked = await closeSite(
      ctx,
      supervisor,
      { siteId: scenario.siteId, counterId: counter.id, dateFrom: '2026-06-05', dateTo: '2026-06-05', reason: 'Grève' },
      ORIGIN,
    );
    assert.deepEqual(
      asked.status === 'needs-confirmation' ? asked.appointments.map((a) => [a.reference, a.requestId]) : [],
      [[appointment.reference, request.id]],
    );
    const done = await closeSite(
      ctx,
      supervisor,
      {
        siteId: scenario.siteId,
        counterId: counter.id,
        dateFrom: '2026-06-05',
        dateTo: '2026-06-05',
        reason: 'Grève',
        confirmAppointments: 1,
      },
      ORIGIN,
    );
    assert.equal(done.status === 'closed' ? done.requeued : -1, 1);
    const requeued = await db
      .selectFrom('allocation_request')
      .select(['status', 'urgency_date', 'urgency_source', 'urgency_status', 'queued_on', 'closed_at', 'paused_at'])
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    // The day before the closure was decided: class 0 at the next draw; the batch is the one it had.
    assert.deepEqual(requeued, {
      status: 'waiting',
      urgency_date: '2026-05-31',
      urgency_source: 'closure',
      urgency_status: 'confirmed',
      queued_on: queuedOn,
      closed_at: null,
      paused_at: null,
    });
    assert.equal(queuedOn, '2026-05-20');
    assert.equal(
      (await db.selectFrom('appointment').select('status').where('id', '=', appointment.id).executeTakeFirstOrThrow())
        .status,
      'cancelled',
    );
    // One live request instead of one appointment: the per-email count is unchanged.
    assert.equal(
      (
        await db
          .selectFrom('email_quota')
          .select('active')
          .where('email_key', '=', emailKey(request.email))
          .executeTakeFirstOrThrow()
      ).active,
      1,
    );
    const mail = await db
      .selectFrom('outbox')
      .select('payload')
      .where('recipient', '=', request.email)
      .where('kind', '=', 'appointment-closed')
      .executeTakeFirstOrThrow();
    assert.deepEqual((mail.payload as { wayBack: unknown }).wayBack, {
      kind: 'requeued',
      requestReference: (
        await db
          .selectFrom('allocation_request')
          .select('reference')
          .where('id', '=', request.id)
          .executeTakeFirstOrThrow()
      ).reference,
    });
    assert.deepEqual(await auditActions(db, request.id), ['allocation_request.requeue']);
    const audit = await db
      .selectFrom('audit_event')
      .select(['after'])
      .where('target_id', '=', appointment.id)
      .executeTakeFirstOrThrow();
    assert.equal((audit.after as { wayBack: string }).wayBack, 'requeued');
  });

  it('a closure of an appointment booked by an agent without email: cancelled, no email but a text message to their number, the agents call them', async () => {
    const { scenario, counter } = await openedCounter();
    const slot = (await slotsOf(db, counter.id)).find((r) => r.local_date === '2026-06-08')!;
    await db.updateTable('slot').set({ reserved_for_agents: true }).where('id', '=', slot.id).execute();
    const appointment = await book(db, slot.id, scenario.procedureId, null);
    assert.ok(appointment);
    const done = await closeSite(
      ctx,
      supervisor,
      {
        siteId: scenario.siteId,
        counterId: null,
        dateFrom: '2026-06-08',
        dateTo: '2026-06-08',
        reason: 'Panne',
        confirmAppointments: 1,
      },
      ORIGIN,
    );
    assert.equal(done.status, 'closed');
    assert.equal(done.status === 'closed' ? done.requeued : -1, 0);
    assert.equal(
      (
        await db
          .selectFrom('outbox')
          .select('id')
          .where('dedupe_key', '=', `appointment-closed:${appointment.id}`)
          .execute()
      ).length,
      0,
    );
    const audit = await db
      .selectFrom('audit_event')
      .select(['after'])
      .where('target_id', '=', appointment.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [(audit.after as { wayBack: string }).wayBack, (audit.after as { emailed: boolean }).emailed],
      ['call', false],
    );
    assert.equal((audit.after as { texted: boolean }).texted, true);
    const [text] = await db
      .selectFrom('outbox')
      .select(['channel', 'recipient', 'kind', 'payload'])
      .where('dedupe_key', '=', `sms:appointment-closed:${appointment.id}`)
      .execute();
    assert.deepEqual([text?.channel, text?.recipient, text?.kind], ['sms', '0612345678', 'appointment-closed']);
    assert.ok(!('managementToken' in (text!.payload as object)));
  });

  it("sets, changes and removes a procedure's draw cadence, audited; the draw scheduler reads it", async () => {
    const { scenario } = await openedCounter();
    const draws = createDrawStore(db);
    assert.equal((await draws.queues.get('93', scenario.procedureId))?.cadence, null, 'no cadence: daily');
    const set = await setDrawCadence(
      ctx,
      supervisor,
      '93',
      scenario.procedureId,
      { everyMinutes: 15, fromTime: '08:00', untilTime: '18:00' },
      ORIGIN,
    );
    assert.deepEqual(set, {
      prefectureId: '93',
      procedureId: scenario.procedureId,
      everyMinutes: 15,
      fromTime: '08:00',
      untilTime: '18:00',
    });
    assert.deepEqual((await draws.queues.get('93', scenario.procedureId))?.cadence, {
      everyMinutes: 15,
      fromTime: '08:00',
      untilTime: '18:00',
    });
    await setDrawCadence(
      ctx,
      supervisor,
      '93',
      scenario.procedureId,
      { everyMinutes: 30, fromTime: '09:00', untilTime: '17:00' },
      ORIGIN,
    );
    assert.deepEqual(
      await ctx.store.drawCadences
        .listInPrefecture('93')
        .then((all) => all.filter((c) => c.procedureId === scenario.procedureId)),
      [
        {
          prefectureId: '93',
          procedureId: scenario.procedureId,
          everyMinutes: 30,
          fromTime: '09:00',
          untilTime: '17:00',
        },
      ],
    );
    const target = `93/${scenario.procedureId}`;
    const events = await db
      .selectFrom('audit_event')
      .select(['action', 'before', 'after', 'prefecture_id'])
      .where('target_id', '=', target)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => [e.action, e.prefecture_id]),
      [
        ['draw_cadence.update', '93'],
        ['draw_cadence.update', '93'],
      ],
    );
    assert.deepEqual(events[0]!.before, { daily: true });
    assert.deepEqual(events[1]!.before, set);

    assert.deepEqual(await removeDrawCadence(ctx, supervisor, '93', scenario.procedureId, ORIGIN), {
      prefectureId: '93',
      procedureId: scenario.procedureId,
      removed: true,
    });
    assert.equal((await draws.queues.get('93', scenario.procedureId))?.cadence, null);
    assert.deepEqual(await removeDrawCadence(ctx, supervisor, '93', scenario.procedureId, ORIGIN), {
      prefectureId: '93',
      procedureId: scenario.procedureId,
      removed: false,
    });
    assert.deepEqual(
      await auditActions(db, target),
      ['draw_cadence.update', 'draw_cadence.update', 'draw_cadence.delete'],
      'removing nothing audits nothing',
    );
  });

  it("keeps cadences in scope and valid: another prefecture's, bad values, a procedure done by post — nothing written", async () => {
    const { scenario } = await openedCounter();
    const good = { everyMinutes: 15, fromTime: '08:00', untilTime: '18:00' };
    // A supervisor of 93 cannot set (or remove) 973's cadence, nor one of 973 set 93's.
    await assert.rejects(
      setDrawCadence(ctx, supervisor, '973', scenario.procedureId, good, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      removeDrawCadence(ctx, supervisor, '973', scenario.procedureId, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      setDrawCadence(ctx, supervisor973, '93', scenario.procedureId, good, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    const counterAgent = (await givenAgent(testAgentContext(db, clock), 'counter', '93', [scenario.siteId])).agent;
    await assert.rejects(
      setDrawCadence(ctx, counterAgent, '93', scenario.procedureId, good, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      setDrawCadence(ctx, supervisor, '93', 'no-such-procedure', good, ORIGIN),
      (e) => isDomainError(e) && e.code === 'PROCEDURE_NOT_FOUND',
    );
    await assert.rejects(
      setDrawCadence(
        ctx,
        supervisor,
        '93',
        scenario.procedureId,
        { everyMinutes: 1, fromTime: '18:00', untilTime: '08:00' },
        ORIGIN,
      ),
      (e) =>
        isDomainError(e) &&
        e.code === 'VALIDATION_FAILED' &&
        JSON.stringify(e.details).includes('"path":"everyMinutes"') &&
        JSON.stringify(e.details).includes('"problem":"timeOrder"'),
    );
    const postal = await createScenario(db, { prefectureId: '93', procedure: { channel: 'postal' } });
    await assert.rejects(
      setDrawCadence(ctx, supervisor, '93', postal.procedureId, good, ORIGIN),
      (e) =>
        isDomainError(e) && e.code === 'VALIDATION_FAILED' && JSON.stringify(e.details).includes('notByAppointment'),
    );
    assert.equal(
      (
        await db
          .selectFrom('draw_cadence')
          .select('procedure_id')
          .where('procedure_id', 'in', [scenario.procedureId, postal.procedureId])
          .execute()
      ).length,
      0,
    );
    assert.deepEqual(await auditActions(db, `973/${scenario.procedureId}`), []);
    assert.deepEqual(await auditActions(db, `93/${scenario.procedureId}`), []);
    // The supervisor of 973 sets 973's: it does not touch 93's queue of the same procedure.
    await setDrawCadence(
      ctx,
      supervisor973,
      '973',
      scenario.procedureId,
      { everyMinutes: 60, fromTime: '07:00', untilTime: '15:00' },
      ORIGIN,
    );
    assert.deepEqual(
      (await ctx.store.drawCadences.listInPrefecture('973')).map((c) => c.procedureId),
      [scenario.procedureId],
    );
    assert.equal(await ctx.store.drawCadences.get('93', scenario.procedureId), null);
  });

  it('the daily draw time: saved and audited, the old after-release flag left alone', async () => {
    await updateDrawSchedule(ctx, supervisor, '93', { dailyAt: '06:45' }, ORIGIN);
    assert.deepEqual(await ctx.store.drawSchedules.get('93'), { prefectureId: '93', dailyAt: '06:45' });
    await assert.rejects(
      updateDrawSchedule(ctx, supervisor, '973', { dailyAt: '06:45' }, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      updateDrawSchedule(ctx, supervisor, '93', { dailyAt: '25:00' }, ORIGIN),
      (e) => isDomainError(e) && e.code === 'VALIDATION_FAILED',
    );
    const event = await db
      .selectFrom('audit_event')
      .select(['action', 'after'])
      .where('target_id', '=', '93')
      .where('action', '=', 'draw_schedule.update')
      .executeTakeFirstOrThrow();
    assert.deepEqual(event.after, { prefectureId: '93', dailyAt: '06:45' });
  });

  it("a procedure's national policy: max declines and ignored offers set by an administrator only, audited, no mode", async () => {
    const scenario = await createScenario(db, { prefectureId: '93', counters: 0 });
    const admin = (await givenAgent(testAgentContext(db, clock), 'admin', null)).agent;
    const policy = { releaseDaysAhead: 30, releaseTime: '08:00', offerHours: 48, maxIgnoredOffers: 3, maxDeclines: 1 };
    await assert.rejects(
      updateProcedurePolicy(ctx, supervisor, scenario.procedureId, policy, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    await assert.rejects(
      updateProcedurePolicy(ctx, admin, scenario.procedureId, { ...policy, maxDeclines: 11 }, ORIGIN),
      (e) =>
        isDomainError(e) &&
        e.code === 'VALIDATION_FAILED' &&
        JSON.stringify(e.details).includes('"path":"maxDeclines"'),
    );
    const { procedure } = await updateProcedurePolicy(ctx, admin, scenario.procedureId, policy, ORIGIN);
    assert.deepEqual([procedure.maxDeclines, procedure.maxIgnoredOffers, procedure.offerHours], [1, 3, 48]);
    assert.ok(!('bookingMode' in procedure) && !('allocationOrder' in procedure));
    const row = await db
      .selectFrom('procedure')
      .select(['max_declines', 'max_ignored_offers', 'offer_hours', 'release_days_ahead'])
      .where('id', '=', scenario.procedureId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { max_declines: 1, max_ignored_offers: 3, offer_hours: 48, release_days_ahead: 30 });
    // What the draws and offers read.
    assert.equal((await createDrawStore(db).procedures.get(scenario.procedureId))?.maxDeclines, 1);
    const event = await db
      .selectFrom('audit_event')
      .select(['action', 'before', 'after', 'prefecture_id'])
      .where('target_id', '=', scenario.procedureId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [
        event.action,
        event.prefecture_id,
        (event.before as { maxDeclines: number }).maxDeclines,
        (event.after as { maxDeclines: number }).maxDeclines,
      ],
      ['procedure.update', null, 2, 1],
    );
  });

  /**
   * Runs `write` while a closure holds the slot withdrawn, uncommitted; on PostgreSQL `write`
   * reaches the server (and waits on the slot's lock) before the closure commits — PGlite has
   * one connection, so there it runs after. Returns what `write` gave or threw.
   */
  async function racingClosure(slotId: string, write: () => Promise<unknown>): Promise<unknown> {
    let releaseClosure!: () => void;
    const held = new Promise<void>((resolve) => {
      releaseClosure = resolve;
    });
    let withdrawn!: () => void;
    const slotWithdrawn = new Promise<void>((resolve) => {
      withdrawn = resolve;
    });
    const closing = db.transaction().execute(async (trx) => {
      await trx.updateTable('slot').set({ status: 'withdrawn' }).where('id', '=', slotId).execute();
      withdrawn();
      await held;
    });
    await slotWithdrawn;
    let settled = false;
    const writing = write()
      .then(
        (a) => a,
        (e: unknown) => e,
      )
      .finally(() => {
        settled = true;
      });
    if (engine === 'postgres') {
      for (let i = 0; i < 250 && !settled; i++) {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
        if (waiting.rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    releaseClosure();
    await closing;
    return writing;
  }

  async function liveOnWithdrawn(): Promise<number> {
    const live = await sql<{ n: number }>`select count(*)::int as n from appointment a join slot s on s.id = a.slot_id
      where s.status = 'withdrawn' and a.status in ('booked', 'arrived')`.execute(db);
    return live.rows[0]!.n;
  }

  it('a booking racing a closure never leaves a live appointment on a withdrawn slot', async () => {
    const { scenario, counter } = await openedCounter();
    const slot = (await slotsOf(db, counter.id)).find((r) => r.local_date === '2026-06-09')!;
    const outcome = await racingClosure(slot.id, () => book(db, slot.id, scenario.procedureId));
    assert.ok(outcome === null || (isDomainError(outcome) && outcome.code === 'SLOT_TAKEN'), String(outcome));
    assert.equal(await liveOnWithdrawn(), 0);
  });

  it('a move racing a closure is refused as SLOT_TAKEN (never a server error), the appointment stays where it was', async () => {
    const { scenario, counter } = await openedCounter();
    const slots = (await slotsOf(db, counter.id)).filter((r) => r.local_date === '2026-06-10');
    const appointment = (await book(db, slots[0]!.id, scenario.procedureId))!;
    // The target is open (a draw left it without a taker): only the closure stands in the way.
    await db.updateTable('slot').set({ opened_at: NOW }).where('id', '=', slots[1]!.id).execute();
    const outcome = await racingClosure(slots[1]!.id, () =>
      createBookingStore(db).transaction((tx) => tx.moveAppointment(appointment.id, slots[1]!.id, clock.now())),
    );
    assert.ok(outcome === null || (isDomainError(outcome) && outcome.code === 'SLOT_TAKEN'), String(outcome));
    const row = await db
      .selectFrom('appointment')
      .select('slot_id')
      .where('id', '=', appointment.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.slot_id, slots[0]!.id);
    assert.equal(await liveOnWithdrawn(), 0);
  });

  it("an administrator's cap is kept at the next start; before that, the environment's applies", async () => {
    await syncSettings(db, { maxActiveAppointmentsPerEmail: 4 });
    assert.equal(await ctx.store.settings.emailCap(), 4);
    const admin = (await givenAgent(testAgentContext(db, clock), 'admin', null)).agent;
    await assert.rejects(
      updateEmailCap(ctx, supervisor, { maxActivePerEmail: 3 }, ORIGIN),
      (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE',
    );
    await updateEmailCap(ctx, admin, { maxActivePerEmail: 3 }, ORIGIN);
    await syncSettings(db, { maxActiveAppointmentsPerEmail: 5 });
    assert.equal(await ctx.store.settings.emailCap(), 3);
    assert.deepEqual(await auditActions(db, 'max_active_appointments_per_email'), ['setting.update']);
  });

  const secondCounter = async (scenario: { siteId: string; procedureId: string }, name: string) =>
    (await counterWithHours(scenario, name)).counter;
  const dayOf = async (counterId: string, date: string) =>
    (await slotsOf(db, counterId)).filter((r) => r.local_date === date);
  const slotOfAppointment = async (id: string) =>
    await db.selectFrom('appointment').select(['slot_id', 'status']).where('id', '=', id).executeTakeFirstOrThrow();

  it('closing one counter first moves its appointments to a free counter at the same time; only the rest are cancelled', async () => {
    const { scenario, counter: a } = await openedCounter();
    const b = await secondCounter(scenario, 'Guichet B');
    const [a900, a920, a940] = await dayOf(a.id, '2026-06-10');
    const [b900, b920, b940] = await dayOf(b.id, '2026-06-10');
    const moved = (await book(db, a900!.id, scenario.procedureId))!;
    const taken = (await book(db, a920!.id, scenario.procedureId))!;
    const awaiting = (await book(db, a940!.id, scenario.procedureId, null))!;
    await book(db, b920!.id, scenario.procedureId); // B at 09:20 is held
    // B at 09:00 was left without a taker by a draw (open to first come); B at 09:40 still awaits its draw.
    await db.updateTable('slot').set({ opened_at: NOW }).where('id', '=', b900!.id).execute();
    assert.equal(
      (await db.selectFrom('slot').select('opened_at').where('id', '=', b940!.id).executeTakeFirstOrThrow()).opened_at,
      null,
    );
    const input = {
      siteId: scenario.siteId,
      counterId: a.id,
      dateFrom: '2026-06-10',
      dateTo: '2026-06-10',
      reason: 'Guichet en panne',
    };

    const asked = await closeSite(ctx, supervisor, input, ORIGIN);
    assert.equal(asked.status, 'needs-confirmation');
    if (asked.status !== 'needs-confirmation') return;
    assert.deepEqual(
      asked.moved.map((m) => [m.reference, m.toCounterId, m.toSlotId]),
      [[moved.reference, b.id, b900!.id]],
    );
    assert.deepEqual(
      asked.appointments.map((x) => [x.reference, x.phone]),
      [
        [taken.reference, null],
        [awaiting.reference, '0612345678'],
      ],
      'only the appointments no counter can take are to confirm; the phone number of the one without email',
    );
    assert.equal((await slotOfAppointment(moved.id)).slot_id, a900!.id, 'nothing written before the confirmation');

    const done = await closeSite(
      ctx,
      supervisor,
      { ...input, confirmAppointments: 2, confirmReferences: [taken.reference, awaiting.reference] },
      ORIGIN,
    );
    assert.equal(done.status, 'closed');
    if (done.status !== 'closed') return;
    assert.deepEqual([done.moved.length, done.cancelled.length], [1, 2]);
    assert.deepEqual(await slotOfAppointment(moved.id), { slot_id: b900!.id, status: 'booked' });
    assert.equal((await slotOfAppointment(taken.id)).status, 'cancelled');
    assert.equal((await slotOfAppointment(awaiting.id)).status, 'cancelled', 'the slot awaiting its draw is not taken');
    assert.deepEqual(await auditActions(db, moved.id), ['appointment.move_counter']);
    assert.equal(
      (await db.selectFrom('outbox').select('id').where('dedupe_key', '=', `appointment-closed:${moved.id}`).execute())
        .length,
      0,
      'a moved person keeps their day and time: no closure message',
    );
  });

  it('two closures at once never put two appointments on one slot', async () => {
    const { scenario, counter: a } = await openedCounter();
    const b = await secondCounter(scenario, 'Guichet B');
    const c = await secondCounter(scenario, 'Guichet C');
    const [a900] = await dayOf(a.id, '2026-06-11');
    const [b900] = await dayOf(b.id, '2026-06-11');
    const [c900] = await dayOf(c.id, '2026-06-11');
    const onA = (await book(db, a900!.id, scenario.procedureId))!;
    const onB = (await book(db, b900!.id, scenario.procedureId))!;
    await db.updateTable('slot').set({ opened_at: NOW }).where('id', '=', c900!.id).execute(); // one free twin
    const close = (counterId: string) =>
      closeSite(
        ctx,
        supervisor,
        { siteId: scenario.siteId, counterId, dateFrom: '2026-06-11', dateTo: '2026-06-11', reason: 'Grève' },
        ORIGIN,
      );
    const outcomes = await Promise.all([close(a.id), close(b.id)]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['closed', 'needs-confirmation']);
    const onC = await db
      .selectFrom('appointment')
      .select('id')
      .where('slot_id', '=', c900!.id)
      .where('status', '<>', 'cancelled')
      .execute();
    assert.equal(onC.length, 1, 'one appointment took the free slot');
    assert.ok([onA.id, onB.id].includes(onC[0]!.id));
    const doubled = await sql<{ n: number }>`select count(*)::int as n from (select slot_id from appointment
      where status <> 'cancelled' group by slot_id having count(*) > 1) d`.execute(db);
    assert.equal(doubled.rows[0]!.n, 0);
  });

  it('a closure files a request at the head of the queue for someone booked first come, and its email links to it', async () => {
    const services = testServices(db, clock);
    const withSecrets: ConfigurationContext = {
      ...ctx,
      secrets: services.ports.secrets,
      hasher: services.ports.hasher,
    };
    const { scenario, counter } = await openedCounter();
    const [slot] = await dayOf(counter.id, '2026-06-12');
    const booked = (await book(db, slot!.id, scenario.procedureId))!;
    const done = await closeSite(
      withSecrets,
      supervisor,
      {
        siteId: scenario.siteId,
        counterId: null,
        dateFrom: '2026-06-12',
        dateTo: '2026-06-12',
        reason: 'Inondation',
        confirmAppointments: 1,
      },
      ORIGIN,
    );
    assert.equal(done.status, 'closed');
    const message = await db
      .selectFrom('outbox')
      .select('payload')
      .where('dedupe_key', '=', `appointment-closed:${booked.id}`)
      .executeTakeFirstOrThrow();
    const payload = message.payload as { wayBack: { kind: string; requestReference: string }; managementToken: string };
    assert.equal(payload.wayBack.kind, 'filed');
    const request = await db
      .selectFrom('allocation_request')
      .select([
        'status',
        'urgency_source',
        'urgency_status',
        'urgency_date',
        'site_ids',
        'email',
        'identity_key',
        'queued_on',
        'management_token_hash',
      ])
      .where('reference', '=', payload.wayBack.requestReference)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [
        request.status,
        request.urgency_source,
        request.urgency_status,
        request.urgency_date,
        request.site_ids,
        request.email,
        request.queued_on,
      ],
      ['waiting', 'closure', 'confirmed', '2026-05-31', [scenario.siteId], booked.email, '2026-06-01'],
      'the top class at the next draw: a confirmed closure urgency dated the day before',
    );
    assert.equal(request.management_token_hash, services.ports.hasher.tokenDigest(payload.managementToken));
    const rendered = closureMail(payload, booked.email!);
    assert.ok(
      rendered.text.includes(
        `Nous avons déposé pour vous la demande ${payload.wayBack.requestReference}, en tête de la file`,
      ),
    );
    assert.ok(
      rendered.text.includes(
        `https://rdv.example.gouv.fr/manage/open?token=${encodeURIComponent(payload.managementToken)}`,
      ),
    );
    assert.deepEqual((await auditActions(db, booked.id)).sort(), ['appointment.cancel']);
  });
});
