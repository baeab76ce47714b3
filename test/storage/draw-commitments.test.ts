// Verifiable draws on a real database (migration 0020, app/draws/run-draw.ts,
// app/draws/published-draws.ts): the scheduler commits to the next tick ahead of it, the draw
// of that tick uses that very commitment, its seed is SHA-256(secret ‖ closing digest), the
// secret stays out of everything public until the draw, and the published draw verifies.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { createEvidenceChainReader } from '../../src/adapters/db/evidence-chain-store.ts';
import { runDueDraws } from '../../src/app/draws/draw-scheduler.ts';
import {
  listPublicDraws,
  placeInDraw,
  pseudonymsOfRequest,
  publishedDraw,
} from '../../src/app/draws/published-draws.ts';
import { replayDraw } from '../../src/app/draws/replay-draw.ts';
import { type DrawRunReport, runDrawForTick } from '../../src/app/draws/run-draw.ts';
import { verifyEvidenceChain } from '../../src/app/evidence/verify-evidence-chain.ts';
import {
  closingDigestOf,
  commitmentOf,
  drawSeedOf,
  pseudonymOf,
  verifyPublishedDraw,
} from '../../src/domain/draw-commitment.ts';
import { decodeDrawSnapshot } from '../../src/domain/draw-snapshot.ts';
import {
  createAllocationScenario,
  type FiledRequest,
  fileRequest,
  testAllocationContext,
} from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { code, DAY, IN_A_WEEK_9H } from '../support/draw-times.ts';
import { TestClock, testContext } from '../support/scenario.ts';

