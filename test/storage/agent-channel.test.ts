// The phone and counter channel on both engines: the reserve is the agents' (the database
// refuses an online appointment on it), agents book it for callers with the online checks
// and caps, people without email are booked too, and every booking is audited with it. There
// is no booking mode: for every procedure done at a counter an agent may book the reserve or
// file a request for the caller.
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { bookForCaller } from '../../src/app/agent-channel/book-for-caller.ts';
import { fileForCaller } from '../../src/app/agent-channel/file-for-caller.ts';
import { listReservedSlots } from '../../src/app/agent-channel/list-reserved-slots.ts';
import { bookSlot } from '../../src/app/booking/book-slot.ts';
import { listFreeSlots } from '../../src/app/booking/list-free-slots.ts';
import { rescheduleAppointment } from '../../src/app/booking/reschedule-appointment.ts';
import { requestContext } from '../../src/app/requests/request-context.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { CallerIdentity } from '../../src/domain/identity.ts';
import { givenAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testSigner } from '../support/outbox.ts';
import { openCounters } from '../support/requests.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday 1 June 2026, 10:00 in Paris
const FIRST = new Date('2026-06-03T07:00:00Z'); // Wednesday 3 June, 9:00 in Paris
const ORIGIN = { ip: '203.0.113.9', route: 'test' };

