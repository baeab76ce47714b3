// `creneau draw run` and `creneau draw replay` as an operator runs them: a real process on a
// real PostgreSQL database, with the system clock.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { createAllocationScenario, fileRequest } from '../support/allocation.ts';
import { cliOnOwnDatabase } from '../support/cli-database.ts';
import { postgresSkipReason } from '../support/databases.ts';
import { TestClock, testContext } from '../support/scenario.ts';

describe('creneau draw', { skip: postgresSkipReason() }, () => {
  const cli = cliOnOwnDatabase('creneau_draw_cli');
  const { creneau, dataDir } = cli;
  let database: OpenDatabase;
  let procedureId: string;
  let scenario: Awaited<ReturnType<typeof createAllocationScenario>>;

  before(async () => {
    database = await cli.create();
    const s = await createAllocationScenario(database.db);
    scenario = s;
    procedureId = s.procedureId;
    await s.addSlots(4, new Date(Date.now() + 5 * 86_400_000), {
      releasedAt: new Date(Date.now() - 86_400_000),
      drawFirst: true,
    });
    const hasher = testContext(database.db, new TestClock(new Date())).hasher;
    for (let i = 0; i < 6; i++) await fileRequest(database.db, hasher, s);
  });
  after(() => cli.drop());

  it('draws now, replays identically (exit 0), and reports an altered draw (exit 1)', {
    timeout: 120_000,
  }, async () => {
    const drawn = await creneau('draw', 'run', '--prefecture', '93', '--procedure', procedureId);
    assert.equal(drawn.code, 0, drawn.stdout);
    const drawId = /draw ([0-9a-f-]{36})/.exec(drawn.stdout)?.[1];
    assert.ok(drawId, drawn.stdout);
    assert.match(drawn.stdout, /requests 6, free slots 4, offers 4/);

    const replay = await creneau('draw', 'replay', drawId);
    assert.equal(replay.code, 0, replay.stdout);
    assert.match(replay.stdout, /identical: yes/);

    // Two offers swap their slots behind the draw's back.
    const offers = await database.db
      .selectFrom('offer')
      .select(['id', 'slot_id'])
      .where('draw_id', '=', drawId)
      .orderBy('id')
      .execute();
    await database.db.updateTable('offer').set({ status: 'withdrawn' }).where('id', '=', offers[0]!.id).execute();
    await database.db
      .updateTable('offer')
      .set({ slot_id: offers[0]!.slot_id })
      .where('id', '=', offers[1]!.id)
      .execute();
    await database.db
      .updateTable('offer')
      .set({ slot_id: offers[1]!.slot_id })
      .where('id', '=', offers[0]!.id)
      .execute();
    const altered = await creneau('draw', 'replay', drawId);
    assert.equal(altered.code, 1, altered.stdout);
    assert.match(altered.stdout, /identical: no/);
    assert.match(altered.stdout, /differs/);

    const unknown = await creneau('draw', 'replay', '00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /DRAW_NOT_FOUND/);
  });

  it('draw export writes the published draw; draw verify recomputes it from the file alone (exit 0) and names the first mismatch of a tampered one (exit 1)', {
    timeout: 300_000 /* nine processes, each starting tsx */,
  }, async () => {
    await scenario.addSlots(3, new Date(Date.now() + 6 * 86_400_000), {
      releasedAt: new Date(Date.now() - 86_400_000),
      drawFirst: true,
    });
    const hasher = testContext(database.db, new TestClock(new Date())).hasher;
    for (let i = 0; i < 3; i++) await fileRequest(database.db, hasher, scenario);
    const drawn = await creneau('draw', 'run', '--prefecture', '93', '--procedure', procedureId);
    assert.equal(drawn.code, 0, drawn.stdout);
    assert.match(drawn.stdout, /made at the draw: no advance commitment/);
    const drawId = /draw ([0-9a-f-]{36})/.exec(drawn.stdout)![1]!;
    const commitment = /commitment ([0-9a-f]{64})/.exec(drawn.stdout)![1]!;

    const file = join(dataDir, 'tirage.json');
    const exported = await creneau('draw', 'export', drawId, '--out', file);
    assert.equal(exported.code, 0, exported.stdout);
    const verified = await creneau('draw', 'verify', file, '--commitment', commitment);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /matches: yes/);
    // The 2 left waiting by the first draw, the one whose offer the first test withdrew (without a
    // pending offer a request waits again: 'offered' is derived, migration 0026) and 3 new; 3 new
    // slots (and the one of that withdrawn offer).
    const counts = /requests (\d+), slots (\d+), offers (\d+)/.exec(verified.stdout)!.slice(1).map(Number);
    assert.equal(counts[0], 6, verified.stdout);
    assert.ok(counts[2]! >= 3, verified.stdout);
    // Compressed, as the page also serves it.
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)));
    assert.equal((await creneau('draw', 'verify', `${file}.gz`)).code, 0);

    const published = JSON.parse(readFileSync(file, 'utf8'));
    const tampered = (name: string, change: (p: typeof published) => void) => {
      const copy = structuredClone(published);
      change(copy);
      writeFileSync(join(dataDir, name), JSON.stringify(copy));
      return creneau('draw', 'verify', join(dataDir, name));
    };
    const secret = await tampered('secret.json', (p) => {
      p.secret = 'f'.repeat(64);
    });
    assert.equal(secret.code, 1, secret.stdout);
    assert.match(secret.stdout, /matches: no\n {2}commitment: SHA-256\(secret\) is not the published commitment/);
    const removed = await tampered('removed.json', (p) => {
      p.requests.pop();
      p.counts.requests--;
    });
    assert.equal(removed.code, 1);
    assert.match(removed.stdout, /closing digest: .*added, removed or changed/);
    const result = await tampered('result.json', (p) => {
      [p.result[0][1], p.result[1][1]] = [p.result[1][1], p.result[0][1]];
    });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /result: assignment #1 is /);
    const otherCommitment = await creneau('draw', 'verify', file, '--commitment', '0'.repeat(64));
    assert.equal(otherCommitment.code, 1);
    assert.match(otherCommitment.stdout, /commitment published before the draw/);
    writeFileSync(join(dataDir, 'junk.json'), '{"format":"something else"}');
    const junk = await creneau('draw', 'verify', join(dataDir, 'junk.json'));
    assert.equal(junk.code, 1);
    assert.match(junk.stdout, /matches: no\n {2}Not a published draw/);
    writeFileSync(join(dataDir, 'cut.json.gz'), gzipSync(readFileSync(file)).subarray(0, 100));
    const cut = await creneau('draw', 'verify', join(dataDir, 'cut.json.gz'));
    assert.equal(cut.code, 1, cut.stdout);
    assert.match(cut.stdout, /matches: no\n {2}Not a published draw: a gzip file, but damaged/);
    const missing = await creneau('draw', 'verify', join(dataDir, 'no-such-draw.json'));
    assert.equal(missing.code, 2, missing.stdout);
    assert.equal(missing.stdout.trim(), `cannot read ${join(dataDir, 'no-such-draw.json')}: no such file`);
  });

  it('audit verify: the draw is in the evidence chain (exit 0), a seed changed behind its back is found (exit 1)', {
    timeout: 120_000,
  }, async () => {
    const head = await database.db.selectFrom('evidence_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    const intact = await creneau('audit', 'verify', '--expect-head', `${head.seq}:${head.hash}`);
    assert.equal(intact.code, 0, intact.stdout);
    assert.match(intact.stdout, /evidence chain: intact/);
    assert.match(intact.stdout, new RegExp(`head ${head.seq}:${head.hash}`));
    const drawLinks = await database.db.selectFrom('evidence_link').select('seq').where('kind', '=', 'draw').execute();
    assert.ok(drawLinks.length >= 1, 'the draw run above is chained');

    const malformed = await creneau('audit', 'verify', '--expect-head', 'not-a-head');
    assert.notEqual(malformed.code, 0);
    assert.match(malformed.stdout, /SEQ:HASH/);

    await database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update draw set seed = 'chosen afterwards'`.execute(trx);
    });
    const broken = await creneau('audit', 'verify');
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stdout, /evidence chain: BROKEN/);
    assert.match(broken.stdout, /first break: row-altered at link \d+ \(draw [0-9a-f-]{36}\)/);
  });
});
