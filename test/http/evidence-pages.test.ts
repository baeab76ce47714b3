// The supervisors' evidence page over HTTP (app.inject), on both engines: the menu by role, the
// form filled from the query (the fraud review's link), the pack as a download (a ZIP that
// verifies), refusals shown on the form with their status, CSRF, the holds of one's prefecture
// and their release.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { evidencePackFormat } from '../../src/adapters/evidence/evidence-pack-format.ts';
import { verifyEvidencePack } from '../../src/app/evidence/verify-evidence-pack.ts';
import { givenAgent, logInAgentPages, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import type { PageClient } from '../support/page-client.ts';
import { createScenario, TestClock } from '../support/scenario.ts';
import { testServices } from '../support/services.ts';

const NOW = new Date('2026-12-06T08:00:00Z');
const errorCodeOf = (response: LightMyRequestResponse) => /data-error-code="([A-Z_]+)"/.exec(response.body)?.[1];
const REQUEST_ID = '0b5e8a52-3f0c-4d8e-9a51-7c2f5d9e1a33';

describeEachEngine('evidence page over HTTP', (database) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  const who: Record<'counter93' | 'supervisor93' | 'supervisor75' | 'admin', TestAgent> = {} as never;
  const pages: Partial<Record<keyof typeof who, PageClient>> = {};

  before(async () => {
    const db = database().db;
    const s93 = await createScenario(db, { prefectureId: '93' });
    await createScenario(db, { prefectureId: '75' });
    app = await testServer(database(), clock);
    const ctx = testAgentContext(db, clock);
    who.counter93 = await givenAgent(ctx, 'counter', '93', [s93.siteId]);
    who.supervisor93 = await givenAgent(ctx, 'supervisor', '93');
    who.supervisor75 = await givenAgent(ctx, 'supervisor', '75');
    who.admin = await givenAgent(ctx, 'admin', null);
    for (const name of Object.keys(who) as (keyof typeof who)[]) pages[name] = await logInAgentPages(app, who[name]);
    for (const [day, ip] of [
      ['2026-11-02', '203.0.113.7'],
      ['2026-11-03', '198.51.100.4'],
    ])
      await sql`insert into security_event (at, ip, route, reason)
                values (${`${day}T10:00:00Z`}, ${ip}, 'POST /api/bookings', 'pow_invalid')`.execute(db);
  });
  after(async () => app?.close());

  it('is in the menu of supervisors and administrators only', async () => {
    assert.ok((await pages.supervisor93!.get('/agent')).body.includes('href="/agent/evidence"'));
    assert.ok((await pages.admin!.get('/agent')).body.includes('href="/agent/evidence"'));
    assert.ok(!(await pages.counter93!.get('/agent')).body.includes('href="/agent/evidence"'));
    const refused = await pages.counter93!.get('/agent/evidence');
    assert.equal(refused.statusCode, 403);
  });

  it('fills the form from the query, as the fraud review links a case', async () => {
    const page = await pages.supervisor93!.get(
      `/agent/evidence?from=2026-11-01&to=2026-11-08&request=${REQUEST_ID}&ip=203.0.113.&ip=198.51.100.4`,
    );
    assert.equal(page.statusCode, 200);
    assert.match(
      page.body,
      /<input class="fr-input" type="date" id="pack-from" name="from" value="2026-11-01" required>/,
    );
    assert.match(page.body, /<input class="fr-input" type="date" id="pack-to" name="to" value="2026-11-08" required>/);
    assert.match(page.body, new RegExp(`name="requests" rows="2">${REQUEST_ID}</textarea>`));
    assert.match(page.body, /name="ips" rows="2">203\.0\.113\.\n198\.51\.100\.4<\/textarea>/);
    assert.match(page.body, /<p id="pack-prefecture">Préfecture : 93<\/p>/);
  });

  it('answers the signed pack as a download, lists its hold, and releases it', async () => {
    const client = pages.supervisor93!;
    await client.get('/agent/evidence');
    const forged = await client.post(
      '/agent/evidence/pack',
      { from: '2026-11-01', to: '2026-11-08', reason: 'Plainte' },
      { csrf: false },
    );
    assert.equal(forged.statusCode, 403);
    assert.equal(errorCodeOf(forged) ?? forged.json().code, 'CSRF_TOKEN_INVALID');

    await client.get('/agent/evidence');
    const download = await client.post('/agent/evidence/pack', {
      from: '2026-11-01',
      to: '2026-11-08',
      ips: '203.0.113.0/24',
      reason: 'Plainte, parquet de Bobigny',
    });
    assert.equal(download.statusCode, 200, download.body.slice(0, 500));
    assert.equal(download.headers['content-type'], 'application/zip');
    assert.match(
      String(download.headers['content-disposition']),
      /^attachment; filename="evidence-93-2026-11-01-2026-11-08-20261206T080000Z\.zip"$/,
    );
    const services = testServices(database().db, clock);
    const report = verifyEvidencePack(
      { format: evidencePackFormat, signer: services.ports.signer },
      { zip: new Uint8Array(download.rawPayload) },
    );
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.manifest?.counts, {
      security: 1,
      audit: 0,
      draw: 0,
      commitment: 0,
      request: 0,
      appointment: 0,
    });
    assert.equal(report.manifest?.createdBy.email, who.supervisor93.email);
    const holdId = String(download.headers['x-evidence-hold']);

    const page = await client.get('/agent/evidence');
    assert.match(page.body, new RegExp(`<tr id="hold-${holdId}">`));
    assert.match(page.body, /Plainte, parquet de Bobigny/);
    assert.ok(!(await pages.supervisor75!.get('/agent/evidence')).body.includes(`id="hold-${holdId}"`));
    assert.ok((await pages.admin!.get('/agent/evidence')).body.includes(`id="hold-${holdId}"`));

    const released = await client.post(`/agent/evidence/holds/${holdId}/release`, {});
    assert.equal(released.statusCode, 303);
    assert.equal(released.headers.location, `/agent/evidence?released=${holdId}#holds`);
    const after = await client.get(`/agent/evidence?released=${holdId}`);
    assert.ok(!after.body.includes(`id="hold-${holdId}"`));
    assert.match(after.body, new RegExp(`Conservation n° ${holdId} levée\\.`));
    const { rows } = await sql<{ action: string }>`
      select action from audit_event where target_id = ${holdId} and target_type = 'evidence_hold' order by id`.execute(
      database().db,
    );
    assert.deepEqual(
      rows.map((r) => r.action),
      ['evidence_hold.place', 'evidence_hold.release'],
    );
  });

  it('shows a refusal on the form with what was typed: empty scope 422, bad dates 400', async () => {
    const client = pages.supervisor93!;
    await client.get('/agent/evidence');
    const empty = await client.post('/agent/evidence/pack', {
      from: '2026-11-01',
      to: '2026-11-08',
      ips: '192.168.',
      reason: 'Plainte sans objet',
    });
    assert.equal(empty.statusCode, 422);
    assert.equal(errorCodeOf(empty), 'EVIDENCE_SCOPE_EMPTY');
    assert.match(
      empty.body,
      /name="reason" rows="2" minlength="3" maxlength="500" required>Plainte sans objet<\/textarea>/,
    );

    const reversed = await client.post('/agent/evidence/pack', {
      from: '2026-11-08',
      to: '2026-11-01',
      reason: 'Plainte',
    });
    assert.equal(reversed.statusCode, 400);
    assert.equal(errorCodeOf(reversed), 'DATE_RANGE_INVALID');

    // Another supervisor's holds are not theirs to release.
    await pages.admin!.get('/agent/evidence');
    const byAdmin = await pages.admin!.post('/agent/evidence/pack', {
      prefecture: '75',
      from: '2026-11-01',
      to: '2026-11-08',
      reason: 'Plainte nationale',
    });
    assert.equal(byAdmin.statusCode, 200);
    const holdId = String(byAdmin.headers['x-evidence-hold']);
    await pages.supervisor75!.get('/agent/evidence');
    const notTheirs = await pages.supervisor75!.post(`/agent/evidence/holds/${holdId}/release`, {});
    assert.equal(notTheirs.statusCode, 404);
    assert.equal(errorCodeOf(notTheirs) ?? notTheirs.json().code, 'EVIDENCE_HOLD_NOT_FOUND');
  });
});