describeEachEngine('phone and counter channel', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const ctx = () => testContext(database().db, clock);
  const agents = () => testAgentContext(database().db, clock);

  /**
   * A site with 6 slots (3 counters × 2 times); the first `reserved` of them in the agents'
   * reserve, the others open to the public (as a draw that found no taker leaves them).
   */
  async function reserveScenario(reserved = 2, prefectureId = '93') {
    const db = database().db;
    const s = await createScenario(db, { prefectureId, counters: 3 });
    const slotIds = await s.addSlots(6, FIRST);
    await db
      .updateTable('slot')
      .set({ reserved_for_agents: true })
      .where('id', 'in', slotIds.slice(0, reserved))
      .execute();
    return { ...s, reservedIds: slotIds.slice(0, reserved), publicIds: slotIds.slice(reserved) };
  }
  const counterAgent = async (s: { prefectureId: string; siteId: string }) =>
    (await givenAgent(agents(), 'counter', s.prefectureId, [s.siteId])).agent;
  /** A caller, with a number to call (required without email: issue 15, Agents 1). */
  const caller = (overrides: Partial<CallerIdentity> = {}): CallerIdentity => ({
    ...applicant(),
    phone: '06 12 34 56 78',
    ...overrides,
  });
  const outboxOf = (email: string) =>
    database()
      .db.selectFrom('outbox')
      .select(['kind', 'recipient'])
      .where('recipient', '=', email)
      .orderBy('kind')
      .execute();

  it('hides the reserve from the public: not listed, not drawn, and an online booking of it is refused by the database itself', async () => {
    const db = database().db;
    const s = await reserveScenario(2);
    const listed = await listFreeSlots(ctx(), {
      procedureId: s.procedureId,
      siteIds: [s.siteId],
      fromDate: '2026-06-01',
      toDate: '2026-06-30',
      limit: 100,
    });
    assert.equal(listed.slots.length, 2, 'two public times, the reserve not among them');
    assert.ok(listed.slots.every((slot) => !s.reservedIds.includes(slot.slotId)));

    // Through the use case: the uniform "not bookable" refusal.
    const person = applicant();
    await assert.rejects(
      bookSlot(ctx(), {
        slotId: s.reservedIds[0]!,
        applicant: person,
        emailProof: await knownEmailProof(ctx(), person.email),
      }),
      { code: 'SLOT_UNAVAILABLE' },
    );
    // Past the use case's check, the store's insert meets the trigger and says the same.
    await assert.rejects(
      ctx().store.transaction((tx) =>
        tx.insertAppointment(
          {
            reference: 'TEST-RSRV-01',
            slotId: s.reservedIds[0]!,
            procedureId: s.procedureId,
            surname: 'Diallo',
            givenNames: 'Aminata',
            birthDate: '1990-04-12',
            nationality: 'SEN',
            email: person.email,
            emailKey: person.email,
            agdrefNumber: null,
            passportNumber: 'P1',
            identityKey: 'k-rsrv',
            managementTokenHash: 'h-rsrv',
            channel: 'online',
            language: 'fr',
          },
          NOW,
        ),
      ),
      { code: 'SLOT_UNAVAILABLE' },
    );
    // And a hand-written SQL insert too, by its constraint's name.
    await assert.rejects(
      sql`
      insert into appointment (reference, slot_id, procedure_id, site_id, surname, given_names, birth_date, nationality, email, email_key, passport_number, identity_key, management_token_hash, channel)
      values ('TEST-RSRV-02', ${s.reservedIds[1]!}, ${s.procedureId}, ${s.siteId}, 'Diallo', 'Aminata', '1990-04-12', 'SEN', 'a@example.org', 'a@example.org', 'P2', 'k2', 'h2', 'online')`.execute(
        db,
      ),
      (e: { constraint?: string }) => e.constraint === 'appointment_slot_reserved_for_agents',
    );
    // An online appointment cannot be moved onto the reserve either: not by its owner, not by hand.
    const booked = await bookSlot(ctx(), {
      slotId: s.publicIds[0]!,
      applicant: person,
      emailProof: await knownEmailProof(ctx(), person.email),
    });
    await assert.rejects(
      rescheduleAppointment(ctx(), {
        managementToken: booked.confirmation.managementToken,
        slotId: s.reservedIds[1]!,
        emailProof: await knownEmailProof(ctx(), person.email, 'reschedule'),
      }),
      { code: 'SLOT_UNAVAILABLE' },
    );
    await assert.rejects(
      sql`update appointment set slot_id = ${s.reservedIds[1]!} where reference = ${booked.confirmation.appointment.reference}`.execute(
        db,
      ),
      (e: { constraint?: string }) => e.constraint === 'appointment_slot_reserved_for_agents',
    );
    // An email is required online, even by a hand-written insert.
    await assert.rejects(
      sql`
      insert into appointment (reference, slot_id, procedure_id, site_id, surname, given_names, birth_date, nationality, passport_number, identity_key, management_token_hash, channel)
      values ('TEST-RSRV-03', ${s.publicIds[1]!}, ${s.procedureId}, ${s.siteId}, 'Diallo', 'Aminata', '1990-04-12', 'SEN', 'P3', 'k3', 'h3', 'online')`.execute(
        db,
      ),
      (e: { constraint?: string }) => e.constraint === 'appointment_email_unless_agent_channel',
    );

    // Draws offer public slots only.
    const draws = createDrawStore(db);
    const forDraw = await draws.transaction((tx) =>
      tx.slots.freeForDraw(s.prefectureId, s.procedureId, {
        tick: NOW,
        availableBy: NOW,
        freedBy: NOW,
        startsFrom: NOW,
      }),
    );
    assert.deepEqual(new Set(forDraw.map((f) => f.id)), new Set(s.publicIds.slice(1)));
  });

  it('lets an agent book a reserved slot for a caller with email: same emails, audit in the transaction, without the identity', async () => {
    const db = database().db;
    const s = await reserveScenario(2);
    const agent = await counterAgent(s);
    const listed = await listReservedSlots(ctx(), agent, { procedureId: s.procedureId, siteId: s.siteId });
    // Both reserved slots start at 9:00 (two counters): one time, two free counters — and no public slot.
    assert.deepEqual(
      listed.slots.map((slot) => [s.reservedIds.includes(slot.slotId), slot.freeCounters]),
      [[true, 2]],
      'the agent sees the reserve, and only it',
    );

    const person = caller();
    const booked = await bookForCaller(
      ctx(),
      testSigner,
      agent,
      { slotId: s.reservedIds[0]!, applicant: person, channel: 'phone' },
      ORIGIN,
    );
    const { appointment, managementToken } = booked.confirmation;
    assert.equal(appointment.status, 'booked');
    assert.ok(managementToken.length >= 20);
    assert.ok(booked.convocation.shortCode.length >= 6);
    assert.match(booked.convocation.qrSvg, /^<svg/);
    const row = await db
      .selectFrom('appointment')
      .select(['id', 'channel', 'email'])
      .where('reference', '=', appointment.reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.channel, row.email], ['phone', person.email]);
    assert.deepEqual(
      (await outboxOf(person.email!)).map((m) => m.kind),
      ['appointment-booked'],
      'the confirmation (ICS attached at delivery); the reminder is due in less than 48 h',
    );

    const audit = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'appointment.book_for_caller')
      .where('target_id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.equal(audit.agent_id, agent.id);
    assert.equal(audit.prefecture_id, s.prefectureId);
    assert.equal(audit.ip, ORIGIN.ip);
    const after = audit.after as Record<string, unknown>;
    assert.deepEqual(after, {
      reference: appointment.reference,
      slotId: s.reservedIds[0],
      siteId: s.siteId,
      procedureId: s.procedureId,
      channel: 'phone',
      withEmail: true,
    });
    assert.doesNotMatch(JSON.stringify(after), /Diallo|Aminata|example\.org/);

    // The reserve is the agents' only: a public slot is not theirs to book.
    await assert.rejects(
      bookForCaller(
        ctx(),
        testSigner,
        agent,
        { slotId: s.publicIds[0]!, applicant: caller(), channel: 'counter' },
        ORIGIN,
      ),
      { code: 'SLOT_UNAVAILABLE' },
    );
    // The same person twice for the procedure: refused, as online, and nothing audited for it.
    await assert.rejects(
      bookForCaller(
        ctx(),
        testSigner,
        agent,
        { slotId: s.reservedIds[1]!, applicant: { ...person, email: null }, channel: 'phone' },
        ORIGIN,
      ),
      { code: 'ALREADY_BOOKED_FOR_PROCEDURE' },
    );
    const audits = await db
      .selectFrom('audit_event')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('action', '=', 'appointment.book_for_caller')
      .where('agent_id', '=', agent.id)
      .executeTakeFirstOrThrow();
    assert.equal(audits.n, 1);
  });

  it('books a caller without email: no email but a text message to their number, no quota row, a convocation to print; the identity still counts once', async () => {
    const db = database().db;
    const s = await reserveScenario(2);
    const agent = await counterAgent(s);
    const person = caller({ email: null });
    const quotaRows = async () =>
      Number(
        (await db.selectFrom('email_quota').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n,
      );
    const quotasBefore = await quotaRows();
    const booked = await bookForCaller(
      ctx(),
      testSigner,
      agent,
      { slotId: s.reservedIds[0]!, applicant: person, channel: 'counter' },
      ORIGIN,
    );
    assert.equal(booked.confirmation.appointment.applicant.email, null);
    assert.ok(booked.convocation.token.length > 100);
    assert.equal(booked.site.id, s.siteId);
    const row = await db
      .selectFrom('appointment')
      .select(['id', 'email', 'email_key', 'channel'])
      .where('reference', '=', booked.confirmation.appointment.reference)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.email, row.email_key, row.channel], [null, null, 'counter']);
    const messages = await db
      .selectFrom('outbox')
      .select(['kind', 'channel', 'recipient'])
      .where(sql`payload->'appointment'->>'appointmentId'`, '=', row.id)
      .execute();
    assert.deepEqual(
      messages.map((m) => [m.channel, m.recipient]),
      messages.map(() => ['sms', '0612345678']),
      'no email: text messages to the number only',
    );
    assert.ok(messages.some((m) => m.kind === 'appointment-booked'));
    assert.equal(await quotaRows(), quotasBefore);
    await assert.rejects(
      bookForCaller(
        ctx(),
        testSigner,
        agent,
        {
          slotId: s.reservedIds[1]!,
          applicant: { ...person, passportNumber: ` ${person.passportNumber!.toLowerCase()} ` },
          channel: 'counter',
        },
        ORIGIN,
      ),
      { code: 'ALREADY_BOOKED_FOR_PROCEDURE' },
    );
    // Cancelling it (a status change through the quota trigger) works and leaves the quotas alone too.
    await db.updateTable('appointment').set({ status: 'cancelled' }).where('id', '=', row.id).execute();
    assert.equal(await quotaRows(), quotasBefore);
  });

  it('applies the per-email cap of the online journey to agents', async () => {
    const s = await reserveScenario(3);
    const agent = await counterAgent(s);
    const email = `shared.${Date.now()}@example.org`;
    const others = await Promise.all(
      [1, 2].map(async () => {
        const o = await createScenario(database().db, { prefectureId: '93', counters: 1 });
        const [slotId] = await o.addSlots(1, FIRST);
        await database().db.updateTable('slot').set({ reserved_for_agents: true }).where('id', '=', slotId!).execute();
        return { ...o, slotId: slotId! };
      }),
    );
    for (const o of others) {
      const a = (await givenAgent(agents(), 'supervisor', '93')).agent;
      await bookForCaller(
        ctx(),
        testSigner,
        a,
        { slotId: o.slotId, applicant: caller({ email }), channel: 'phone' },
        ORIGIN,
      );
    }
    await assert.rejects(
      bookForCaller(
        ctx(),
        testSigner,
        agent,
        { slotId: s.reservedIds[0]!, applicant: caller({ email }), channel: 'phone' },
        ORIGIN,
      ),
      { code: 'EMAIL_CAP_REACHED' },
    );
  });

  it('keeps agents in their scope: another prefecture, or another site of a counter agent, is refused', async () => {
    const s = await reserveScenario(2);
    const guiana = await reserveScenario(2, '973');
    const agent93 = (await givenAgent(agents(), 'supervisor', '93')).agent;
    await assert.rejects(
      listReservedSlots(ctx(), agent93, { procedureId: guiana.procedureId, siteId: guiana.siteId }),
      { code: 'FORBIDDEN_SCOPE' },
    );
    await assert.rejects(
      bookForCaller(
        ctx(),
        testSigner,
        agent93,
        { slotId: guiana.reservedIds[0]!, applicant: caller(), channel: 'phone' },
        ORIGIN,
      ),
      { code: 'FORBIDDEN_SCOPE' },
    );
    const otherSite = await reserveScenario(2);
    const counter = await counterAgent(otherSite);
    await assert.rejects(
      bookForCaller(
        ctx(),
        testSigner,
        counter,
        { slotId: s.reservedIds[0]!, applicant: caller(), channel: 'counter' },
        ORIGIN,
      ),
      { code: 'FORBIDDEN_SCOPE' },
    );
    const left = await database()
      .db.selectFrom('appointment')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('slot_id', 'in', [...s.reservedIds, ...guiana.reservedIds])
      .executeTakeFirstOrThrow();
    assert.equal(left.n, 0);
  });

  it('gives one reserved slot to one of 6 agents booking it at once', async () => {
    const s = await reserveScenario(1);
    const team = await Promise.all(Array.from({ length: 6 }, () => givenAgent(agents(), 'supervisor', '93')));
    const results = await Promise.allSettled(
      team.map((t, i) =>
        bookForCaller(
          ctx(),
          testSigner,
          t.agent,
          {
            slotId: s.reservedIds[0]!,
            applicant: caller({ email: i % 2 ? null : `caller${i}.${Date.now()}@example.org` }),
            channel: 'phone',
          },
          ORIGIN,
        ),
      ),
    );
    const wins = results.filter((r) => r.status === 'fulfilled');
    const codes = results.flatMap((r) =>
      r.status === 'rejected' ? [r.reason instanceof DomainError ? r.reason.code : String(r.reason)] : [],
    );
    assert.equal(wins.length, 1);
    assert.deepEqual(new Set(codes), new Set(['SLOT_TAKEN']));
    const audits = await database()
      .db.selectFrom('audit_event')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('action', '=', 'appointment.book_for_caller')
      .where(
        'agent_id',
        'in',
        team.map((t) => t.agent.id),
      )
      .executeTakeFirstOrThrow();
    assert.equal(audits.n, 1, 'the losers audited nothing');
  });

  it('files a request for a caller, for a procedure whose reserve agents also book: same checks, the acknowledgement, the audit; an email is required', async () => {
    const db = database().db;
    const s = await reserveScenario(2);
    await openCounters(db, s.counterIds, s.procedureId);
    const rctx = requestContext(ctx(), createRequestStore(db));
    const agent = await counterAgent(s);
    const person = caller();
    const input = {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
      channel: 'phone' as const,
    };
    const filed = await fileForCaller(rctx, agent, { ...input, applicant: person }, ORIGIN);
    assert.equal(filed.request.status, 'waiting');
    const row = await db
      .selectFrom('allocation_request')
      .select(['id', 'channel'])
      .where('reference', '=', filed.request.reference)
      .executeTakeFirstOrThrow();
    assert.equal(row.channel, 'phone');
    assert.deepEqual(
      (await outboxOf(person.email!)).map((m) => m.kind),
      ['request-filed'],
    );
    const audit = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('action', '=', 'request.file_for_caller')
      .where('target_id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit.after, {
      reference: filed.request.reference,
      procedureId: s.procedureId,
      siteIds: [s.siteId],
      channel: 'phone',
    });

    await assert.rejects(
      fileForCaller(rctx, agent, { ...input, applicant: caller({ email: null }) }, ORIGIN),
      (e: DomainError) => e.code === 'VALIDATION_FAILED' && JSON.stringify(e.details).includes('applicant.email'),
    );
    await assert.rejects(fileForCaller(rctx, agent, { ...input, applicant: person }, ORIGIN), {
      code: 'ALREADY_REQUESTED_FOR_PROCEDURE',
    });
    // The same procedure, another caller: a slot of the reserve (no mode decides between the two ways).
    const booked = await bookForCaller(
      ctx(),
      testSigner,
      agent,
      { slotId: s.reservedIds[0]!, applicant: caller(), channel: 'phone' },
      ORIGIN,
    );
    assert.equal(booked.confirmation.appointment.status, 'booked');
    // The caller with a waiting request is not booked next to it.
    await assert.rejects(
      bookForCaller(
        ctx(),
        testSigner,
        agent,
        { slotId: s.reservedIds[1]!, applicant: person, channel: 'phone' },
        ORIGIN,
      ),
      { code: 'ALREADY_REQUESTED_FOR_PROCEDURE' },
    );
    const elsewhere = await counterAgent(await createScenario(db, { prefectureId: '93' }));
    await assert.rejects(fileForCaller(rctx, elsewhere, { ...input, applicant: caller() }, ORIGIN), {
      code: 'FORBIDDEN_SCOPE',
    });
    await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    const guiana = (await givenAgent(agents(), 'supervisor', '973')).agent;
    await assert.rejects(fileForCaller(rctx, guiana, { ...input, applicant: caller() }, ORIGIN), {
      code: 'FORBIDDEN_SCOPE',
    });
  });
});
