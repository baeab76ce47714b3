// `creneau queue-tally` as an operator runs it, on a real PostgreSQL database: it says which
// counts of the queue's tally differ from the queue and exits 1; with --repair it counts the
// tally again and exits 0.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { queueTallyDrift } from '../../src/adapters/db/queue-tally.ts';
import { createAllocationScenario, fileRequest } from '../support/allocation.ts';
import { cliOnOwnDatabase } from '../support/cli-database.ts';
import { postgresSkipReason } from '../support/databases.ts';
import { NOW } from '../support/draw-times.ts';
import { TestClock, testContext } from '../support/scenario.ts';

describe('creneau queue-tally', { skip: postgresSkipReason() }, () => {
  const cli = cliOnOwnDatabase('creneau_queue_tally_cli');
  const { creneau } = cli;
  let database: OpenDatabase;

  before(async () => {
    database = await cli.create();
  });
  after(() => cli.drop());

  it('reports the counts that differ and exits 1; --repair counts them again and exits 0', {
    timeout: 120_000,
  }, async () => {
    const db = database.db;
    const s = await createAllocationScenario(db);
    const hasher = testContext(db, new TestClock(NOW)).hasher;
    for (let i = 0; i < 3; i++) await fileRequest(db, hasher, s, { queuedOn: '2026-06-01' });
    await sql`update queue_tally set waiting = waiting - 1 where procedure_id = ${s.procedureId}`.execute(db);

    const found = await creneau('queue-tally');
    assert.equal(found.code, 1, found.stdout);
    assert.match(found.stdout, /1 count\(s\) differ/);
    assert.match(
      found.stdout,
      new RegExp(`${s.prefectureId}/${s.procedureId} urgency none batch 2026-06-01: 3 waiting, tally says 2`),
    );

    const repaired = await creneau('queue-tally', '--repair', '--json');
    assert.equal(repaired.code, 0, repaired.stdout);
    // Standard output is the report alone (the log goes to standard error): it parses whole.
    const report = JSON.parse(repaired.stdout) as {
      drift: unknown[];
      repaired: { waiting: number; left: number };
    };
    assert.deepEqual([report.drift.length, report.repaired.waiting, report.repaired.left], [1, 3, 0]);
    assert.deepEqual(await queueTallyDrift(db), []);
  });
});
