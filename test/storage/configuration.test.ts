// The configuration use cases on both engines: a change reaches the future FREE slots and
// never a booked one; a closure cancels the appointments it falls on — only once confirmed —
// with, in the same transaction, the applicants' emails, their way back and the audit; and a
// booking racing a closure never leaves a live appointment on a withdrawn slot.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { createBookingStore, insertAppointment } from '../../src/adapters/db/booking-store.ts';
import { createConfigurationStore } from '../../src/adapters/db/configuration-store.ts';
import type { Db } from '../../src/adapters/db/database.ts';
import { addCounter } from '../../src/app/configuration/add-counter.ts';
import { addExceptionalOpening } from '../../src/app/configuration/add-exceptional-opening.ts';
import { removeExceptionalOpening } from '../../src/app/configuration/remove-exceptional-opening.ts';
import { addOpeningRule } from '../../src/app/configuration/add-opening-rule.ts';
import { closeSite } from '../../src/app/configuration/close-site.ts';
import type { ConfigurationContext } from '../../src/app/configuration/configuration-context.ts';
import { endOpeningRule } from '../../src/app/configuration/end-opening-rule.ts';
import { updateCounter } from '../../src/app/configuration/update-counter.ts';
import { updateEmailCap } from '../../src/app/configuration/update-email-cap.ts';
import { updateSiteOffer } from '../../src/app/configuration/update-site-offer.ts';
import { syncSettings } from '../../src/adapters/db/database.ts';
import { emailKey } from '../../src/domain/identity.ts';
import { isDomainError } from '../../src/domain/errors.ts';
import type { Agent } from '../../src/ports/agent-store.ts';
import { renderOutboxMessage } from '../../src/app/messages/render.ts';
import { createAllocationScenario, fileRequest } from '../support/allocation.ts';
import { givenAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { createScenario, testContext, TestClock } from '../support/scenario.ts';

// Monday 2026-06-01, 08:00 in Paris.
const NOW = new Date('2026-06-01T06:00:00Z');
const ORIGIN = { ip: '203.0.113.7' };
const WEEKDAYS = [1, 2, 3, 4, 5] as (1 | 2 | 3 | 4 | 5)[];

/** A booked appointment on a slot, as a booking leaves it (null: the slot was not bookable). */
async function book(db: Db, slotId: string, procedureId: string, email: string | null = `p.${randomBytes(4).toString('hex')}@example.org`) {
  const suffix = randomBytes(5).toString('hex').toUpperCase();
  return insertAppointment(db, {
    reference: `A${suffix}`, slotId, procedureId, surname: 'Diallo', givenNames: 'Moussa', birthDate: '1988-02-03', nationality: 'MLI',
    email, emailKey: email ? emailKey(email) : null, agdrefNumber: null, passportNumber: `P${suffix}`, identityKey: `key-${suffix}`,
    managementTokenHash: `hash-${suffix}`, channel: 'online', language: 'fr',
  }, NOW);
}

const slotsOf = (db: Db, counterId: string) =>
  db.selectFrom('slot').select(['id', 'status', 'starts_at', 'local_date', 'reserved_for_agents', 'procedure_id']).where('counter_id', '=', counterId).orderBy('starts_at').execute();
const auditActions = async (db: Db, targetId: string) =>
  (await db.selectFrom('audit_event').select('action').where('target_id', '=', targetId).orderBy('id').execute()).map((r) => r.action);

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

  /** A site of 93 with one new counter opened Monday–Friday 09:00–10:00, 20-minute slots. */
  async function openedCounter(mode: 'direct' | 'allocation' = 'direct') {
    const scenario = mode === 'direct' ? await createScenario(db, { prefectureId: '93', counters: 0 }) : await createAllocationScenario(db, { prefectureId: '93', counters: 0 });
    const counter = await addCounter(ctx, supervisor, scenario.siteId, { name: 'Guichet A' }, ORIGIN);
    const { rule, slots } = await addOpeningRule(ctx, supervisor, counter.id, {
      procedureId: scenario.procedureId, weekdays: WEEKDAYS, validFrom: '2026-06-01', validUntil: null, windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 20,
    }, ORIGIN);
    return { scenario, counter, rule, slots };
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

  it('refuses another prefecture\'s counter and a rule that does not hold, writing nothing', async () => {
    const { counter } = await openedCounter();
    await assert.rejects(addOpeningRule(ctx, supervisor973, counter.id, {
      procedureId: 'x', weekdays: WEEKDAYS, validFrom: '2026-06-01', validUntil: null, windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 20,
    }, ORIGIN), (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE');
    const before = (await slotsOf(db, counter.id)).length;
    await assert.rejects(addOpeningRule(ctx, supervisor, counter.id, {
      procedureId: (await db.selectFrom('procedure').select('id').executeTakeFirstOrThrow()).id,
      weekdays: WEEKDAYS, validFrom: '2026-05-01', validUntil: null, windows: [{ start: '10:00', end: '09:00' }], slotMinutes: 20,
    }, ORIGIN), (e) => isDomainError(e) && e.code === 'VALIDATION_FAILED'
      && JSON.stringify(e.details).includes('"path":"validFrom"') && JSON.stringify(e.details).includes('"path":"windows"'));
    // A procedure done by post or online gets no opening rule: its slots could never be booked.
    const postal = await createScenario(db, { procedure: { channel: 'postal' } });
    await assert.rejects(addOpeningRule(ctx, supervisor, counter.id, {
      procedureId: postal.procedureId, weekdays: WEEKDAYS, validFrom: '2026-06-02', validUntil: null, windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 20,
    }, ORIGIN), (e) => isDomainError(e) && e.code === 'VALIDATION_FAILED' && JSON.stringify(e.details).includes('notByAppointment'));
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
    assert.deepEqual(fromEnd.filter((r) => r.status === 'open').map((r) => r.id), [late.id]);
    assert.equal((await db.selectFrom('appointment').select('status').where('slot_id', '=', late.id).executeTakeFirstOrThrow()).status, 'booked');
    assert.deepEqual(await auditActions(db, rule.id), ['opening_rule.create', 'opening_rule.end']);
    assert.equal((await db.selectFrom('opening_rule').select('valid_until').where('id', '=', rule.id).executeTakeFirstOrThrow()).valid_until, '2026-06-07');
  });

  it('a reserved share re-marks the free slots; withdrawing the procedure or the counter keeps the booked ones', async () => {
    const { scenario, counter } = await openedCounter();
    const first = (await slotsOf(db, counter.id))[0]!;
    assert.ok(await book(db, first.id, scenario.procedureId));
    const { slots } = await updateSiteOffer(ctx, supervisor, { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: true, reservedPercent: 100 }, ORIGIN);
    assert.equal(slots.updated, 32);
    const marked = await slotsOf(db, counter.id);
    assert.deepEqual(marked.filter((r) => !r.reserved_for_agents).map((r) => r.id), [first.id], 'all free slots reserved, the booked one untouched');

    await updateSiteOffer(ctx, supervisor, { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: false, reservedPercent: 0 }, ORIGIN);
    assert.deepEqual((await slotsOf(db, counter.id)).filter((r) => r.status === 'open').map((r) => r.id), [first.id]);
    // Offered again: the withdrawn slots are reopened in place (same counter and start).
    await updateSiteOffer(ctx, supervisor, { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: true, reservedPercent: 0 }, ORIGIN);
    assert.equal((await slotsOf(db, counter.id)).filter((r) => r.status === 'open').length, 33);

    await updateCounter(ctx, supervisor, counter.id, { active: false }, ORIGIN);
    assert.deepEqual((await slotsOf(db, counter.id)).filter((r) => r.status === 'open').map((r) => r.id), [first.id]);
    assert.deepEqual((await auditActions(db, counter.id)).slice(-1), ['counter.deactivate']);
    assert.deepEqual(await auditActions(db, `${scenario.siteId}/${scenario.procedureId}`), ['site_procedure.update', 'site_procedure.update', 'site_procedure.update']);
  });

  it('an exceptional opening on a Saturday makes its slots; removing it withdraws the free ones', async () => {
    const { scenario, counter } = await openedCounter();
    const { opening, slots } = await addExceptionalOpening(ctx, supervisor, counter.id, {
      procedureId: scenario.procedureId, date: '2026-06-06', windows: [{ start: '09:00', end: '11:00' }], slotMinutes: 30,
    }, ORIGIN);
    assert.equal(slots.inserted, 4);
    const saturday = () => slotsOf(db, counter.id).then((rows) => rows.filter((r) => r.local_date === '2026-06-06'));
    assert.deepEqual((await saturday()).map((r) => r.status), ['open', 'open', 'open', 'open']);
    assert.ok(await book(db, (await saturday())[1]!.id, scenario.procedureId));
    await assert.rejects(removeExceptionalOpening(ctx, supervisor973, opening.id, ORIGIN), (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE');
    await assert.rejects(addExceptionalOpening(ctx, supervisor, counter.id, {
      procedureId: scenario.procedureId, date: '2026-05-30', windows: [{ start: '09:00', end: '11:00' }], slotMinutes: 30,
    }, ORIGIN), (e) => isDomainError(e) && JSON.stringify(e.details).includes('"path":"date"'));
    await removeExceptionalOpening(ctx, supervisor, opening.id, ORIGIN);
    assert.deepEqual((await saturday()).map((r) => r.status), ['withdrawn', 'open', 'withdrawn', 'withdrawn']);
    assert.deepEqual(await auditActions(db, opening.id), ['exceptional_opening.create', 'exceptional_opening.delete']);
  });

  it('a closure over booked appointments writes nothing until confirmed with their count', async () => {
    const { scenario, counter } = await openedCounter();
    const day = (await slotsOf(db, counter.id)).filter((r) => r.local_date === '2026-06-03');
    const booked = await book(db, day[0]!.id, scenario.procedureId);
    assert.ok(booked);
    const input = { siteId: scenario.siteId, counterId: null, dateFrom: '2026-06-03', dateTo: '2026-06-04', reason: 'Travaux' };

    const asked = await closeSite(ctx, supervisor, input, ORIGIN);
    assert.equal(asked.status, 'needs-confirmation');
    assert.deepEqual(asked.status === 'needs-confirmation' ? asked.appointments.map((a) => a.reference) : [], [booked.reference]);
    const wrongCount = await closeSite(ctx, supervisor, { ...input, confirmAppointments: 2 }, ORIGIN);
    assert.equal(wrongCount.status, 'needs-confirmation');
    assert.equal((await db.selectFrom('closure').select('id').where('site_id', '=', scenario.siteId).execute()).length, 0);
    assert.ok((await slotsOf(db, counter.id)).filter((r) => r.local_date === '2026-06-03').every((r) => r.status === 'open'));
    assert.equal((await db.selectFrom('appointment').select('status').where('id', '=', booked.id).executeTakeFirstOrThrow()).status, 'booked');
    assert.equal((await db.selectFrom('outbox').select('id').where('recipient', '=', booked.email!).execute()).length, 0);
    assert.deepEqual(await auditActions(db, booked.id), []);

    const done = await closeSite(ctx, supervisor, { ...input, confirmAppointments: 1 }, ORIGIN);
    assert.equal(done.status, 'closed');
    const closureId = done.status === 'closed' ? done.closure.id : '';
    assert.equal(done.status === 'closed' ? done.slotsWithdrawn : 0, 6);
    assert.ok((await slotsOf(db, counter.id)).filter((r) => r.local_date >= '2026-06-03' && r.local_date <= '2026-06-04').every((r) => r.status === 'withdrawn'));
    assert.equal((await db.selectFrom('appointment').select('status').where('id', '=', booked.id).executeTakeFirstOrThrow()).status, 'cancelled');
    const quota = await db.selectFrom('email_quota').select('active').where('email_key', '=', emailKey(booked.email!)).executeTakeFirstOrThrow();
    assert.equal(quota.active, 0);
    const mail = await db.selectFrom('outbox').select(['kind', 'payload', 'language']).where('recipient', '=', booked.email!).executeTakeFirstOrThrow();
    assert.equal(mail.kind, 'appointment-closed');
    const payload = mail.payload as { reason: string; wayBack: { kind: string; path: string } };
    assert.equal(payload.reason, 'Travaux');
    assert.equal(payload.wayBack.kind, 'rebook');
    assert.match(payload.wayBack.path, new RegExp(`^/book\\?procedure=${scenario.procedureId}&prefecture=93$`));
    const rendered = renderOutboxMessage({ kind: 'appointment-closed', payload } as never, {
      to: booked.email!, language: 'fr', messageId: '<x@creneau>', writtenAt: NOW, publicUrl: 'https://rdv.example.gouv.fr',
      organizer: { name: 'Créneau', email: 'ne-pas-repondre@example.gouv.fr' }, convocation: null,
    });
    assert.match(rendered.text, /Travaux/);
    assert.match(rendered.text, /https:\/\/rdv\.example\.gouv\.fr\/book\?procedure=/);
    assert.deepEqual(await auditActions(db, closureId), ['closure.create']);
    assert.deepEqual(await auditActions(db, booked.id), ['appointment.cancel']);
    // The closure holds for later materialisations: a resync does not bring those days back.
    await updateSiteOffer(ctx, supervisor, { siteId: scenario.siteId, procedureId: scenario.procedureId, offered: true, reservedPercent: 0 }, ORIGIN);
    assert.ok((await slotsOf(db, counter.id)).filter((r) => r.local_date === '2026-06-04').every((r) => r.status === 'withdrawn'));
  });

  it('a closure puts an allocated appointment\'s request back in the queue, first class of the next draw', async () => {
    const { scenario, counter } = await openedCounter('allocation');
    const slot = (await slotsOf(db, counter.id)).find((r) => r.local_date === '2026-06-05')!;
    const request = await fileRequest(db, testContext(db, clock).hasher, scenario, { urgencyDate: '2026-09-01' });
    // As a draw and a confirmed offer leave it: request booked, offer confirmed with its appointment.
    await db.updateTable('allocation_request').set({ status: 'offered' }).where('id', '=', request.id).execute();
    const appointment = await book(db, slot.id, scenario.procedureId, request.email);
    assert.ok(appointment);
    const draw = await db.insertInto('draw').values({
      prefecture_id: '93', procedure_id: scenario.procedureId, tick: NOW, trigger: 'manual', allocation_order: 'fifo', seed: 's', input_digest: 'i',
      result_digest: 'r', input_snapshot: Buffer.from([0]), requests_count: 1, slots_count: 1, assigned_count: 1, started_at: NOW, finished_at: NOW,
    }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('offer').values({ draw_id: draw.id, request_id: request.id, slot_id: slot.id, status: 'confirmed', expires_at: NOW, appointment_id: appointment.id }).execute();
    await db.updateTable('allocation_request').set({ status: 'booked' }).where('id', '=', request.id).execute();

    const done = await closeSite(ctx, supervisor, { siteId: scenario.siteId, counterId: counter.id, dateFrom: '2026-06-05', dateTo: '2026-06-05', reason: 'Grève', confirmAppointments: 1 }, ORIGIN);
    assert.equal(done.status === 'closed' ? done.requeued : -1, 1);
    const requeued = await db.selectFrom('allocation_request').select(['status', 'urgency_date']).where('id', '=', request.id).executeTakeFirstOrThrow();
    assert.deepEqual(requeued, { status: 'waiting', urgency_date: '2026-05-31' });
    const mail = await db.selectFrom('outbox').select('payload').where('recipient', '=', request.email).where('kind', '=', 'appointment-closed').executeTakeFirstOrThrow();
    assert.equal((mail.payload as { wayBack: { kind: string } }).wayBack.kind, 'requeued');
    assert.deepEqual(await auditActions(db, request.id), ['allocation_request.requeue']);
  });

  /**
   * Runs `write` while a closure holds the slot withdrawn, uncommitted; on PostgreSQL `write`
   * reaches the server (and waits on the slot's lock) before the closure commits — PGlite has
   * one connection, so there it runs after. Returns what `write` gave or threw.
   */
  async function racingClosure(slotId: string, write: () => Promise<unknown>): Promise<unknown> {
    let releaseClosure!: () => void;
    const held = new Promise<void>((resolve) => { releaseClosure = resolve; });
    let withdrawn!: () => void;
    const slotWithdrawn = new Promise<void>((resolve) => { withdrawn = resolve; });
    const closing = db.transaction().execute(async (trx) => {
      await trx.updateTable('slot').set({ status: 'withdrawn' }).where('id', '=', slotId).execute();
      withdrawn();
      await held;
    });
    await slotWithdrawn;
    let settled = false;
    const writing = write().then((a) => a, (e: unknown) => e).finally(() => { settled = true; });
    if (engine === 'postgres') {
      for (let i = 0; i < 250 && !settled; i++) {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%appointment%'`.execute(db);
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
    const outcome = await racingClosure(slots[1]!.id, () => createBookingStore(db).transaction((tx) => tx.moveAppointment(appointment.id, slots[1]!.id, clock.now())));
    assert.ok(outcome === null || (isDomainError(outcome) && outcome.code === 'SLOT_TAKEN'), String(outcome));
    const row = await db.selectFrom('appointment').select('slot_id').where('id', '=', appointment.id).executeTakeFirstOrThrow();
    assert.equal(row.slot_id, slots[0]!.id);
    assert.equal(await liveOnWithdrawn(), 0);
  });

  it('an administrator\'s cap is kept at the next start; before that, the environment\'s applies', async () => {
    await syncSettings(db, { maxActiveAppointmentsPerEmail: 4 });
    assert.equal(await ctx.store.getEmailCap(), 4);
    const admin = (await givenAgent(testAgentContext(db, clock), 'admin', null)).agent;
    await assert.rejects(updateEmailCap(ctx, supervisor, { maxActivePerEmail: 3 }, ORIGIN), (e) => isDomainError(e) && e.code === 'FORBIDDEN_SCOPE');
    await updateEmailCap(ctx, admin, { maxActivePerEmail: 3 }, ORIGIN);
    await syncSettings(db, { maxActiveAppointmentsPerEmail: 5 });
    assert.equal(await ctx.store.getEmailCap(), 3);
    assert.deepEqual(await auditActions(db, 'max_active_appointments_per_email'), ['setting.update']);
  });
});
