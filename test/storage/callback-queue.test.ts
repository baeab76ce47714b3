// The agents' call-back queue on both engines: oldest first per status and prefecture, "assigned
// to me", two agents taking the same call-back at once (one wins, the other is told who has
// it), status changes with their history of notes, stale versions refused, scoping (an agent
// of 93 never reaches a call-back of 973), the database's own check of assignees, audit
// events without personal data, and the retention purge.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createCallbackStore } from '../../src/adapters/db/callback-store.ts';
import { disableAgentById } from '../../src/app/agents/disable-agent.ts';
import { assignCallback } from '../../src/app/callbacks/assign-callback.ts';
import type { CallbackQueueContext } from '../../src/app/callbacks/callback-queue-context.ts';
import { changeCallbackStatus } from '../../src/app/callbacks/change-callback-status.ts';
import { decodeQueueCursor, encodeQueueCursor, listCallbacks } from '../../src/app/callbacks/list-callbacks.ts';
import { purgeCallbacks } from '../../src/app/callbacks/purge-callbacks.ts';
import { CALLBACK_RETENTION_DAYS, callbackAge, callbackPurgeCutoff } from '../../src/domain/callback-rules.ts';
import type { DomainError } from '../../src/domain/errors.ts';
import { givenAgent, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { codeOf } from '../support/outcome.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const DAY = 86_400_000;
const SITUATION = 'Titre de séjour expiré, SECRET-SITUATION-42';

describe('call-back queue rules', () => {
  it('says the age in minutes, hours, then days', () => {
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    assert.deepEqual(callbackAge(NOW, at(42)), { value: 42, unit: 'minutes' });
    assert.deepEqual(callbackAge(NOW, at(30 * 60)), { value: 30, unit: 'hours' });
    assert.deepEqual(callbackAge(NOW, at(3 * 24 * 60 + 60)), { value: 3, unit: 'days' });
    assert.deepEqual(callbackAge(NOW, at(-5)), { value: 0, unit: 'minutes' });
  });

  it('purges closed call-backs 90 days after their last change', () => {
    assert.equal(CALLBACK_RETENTION_DAYS, 90);
    assert.equal(callbackPurgeCutoff(new Date('2026-05-30T10:00:00Z')).toISOString(), '2026-03-01T10:00:00.000Z');
  });

  it('encodes and reads back the queue cursor, and refuses anything else', () => {
    const item = { createdAt: NOW, id: '0b6f5a1e-1c1d-4c3e-9c43-0d4f2f1e9a10' };
    assert.deepEqual(decodeQueueCursor(encodeQueueCursor(item)), item);
    for (const bad of ['', 'x', `${NOW.toISOString()}~not-a-uuid`, `2026-13-45T99:00:00.000Z~${item.id}`])
      assert.equal(decodeQueueCursor(bad), null, bad);
  });
});

describeEachEngine('call-back queue', (database) => {
  const clock = new TestClock(NOW);
  const agentCtx = () => testAgentContext(database().db, clock);
  const ctx = (): CallbackQueueContext => ({
    callbacks: createCallbackStore(database().db),
    agents: agentCtx().agents,
    clock,
  });
  let phoneCounter = 0;
  const phone = () => `07${String(++phoneCounter * 7919 + Math.floor(Math.random() * 1000)).padStart(8, '0')}`;
  const who: Record<'counter93' | 'counter93b' | 'supervisor93' | 'counter973' | 'admin', TestAgent> = {} as never;
  let site93: string;

  /** A call-back filed `minutesAgo` before now at `prefectureId`; returns its id. */
  async function filed(prefectureId: string, minutesAgo: number, situation = SITUATION): Promise<string> {
    const store = createCallbackStore(database().db);
    const number = phone();
    const createdAt = new Date(clock.now().getTime() - minutesAgo * 60_000);
    assert.deepEqual(
      await store.insertCallbackRequest({ prefectureId, phone: number, language: 'fr', situation, createdAt }),
      { stored: true, reference: null },
    );
    const row = await database()
      .db.selectFrom('callback_request')
      .select('id')
      .where('phone', '=', number)
      .where('prefecture_id', '=', prefectureId)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  before(async () => {
    const db = database().db;
    site93 = (await createScenario(db, { prefectureId: '93' })).siteId;
    const site973 = (await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' })).siteId;
    who.counter93 = await givenAgent(agentCtx(), 'counter', '93', [site93]);
    who.counter93b = await givenAgent(agentCtx(), 'counter', '93', [site93]);
    who.supervisor93 = await givenAgent(agentCtx(), 'supervisor', '93');
    who.counter973 = await givenAgent(agentCtx(), 'counter', '973', [site973]);
    who.admin = await givenAgent(agentCtx(), 'admin', null);
  });

  it('lists the queue oldest first, "assigned to me", with a next page; another prefecture is refused', async () => {
    clock.set(new Date(NOW.getTime() + 10 * DAY));
    const ids = [await filed('93', 30), await filed('93', 90), await filed('93', 60)];
    const own973 = await filed('973', 45);
    await assignCallback(ctx(), who.counter93.agent, { callbackId: ids[2]!, assignTo: 'me' });

    const queue = await listCallbacks(ctx(), who.counter93.agent, {
      prefectureId: null,
      status: 'to_call',
      mine: false,
    });
    const mine = queue.items.filter((c) => ids.includes(c.id)).map((c) => c.id);
    assert.deepEqual(mine, [ids[1], ids[2], ids[0]], 'oldest first');
    assert.ok(!queue.items.some((c) => c.id === own973), 'never a call-back of 973');
    assert.equal(queue.prefectureId, '93');
    assert.deepEqual(queue.assignees, [], 'a counter agent hands out nothing');

    const assigned = await listCallbacks(ctx(), who.counter93.agent, {
      prefectureId: null,
      status: 'to_call',
      mine: true,
    });
    assert.deepEqual(
      assigned.items.map((c) => [c.id, c.assignedAgentName]),
      [[ids[2], who.counter93.agent.displayName]],
    );

    const first = await listCallbacks(ctx(), who.supervisor93.agent, {
      prefectureId: '93',
      status: 'to_call',
      mine: false,
      limit: 2,
    });
    assert.equal(first.items.length, 2);
    assert.ok(first.next);
    const second = await listCallbacks(ctx(), who.supervisor93.agent, {
      prefectureId: '93',
      status: 'to_call',
      mine: false,
      limit: 2,
      after: first.next!,
    });
    assert.ok(!second.items.some((c) => first.items.some((f) => f.id === c.id)), 'pages do not overlap');
    assert.ok(
      first.assignees.some((a) => a.id === who.counter93b.agent.id) &&
        !first.assignees.some((a) => a.prefectureId !== '93'),
    );

    assert.equal(
      await codeOf(listCallbacks(ctx(), who.counter93.agent, { prefectureId: '973', status: 'to_call', mine: false })),
      'FORBIDDEN_SCOPE',
    );
    assert.equal(
      await codeOf(
        listCallbacks(ctx(), who.counter93.agent, {
          prefectureId: null,
          status: 'to_call',
          mine: false,
          after: 'nonsense',
        }),
      ),
      'VALIDATION_FAILED',
    );
    const national = await listCallbacks(ctx(), who.admin.agent, {
      prefectureId: null,
      status: 'to_call',
      mine: false,
    });
    assert.ok(national.items.some((c) => c.id === own973) && national.items.some((c) => c.id === ids[0]));
    const only973 = await listCallbacks(ctx(), who.admin.agent, {
      prefectureId: '973',
      status: 'to_call',
      mine: false,
    });
    assert.ok(only973.items.every((c) => c.prefectureId === '973') && only973.items.some((c) => c.id === own973));
  });

  it('lets one of two agents taking the same call-back at once win; the other is told who has it', async () => {
    const id = await filed('93', 5);
    const seen = (await ctx().callbacks.findCallbackRequest(id))!;
    const results = await Promise.allSettled(
      [who.counter93, who.counter93b, who.supervisor93].map((w) =>
        assignCallback(ctx(), w.agent, { callbackId: id, assignTo: 'me', expectedVersion: seen.version }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 2);
    for (const r of lost) {
      assert.equal((r.reason as DomainError).code, 'CALLBACK_ALREADY_TAKEN');
      assert.equal(
        (r.reason as DomainError).details?.assignedAgentId,
        (won[0] as PromiseFulfilledResult<{ assignedAgent: string }>).value.assignedAgent,
      );
    }
    const after = (await ctx().callbacks.findCallbackRequest(id))!;
    assert.equal(after.version, seen.version + 1);
    const audit = await database()
      .db.selectFrom('audit_event')
      .selectAll()
      .where('target_id', '=', id)
      .where('action', '=', 'callback.assign')
      .execute();
    assert.equal(audit.length, 1, "one audit event: the winner's");
    assert.deepEqual(audit[0]!.before, { assignedAgentId: null, version: seen.version });
    assert.equal(audit[0]!.prefecture_id, '93');
  });

  it("changes the status with a note history; a stale version or someone else's call-back is refused", async () => {
    const id = await filed('93', 20);
    const taken = await assignCallback(ctx(), who.counter93.agent, { callbackId: id, assignTo: 'me' });
    // The other counter agent may neither take it nor close it.
    assert.equal(
      await codeOf(assignCallback(ctx(), who.counter93b.agent, { callbackId: id, assignTo: 'me' })),
      'CALLBACK_ALREADY_TAKEN',
    );
    assert.equal(
      await codeOf(changeCallbackStatus(ctx(), who.counter93b.agent, { callbackId: id, status: 'resolved', note: '' })),
      'CALLBACK_ALREADY_TAKEN',
    );
    assert.equal(
      await codeOf(
        assignCallback(ctx(), who.counter93b.agent, {
          callbackId: id,
          assignTo: who.counter93b.agent.id === 'x' ? 'me' : who.counter93.agent.id,
        }),
      ),
      'FORBIDDEN_SCOPE',
    );

    clock.set(new Date(clock.now().getTime() + 60_000));
    const called = await changeCallbackStatus(ctx(), who.counter93.agent, {
      callbackId: id,
      status: 'called',
      note: '  Pas de réponse, rappeler après 14 h\r\n',
      expectedVersion: taken.version,
    });
    assert.equal(called.status, 'called');
    assert.equal(
      await codeOf(
        changeCallbackStatus(ctx(), who.counter93.agent, {
          callbackId: id,
          status: 'resolved',
          note: 'again',
          expectedVersion: taken.version,
        }),
      ),
      'CALLBACK_CHANGED',
    );
    assert.equal(
      await codeOf(changeCallbackStatus(ctx(), who.counter93.agent, { callbackId: id, status: 'called', note: '   ' })),
      'VALIDATION_FAILED',
    );
    assert.equal(
      await codeOf(
        changeCallbackStatus(ctx(), who.counter93.agent, { callbackId: id, status: 'forgotten', note: 'x' }),
      ),
      'VALIDATION_FAILED',
    );
    assert.equal(
      await codeOf(
        changeCallbackStatus(ctx(), who.counter93.agent, {
          callbackId: id,
          status: 'resolved',
          note: 'x'.repeat(1001),
        }),
      ),
      'VALIDATION_FAILED',
    );
    // The supervisor may change anyone's; a note alone is an entry too.
    await changeCallbackStatus(ctx(), who.supervisor93.agent, {
      callbackId: id,
      status: 'called',
      note: "Je m'en occupe demain",
    });
    const resolved = await changeCallbackStatus(ctx(), who.counter93.agent, {
      callbackId: id,
      status: 'resolved',
      note: 'RDV pris pour le 12',
    });
    assert.equal(resolved.assignedAgent, who.counter93.agent.id);

    const history = await ctx().callbacks.listCallbackNotes([id]);
    assert.deepEqual(
      history.map((n) => [n.agentName, n.statusBefore, n.statusAfter, n.text]),
      [
        [who.counter93.agent.displayName, 'to_call', 'called', 'Pas de réponse, rappeler après 14 h'],
        [who.supervisor93.agent.displayName, 'called', 'called', "Je m'en occupe demain"],
        [who.counter93.agent.displayName, 'called', 'resolved', 'RDV pris pour le 12'],
      ],
    );
    const audit = await database()
      .db.selectFrom('audit_event')
      .selectAll()
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((e) => e.action),
      ['callback.assign', 'callback.status', 'callback.status', 'callback.status'],
    );
    assert.deepEqual(audit[1]!.after, {
      status: 'called',
      assignedAgentId: who.counter93.agent.id,
      version: taken.version + 1,
      note: true,
    });
    const written = JSON.stringify(audit);
    assert.ok(
      !written.includes('SECRET-SITUATION') && !written.includes('14 h') && !written.includes('RDV'),
      'neither the situation nor the notes are copied into the audit',
    );
  });

  it('puts a call-back back in the queue for anyone, unless the number has another open one', async () => {
    const id = await filed('93', 15);
    await assignCallback(ctx(), who.counter93.agent, { callbackId: id, assignTo: 'me' });
    await changeCallbackStatus(ctx(), who.counter93.agent, { callbackId: id, status: 'unreachable', note: '' });
    const back = await changeCallbackStatus(ctx(), who.counter93.agent, {
      callbackId: id,
      status: 'to_call',
      note: 'Nouvel essai',
    });
    assert.deepEqual([back.status, back.assignedAgent], ['to_call', null], 'released: anyone may take it');
    await changeCallbackStatus(ctx(), who.counter93b.agent, { callbackId: id, status: 'unreachable', note: '' });
    // Meanwhile the person filed a new call-back with the same number.
    const row = await database()
      .db.selectFrom('callback_request')
      .select(['phone'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await ctx().callbacks.insertCallbackRequest({
      prefectureId: '93',
      phone: row.phone,
      language: 'fr',
      situation: 'encore',
      createdAt: clock.now(),
    });
    assert.equal(
      await codeOf(changeCallbackStatus(ctx(), who.counter93b.agent, { callbackId: id, status: 'to_call', note: '' })),
      'CALLBACK_ALREADY_OPEN',
    );
    assert.equal((await ctx().callbacks.findCallbackRequest(id))!.status, 'unreachable', 'nothing changed');
  });

  it('lets a supervisor assign to an agent of the prefecture only, and the database checks it too', async () => {
    const id = await filed('93', 10);
    const given = await assignCallback(ctx(), who.supervisor93.agent, {
      callbackId: id,
      assignTo: who.counter93b.agent.id,
    });
    assert.equal(given.assignedAgent, who.counter93b.agent.id);
    assert.equal(
      await codeOf(
        assignCallback(ctx(), who.supervisor93.agent, { callbackId: id, assignTo: who.counter973.agent.id }),
      ),
      'VALIDATION_FAILED',
    );
    assert.equal(
      await codeOf(assignCallback(ctx(), who.supervisor93.agent, { callbackId: id, assignTo: 'not-an-id' })),
      'VALIDATION_FAILED',
    );
    assert.equal(
      await codeOf(
        assignCallback(ctx(), who.supervisor93.agent, {
          callbackId: id,
          assignTo: who.counter93.agent.id,
          expectedVersion: 0,
        }),
      ),
      'CALLBACK_CHANGED',
    );
    const unassigned = await assignCallback(ctx(), who.supervisor93.agent, { callbackId: id, assignTo: null });
    assert.equal(unassigned.assignedAgent, null);
    // Given to an agent disabled since: the supervisor still closes it or gives it to someone else.
    const leaver = await givenAgent(agentCtx(), 'counter', '93', [site93]);
    const left = await assignCallback(ctx(), who.supervisor93.agent, { callbackId: id, assignTo: leaver.agent.id });
    await database()
      .db.updateTable('agent')
      .set({ disabled_at: clock.now() })
      .where('id', '=', leaver.agent.id)
      .execute();
    assert.equal(
      await codeOf(
        assignCallback(ctx(), who.supervisor93.agent, {
          callbackId: id,
          assignTo: leaver.agent.id,
          expectedVersion: left.version,
        }),
      ),
      'VALIDATION_FAILED',
      'never (again) to a disabled agent',
    );
    const noted = await changeCallbackStatus(ctx(), who.supervisor93.agent, {
      callbackId: id,
      status: 'called',
      note: 'Agent parti',
    });
    assert.equal(noted.assignedAgent, leaver.agent.id);
    const back = await assignCallback(ctx(), who.supervisor93.agent, {
      callbackId: id,
      assignTo: who.counter93.agent.id,
    });
    assert.equal(back.assignedAgent, who.counter93.agent.id);
    // Past the use case: the trigger refuses an assignee of another prefecture.
    assert.equal(
      await codeOf(
        database()
          .db.updateTable('callback_request')
          .set({ assigned_agent: who.counter973.agent.id })
          .where('id', '=', id)
          .execute(),
      ),
      'db:23514',
    );
    assert.equal(
      await codeOf(
        database()
          .db.updateTable('callback_request')
          .set({ assigned_agent: sql<string>`gen_random_uuid()` })
          .where('id', '=', id)
          .execute(),
      ),
      'db:23514',
    );
  });

  it('gives the open call-backs of a disabled agent back to the queue, in the disabling transaction', async () => {
    const leaver = await givenAgent(agentCtx(), 'counter', '93', [site93]);
    const open = await filed('93', 20);
    const closed = await filed('93', 21);
    await assignCallback(ctx(), leaver.agent, { callbackId: open, assignTo: 'me' });
    await assignCallback(ctx(), leaver.agent, { callbackId: closed, assignTo: 'me' });
    await changeCallbackStatus(ctx(), leaver.agent, { callbackId: closed, status: 'resolved', note: 'Rappelé, réglé' });
    await disableAgentById(agentCtx(), who.supervisor93.agent, leaver.agent.id);
    assert.equal((await ctx().callbacks.findCallbackRequest(open))!.assignedAgent, null, 'back in the queue');
    assert.equal(
      (await ctx().callbacks.findCallbackRequest(closed))!.assignedAgent,
      leaver.agent.id,
      'a closed one keeps who handled it',
    );
    const audit = await database()
      .db.selectFrom('audit_event')
      .select('after')
      .where('action', '=', 'agent.disable')
      .where('target_id', '=', leaver.agent.id)
      .executeTakeFirstOrThrow();
    assert.equal((audit.after as { releasedCallbacks: number }).releasedCallbacks, 1);
  });

  it('answers CALLBACK_NOT_FOUND to an agent of another prefecture, without a byte of it', async () => {
    const id973 = await filed('973', 5);
    for (const w of [who.counter93, who.supervisor93]) {
      assert.equal(
        await codeOf(assignCallback(ctx(), w.agent, { callbackId: id973, assignTo: 'me' })),
        'CALLBACK_NOT_FOUND',
      );
      assert.equal(
        await codeOf(changeCallbackStatus(ctx(), w.agent, { callbackId: id973, status: 'called', note: 'x' })),
        'CALLBACK_NOT_FOUND',
      );
    }
    assert.equal(
      await codeOf(assignCallback(ctx(), who.counter93.agent, { callbackId: 'not-a-uuid', assignTo: 'me' })),
      'CALLBACK_NOT_FOUND',
    );
    assert.equal((await ctx().callbacks.findCallbackRequest(id973))!.version, 0, 'untouched');
    assert.equal(
      (await assignCallback(ctx(), who.admin.agent, { callbackId: id973, assignTo: who.counter973.agent.id }))
        .assignedAgent,
      who.counter973.agent.id,
    );
  });

  it('purges resolved and unreachable call-backs 90 days after their last change, with their history', async () => {
    const db = database().db;
    const start = clock.now();
    const ids = {
      resolvedOld: await filed('973', 1),
      unreachableOld: await filed('973', 1),
      resolvedRecent: await filed('973', 1),
      calledOld: await filed('973', 1),
      waitingOld: await filed('973', 1),
    };
    await changeCallbackStatus(ctx(), who.counter973.agent, {
      callbackId: ids.resolvedOld,
      status: 'resolved',
      note: 'fait',
    });
    await changeCallbackStatus(ctx(), who.counter973.agent, {
      callbackId: ids.unreachableOld,
      status: 'unreachable',
      note: '',
    });
    await changeCallbackStatus(ctx(), who.counter973.agent, { callbackId: ids.calledOld, status: 'called', note: '' });
    clock.set(new Date(start.getTime() + 2 * DAY));
    await changeCallbackStatus(ctx(), who.counter973.agent, {
      callbackId: ids.resolvedRecent,
      status: 'resolved',
      note: '',
    });

    clock.set(new Date(start.getTime() + 91 * DAY));
    const purged = await purgeCallbacks(ctx());
    assert.ok(purged >= 2);
    const left = new Set(
      (await db.selectFrom('callback_request').select('id').where('id', 'in', Object.values(ids)).execute()).map(
        (r) => r.id,
      ),
    );
    assert.deepEqual(Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, left.has(v)])), {
      resolvedOld: false,
      unreachableOld: false,
      resolvedRecent: true,
      calledOld: true,
      waitingOld: true,
    });
    assert.equal((await ctx().callbacks.listCallbackNotes([ids.resolvedOld])).length, 0, 'the history goes with it');
    assert.ok(
      (await db.selectFrom('audit_event').select('id').where('target_id', '=', ids.resolvedOld).execute()).length > 0,
      'the audit trail (ids only) stays',
    );
    assert.equal(await purgeCallbacks(ctx()), 0, 'idempotent');
    clock.set(new Date(start.getTime() + 93 * DAY));
    assert.equal(await purgeCallbacks(ctx()), 1);
    assert.equal(
      left.has(ids.resolvedRecent) && !(await ctx().callbacks.findCallbackRequest(ids.resolvedRecent)),
      true,
    );
  });
});