describeEachEngine('verifiable draws', (database) => {
  const clock = new TestClock(new Date('2026-06-01T03:30:00Z'));
  const db = () => database().db;
  const ctx = () => testAllocationContext(db(), clock, {}, createDrawStore(db()));
  const drawRow = (id: string) => db().selectFrom('draw').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const commitmentRows = (procedureId: string) =>
    db().selectFrom('draw_commitment').selectAll().where('procedure_id', '=', procedureId).orderBy('tick').execute();

  it('commits to the next tick ahead (once, whatever the instances), and that tick is drawn with that commitment', async () => {
    // Réunion, daily at 07:00 then hourly: at 07:30 local (03:30Z) the 07:00 tick (03:00Z) is due.
    const s = await createAllocationScenario(db(), { prefectureId: '974', timeZone: 'Indian/Reunion' });
    await db().insertInto('draw_schedule').values({ prefecture_id: '974', daily_at: '07:00' }).execute();
    await s.addSlots(3, IN_A_WEEK_9H, { drawFirst: true });
    const hasher = testContext(db(), clock).hasher;
    const requests: FiledRequest[] = [];
    for (let i = 0; i < 5; i++)
      requests.push(await fileRequest(db(), hasher, s, { filedAt: new Date('2026-05-30T10:00:00Z') }));

    clock.set('2026-06-01T03:30:00Z');
    const runs = await Promise.all([runDueDraws(ctx()), runDueDraws(ctx())]);
    for (const run of runs) assert.deepEqual(run.failures, []);
    const first = runs.flatMap((r) => r.draws).find((d) => d.procedureId === s.procedureId && d.status === 'drawn') as
      | Extract<DrawRunReport, { status: 'drawn' }>
      | undefined;
    assert.ok(first);
    // Nobody committed to 03:00Z ahead (the scheduler had not run): committed at the draw, and said so.
    assert.equal(first.committedInAdvance, false);

    // The next tick, 04:00Z, has ONE commitment (two instances ran), made now, before it.
    const committed = await commitmentRows(s.procedureId);
    assert.deepEqual(
      committed.map((c) => new Date(c.tick).toISOString()),
      ['2026-06-01T03:00:00.000Z', '2026-06-01T04:00:00.000Z'],
    );
    const ahead = committed[1]!;
    assert.equal(ahead.commitment, commitmentOf(ahead.secret));
    assert.equal(new Date(ahead.committed_at).toISOString(), '2026-06-01T03:30:00.000Z');
    // Published before the draw: the commitment, never the secret.
    const before = await listPublicDraws(ctx(), '974');
    const upcoming = before.upcoming.filter((c) => c.procedureId === s.procedureId);
    assert.deepEqual(
      upcoming.map((c) => [c.tick.toISOString(), c.commitment]),
      [['2026-06-01T04:00:00.000Z', ahead.commitment]],
    );
    assert.ok(!JSON.stringify(before).includes(ahead.secret), 'the secret of a tick not drawn is not published');
    assert.ok(!('secret' in upcoming[0]!));
    // Running again before the tick changes nothing (the first secret wins).
    clock.set('2026-06-01T03:45:00Z');
    await runDueDraws(ctx());
    assert.deepEqual(
      (await commitmentRows(s.procedureId)).map((c) => c.secret),
      committed.map((c) => c.secret),
    );

    // The 04:00Z tick is drawn with the commitment made at 03:30Z.
    for (let i = 0; i < 2; i++) requests.push(await fileRequest(db(), hasher, s));
    clock.set('2026-06-01T04:01:00Z');
    const second = (await runDueDraws(ctx())).draws.find((d) => d.procedureId === s.procedureId);
    assert.equal(second?.status, 'drawn');
    const report = second as Extract<DrawRunReport, { status: 'drawn' }>;
    assert.equal(report.committedInAdvance, true);
    const row = await drawRow(report.drawId);
    assert.deepEqual(
      [row.commitment, row.secret, new Date(row.committed_at!).toISOString()],
      [ahead.commitment, ahead.secret, '2026-06-01T03:30:00.000Z'],
    );
    // The seed is SHA-256(secret ‖ closing digest), the closing digest that of the input drawn (seedless).
    const input = decodeDrawSnapshot(gunzipSync(row.input_snapshot).toString('utf8'));
    assert.equal(row.closing_digest, closingDigestOf(input.requests, input.slots));
    assert.equal(row.seed, drawSeedOf(ahead.secret, row.closing_digest!));
    assert.equal(input.seed, row.seed);
    // The pseudonyms are those of the waiting requests under this draw's secret.
    const offered = await db().selectFrom('offer').select('request_id').where('draw_id', '=', first.drawId).execute();
    const waiting = requests.filter((r) => !offered.some((o) => o.request_id === r.id));
    assert.deepEqual(
      input.requests.map((r) => r.id).sort(),
      waiting.map((r) => pseudonymOf(ahead.secret, r.id)).sort(),
    );
    assert.equal((await replayDraw({ draws: createDrawStore(db()) }, report.drawId)).identical, true);
  });

  it('publishes a finished draw that verifies on its own, with each place checkable by pseudonym', async () => {
    const s = await createAllocationScenario(db());
    await s.addSlots(2, IN_A_WEEK_9H, { drawFirst: true });
    const hasher = testContext(db(), clock).hasher;
    clock.set('2026-06-01T08:00:00Z');
    const early = await fileRequest(db(), hasher, s, { filedAt: new Date(clock.now().getTime() - 3 * DAY) });
    const urgent = await fileRequest(db(), hasher, s, {
      urgencyDate: '2026-05-20',
      filedAt: new Date(clock.now().getTime() - DAY / 2),
    });
    const late = await fileRequest(db(), hasher, s, { filedAt: new Date(clock.now().getTime() - DAY) });
    const report = (await runDrawForTick(ctx(), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: clock.now(),
      trigger: 'manual',
    })) as Extract<DrawRunReport, { status: 'drawn' }>;
    assert.equal(report.status, 'drawn');
    assert.equal(report.committedInAdvance, false); // a manual draw commits at the draw
    const row = await drawRow(report.drawId);

    const published = await publishedDraw(ctx(), s.prefectureId, report.drawId);
    assert.deepEqual(verifyPublishedDraw(published, { expectedCommitment: row.commitment! }).mismatch, null);
    assert.equal(published.secret, row.secret);
    assert.deepEqual(published.counts, { requests: 3, slots: 2, assigned: 2, opened: 0 });
    // No request id in the file: pseudonyms only.
    const text = JSON.stringify(published);
    for (const r of [early, urgent, late]) assert.ok(!text.includes(r.id));
    const as = (r: FiledRequest) => pseudonymOf(row.secret!, r.id);
    assert.deepEqual(
      published.result.map(([p]) => p),
      [as(urgent), as(early)],
    );

    const place = await placeInDraw(ctx(), {
      prefectureId: s.prefectureId,
      drawId: report.drawId,
      pseudonym: as(urgent).toUpperCase(),
    });
    assert.equal(place.entry?.priorityClass, 0);
    assert.equal(place.entry?.slotId, published.result[0]![1]);
    const lost = await placeInDraw(ctx(), { prefectureId: s.prefectureId, drawId: report.drawId, pseudonym: as(late) });
    assert.deepEqual([lost.entry?.priorityClass, lost.entry?.slotId], [2, null]);
    const absent = await placeInDraw(ctx(), {
      prefectureId: s.prefectureId,
      drawId: report.drawId,
      pseudonym: 'f'.repeat(20),
    });
    assert.equal(absent.entry, null);
    // Another prefecture's page does not serve it; an unknown draw is DRAW_NOT_FOUND.
    await assert.rejects(publishedDraw(ctx(), '974', report.drawId), code('DRAW_NOT_FOUND'));
    await assert.rejects(
      publishedDraw(ctx(), s.prefectureId, '00000000-0000-4000-8000-000000000000'),
      code('DRAW_NOT_FOUND'),
    );
    await assert.rejects(listPublicDraws(ctx(), '00'), code('PREFECTURE_NOT_FOUND'));

    // Each applicant's page lists their pseudonym in that draw.
    const mine = await pseudonymsOfRequest(ctx(), urgent.token, s.prefectureId);
    assert.deepEqual(
      mine.filter((d) => d.drawId === report.drawId).map((d) => d.pseudonym),
      [as(urgent)],
    );
    assert.deepEqual(await pseudonymsOfRequest(ctx(), 'no-such-token', s.prefectureId), []);

    // A tick a schedule change left undrawn drops off the coming draws after the catch-up window.
    for (const tick of ['2026-05-30T05:00:00Z', '2026-06-01T07:00:00Z'])
      await createDrawStore(db()).transaction((tx) =>
        tx.draws.ensure({
          prefectureId: s.prefectureId,
          procedureId: s.procedureId,
          tick: new Date(tick),
          secret: 'd4'.repeat(32),
          commitment: commitmentOf('d4'.repeat(32)),
          committedAt: new Date('2026-05-29T00:00:00Z'),
        }),
      );
    assert.deepEqual(
      (await listPublicDraws(ctx(), s.prefectureId)).upcoming
        .filter((c) => c.procedureId === s.procedureId)
        .map((c) => c.tick.toISOString()),
      ['2026-06-01T07:00:00.000Z'],
    );

    // The page lists it with its revealed secret.
    const listed = (await listPublicDraws(ctx(), s.prefectureId)).draws.find((d) => d.id === report.drawId);
    assert.deepEqual([listed?.secret, listed?.verifiable, listed?.committedInAdvance], [row.secret, true, false]);
  });

  it('chains the commitment, the secret and the closing digest with the draw, and each commitment as it is made: a rewrite of any breaks its link', async () => {
    const evidence = () => verifyEvidenceChain({ evidence: createEvidenceChainReader(db()), clock }, {});
    assert.equal((await evidence()).ok, true);
    const [drawn] = await db()
      .selectFrom('draw')
      .select(['id', 'secret'])
      .where('commitment', 'is not', null)
      .orderBy('finished_at', 'desc')
      .limit(1)
      .execute();
    assert.ok(drawn);
    for (const column of ['secret', 'commitment', 'closing_digest']) {
      const original = (await drawRow(drawn.id))[column as 'secret'];
      await sql`update draw set ${sql.ref(column)} = ${'0'.repeat(64)} where id = ${drawn.id}`.execute(db());
      const report = await evidence();
      assert.deepEqual(
        [report.ok, report.firstBreak?.reason, report.firstBreak?.refId],
        [false, 'row-altered', drawn.id],
        column,
      );
      await sql`update draw set ${sql.ref(column)} = ${original} where id = ${drawn.id}`.execute(db());
    }
    assert.equal((await evidence()).ok, true);

    // Every commitment is chained as it is made (not its secret); one replaced before its tick
    // breaks its link, and so does one deleted.
    const commitments = await db().selectFrom('draw_commitment').select(['id', 'commitment', 'secret']).execute();
    assert.ok(commitments.length >= 3);
    const chained = await sql<{ ref_id: string }>`select ref_id from evidence_link where kind = 'commitment'`.execute(
      db(),
    );
    assert.deepEqual(chained.rows.map((r) => r.ref_id).sort(), commitments.map((c) => c.id).sort());
    const target = commitments[0]!;
    await sql`update draw_commitment set commitment = ${'0'.repeat(64)} where id = ${target.id}`.execute(db());
    const replaced = await evidence();
    assert.deepEqual(
      [replaced.ok, replaced.firstBreak?.reason, replaced.firstBreak?.kind, replaced.firstBreak?.refId],
      [false, 'row-altered', 'commitment', target.id],
    );
    await sql`update draw_commitment set commitment = ${target.commitment} where id = ${target.id}`.execute(db());
    // The secret is not in the chained text: the chain neither holds nor needs it before the draw.
    await sql`update draw_commitment set secret = ${'1'.repeat(64)} where id = ${target.id}`.execute(db());
    assert.equal((await evidence()).ok, true);
    await sql`update draw_commitment set secret = ${target.secret} where id = ${target.id}`.execute(db());
    assert.equal((await evidence()).ok, true);
  });
});
