// The review lists on both engines, through their use cases over the real store:
//   * declared urgencies: pending ones oldest first, a counter agent's sites only, never
//     another prefecture's; confirm (with a note) and refuse (reason required), each audited
//     in its transaction; two agents deciding at once — one wins, the other is told; a
//     decision on a request no longer live; the "recently decided" view and its pages;
//   * likely duplicates: live requests and active appointments of one prefecture under
//     different documents, grouped with why; withdrawn requests, past appointments and
//     another prefecture's records left out; the flag of the agenda and of check-in.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createAgendaStore } from '../../src/adapters/db/agenda-store.ts';
import { createReviewStore } from '../../src/adapters/db/review-store.ts';
import type { AgendaContext } from '../../src/app/agenda/agenda-context.ts';
import { viewCheckIn } from '../../src/app/agenda/check-in.ts';
import { viewAgenda } from '../../src/app/agenda/view-agenda.ts';
import { listLikelyDuplicates, possibleDuplicateAppointments } from '../../src/app/review/likely-duplicates.ts';
import type { ReviewContext } from '../../src/app/review/review-context.ts';
import {
  decideUrgency,
  decodeReviewCursor,
  encodeReviewCursor,
  listUrgencyDeclarations,
} from '../../src/app/review/urgency-reviews.ts';
import { givenAgent, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { codeOf } from '../support/outcome.ts';
import { reviewAppointment, reviewRequest } from '../support/review.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

describeEachEngine('review lists', (database) => {
  const clock = new TestClock(NOW);
  const ctx = (): ReviewContext => ({ review: createReviewStore(database().db), clock });
  const who: Record<'counter93' | 'counterOther93' | 'supervisor93' | 'supervisor973' | 'admin', TestAgent> =
    {} as never;
  type Scenario = Awaited<ReturnType<typeof createScenario>>;
  let s93: Scenario, s93b: Scenario, s973: Scenario;

  before(async () => {
    const db = database().db;
    s93 = await createScenario(db, { prefectureId: '93' });
    s93b = await createScenario(db, { prefectureId: '93' });
    s973 = await createScenario(db, { prefectureId: '973', timeZone: 'America/Cayenne' });
    const agents = testAgentContext(db, clock);
    who.counter93 = await givenAgent(agents, 'counter', '93', [s93.siteId]);
    who.counterOther93 = await givenAgent(agents, 'counter', '93', [s93b.siteId]);
    who.supervisor93 = await givenAgent(agents, 'supervisor', '93');
    who.supervisor973 = await givenAgent(agents, 'supervisor', '973');
    who.admin = await givenAgent(agents, 'admin', null);
  });

  it("lists the pending declarations oldest first, a counter agent's sites only, never another prefecture's", async () => {
    const newer = await reviewRequest(database().db, s93, { filedAt: ago(1) });
    const older = await reviewRequest(database().db, s93, {
      filedAt: ago(30),
      urgencyDate: '2026-06-10',
      email: 'older@example.org',
    });
    const otherSite = await reviewRequest(database().db, s93b, { filedAt: ago(20) });
    const both = await reviewRequest(database().db, s93b, { filedAt: ago(10), siteIds: [s93.siteId, s93b.siteId] });
    await reviewRequest(database().db, s93, { filedAt: ago(40), urgencyDate: null }); // nothing declared
    await reviewRequest(database().db, s93, { filedAt: ago(50), status: 'withdrawn' }); // no longer live
    const guyane = await reviewRequest(database().db, s973, { filedAt: ago(60) });

    const supervisor = await listUrgencyDeclarations(ctx(), who.supervisor93.agent, {
      prefectureId: null,
      view: 'pending',
    });
    const ids = supervisor.items.map((d) => d.requestId);
    assert.equal(supervisor.prefectureId, '93');
    for (const id of [older.id, otherSite.id, both.id, newer.id]) assert.ok(ids.includes(id), id);
    assert.ok(
      ids.indexOf(older.id) < ids.indexOf(otherSite.id) && ids.indexOf(both.id) < ids.indexOf(newer.id),
      'oldest filed first',
    );
    assert.ok(!ids.includes(guyane.id));
    const first = supervisor.items.find((d) => d.requestId === older.id)!;
    assert.deepEqual(
      {
        urgencyDate: first.urgencyDate,
        status: first.urgencyStatus,
        email: first.email,
        channel: first.channel,
        procedureNameFr: first.procedureNameFr,
      },
      {
        urgencyDate: '2026-06-10',
        status: 'pending',
        email: 'older@example.org',
        channel: 'online',
        procedureNameFr: 'Renouvellement',
      },
    );

    const counter = (
      await listUrgencyDeclarations(ctx(), who.counter93.agent, { prefectureId: null, view: 'pending' })
    ).items.map((d) => d.requestId);
    assert.ok(
      counter.includes(older.id) && counter.includes(both.id) && !counter.includes(otherSite.id),
      "requests naming the counter agent's site",
    );

    assert.equal(
      await codeOf(listUrgencyDeclarations(ctx(), who.supervisor93.agent, { prefectureId: '973', view: 'pending' })),
      'FORBIDDEN_SCOPE',
    );
    const national = await listUrgencyDeclarations(ctx(), who.admin.agent, { prefectureId: '973', view: 'pending' });
    assert.deepEqual(
      national.items.map((d) => d.requestId),
      [guyane.id],
    );

    // Pages: the cursor of the last item of a page.
    const page1 = await listUrgencyDeclarations(ctx(), who.supervisor93.agent, {
      prefectureId: null,
      view: 'pending',
      limit: 2,
    });
    assert.equal(page1.items.length, 2);
    const page2 = await listUrgencyDeclarations(ctx(), who.supervisor93.agent, {
      prefectureId: null,
      view: 'pending',
      limit: 2,
      after: page1.next!,
    });
    assert.deepEqual(
      [...page1.items, ...page2.items].map((d) => d.requestId),
      ids.slice(0, 4),
    );
    assert.equal(
      await codeOf(
        listUrgencyDeclarations(ctx(), who.supervisor93.agent, {
          prefectureId: null,
          view: 'pending',
          after: 'garbage',
        }),
      ),
      'VALIDATION_FAILED',
    );
    const cursor = { at: NOW, id: '0b6f5a1e-1c1d-4c3e-9c43-0d4f2f1e9a10' };
    assert.deepEqual(decodeReviewCursor(encodeReviewCursor(cursor.at, cursor.id)), cursor);
  });

  it('confirms with a note and refuses with a reason, each audited in its transaction', async () => {
    const db = database().db;
    const confirmMe = await reviewRequest(db, s93, { filedAt: ago(3) });
    const refuseMe = await reviewRequest(db, s93, { filedAt: ago(2) });
    clock.set(new Date(NOW.getTime() + 5 * 60_000));
    try {
      const confirmed = await decideUrgency(
        ctx(),
        who.counter93.agent,
        { requestId: confirmMe.id, decision: 'confirmed', reason: '  Récépissé vu au guichet ' },
        { ip: '192.0.2.7' },
      );
      assert.deepEqual(
        {
          status: confirmed.urgencyStatus,
          by: confirmed.reviewedBy,
          at: confirmed.reviewedAt?.toISOString(),
          reason: confirmed.reviewReason,
        },
        {
          status: 'confirmed',
          by: who.counter93.agent.id,
          at: clock.now().toISOString(),
          reason: 'Récépissé vu au guichet',
        },
      );
      assert.equal(
        await codeOf(
          decideUrgency(ctx(), who.supervisor93.agent, { requestId: refuseMe.id, decision: 'refused', reason: '   ' }),
        ),
        'VALIDATION_FAILED',
      );
      assert.equal(
        await codeOf(
          decideUrgency(ctx(), who.supervisor93.agent, { requestId: refuseMe.id, decision: 'pending', reason: '' }),
        ),
        'VALIDATION_FAILED',
      );
      const refused = await decideUrgency(ctx(), who.supervisor93.agent, {
        requestId: refuseMe.id,
        decision: 'refused',
        reason: "Titre valable jusqu'en 2028",
      });
      assert.equal(refused.urgencyStatus, 'refused');

      const rows = await db
        .selectFrom('allocation_request')
        .select(['id', 'urgency_status', 'urgency_reviewed_by', 'urgency_review_reason', 'urgency_date'])
        .where('id', 'in', [confirmMe.id, refuseMe.id])
        .orderBy('filed_at')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.urgency_status, r.urgency_reviewed_by, r.urgency_review_reason, r.urgency_date]),
        [
          ['confirmed', who.counter93.agent.id, 'Récépissé vu au guichet', '2026-06-20'],
          ['refused', who.supervisor93.agent.id, "Titre valable jusqu'en 2028", '2026-06-20'],
        ],
      );
      const audit = await db
        .selectFrom('audit_event')
        .select(['action', 'agent_id', 'prefecture_id', 'target_type', 'target_id', 'before', 'after', 'ip'])
        .where('target_id', 'in', [confirmMe.id, refuseMe.id])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audit.map((e) => [e.action, e.agent_id, e.prefecture_id, e.target_type, e.target_id]),
        [
          ['request.urgency_confirm', who.counter93.agent.id, '93', 'allocation_request', confirmMe.id],
          ['request.urgency_refuse', who.supervisor93.agent.id, '93', 'allocation_request', refuseMe.id],
        ],
      );
      assert.equal(audit[0]!.ip, '192.0.2.7');
      assert.deepEqual(audit[0]!.before, {
        reference: confirmMe.reference,
        urgencyDate: '2026-06-20',
        urgencyStatus: 'pending',
      });
      assert.deepEqual(audit[1]!.after, {
        reference: refuseMe.reference,
        urgencyDate: '2026-06-20',
        urgencyStatus: 'refused',
        reason: "Titre valable jusqu'en 2028",
      });

      // Decided: no longer pending, listed among the recently decided, latest first.
      const pending = (
        await listUrgencyDeclarations(ctx(), who.supervisor93.agent, { prefectureId: null, view: 'pending' })
      ).items.map((d) => d.requestId);
      assert.ok(!pending.includes(confirmMe.id) && !pending.includes(refuseMe.id));
      const decided = await listUrgencyDeclarations(ctx(), who.supervisor93.agent, {
        prefectureId: null,
        view: 'decided',
      });
      assert.deepEqual(
        decided.items.slice(0, 2).map((d) => [d.requestId, d.urgencyStatus, d.reviewedByName]),
        [
          [refuseMe.id, 'refused', who.supervisor93.agent.displayName],
          [confirmMe.id, 'confirmed', who.counter93.agent.displayName],
        ].sort((a, b) => (a[0]! < b[0]! ? 1 : -1)),
        'same instant: by id, descending',
      );
      clock.set(new Date(NOW.getTime() + 31 * 24 * HOUR));
      const later = (
        await listUrgencyDeclarations(ctx(), who.supervisor93.agent, { prefectureId: null, view: 'decided' })
      ).items.map((d) => d.requestId);
      assert.ok(!later.includes(confirmMe.id), 'decided more than 30 days ago');
    } finally {
      clock.set(NOW);
    }
  });

  it('lets one of two agents deciding at once win; the other is told, nothing is overwritten', async () => {
    const db = database().db;
    const request = await reviewRequest(db, s93, { filedAt: ago(4) });
    const outcomes = await Promise.all([
      codeOf(decideUrgency(ctx(), who.counter93.agent, { requestId: request.id, decision: 'confirmed', reason: '' })),
      codeOf(
        decideUrgency(ctx(), who.supervisor93.agent, {
          requestId: request.id,
          decision: 'refused',
          reason: 'Document falsifié',
        }),
      ),
    ]);
    assert.deepEqual([...outcomes].sort(), ['URGENCY_ALREADY_REVIEWED', 'ok']);
    const row = await db
      .selectFrom('allocation_request')
      .select(['urgency_status', 'urgency_reviewed_by'])
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    const winner =
      outcomes[0] === 'ok' ? ['confirmed', who.counter93.agent.id] : ['refused', who.supervisor93.agent.id];
    assert.deepEqual([row.urgency_status, row.urgency_reviewed_by], winner);
    const audits = await db.selectFrom('audit_event').select('action').where('target_id', '=', request.id).execute();
    assert.equal(audits.length, 1, 'one decision, one audit event');
    assert.equal(
      await codeOf(
        decideUrgency(ctx(), who.supervisor93.agent, { requestId: request.id, decision: 'refused', reason: 'Encore' }),
      ),
      'URGENCY_ALREADY_REVIEWED',
    );
  });

  it("refuses another prefecture's or site's declaration as unknown, and a request no longer live", async () => {
    const db = database().db;
    const mine = await reviewRequest(db, s93, { filedAt: ago(5) });
    const guyane = await reviewRequest(db, s973, { filedAt: ago(5) });
    for (const [agent, id] of [
      [who.supervisor973, mine.id],
      [who.counterOther93, mine.id],
      [who.supervisor93, guyane.id],
      [who.counter93, guyane.id],
    ] as const) {
      assert.equal(
        await codeOf(decideUrgency(ctx(), agent.agent, { requestId: id, decision: 'confirmed', reason: '' })),
        'URGENCY_NOT_FOUND',
      );
      // The scope is checked before the form: nothing is learnt from the validation either.
      assert.equal(
        await codeOf(decideUrgency(ctx(), agent.agent, { requestId: id, decision: 'bogus', reason: '' })),
        'URGENCY_NOT_FOUND',
      );
    }
    assert.equal(
      await codeOf(
        decideUrgency(ctx(), who.supervisor93.agent, { requestId: 'not-a-uuid', decision: 'confirmed', reason: '' }),
      ),
      'URGENCY_NOT_FOUND',
    );
    const state = await db
      .selectFrom('allocation_request')
      .select(['id', 'urgency_status'])
      .where('id', 'in', [mine.id, guyane.id])
      .execute();
    assert.deepEqual(
      state.map((r) => r.urgency_status),
      ['pending', 'pending'],
    );
    assert.equal(
      await codeOf(decideUrgency(ctx(), who.admin.agent, { requestId: guyane.id, decision: 'confirmed', reason: '' })),
      'ok',
      'a national administrator decides anywhere',
    );

    await db.updateTable('allocation_request').set({ status: 'withdrawn' }).where('id', '=', mine.id).execute();
    assert.equal(
      await codeOf(
        decideUrgency(ctx(), who.supervisor93.agent, { requestId: mine.id, decision: 'confirmed', reason: '' }),
      ),
      'REQUEST_NOT_ACTIVE',
    );
  });

  it('pages the likely duplicates: every group once, in order, numbered on; a page past the last is the last', async () => {
    const db = database().db;
    for (const [surname, birthDate] of [
      ['Diarra', '1971-02-03'],
      ['Keita', '1972-03-04'],
      ['Sylla', '1973-04-05'],
    ] as const) {
      await reviewRequest(db, s93, { surname, givenNames: 'Awa', birthDate, filedAt: ago(50), urgencyDate: null });
      await reviewRequest(db, s93b, { surname, givenNames: 'Awa', birthDate, filedAt: ago(40), urgencyDate: null });
    }
    const all = await listLikelyDuplicates(ctx(), who.supervisor93.agent, { prefectureId: null });
    assert.ok(all.total >= 3 && all.groups.length === all.total, `${all.total} groups`);
    assert.deepEqual([all.page, all.pageCount, all.firstNumber], [1, 1, 1]);
    const pageSize = 2;
    const pageCount = Math.ceil(all.total / pageSize);
    const seen: string[] = [];
    for (let page = 1; page <= pageCount; page++) {
      const list = await listLikelyDuplicates(ctx(), who.supervisor93.agent, { prefectureId: null, page, pageSize });
      assert.deepEqual(
        [list.page, list.pageCount, list.firstNumber, list.total],
        [page, pageCount, (page - 1) * pageSize + 1, all.total],
      );
      assert.equal(list.groups.length, page < pageCount ? pageSize : all.total - (pageCount - 1) * pageSize);
      seen.push(...list.groups.map((g) => g.records.map((r) => r.key).join()));
    }
    assert.deepEqual(
      seen,
      all.groups.map((g) => g.records.map((r) => r.key).join()),
    );
    const past = await listLikelyDuplicates(ctx(), who.supervisor93.agent, { prefectureId: null, page: 99, pageSize });
    assert.deepEqual([past.page, past.firstNumber], [pageCount, (pageCount - 1) * pageSize + 1]);
  });

  it('groups likely duplicates of one prefecture under different documents, with why', async () => {
    const db = database().db;
    const soon = new Date(NOW.getTime() + 48 * HOUR);
    const person = { surname: 'Koné', givenNames: 'Ibrahima', birthDate: '1979-11-30' };
    const request = await reviewRequest(db, s93, { ...person, filedAt: ago(100), urgencyDate: null });
    const appointment = await reviewAppointment(db, s93b, soon, {
      surname: 'KONE',
      givenNames: 'ibrahima',
      birthDate: '1979-11-30',
      email: null,
    });
    const sameEmail = await reviewRequest(db, s93b, {
      surname: 'Bamba',
      givenNames: 'Issa',
      birthDate: '1960-01-01',
      email: 'Bamba.Issa+rdv@example.org',
      filedAt: ago(90),
      urgencyDate: null,
    });
    const sameEmailAppointment = await reviewAppointment(db, s93, soon, {
      surname: 'Bamba',
      givenNames: 'Moussa',
      birthDate: '1961-01-01',
      email: 'bamba.issa@example.org',
    });
    // Not grouped: a withdrawn request, a past appointment, another prefecture, the same document twice.
    await reviewRequest(db, s93, { ...person, status: 'withdrawn', urgencyDate: null });
    await reviewAppointment(db, s93, ago(72), person);
    await reviewRequest(db, s973, { ...person, urgencyDate: null });
    const twice = await reviewRequest(db, s93, {
      surname: 'Seul',
      givenNames: 'Jean',
      birthDate: '1950-05-05',
      urgencyDate: null,
    });
    const twiceAppointment = await reviewAppointment(db, s93b, soon, {
      surname: 'Seul',
      givenNames: 'Jean',
      birthDate: '1950-05-05',
      identityKey: twice.identityKey,
    });

    const list = await listLikelyDuplicates(ctx(), who.supervisor93.agent, { prefectureId: null });
    assert.equal(list.prefectureId, '93');
    const groupOf = (id: string) => list.groups.find((g) => g.records.some((r) => r.id === id));
    const kone = groupOf(request.id)!;
    assert.deepEqual(
      kone.records.map((r) => [r.kind, r.id]),
      [
        ['request', request.id],
        ['appointment', appointment.id],
      ],
    );
    assert.deepEqual(
      kone.reasons.map((r) => [r.kind, r.value]),
      [['name_birth_date', 'IBRAHIMA KONE|1979-11-30']],
    );
    assert.equal(kone.records[1]!.localDate, soon.toISOString().slice(0, 10));
    const bamba = groupOf(sameEmail.id)!;
    assert.deepEqual(
      bamba.records.map((r) => r.id),
      [sameEmail.id, sameEmailAppointment.id],
    );
    assert.deepEqual(
      bamba.reasons.map((r) => [r.kind, r.value]),
      [['email', 'bamba.issa@example.org']],
    );
    assert.equal(groupOf(twice.id), undefined);
    assert.equal(groupOf(twiceAppointment.id), undefined);
    assert.ok(
      list.groups.every((g) =>
        g.records.every(
          (r) => r.prefectureId === '93' && ['waiting', 'offered', 'paused', 'booked', 'arrived'].includes(r.status),
        ),
      ),
    );

    assert.equal(
      await codeOf(listLikelyDuplicates(ctx(), who.counter93.agent, { prefectureId: null })),
      'FORBIDDEN_SCOPE',
      'supervisors only',
    );
    assert.equal(
      await codeOf(listLikelyDuplicates(ctx(), who.supervisor93.agent, { prefectureId: '973' })),
      'FORBIDDEN_SCOPE',
    );
    assert.deepEqual(
      await listLikelyDuplicates(ctx(), who.admin.agent, { prefectureId: null }),
      { prefectureId: null, groups: [], total: 0, page: 1, pageCount: 1, firstNumber: 1 },
      'an administrator chooses a prefecture',
    );
    const guyane = await listLikelyDuplicates(ctx(), who.supervisor973.agent, { prefectureId: null });
    assert.ok(guyane.groups.every((g) => g.records.every((r) => r.prefectureId === '973')));

    // The flag: on the agenda and at check-in, for the appointments in a group only.
    const flagged = await possibleDuplicateAppointments(ctx(), who.counter93.agent, '93', [
      appointment.id,
      sameEmailAppointment.id,
      twiceAppointment.id,
    ]);
    assert.deepEqual(flagged, new Set([appointment.id, sameEmailAppointment.id]));
    assert.deepEqual(
      await possibleDuplicateAppointments(ctx(), who.supervisor973.agent, '93', [appointment.id]),
      new Set(),
      'never across the scope',
    );
    const agendaCtx: AgendaContext = {
      agenda: createAgendaStore(db),
      convocations: undefined as never,
      clock,
      review: createReviewStore(db),
    };
    const agenda = await viewAgenda(agendaCtx, who.supervisor93.agent, {
      siteId: s93b.siteId,
      date: soon.toISOString().slice(0, 10),
    });
    assert.deepEqual(
      agenda.entries.map((e) => [e.appointmentId, e.possibleDuplicate]).sort(),
      [
        [appointment.id, true],
        [twiceAppointment.id, false],
      ].sort(),
    );
    assert.equal((await viewCheckIn(agendaCtx, who.counter93.agent, sameEmailAppointment.id)).possibleDuplicate, true);
    assert.equal(
      (await viewCheckIn({ ...agendaCtx, review: undefined }, who.counter93.agent, sameEmailAppointment.id))
        .possibleDuplicate,
      false,
      'no review store, no flag',
    );
  });
});
