// The public page of a prefecture's draws (/tirages/:prefectureId), its downloads and its
// "check my place" form, and the pseudonyms on /my-request, through the whole server.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { createDrawStore } from '../../src/adapters/db/draw-store.ts';
import { type DrawRunReport, runDrawForTick } from '../../src/app/draws/run-draw.ts';
import {
  commitmentOf,
  parsePublishedDraw,
  pseudonymOf,
  verifyPublishedDraw,
} from '../../src/domain/draw-commitment.ts';
import {
  createAllocationScenario,
  type FiledRequest,
  fileRequest,
  testAllocationContext,
} from '../support/allocation.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { unescapeHtml } from '../support/page-client.ts';
import { TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const IN_A_WEEK_9H = new Date('2026-06-08T07:00:00Z');
const UPCOMING_TICK = new Date('2026-06-02T05:00:00Z');
const UPCOMING_SECRET = 'c3'.repeat(32);

describeEachEngine('public draws pages', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let s: Awaited<ReturnType<typeof createAllocationScenario>>;
  let requests: FiledRequest[];
  let drawn: Extract<DrawRunReport, { status: 'drawn' }>;
  let secret: string;

  before(async () => {
    app = await testServer(database(), clock);
    const db = database().db;
    s = await createAllocationScenario(db, { prefectureId: '91' });
    await s.addSlots(2, IN_A_WEEK_9H, { drawFirst: true });
    const hasher = testContext(db, clock).hasher;
    requests = [];
    for (let i = 0; i < 3; i++)
      requests.push(await fileRequest(db, hasher, s, { filedAt: new Date(NOW.getTime() - (i + 1) * 86_400_000) }));
  });
  after(async () => app?.close());

  const get = (url: string, cookies: Record<string, string> = {}) => app.inject({ method: 'GET', url, cookies });

  it('publishes the commitment of a coming draw, never its secret, before the draw', async () => {
    await createDrawStore(database().db).transaction((tx) =>
      tx.draws.ensure({
        prefectureId: s.prefectureId,
        procedureId: s.procedureId,
        tick: UPCOMING_TICK,
        secret: UPCOMING_SECRET,
        commitment: commitmentOf(UPCOMING_SECRET),
        committedAt: NOW,
      }),
    );
    for (const url of ['/tirages/91', '/tirages/91?lang=en', '/api/evidence/head']) {
      const page = await get(url);
      assert.equal(page.statusCode, 200, url);
      assert.ok(!page.body.includes(UPCOMING_SECRET), `${url} shows no secret of a tick not drawn`);
    }
    const page = await get('/tirages/91');
    assert.ok(page.body.includes(commitmentOf(UPCOMING_SECRET)));
    assert.match(page.body, /Prochains tirages/);
    assert.match(page.body, /publié après le tirage/);
    assert.match(page.body, /Aucun tirage pour l&#39;instant|Aucun tirage pour l'instant/);
    assert.match(page.body, /id="evidence-head"><code>\d+:[0-9a-f]{64}<\/code>/);
    assert.doesNotMatch(page.body, /\[object Object\]/);
    assert.match((await get('/tirages/91?lang=en')).body, /<h1>Draws: Préfecture 91<\/h1>/);
  });

  it('lists a finished draw with its revealed secret, and serves its file (JSON and gzip) which verifies', async () => {
    const db = database().db;
    drawn = (await runDrawForTick(testAllocationContext(db, clock), {
      prefectureId: s.prefectureId,
      procedureId: s.procedureId,
      tick: clock.now(),
      trigger: 'manual',
    })) as Extract<DrawRunReport, { status: 'drawn' }>;
    assert.equal(drawn.status, 'drawn');
    const row = await db.selectFrom('draw').select('secret').where('id', '=', drawn.drawId).executeTakeFirstOrThrow();
    secret = row.secret!;

    const page = await get('/tirages/91');
    assert.equal(page.statusCode, 200);
    const html = unescapeHtml(page.body);
    for (const value of [
      drawn.commitment,
      secret,
      drawn.closingDigest,
      drawn.seed,
      drawn.inputDigest,
      drawn.resultDigest,
    ])
      assert.ok(html.includes(value), value);
    assert.match(html, /tirage manuel : engagement pris au moment du tirage, pas à l'avance/);
    assert.match(html, /3 demandes, 2 créneaux, 2 propositions/);
    assert.ok(!html.includes(UPCOMING_SECRET), 'the coming tick keeps its secret');
    for (const r of requests) assert.ok(!html.includes(r.id), 'no request id on the page');

    const json = await get(`/tirages/91/${drawn.drawId}.json`);
    assert.equal(json.statusCode, 200);
    assert.match(String(json.headers['content-type']), /^application\/json/);
    assert.match(String(json.headers['content-disposition']), /attachment; filename="tirage-91-[0-9a-f-]{36}\.json"/);
    const published = parsePublishedDraw(json.body);
    assert.deepEqual(verifyPublishedDraw(published, { expectedCommitment: drawn.commitment }).mismatch, null);
    for (const r of requests) assert.ok(!json.body.includes(r.id), 'no request id in the file');

    const gz = await get(`/tirages/91/${drawn.drawId}.json.gz`);
    assert.equal(gz.statusCode, 200);
    assert.equal(gz.headers['content-type'], 'application/gzip');
    assert.deepEqual(parsePublishedDraw(gunzipSync(gz.rawPayload).toString('utf8')), published);

    // Refused with a 404, never a 5xx: unknown draw, malformed names, another prefecture, unknown prefecture.
    for (const url of [
      '/tirages/91/00000000-0000-4000-8000-000000000000.json',
      `/tirages/91/${drawn.drawId}.xml`,
      '/tirages/91/..%2F..%2Fetc.json',
      `/tirages/92/${drawn.drawId}.json`,
      '/tirages/00',
      '/tirages/not-a-prefecture-at-all',
    ])
      assert.equal((await get(url)).statusCode, 404, url);
  });

  it('"check my place": offered, drawn without an offer, absent, and bad input refused with a 4xx', async () => {
    const offeredIds = new Set(
      (await database().db.selectFrom('offer').select('request_id').where('draw_id', '=', drawn.drawId).execute()).map(
        (o) => o.request_id,
      ),
    );
    const winner = requests.find((r) => offeredIds.has(r.id))!;
    const loser = requests.find((r) => !offeredIds.has(r.id))!;
    const place = (pseudonym: string, drawId = drawn.drawId, lang = '') =>
      get(`/tirages/91/place?tirage=${drawId}&pseudonyme=${encodeURIComponent(pseudonym)}${lang}`);

    const won = await place(pseudonymOf(secret, winner.id).toUpperCase());
    assert.equal(won.statusCode, 200);
    assert.match(won.body, /data-place="offered"/);
    assert.match(unescapeHtml(won.body), /Classe de priorité 2/);
    const lost = await place(pseudonymOf(secret, loser.id), drawn.drawId, '&lang=en');
    assert.match(lost.body, /data-place="waiting"/);
    assert.match(lost.body, /took part in this draw without getting an offer/);
    const absent = await place('0'.repeat(20));
    assert.match(absent.body, /data-place="absent"/);

    const bad = await place('not-a-pseudonym');
    assert.equal(bad.statusCode, 400);
    assert.match(unescapeHtml(bad.body), /Saisissez le pseudonyme de 20 caractères/);
    assert.doesNotMatch(bad.body, /data-place=/);
    assert.equal((await place('0'.repeat(20), 'nope')).statusCode, 400);
    assert.equal((await place('0'.repeat(20), '00000000-0000-4000-8000-000000000000')).statusCode, 404);
    assert.equal((await get('/tirages/91/place')).statusCode, 400);
  });

  it('shows each applicant their pseudonym in the draw, linked to the check of their place', async () => {
    const [request] = requests;
    const page = await get('/my-request', { creneau_manage: request!.token });
    assert.equal(page.statusCode, 200);
    const pseudonym = pseudonymOf(secret, request!.id);
    const html = unescapeHtml(page.body);
    assert.match(html, /Mon pseudonyme dans chaque tirage/);
    assert.ok(html.includes(`<code>${pseudonym}</code>`));
    assert.ok(html.includes(`/tirages/91/place?tirage=${drawn.drawId}&pseudonyme=${pseudonym}`));
    const en = unescapeHtml((await get('/my-request?lang=en', { creneau_manage: request!.token })).body);
    assert.match(en, /My pseudonym in each draw/);
    assert.ok(en.includes(`/tirages/91/place?tirage=${drawn.drawId}&pseudonyme=${pseudonym}&lang=en`));
  });
});
