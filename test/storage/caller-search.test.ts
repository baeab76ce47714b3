// The agents' search for people, and acting for the caller from a result, on both engines
// (issue 15, Agents 1 and 2): every kind of key finds the person (name without case or
// accents, reference, phone, email key, AGDREF and passport numbers), nobody of another
// prefecture is ever found or opened, a counter agent acts at their own sites only, paging
// is exact, and a cancellation or a move for the caller is audited with the agent's id in
// its own transaction. A booking without email needs the caller's phone number (use case and
// database alike).
import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { sql } from 'kysely';
import type { AgentChannelUseCases } from '../../src/app/agent-channel/agent-channel-use-cases.ts';
import type { CallerIdentity } from '../../src/domain/identity.ts';
import type { Agent } from '../../src/ports/agent-store.ts';
import { givenAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { openCounters } from '../support/requests.ts';
import { applicant, createScenario, TestClock } from '../support/scenario.ts';
import { testServices } from '../support/services.ts';

const NOW = new Date('2026-06-01T08:00:00Z'); // Monday 1 June 2026, 10:00 in Paris
const FIRST = new Date('2026-06-03T07:00:00Z'); // Wednesday 3 June, 9:00 in Paris
const ORIGIN = { ip: '203.0.113.9', route: 'test' };

describeEachEngine('agents search for people', (database) => {
  const clock = new TestClock(NOW);
  beforeEach(() => clock.set(NOW));
  const channel = (): AgentChannelUseCases => testServices(database().db, clock).features.agentChannel.useCases;
  const agents = () => testAgentContext(database().db, clock);

  /** A site whose slots are all in the agents' reserve. */
  async function site(prefectureId = '93', slots = 8) {
    const db = database().db;
    const s = await createScenario(db, { prefectureId, counters: 2 });
    const slotIds = await s.addSlots(slots, FIRST);
    await db.updateTable('slot').set({ reserved_for_agents: true }).where('id', 'in', slotIds).execute();
    await openCounters(db, s.counterIds, s.procedureId);
    return { ...s, slotIds };
  }
  const caller = (overrides: Partial<CallerIdentity> = {}): CallerIdentity => ({ ...applicant(), ...overrides });
  async function book(agent: Agent, slotId: string, person: CallerIdentity) {
    const booked = await channel().bookForCaller(agent, { slotId, applicant: person, channel: 'phone' }, ORIGIN);
    const { reference } = booked.confirmation.appointment;
    const { id } = await database()
      .db.selectFrom('appointment')
      .select('id')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    return { id, reference };
  }

  it('finds a person by every key, only in the agent’s prefecture, with the same fields whatever matched', async () => {
    const s93 = await site('93');
    const s973 = await site('973');
    const counter = (await givenAgent(agents(), 'counter', '93', [s93.siteId])).agent;
    const counter973 = (await givenAgent(agents(), 'counter', '973', [s973.siteId])).agent;
    const admin = (await givenAgent(agents(), 'admin', null)).agent;
    const unique = `Zoé-${Date.now().toString(36)}`;
    const person = caller({ surname: `N'Diaye ${unique}`, givenNames: 'Aïssatou', email: 'A.Ndiaye+rdv@Example.org' });
    const a93 = await book(counter, s93.slotIds[0]!, { ...person, phone: '+33 6 12 34 56 78' });
    // The same person's namesake in 973.
    const a973 = await book(
      counter973,
      s973.slotIds[0]!,
      caller({ surname: `N'Diaye ${unique}`, email: null, phone: '0594 39 45 10' }),
    );

    const searches = [
      `ndiaye ${unique.toLowerCase().replace('é', 'e')} aissatou`,
      a93.reference.toLowerCase().replace(/-/g, ' '),
      '06.12.34.56.78',
      'a.ndiaye+other@example.org',
      person.passportNumber!.toLowerCase(),
    ];
    for (const typed of searches) {
      const found = await channel().searchCallers(counter, typed);
      assert.deepEqual(
        found.hits.map((h) => h.reference),
        [a93.reference],
        `"${typed}" finds the 93 appointment and nothing of 973`,
      );
      const hit = found.hits[0]!;
      assert.deepEqual(
        [hit.kind, hit.phone, hit.email, hit.siteId, hit.canAct],
        ['appointment', '0612345678', 'A.Ndiaye+rdv@Example.org', s93.siteId, true],
      );
    }
    // The 973 agent finds their own person only; the administrator both.
    assert.deepEqual(
      (await channel().searchCallers(counter973, unique)).hits.map((h) => h.reference),
      [a973.reference],
    );
    assert.deepEqual(
      (await channel().searchCallers(admin, unique)).hits.map((h) => h.reference).sort(),
      [a93.reference, a973.reference].sort(),
    );
    // Another prefecture's appointment cannot be opened, cancelled, moved nor printed: "not found".
    for (const act of [
      () => channel().openCallerAppointment(counter, a973.id),
      () => channel().cancelForCaller(counter, a973.id, ORIGIN),
      () => channel().moveForCaller(counter, a973.id, s973.slotIds[2]!, ORIGIN),
      () => channel().printCallerConvocation(counter, a973.id),
    ])
      await assert.rejects(act(), { code: 'APPOINTMENT_NOT_FOUND' });
    // A fragment of an email or a text of one letter finds nobody (no query runs for the latter).
    assert.equal((await channel().searchCallers(counter, 'ndiaye@example')).hits.length, 0);
    assert.deepEqual(await channel().searchCallers(counter, ' a '), {
      searched: false,
      page: 1,
      hits: [],
      hasNext: false,
    });
  });

  it('finds requests too (by phone here), and pages exactly over both kinds', async () => {
    const s = await site('93', 30);
    const supervisor = (await givenAgent(agents(), 'supervisor', '93')).agent;
    const name = `Paging${Date.now().toString(36)}`;
    const booked: string[] = [];
    for (let i = 0; i < 23; i++)
      booked.push(
        (await book(supervisor, s.slotIds[i]!, caller({ surname: name, givenNames: `G${String(i).padStart(2, '0')}` })))
          .reference,
      );
    const request = await channel().fileForCaller(
      supervisor,
      {
        prefectureId: '93',
        procedureId: s.procedureId,
        preferences: { siteIds: [s.siteId], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
        applicant: caller({ surname: name, givenNames: 'G99', phone: '+221 77 123 45 67' }),
        channel: 'phone',
      },
      ORIGIN,
    );
    const byPhone = await channel().searchCallers(supervisor, '00221771234567');
    assert.deepEqual(
      byPhone.hits.map((h) => [h.kind, h.reference, h.canAct]),
      [['request', request.request.reference, false]],
    );

    const first = await channel().searchCallers(supervisor, name);
    const second = await channel().searchCallers(supervisor, name, 2);
    assert.equal(first.hits.length, 20);
    assert.equal(first.hasNext, true);
    assert.equal(second.hits.length, 4);
    assert.equal(second.hasNext, false);
    const all = [...first.hits, ...second.hits];
    assert.deepEqual(
      all.map((h) => h.givenNames),
      [...booked.map((_, i) => `G${String(i).padStart(2, '0')}`), 'G99'],
      'ordered by given names across appointments and requests, nobody twice or missing',
    );
  });

  it('cancels and moves for the caller: audited with the agent, the same effects as online; a counter agent only at their sites', async () => {
    const db = database().db;
    const s = await site('93');
    const other = await site('93');
    const counter = (await givenAgent(agents(), 'counter', '93', [s.siteId])).agent;
    const otherCounter = (await givenAgent(agents(), 'counter', '93', [other.siteId])).agent;
    const email = `move.${Date.now()}@example.org`;
    const a = await book(counter, s.slotIds[0]!, caller({ email }));

    // An agent of another site of the prefecture sees it, but may not act on it.
    const seen = await channel().openCallerAppointment(otherCounter, a.id);
    assert.deepEqual([seen.appointment.canAct, seen.slots.length], [false, 0]);
    await assert.rejects(channel().cancelForCaller(otherCounter, a.id, ORIGIN), { code: 'FORBIDDEN_SCOPE' });

    const opened = await channel().openCallerAppointment(counter, a.id);
    assert.equal(opened.active, true);
    assert.ok(opened.slots.every((slot) => slot.siteId === s.siteId));
    const target = opened.slots.find((slot) => slot.slotId !== s.slotIds[0])!;
    // A slot of another site is refused, whatever the list said.
    await assert.rejects(channel().moveForCaller(counter, a.id, other.slotIds[1]!, ORIGIN), {
      code: 'SLOT_UNAVAILABLE',
    });
    const moved = await channel().moveForCaller(counter, a.id, target.slotId, ORIGIN);
    assert.equal(moved.slotId, target.slotId);
    await channel().cancelForCaller(counter, a.id, ORIGIN);
    await assert.rejects(channel().cancelForCaller(counter, a.id, ORIGIN), { code: 'APPOINTMENT_NOT_ACTIVE' });

    const audit = await db
      .selectFrom('audit_event')
      .select(['action', 'agent_id', 'prefecture_id', 'ip'])
      .where('target_id', '=', a.id)
      .orderBy('at')
      .orderBy('action')
      .execute();
    assert.deepEqual(
      audit.map((e) => [e.action, e.agent_id, e.prefecture_id, e.ip]),
      [
        ['appointment.book_for_caller', counter.id, '93', ORIGIN.ip],
        ['appointment.cancel_for_caller', counter.id, '93', ORIGIN.ip],
        ['appointment.move_for_caller', counter.id, '93', ORIGIN.ip],
      ],
    );
    const row = await db
      .selectFrom('appointment')
      .select(['status', 'reschedule_count'])
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.reschedule_count], ['cancelled', 1]);
    const mails = await db
      .selectFrom('outbox')
      .select(['kind', 'status'])
      .where('recipient', '=', email)
      .orderBy('kind')
      .execute();
    assert.ok(
      mails.some((m) => m.kind === 'appointment-cancelled'),
      JSON.stringify(mails),
    );
  });

  it('needs a phone number for a caller without email: refused by the use case, and by the database for any new row', async () => {
    const db = database().db;
    const s = await site('93');
    const counter = (await givenAgent(agents(), 'counter', '93', [s.siteId])).agent;
    await assert.rejects(
      book(counter, s.slotIds[0]!, caller({ email: null })),
      (e: { code?: string; details?: unknown }) => {
        assert.equal(e.code, 'VALIDATION_FAILED');
        assert.deepEqual(e.details, { errors: [{ path: 'applicant.phone', message: 'required' }] });
        return true;
      },
    );
    await assert.rejects(book(counter, s.slotIds[0]!, caller({ phone: '06 12' })), { code: 'VALIDATION_FAILED' });
    const a = await book(counter, s.slotIds[0]!, caller({ email: null, phone: '06 98 76 54 32' }));
    assert.equal(
      (await db.selectFrom('appointment').select('phone').where('id', '=', a.id).executeTakeFirstOrThrow()).phone,
      '0698765432',
    );
    await assert.rejects(
      sql`update appointment set phone = null where id = ${a.id}`.execute(db),
      (e: { constraint?: string }) => e.constraint === 'appointment_phone_unless_email',
    );
    await assert.rejects(
      sql`update appointment set phone = '06 98' where id = ${a.id}`.execute(db),
      (e: { constraint?: string }) => e.constraint === 'appointment_phone_shape',
    );
  });
});
