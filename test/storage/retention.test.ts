// The retention purge on both engines (README "Retention"): after a run nothing past its time
// remains and everything within it does; a hold keeps what it names until released; one run
// per day however many instances ask; the evidence chain accounts for the purged security
// events and still reports a deletion no purge records.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { createEvidenceChainReader } from '../../src/adapters/db/evidence-chain-store.ts';
import { createRetentionStore } from '../../src/adapters/db/retention-store.ts';
import { verifyEvidenceChain } from '../../src/app/evidence/verify-evidence-chain.ts';
import { placeEvidenceHold } from '../../src/app/retention/place-evidence-hold.ts';
import { releaseEvidenceHold } from '../../src/app/retention/release-evidence-hold.ts';
import type { RetentionContext } from '../../src/app/retention/retention-context.ts';
import { runRetention } from '../../src/app/retention/run-retention.ts';
import { purgeDigest } from '../../src/domain/evidence-chain.ts';
import { monthsBefore, retentionPolicy } from '../../src/domain/retention.ts';
import { describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

const NOW = new Date('2026-12-06T03:00:00Z');
const monthsAgo = (months: number, from = NOW) => monthsBefore(from, months);
const DAY = 86_400_000;

describeEachEngine('retention purge', (database) => {
  const clock = new TestClock(NOW);
  const ctx = (): RetentionContext => ({
    retention: createRetentionStore(database().db),
    clock,
    policy: retentionPolicy(24),
  });
  const verify = () => verifyEvidenceChain({ evidence: createEvidenceChainReader(database().db), clock });
  let scenario: Awaited<ReturnType<typeof createScenario>>;
  let agentEmail: string;

  before(async () => {
    const db = database().db;
    scenario = await createScenario(db);
    agentEmail = 'juriste@prefecture.gouv.fr';
    await sql`insert into agent (email, display_name, password_hash, totp_secret, role, prefecture_id, created_at)
              values (${agentEmail}, 'Camille Juriste', '$argon2id$x', 'secret', 'admin', null, now())`.execute(db);
  });

  const security = async (db: Db, at: Date, ip: string) =>
    (
      await sql<{ id: string }>`insert into security_event (at, ip, route, reason)
        values (${at}, ${ip}, 'POST /api/bookings', 'pow_invalid') returning id::text as id`.execute(db)
    ).rows[0]!.id;

  let person = 0;
  const identity = () => {
    person++;
    return { key: `identity-${person}-${Math.random()}`, email: `p${person}.${Math.random()}@example.org` };
  };

  /** A request closed at `closedAt` (or live, filed then). */
  async function request(db: Db, closedAt: Date, status: 'closed' | 'withdrawn' | 'waiting' = 'closed') {
    const who = identity();
    const { rows } = await sql<{ id: string }>`
      insert into allocation_request (reference, prefecture_id, procedure_id, status, site_ids, surname, given_names,
        birth_date, nationality, email, email_key, passport_number, identity_key, management_token_hash,
        filed_at, updated_at, closed_at)
      values (${`R-${who.key}`}, ${scenario.prefectureId}, ${scenario.procedureId}, ${status}, ${[scenario.siteId]},
        'Diallo', 'Aminata', '1990-04-12', 'SEN', ${who.email}, ${who.email}, 'P123', ${who.key}, ${`h-${who.key}`},
        ${new Date(closedAt.getTime() - 30 * DAY)}, ${closedAt}, ${status === 'waiting' ? null : closedAt})
      returning id::text as id`.execute(db);
    return rows[0]!.id;
  }

  let slots = 0;
  /** An appointment on a slot starting at `startsAt`, in `status`, last changed then. */
  async function appointment(db: Db, startsAt: Date, status: 'served' | 'cancelled' | 'booked' = 'served') {
    // Each on a slot of its own (half an hour apart: slots of a counter never overlap).
    const [slotId] = await scenario.addSlots(1, new Date(startsAt.getTime() + ++slots * 30 * 60_000));
    const who = identity();
    const { rows } = await sql<{ id: string }>`
      insert into appointment (reference, slot_id, procedure_id, site_id, status, surname, given_names, birth_date,
        nationality, email, email_key, passport_number, identity_key, management_token_hash, created_at, updated_at)
      values (${`A-${who.key}`}, ${slotId}, ${scenario.procedureId}, ${scenario.siteId}, ${status}, 'Diallo', 'Aminata',
        '1990-04-12', 'SEN', ${who.email}, ${who.email}, 'P123', ${who.key}, ${`t-${who.key}`},
        ${new Date(startsAt.getTime() - 20 * DAY)}, ${startsAt})
      returning id::text as id`.execute(db);
    return { id: rows[0]!.id, slotId: slotId! };
  }

  /** An offer of a draw (unfinished: not chained) tying a request to an appointment, as a booked offer does. */
  async function offer(db: Db, requestId: string, appointment: { id: string; slotId: string }) {
    const { rows } = await sql<{ id: string }>`
      insert into draw (prefecture_id, procedure_id, tick, trigger, allocation_order, seed, input_digest, result_digest,
                        input_snapshot, requests_count, slots_count, assigned_count, started_at, finished_at)
      values (${scenario.prefectureId}, ${scenario.procedureId}, ${new Date(Date.now() + Math.random() * 1e9)}, 'manual',
              'lottery', 'seed', '', '', ''::bytea, 0, 0, 0, now(), now())
      returning id::text as id`.execute(db);
    await sql`insert into offer (draw_id, request_id, slot_id, status, expires_at, appointment_id)
              values (${rows[0]!.id}::uuid, ${requestId}::uuid, ${appointment.slotId}::uuid, 'confirmed', now(), ${appointment.id}::uuid)`.execute(
      db,
    );
  }

  /** A fresh chain, as a superuser resets it (triggers off): every row and link it records gone. */
  async function resetChain(db: Db) {
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      for (const table of ['evidence_link', 'evidence_purge', 'security_event', 'audit_event'])
        await sql`delete from ${sql.table(table)}`.execute(trx);
      await sql`update evidence_head set seq = 0, hash = ${'0'.repeat(64)}`.execute(trx);
    });
  }

  const exists = async (db: Db, table: 'security_event' | 'allocation_request' | 'appointment', id: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where id::text = ${id}`.execute(db))
      .rows[0]!.n === 1;

  it('removes every row past its time and keeps every row within it, the chain accounting for the purged events', async () => {
    const db = database().db;
    clock.set(NOW);
    const oldEvents = [
      await security(db, monthsAgo(7), '198.51.100.7'),
      await security(db, new Date(monthsAgo(6).getTime() - 60_000), '198.51.100.8'),
    ];
    const recentEvents = [await security(db, new Date(monthsAgo(6).getTime() + 60_000), '198.51.100.9')];
    const oldRequest = await request(db, monthsAgo(25));
    const oldWithdrawn = await request(db, new Date(monthsAgo(24).getTime() - 60_000), 'withdrawn');
    const recentRequest = await request(db, monthsAgo(23));
    const liveRequest = await request(db, monthsAgo(36), 'waiting');
    const oldAppointment = await appointment(db, monthsAgo(25));
    const oldCancelled = await appointment(db, monthsAgo(30), 'cancelled');
    const recentAppointment = await appointment(db, monthsAgo(23));
    // Never marked served or missed: still counts against its email's cap, so it stays (README).
    const unmarked = await appointment(db, monthsAgo(30), 'booked');
    await offer(db, oldRequest, oldAppointment);
    await offer(db, recentRequest, recentAppointment);
    await sql`insert into churn_event (identity_key, procedure_id, kind, at)
              values ('old-churn', ${scenario.procedureId}, 'withdrawal', ${monthsAgo(25)}),
                     ('new-churn', ${scenario.procedureId}, 'withdrawal', ${monthsAgo(1)})`.execute(db);

    const outcome = await runRetention(ctx());
    assert.equal(outcome.status, 'ran');
    assert.equal(outcome.period, '2026-12-06');
    assert.ok(outcome.status === 'ran');
    assert.equal(outcome.report.securityEvents, 2);
    assert.equal(outcome.report.requests, 2);
    assert.equal(outcome.report.appointments, 2);
    assert.equal(outcome.report.held, 0);

    for (const id of oldEvents) assert.equal(await exists(db, 'security_event', id), false, `event ${id}`);
    for (const id of recentEvents) assert.equal(await exists(db, 'security_event', id), true, `event ${id}`);
    for (const id of [oldRequest, oldWithdrawn]) assert.equal(await exists(db, 'allocation_request', id), false);
    for (const id of [recentRequest, liveRequest]) assert.equal(await exists(db, 'allocation_request', id), true);
    for (const a of [oldAppointment, oldCancelled]) assert.equal(await exists(db, 'appointment', a.id), false);
    for (const a of [recentAppointment, unmarked]) assert.equal(await exists(db, 'appointment', a.id), true);
    const offers = await sql<{ request_id: string }>`select request_id::text from offer`.execute(db);
    assert.deepEqual(
      offers.rows.map((r) => r.request_id),
      [recentRequest],
    );
    const churn = await sql<{ identity_key: string }>`select identity_key from churn_event`.execute(db);
    assert.deepEqual(
      churn.rows.map((r) => r.identity_key),
      ['new-churn'],
    );

    // One chained purge record names exactly the purged events' links.
    const purges = await sql<{ seqs: string[]; row_count: number; links_digest: string }>`
      select seqs::text[] as seqs, row_count, links_digest from evidence_purge`.execute(db);
    assert.equal(purges.rows.length, 1);
    assert.equal(purges.rows[0]!.row_count, 2);
    const links = await sql<{ seq: string; hash: string }>`
      select seq::text as seq, hash from evidence_link where kind = 'security' and ref_id = any(${oldEvents}::text[]) order by seq`.execute(
      db,
    );
    assert.deepEqual(
      purges.rows[0]!.seqs,
      links.rows.map((l) => l.seq),
    );
    assert.equal(purges.rows[0]!.links_digest, purgeDigest(links.rows.map((l) => l.hash)));
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    assert.equal(report.linksPurged, 2);
  });

  it('runs once a day however many instances ask at once: one purges, the others do nothing', async () => {
    const db = database().db;
    clock.set(new Date(NOW.getTime() + 1 * DAY));
    const old = await Promise.all([1, 2, 3].map((i) => security(db, monthsAgo(8), `203.0.113.${i}`)));
    const outcomes = await Promise.all([runRetention(ctx()), runRetention(ctx()), runRetention(ctx())]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['already-run', 'already-run', 'ran']);
    const ran = outcomes.find((o) => o.status === 'ran');
    assert.ok(ran?.status === 'ran');
    // These three, and the first test's event that was just within its time yesterday.
    assert.equal(ran.report.securityEvents, 4);
    for (const id of old) assert.equal(await exists(db, 'security_event', id), false);
    // Later the same day: already run, nothing purged, even what has aged past its time since.
    const late = await security(db, monthsAgo(9), '203.0.113.4');
    assert.equal((await runRetention(ctx())).status, 'already-run');
    assert.equal(await exists(db, 'security_event', late), true);
    const runs = await sql<{
      n: number;
    }>`select count(*)::int as n from retention_run where period = '2026-12-07'`.execute(db);
    assert.equal(runs.rows[0]!.n, 1);
    assert.equal((await verify()).ok, true);
  });

  it('keeps what a hold names past its time, and purges it on the first run after its release', async () => {
    const db = database().db;
    clock.set(new Date(NOW.getTime() + 2 * DAY));
    const heldEvent = await security(db, monthsAgo(10), '192.0.2.44');
    const freeEvent = await security(db, monthsAgo(10), '198.51.100.44');
    const heldAppointment = await appointment(db, monthsAgo(30));
    const freeAppointment = await appointment(db, monthsAgo(30));
    const heldRequest = await request(db, monthsAgo(40));
    const rangeHold = await placeEvidenceHold(ctx(), {
      by: agentEmail,
      reason: 'Plainte pour revente de rendez-vous, parquet de Bobigny',
      from: monthsAgo(11),
      to: monthsAgo(9),
      ipPrefixes: ['192.0.2.'],
    });
    const idHold = await placeEvidenceHold(ctx(), {
      by: agentEmail.toUpperCase(),
      reason: 'Recours contentieux',
      appointmentIds: [heldAppointment.id],
      requestIds: [heldRequest],
    });

    const first = await runRetention(ctx());
    assert.ok(first.status === 'ran');
    assert.equal(first.report.held, 3);
    assert.equal(await exists(db, 'security_event', heldEvent), true);
    assert.equal(await exists(db, 'security_event', freeEvent), false);
    assert.equal(await exists(db, 'appointment', heldAppointment.id), true);
    assert.equal(await exists(db, 'appointment', freeAppointment.id), false);
    assert.equal(await exists(db, 'allocation_request', heldRequest), true);

    await releaseEvidenceHold(ctx(), { id: rangeHold.id, by: agentEmail });
    clock.set(new Date(NOW.getTime() + 3 * DAY));
    const second = await runRetention(ctx());
    assert.ok(second.status === 'ran');
    assert.equal(await exists(db, 'security_event', heldEvent), false);
    assert.equal(await exists(db, 'appointment', heldAppointment.id), true, 'the other hold still keeps it');

    await releaseEvidenceHold(ctx(), { id: idHold.id, by: agentEmail });
    await assert.rejects(releaseEvidenceHold(ctx(), { id: idHold.id, by: agentEmail }), { code: 'VALIDATION_FAILED' });
    clock.set(new Date(NOW.getTime() + 4 * DAY));
    assert.ok((await runRetention(ctx())).status === 'ran');
    assert.equal(await exists(db, 'appointment', heldAppointment.id), false);
    assert.equal(await exists(db, 'allocation_request', heldRequest), false);

    // Placing and releasing are audited, by the agent named.
    const audited = await sql<{ action: string; target_id: string }>`
      select e.action, e.target_id from audit_event e join agent a on a.id = e.agent_id
       where a.email = ${agentEmail} order by e.id`.execute(db);
    assert.deepEqual(
      audited.rows.map((r) => `${r.action} ${r.target_id}`),
      [
        `evidence_hold.place ${rangeHold.id}`,
        `evidence_hold.place ${idHold.id}`,
        `evidence_hold.release ${rangeHold.id}`,
        `evidence_hold.release ${idHold.id}`,
      ],
    );
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
  });

  it('refuses a hold that names nothing, an unknown agent or a malformed id, with VALIDATION_FAILED', async () => {
    const refused = { code: 'VALIDATION_FAILED' };
    await assert.rejects(placeEvidenceHold(ctx(), { by: agentEmail, reason: 'Rien de précis' }), refused);
    await assert.rejects(
      placeEvidenceHold(ctx(), { by: 'nobody@prefecture.gouv.fr', reason: 'Recours', ipPrefixes: ['10.'] }),
      refused,
    );
    await assert.rejects(
      placeEvidenceHold(ctx(), { by: agentEmail, reason: 'Recours', requestIds: ['not-a-uuid'] }),
      refused,
    );
    await assert.rejects(
      placeEvidenceHold(ctx(), { by: agentEmail, reason: 'Recours', from: NOW, to: monthsAgo(1) }),
      refused,
    );
    await assert.rejects(releaseEvidenceHold(ctx(), { id: "1'; drop table x", by: agentEmail }), refused);
  });

  it('still reports a deletion no purge records, and a faked purge record hides nothing', async () => {
    const db = database().db;
    await resetChain(db);
    await security(db, monthsAgo(2), '198.51.100.59');
    assert.equal((await verify()).ok, true);
    // A raw DELETE of a recent security event: no purge names it.
    const recent = await security(db, monthsAgo(1), '198.51.100.60');
    await sql`delete from security_event where id = ${recent}::bigint`.execute(db);
    let report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBreak?.reason, 'row-deleted');
    assert.equal(report.firstBreak?.refId, recent);

    // A forged purge record naming it, with the right digest: its cutoff is too late for the
    // retention, so the gone row is still reported (and the forgery is itself in the chain).
    const link = (
      await sql<{ seq: string; hash: string }>`select seq::text as seq, hash from evidence_link
        where kind = 'security' and ref_id = ${recent}`.execute(db)
    ).rows[0]!;
    await sql`insert into evidence_purge (period, kind, cutoff, seqs, links_digest, row_count)
              values ('2026-12-10', 'security', now(), ${[link.seq]}::bigint[], ${purgeDigest([link.hash])}, 1)`.execute(
      db,
    );
    report = await verify();
    assert.equal(report.firstBreak?.reason, 'row-deleted');
    assert.match(report.firstBreak?.detail ?? '', /purge link \d+ names it/);

    // The purge records cannot be rewritten or deleted by the application's role.
    await assert.rejects(sql`delete from evidence_purge`.execute(db), /append-only/);
  });

  it('reports a purge record whose named links do not match its digest', async () => {
    const db = database().db;
    await resetChain(db);
    const old = await security(db, monthsAgo(12), '198.51.100.70');
    const link = (
      await sql<{
        seq: string;
      }>`select seq::text as seq from evidence_link where kind = 'security' and ref_id = ${old}`.execute(db)
    ).rows[0]!;
    await sql`delete from security_event where id = ${old}::bigint`.execute(db);
    await sql`insert into evidence_purge (period, kind, cutoff, seqs, links_digest, row_count)
              values ('2026-12-11', 'security', ${monthsAgo(6)}, ${[link.seq]}::bigint[], ${'0'.repeat(64)}, 1)`.execute(
      db,
    );
    const report = await verify();
    assert.equal(report.ok, false);
    assert.equal(report.firstBreak?.reason, 'purge-mismatch');
  });
});
