// GET /api/slots as a polling crowd meets it (issue 14): answers shared between clients and
// kept true to the database (a booking is in the next poll, here and on another instance),
// conditional requests (ETag, 304), compressed bodies, and the refusals unchanged.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { listFreeSlots } from '../../src/app/booking/list-free-slots.ts';
import { anotherView, describeEachEngine } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const TOMORROW_9H = new Date('2026-06-02T07:00:00Z');

describeEachEngine('free-slot calendar over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  before(async () => {
    app = await testServer(database(), clock);
  });
  after(async () => app?.close());

  const book = async (slotId: string, server = app) => {
    const person = applicant();
    return server.inject({
      method: 'POST',
      url: '/api/bookings',
      payload: {
        slotId,
        applicant: person,
        emailVerification: await knownEmailProof(testContext(database().db, clock), person.email),
        altcha: await solvedPow(server),
      },
    });
  };
  const slotsUrl = (procedureId: string, siteIds: string, extra = '') =>
    `/api/slots?procedureId=${procedureId}&siteIds=${siteIds}&from=2026-06-01&to=2026-06-30${extra}`;
  /** [siteId, startsAt, freeCounters] of each entry: what a person sees (the counter offered is drawn). */
  interface Answer {
    truncated: boolean;
    slots: { siteId: string; startsAt: string; freeCounters: number }[];
  }
  const seen = (body: Answer) => body.slots.map((s) => [s.siteId, s.startsAt, s.freeCounters]);

  it('a booking through the API is in the very next poll, which has a new ETag', async () => {
    const s = await createScenario(database().db, { counters: 2 });
    const slots = await s.addSlots(4, TOMORROW_9H);
    const url = slotsUrl(s.procedureId, s.siteId);
    const first = await app.inject(url);
    assert.equal(first.statusCode, 200);
    const etag = first.headers.etag as string;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(first.json().slots[0].freeCounters, 2);

    const unchanged = await app.inject({ url, headers: { 'if-none-match': etag } });
    assert.equal(unchanged.statusCode, 304);
    assert.equal(unchanged.body, '');
    assert.equal(unchanged.headers.etag, etag);

    assert.equal((await book(slots[0]!)).statusCode, 201);
    const next = await app.inject({ url, headers: { 'if-none-match': etag } });
    assert.equal(next.statusCode, 200);
    assert.notEqual(next.headers.etag, etag);
    assert.equal(next.json().slots[0].freeCounters, 1);
    // The new tag validates in turn.
    assert.equal(
      (await app.inject({ url, headers: { 'if-none-match': next.headers.etag as string } })).statusCode,
      304,
    );
  });

  it('sends brotli or gzip as asked, each decoding to the same JSON, with Vary and no-cache', async () => {
    const s = await createScenario(database().db, { counters: 3 });
    await s.addSlots(60, TOMORROW_9H);
    const url = slotsUrl(s.procedureId, s.siteId);
    const plain = await app.inject({ url, headers: { 'accept-encoding': 'identity' } });
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const json = plain.json();
    assert.equal(json.slots.length, 20);
    assert.deepEqual(JSON.parse(brotliDecompressSync(br.rawPayload).toString()), json);
    assert.deepEqual(JSON.parse(gunzipSync(gz.rawPayload).toString()), json);
    assert.ok(br.rawPayload.length < plain.rawPayload.length / 3, `brotli: ${br.rawPayload.length} bytes`);
    for (const res of [plain, br, gz]) {
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers.vary, 'accept-encoding');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(res.headers['content-type'] as string, /^application\/json/);
    }
    // One representation per coding, one answer underneath: any of its tags gets a 304.
    const tags = new Set([plain, br, gz].map((r) => r.headers.etag));
    assert.equal(tags.size, 3);
    const revalidated = await app.inject({
      url,
      headers: { 'accept-encoding': 'identity', 'if-none-match': br.headers.etag as string },
    });
    assert.equal(revalidated.statusCode, 304);
    assert.equal(revalidated.headers.etag, plain.headers.etag);
    assert.equal((await app.inject({ url, headers: { 'if-none-match': '"something-else"' } })).statusCode, 200);
  });

  it('never mixes two queries: each answer is what an uncached search gives', async () => {
    const db = database().db;
    const a = await createScenario(db, { counters: 2 });
    await a.addSlots(6, TOMORROW_9H);
    const b = await createScenario(db, { counters: 1 });
    await b.addSlots(3, new Date(TOMORROW_9H.getTime() + 86_400_000));
    // A second site of a's prefecture and procedure, free at 9:00 the day after tomorrow.
    await db
      .insertInto('site')
      .values({ id: `${a.siteId}-b`, prefecture_id: a.prefectureId, kind: 'antenna', name: 'Antenne', address: 'x' })
      .execute();
    await db
      .insertInto('counter')
      .values({ id: `${a.siteId}-b-1`, site_id: `${a.siteId}-b`, name: 'G1' })
      .execute();
    const at = new Date(TOMORROW_9H.getTime() + 86_400_000);
    await db
      .insertInto('slot')
      .values({
        site_id: `${a.siteId}-b`,
        counter_id: `${a.siteId}-b-1`,
        procedure_id: a.procedureId,
        starts_at: at,
        ends_at: new Date(at.getTime() + 1_800_000),
        local_date: '2026-06-03',
        released_at: NOW,
        opened_at: NOW,
      })
      .execute();
    const queries = [
      { procedureId: a.procedureId, siteIds: [a.siteId], fromDate: '2026-06-01', toDate: '2026-06-30', limit: 500 },
      { procedureId: a.procedureId, siteIds: [a.siteId], fromDate: '2026-06-01', toDate: '2026-06-30', limit: 1 },
      { procedureId: a.procedureId, siteIds: [a.siteId], fromDate: '2026-06-03', toDate: '2026-06-30', limit: 500 },
      {
        procedureId: a.procedureId,
        siteIds: [a.siteId, `${a.siteId}-b`],
        fromDate: '2026-06-01',
        toDate: '2026-06-30',
        limit: 500,
      },
      { procedureId: b.procedureId, siteIds: [b.siteId], fromDate: '2026-06-01', toDate: '2026-06-30', limit: 500 },
    ];
    const answers: { etag: string | undefined; body: Answer }[] = [];
    for (const q of [...queries, ...queries]) {
      const res = await app.inject(
        `/api/slots?procedureId=${q.procedureId}&siteIds=${q.siteIds.join(',')}&from=${q.fromDate}&to=${q.toDate}&limit=${q.limit}`,
      );
      assert.equal(res.statusCode, 200);
      answers.push({ etag: res.headers.etag as string | undefined, body: res.json() });
    }
    for (const [i, q] of queries.entries()) {
      const expected = await listFreeSlots(testContext(db, clock), q);
      const got = answers[i]!.body;
      assert.deepEqual(
        seen(got),
        expected.slots.map((s) => [s.siteId, s.startsAt.toISOString(), s.freeCounters]),
        `query ${i}`,
      );
      assert.equal(got.truncated, expected.truncated, `query ${i}`);
      // Asked again: the same answer, from the cache.
      assert.equal(answers[i + queries.length]!.etag, answers[i]!.etag, `query ${i} again`);
    }
    assert.equal(new Set(answers.slice(0, queries.length).map((a) => a.etag)).size, queries.length);
    // The same sites in another order are the same query.
    const reordered = await app.inject(slotsUrl(a.procedureId, `${a.siteId}-b,${a.siteId}`));
    assert.equal(reordered.headers.etag, answers[3]!.etag);
  });

  it('refuses bad queries with their stable codes, every time', async () => {
    const s = await createScenario(database().db);
    await s.addSlots(2, TOMORROW_9H);
    const cases: [string, number, string][] = [
      [
        `/api/slots?procedureId=${s.procedureId}&siteIds=${s.siteId}&from=2026-06-30&to=2026-06-01`,
        400,
        'DATE_RANGE_INVALID',
      ],
      [slotsUrl('no-such-procedure', s.siteId), 404, 'PROCEDURE_NOT_FOUND'],
      [slotsUrl(s.procedureId, 'no-such-site'), 404, 'SITE_NOT_FOUND'],
      [slotsUrl(s.procedureId, s.siteId, '&limit=0'), 400, 'VALIDATION_FAILED'],
      [
        `/api/slots?procedureId=${s.procedureId}&siteIds=${s.siteId}&from=2026-02-30&to=2026-06-01`,
        400,
        'VALIDATION_FAILED',
      ],
    ];
    for (const round of [1, 2]) {
      for (const [url, status, code] of cases) {
        const res = await app.inject(url);
        assert.equal(res.statusCode, status, `${url} (round ${round})`);
        assert.equal(res.json().code, code, `${url} (round ${round})`);
        assert.equal(res.headers.etag, undefined);
      }
    }
    assert.equal((await app.inject(slotsUrl(s.procedureId, s.siteId))).statusCode, 200);
  });

  it('shows a change made outside the API (a slot withdrawn, slots added) in the next poll', async () => {
    const db = database().db;
    const s = await createScenario(db, { counters: 1 });
    const [first] = await s.addSlots(2, TOMORROW_9H);
    const url = slotsUrl(s.procedureId, s.siteId);
    assert.equal((await app.inject(url)).json().slots.length, 2);
    await db.updateTable('slot').set({ status: 'withdrawn' }).where('id', '=', first!).execute();
    assert.equal((await app.inject(url)).json().slots.length, 1);
    await s.addSlots(3, new Date(TOMORROW_9H.getTime() + 86_400_000));
    assert.equal((await app.inject(url)).json().slots.length, 4);
  });

  it('another instance sharing the database shows a booking made through this one within the bound', async () => {
    const other = await testServer(anotherView(database()), clock);
    try {
      const s = await createScenario(database().db, { counters: 1 });
      const slots = await s.addSlots(2, TOMORROW_9H);
      const url = slotsUrl(s.procedureId, s.siteId);
      assert.equal((await other.inject(url)).json().slots.length, 2);
      assert.equal((await book(slots[0]!)).statusCode, 201);
      const booked = Date.now();
      // The change feed: the other instance reads it every 100 ms (the test clock stands still,
      // so the 1 s bound of its own cannot be what brings the change).
      let free = 2;
      while (free === 2 && Date.now() - booked < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        free = (await other.inject(url)).json().slots.length;
      }
      assert.equal(free, 1, 'the other instance still shows the booked slot');
      // The bound alone: a second booking, then the other instance's clock one bound later.
      assert.equal((await book(slots[1]!)).statusCode, 201);
      clock.set(new Date(NOW.getTime() + 1_000));
      assert.equal((await other.inject(url)).json().slots.length, 0);
    } finally {
      clock.set(NOW);
      await other.close();
    }
  });
});
