// The fraud signals' network and device digest are cleared 6 months after the filing or the
// booking (like the security log), on both engines — unless an evidence hold names the request
// or the appointment; the rest of the row stays (its own retention applies).
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { createRetentionStore } from '../../src/adapters/db/retention-store.ts';
import type { RetentionContext } from '../../src/app/retention/retention-context.ts';
import { runRetention } from '../../src/app/retention/run-retention.ts';
import { monthsBefore, retentionPolicy } from '../../src/domain/retention.ts';
import { describeEachEngine } from '../support/databases.ts';
import { reviewAppointment, reviewRequest } from '../support/review.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-12-06T03:00:00Z');
const MINUTE = 60_000;

describeEachEngine('fraud signals retention', (database) => {
  const clock = new TestClock(NOW);
  const ctx = (): RetentionContext => ({
    retention: createRetentionStore(database().db),
    clock,
    policy: retentionPolicy(24),
  });
  let scenario: Awaited<ReturnType<typeof createScenario>>;

  before(async () => {
    const db = database().db;
    scenario = await createScenario(db);
    await sql`insert into agent (email, display_name, password_hash, totp_secret, role, prefecture_id, created_at)
              values ('juriste@prefecture.gouv.fr', 'Camille Juriste', '$argon2id$x', 'secret', 'admin', null, now())`.execute(
      db,
    );
  });

  async function signalled(db: Db, kind: 'request' | 'appointment', at: Date) {
    const id =
      kind === 'request'
        ? (await reviewRequest(db, scenario, { filedAt: at, urgencyDate: null })).id
        : (await reviewAppointment(db, scenario, new Date(NOW.getTime() + 86_400_000 + Math.random() * 1e8))).id;
    if (kind === 'appointment')
      await db.updateTable('appointment').set({ created_at: at }).where('id', '=', id).execute();
    await db
      .updateTable(kind === 'request' ? 'allocation_request' : 'appointment')
      .set({ network: '203.0.113.0/24', device_digest: 'digest', email_domain: 'fleet.example' })
      .where('id', '=', id)
      .execute();
    return id;
  }

  const signalsOf = async (db: Db, kind: 'request' | 'appointment', id: string) =>
    db
      .selectFrom(kind === 'request' ? 'allocation_request' : 'appointment')
      .select(['network', 'device_digest', 'email_domain'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('clears the network and the device digest after 6 months, except where a hold names the record', async () => {
    const db = database().db;
    const sixMonths = monthsBefore(NOW, 6);
    const oldRequest = await signalled(db, 'request', new Date(sixMonths.getTime() - MINUTE));
    const heldRequest = await signalled(db, 'request', new Date(sixMonths.getTime() - MINUTE));
    const recentRequest = await signalled(db, 'request', new Date(sixMonths.getTime() + MINUTE));
    const oldAppointment = await signalled(db, 'appointment', monthsBefore(NOW, 7));
    await sql`insert into evidence_hold (reason, created_by, request_ids)
              values ('Enquête du parquet', (select id from agent where email = 'juriste@prefecture.gouv.fr'),
                      ${[heldRequest]}::uuid[])`.execute(db);

    const outcome = await runRetention(ctx());
    assert.ok(outcome.status === 'ran');
    assert.equal(outcome.report.fraudSignals, 2);
    assert.equal(outcome.report.held, 1);
    const cleared = { network: null, device_digest: null, email_domain: 'fleet.example' };
    const kept = { network: '203.0.113.0/24', device_digest: 'digest', email_domain: 'fleet.example' };
    assert.deepEqual(await signalsOf(db, 'request', oldRequest), cleared);
    assert.deepEqual(await signalsOf(db, 'appointment', oldAppointment), cleared);
    assert.deepEqual(await signalsOf(db, 'request', heldRequest), kept, 'a hold keeps them');
    assert.deepEqual(await signalsOf(db, 'request', recentRequest), kept, 'within 6 months');
  });
});
