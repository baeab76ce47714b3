import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { createEvidenceChainReader } from '../../src/adapters/db/evidence-chain-store.ts';
import * as evidenceMigration from '../../src/adapters/db/migrations/0016-evidence-chain.ts';
import * as drawFinishMigration from '../../src/adapters/db/migrations/0028-draw-snapshot-finish.ts';
import { createOutboxStore } from '../../src/adapters/db/outbox-store.ts';
import { publishEvidenceHead } from '../../src/app/evidence/publish-evidence-head.ts';
import { verifyEvidenceChain } from '../../src/app/evidence/verify-evidence-chain.ts';
import { renderOutboxMessage } from '../../src/app/notifications/messages/render.ts';
import { GENESIS_HASH } from '../../src/domain/evidence-chain.ts';
import { describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock } from '../support/scenario.ts';

describeEachEngine('evidence chain', (database) => {
  const ctx = () => ({ evidence: createEvidenceChainReader(database().db), clock: { now: () => new Date() } });
  const verify = (input: Parameters<typeof verifyEvidenceChain>[1] = {}) => verifyEvidenceChain(ctx(), input);

  /** A fresh chain: every earlier test's rows and links gone (as a superuser would, triggers off). */
  async function emptyChain(db: Db) {
    await asSuperuser(db, async (trx) => {
      await sql`delete from evidence_link`.execute(trx);
      await sql`delete from audit_event`.execute(trx);
      await sql`delete from security_event`.execute(trx);
      await sql`delete from offer`.execute(trx);
      await sql`update slot set opened_by_draw = null`.execute(trx);
      await sql`delete from draw`.execute(trx);
      await sql`update evidence_head set seq = 0, hash = ${GENESIS_HASH}`.execute(trx);
    });
  }

  /** Runs `work` with every trigger off (session_replication_role = replica), as a database superuser can. */
  async function asSuperuser(db: Db, work: (trx: Kysely<never>) => Promise<void>) {
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await work(trx as unknown as Kysely<never>);
    });
  }

  const audit = (db: Db, action: string, at = new Date()) =>
    sql`insert into audit_event (at, action, target_type, target_id, after, ip)
        values (${at}, ${action}, 'appointment', 'x', ${JSON.stringify({ note: 'é ✓', n: 1 })}::jsonb, '203.0.113.9')`.execute(
      db,
    );
  const security = (db: Db, reason: string) =>
    sql`insert into security_event (ip, route, reason, details) values ('198.51.100.7', 'POST /api/bookings', ${reason}, '{"k": [1, 2]}'::jsonb)`.execute(
      db,
    );

  /** A draw claimed, then finished — as the draw store writes it, in one transaction. */
  async function draw(db: Db, tick: Date) {
    const s = await createScenario(db);
    await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
        insert into draw (prefecture_id, procedure_id, tick, trigger, allocation_order, seed, input_digest, result_digest,
                          input_snapshot, requests_count, slots_count, assigned_count, started_at, finished_at)
        values (${s.prefectureId}, ${s.procedureId}, ${tick}, 'manual', 'lottery', 'seed', '', '', ''::bytea, 0, 0, 0, now(), now())
        returning id`.execute(trx);
      await sql`update draw set input_digest = 'in', result_digest = 'out', input_snapshot = '\\x0102'::bytea,
                                requests_count = 3, assigned_count = 2, finished_at = now()
                 where id = ${rows[0]!.id}`.execute(trx);
    });
  }

  const links = async (db: Db) =>
    (
      await sql<{
        seq: string;
        kind: string;
        ref_id: string;
      }>`select seq, kind, ref_id from evidence_link order by seq`.execute(db)
    ).rows.map((r) => `${r.seq}:${r.kind}`);

  it('chains every audit event, security event and finished draw as written, numbered without gaps', async () => {
    const db = database().db;
    await emptyChain(db);
    await audit(db, 'appointment.cancel');
    await security(db, 'pow_invalid');
    await draw(db, new Date('2026-06-01T06:00:00Z'));
    await audit(db, 'appointment.book_for_caller');
    assert.deepEqual(await links(db), ['1:audit', '2:security', '3:draw', '4:audit']);
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    assert.equal(report.linksChecked, 4);
    const head = await ctx().evidence.head();
    assert.equal(head.seq, 4);
    assert.deepEqual(report.head, head);
    assert.deepEqual(await ctx().evidence.point(4), head);
  });

  it('chains a finished draw with the same text whether it is built from the trigger row or read back from the table (migration 0028), and stores the snapshot uncompressed', async () => {
    const db = database().db;
    await emptyChain(db);
    const storage = async () =>
      (
        await sql<{ s: string }>`select attstorage as s from pg_attribute
          where attrelid = 'draw'::regclass and attname = 'input_snapshot'`.execute(db)
      ).rows[0]!.s;
    assert.equal(await storage(), 'e');
    await drawFinishMigration.down(db as unknown as Kysely<unknown>);
    assert.equal(await storage(), 'x');
    await draw(db, new Date('2026-06-03T06:00:00Z'));
    await drawFinishMigration.up(db as unknown as Kysely<unknown>);
    await draw(db, new Date('2026-06-04T06:00:00Z'));
    // Each link's content hash is that of the text of its stored draw, as the verifier recomputes it.
    const { rows } = await sql<{ same: boolean }>`
      select l.content_hash = encode(sha256(convert_to(evidence_draw_text(d), 'UTF8')), 'hex') as same
        from evidence_link l join draw d on d.id::text = l.ref_id where l.kind = 'draw' order by l.seq`.execute(db);
    assert.deepEqual(
      rows.map((r) => r.same),
      [true, true],
    );
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBreak));
    assert.equal(report.linksChecked, 2);
  });

  it('numbers links without gaps or duplicates under 20 concurrent writers, and a rolled-back write leaves none', async () => {
    const db = database().db;
    await emptyChain(db);
    await Promise.all(Array.from({ length: 20 }, (_, i) => audit(db, `concurrent.${i}`)));
    await db
      .transaction()
      .execute(async (trx) => {
        await audit(trx as unknown as Db, 'rolled.back');
        throw new Error('rollback');
      })
      .catch(() => {});
    await security(db, 'after_rollback');
    const seqs = (await links(db)).map((l) => Number(l.split(':')[0]));
    assert.deepEqual(
      seqs,
      Array.from({ length: 21 }, (_, i) => i + 1),
    );
    assert.equal((await verify()).ok, true);
  });

  it('finds each kind of tampering a superuser can do in SQL, at its first link', async () => {
    const db = database().db;
    const fresh = async () => {
      await emptyChain(db);
      for (let i = 1; i <= 3; i++) await audit(db, `action.${i}`, new Date(Date.UTC(2026, 5, 1, 8, i)));
      await security(db, 'pow_invalid');
      await draw(db, new Date('2026-06-02T06:00:00Z'));
      await audit(db, 'action.6');
      assert.equal((await verify()).ok, true);
    };
    const breakAfter = async (tamper: (trx: Kysely<never>) => Promise<unknown>) => {
      await asSuperuser(db, async (trx) => void (await tamper(trx)));
      const report = await verify();
      assert.equal(report.ok, false);
      return [report.firstBreak!.reason, report.firstBreak!.seq];
    };
    const auditId = async (action: string) =>
      (await sql<{ id: string }>`select id::text as id from audit_event where action = ${action}`.execute(db)).rows[0]!
        .id;

    await fresh();
    assert.deepEqual(
      await breakAfter((t) =>
        sql`update audit_event set action = 'nothing.happened' where action = 'action.2'`.execute(t),
      ),
      ['row-altered', 2],
    );
    await fresh();
    assert.deepEqual(await breakAfter((t) => sql`delete from security_event`.execute(t)), ['row-deleted', 4]);
    await fresh();
    // Reordered: two events' instants swapped.
    const [first, second] = [await auditId('action.1'), await auditId('action.2')];
    assert.deepEqual(
      await breakAfter(async (t) => {
        await sql`update audit_event set at = at + interval '1 minute' where id = ${first}::bigint`.execute(t);
        await sql`update audit_event set at = at - interval '1 minute' where id = ${second}::bigint`.execute(t);
      }),
      ['row-altered', 1],
    );
    await fresh();
    assert.deepEqual(await breakAfter((t) => sql`update draw set seed = 'another seed'`.execute(t)), [
      'row-altered',
      5,
    ]);
    await fresh();
    // Links 2 and 3 swapped.
    assert.deepEqual(
      await breakAfter(async (t) => {
        await sql`update evidence_link set seq = seq + 1000 where seq in (2, 3)`.execute(t);
        await sql`update evidence_link set seq = case seq when 1002 then 3 else 2 end where seq in (1002, 1003)`.execute(
          t,
        );
      }),
      ['link-rewritten', 2],
    );
    await fresh();
    // A row and its link removed together.
    const third = await auditId('action.3');
    assert.deepEqual(
      await breakAfter(async (t) => {
        await sql`delete from audit_event where id = ${third}::bigint`.execute(t);
        await sql`delete from evidence_link where seq = 3`.execute(t);
      }),
      ['link-missing', 4],
    );
    await fresh();
    // A row changed and its link's digest made to match, without the link's hash.
    assert.deepEqual(
      await breakAfter(async (t) => {
        await sql`update audit_event set action = 'forged' where action = 'action.1'`.execute(t);
        await sql`update evidence_link l set content_hash = encode(sha256(convert_to(evidence_audit_text(a), 'UTF8')), 'hex')
                    from audit_event a where l.seq = 1 and a.id = l.ref_id::bigint`.execute(t);
      }),
      ['link-altered', 1],
    );
    await fresh();
    // A row slipped in with the triggers off: it has no link.
    assert.deepEqual(
      await breakAfter((t) => sql`insert into audit_event (at, action) values (now(), 'unchained')`.execute(t)),
      ['row-unchained', null],
    );
    await fresh();
    // The last link cut off: its row is left without one…
    assert.deepEqual(await breakAfter((t) => sql`delete from evidence_link where seq = 6`.execute(t)), [
      'row-unchained',
      null,
    ]);
    await fresh();
    // …and with its row, the head the database states no longer matches the chain's end.
    assert.deepEqual(
      await breakAfter(async (t) => {
        await sql`delete from evidence_link where seq = 6`.execute(t);
        await sql`delete from audit_event where action = 'action.6'`.execute(t);
      }),
      ['head-mismatch', 5],
    );
  });

  it('a chain rebuilt after a rewrite holds in itself, but not the head published before', async () => {
    const db = database().db;
    await emptyChain(db);
    for (let i = 1; i <= 3; i++) await audit(db, `action.${i}`);
    const published = await ctx().evidence.head();
    // The superuser rewrites the last row, and its link and the head to match.
    await asSuperuser(db, async (t) => {
      await sql`update audit_event set action = 'rewritten' where action = 'action.3'`.execute(t);
      await sql`delete from evidence_link where seq = 3`.execute(t);
      await sql`update evidence_head set seq = 2, hash = (select hash from evidence_link where seq = 2)`.execute(t);
      await sql`select evidence_append('audit', id::text, at, evidence_audit_text(e)) from audit_event e where action = 'rewritten'`.execute(
        t,
      );
    });
    assert.equal((await verify()).ok, true);
    const report = await verify({ expectHead: published });
    assert.equal(report.firstBreak?.reason, 'head-mismatch');
    assert.equal(report.firstBreak?.seq, 3);
  });

  it('checks from a date on, taking the link before it as true', async () => {
    const db = database().db;
    await emptyChain(db);
    await audit(db, 'old.1', new Date('2026-01-01T00:00:00Z'));
    await audit(db, 'old.2', new Date('2026-01-02T00:00:00Z'));
    await audit(db, 'new.1', new Date('2026-03-01T00:00:00Z'));
    await audit(db, 'new.2', new Date('2026-03-02T00:00:00Z'));
    // An old row changed: a check from March does not reach it, a full one does.
    await asSuperuser(db, (t) =>
      sql`update audit_event set action = 'changed' where action = 'old.1'`.execute(t).then(),
    );
    const fromMarch = await verify({ from: new Date('2026-03-01T00:00:00Z') });
    assert.deepEqual([fromMarch.ok, fromMarch.fromSeq, fromMarch.linksChecked], [true, 3, 2]);
    assert.deepEqual([(await verify()).firstBreak?.reason, (await verify()).firstBreak?.seq], ['row-altered', 1]);
  });

  it('its migration chains what was written before it, oldest first, and the chain goes on from there', async () => {
    const db = database().db;
    await emptyChain(db);
    await evidenceMigration.down(db as unknown as Kysely<unknown>);
    await audit(db, 'before.late', new Date('2026-02-01T00:00:00Z'));
    await security(db, 'before_now');
    await audit(db, 'before.early', new Date('2026-01-01T00:00:00Z'));
    await evidenceMigration.up(db as unknown as Kysely<unknown>);
    const chained = await sql<{ action: string | null; kind: string }>`
      select l.kind, a.action from evidence_link l left join audit_event a on l.kind = 'audit' and a.id::text = l.ref_id
       order by l.seq`.execute(db);
    assert.deepEqual(
      chained.rows.map((r) => r.action ?? r.kind),
      ['before.early', 'before.late', 'security'],
    );
    await audit(db, 'after');
    const report = await verify();
    assert.deepEqual([report.ok, report.linksChecked, report.head.seq], [true, 4, 4]);
  });

  it("sends the day's head to each outside address once a day, whatever the number of instances", async () => {
    const db = database().db;
    await emptyChain(db);
    await audit(db, 'before.publication');
    const clock = new TestClock(new Date('2026-06-01T21:30:00Z')); // 23:30 in Paris, 1 June
    const publish = () =>
      publishEvidenceHead({
        evidence: createEvidenceChainReader(db),
        outbox: createOutboxStore(db),
        clock,
        recipients: ['greffe@example.org', 'Notaire@Example.org'],
      });
    await Promise.all([publish(), publish(), publish()]);
    await audit(db, 'later.same.day');
    await publish();
    clock.set(new Date('2026-06-01T22:30:00Z')); // 00:30 in Paris, 2 June
    await publish();
    const sent = await sql<{ recipient: string; payload: { seq: number; hash: string; day: string; takenAt: string } }>`
      select recipient, payload from outbox where kind = 'evidence-head' order by payload->>'day', recipient`.execute(
      db,
    );
    assert.deepEqual(
      sent.rows.map((r) => [r.payload.day, r.recipient, r.payload.seq]),
      [
        ['2026-06-01', 'Notaire@Example.org', 1],
        ['2026-06-01', 'greffe@example.org', 1],
        ['2026-06-02', 'Notaire@Example.org', 2],
        ['2026-06-02', 'greffe@example.org', 2],
      ],
    );
    const head = await ctx().evidence.head();
    assert.equal(sent.rows[3]!.payload.hash, head.hash);
    const mail = renderOutboxMessage(
      { kind: 'evidence-head', payload: sent.rows[3]!.payload },
      {
        to: 'greffe@example.org',
        language: 'fr',
        messageId: '<m@x>',
        writtenAt: new Date(),
        publicUrl: 'http://x',
        organizer: { name: 'Créneau', email: 'ne-pas-repondre@creneau.localhost' },
        convocation: null,
      },
    );
    assert.match(String(mail.text), new RegExp(`--expect-head 2:${head.hash}`));
    assert.match(String(mail.subject), /2026-06-02/);
    // Nobody to send it to: nothing written.
    assert.equal(
      await publishEvidenceHead({
        evidence: createEvidenceChainReader(db),
        outbox: createOutboxStore(db),
        clock,
        recipients: [],
      }),
      0,
    );
  });
});
