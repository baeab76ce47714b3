// The evidence pack for a complaint (issue 16 part 4, README "Evidence for a complaint"), on both
// engines: a pack holds exactly the events of its scope; verify-pack passes on a fresh pack and
// names the file at fault otherwise; the export places a hold the purge honours and is audited;
// refusals have stable codes.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/adapters/db/database.ts';
import { evidencePackFormat } from '../../src/adapters/evidence/evidence-pack-format.ts';
import { verifyEvidencePack } from '../../src/app/evidence/verify-evidence-pack.ts';
import { isDomainError } from '../../src/domain/errors.ts';
import {
  manifestFile,
  manifestJson,
  type PackEvent,
  type PackManifest,
  sha256Sums,
} from '../../src/domain/evidence-pack.ts';
import type { Services } from '../../src/main.ts';
import { givenAgent, type TestAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine } from '../support/databases.ts';
import { createScenario, TestClock } from '../support/scenario.ts';
import { testServices } from '../support/services.ts';

const NOW = new Date('2026-12-06T10:00:00Z');
const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-11-08T00:00:00Z');
const day = (d: number, hour = 12) => new Date(Date.UTC(2026, 10, d, hour));

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return error.code;
    throw error;
  }
  return 'no refusal';
}

describeEachEngine('evidence pack', (database) => {
  const clock = new TestClock(NOW);
  let services: Services;
  let supervisor: TestAgent;
  let otherSupervisor: TestAgent;
  let counterAgent: TestAgent;
  const ids: Record<string, string> = {};
  let requestKey: string;

  const security = async (db: Db, at: Date, ip: string, identityKey: string | null = null) =>
    (
      await sql<{ id: string }>`insert into security_event (at, ip, route, reason, identity_key)
        values (${at}, ${ip}, 'POST /api/bookings', 'pow_invalid', ${identityKey}) returning id::text as id`.execute(db)
    ).rows[0]!.id;
  const audit = async (db: Db, at: Date, prefectureId: string, targetId: string | null, ip: string | null = null) =>
    (
      await sql<{
        id: string;
      }>`insert into audit_event (at, agent_id, prefecture_id, action, target_type, target_id, after, ip)
        values (${at}, ${supervisor.agent.id}, ${prefectureId}, 'request.note', ${targetId && 'request'}, ${targetId},
                '{"note": "dossier suspect"}'::jsonb, ${ip}) returning id::text as id`.execute(db)
    ).rows[0]!.id;

  before(async () => {
    const db = database().db;
    clock.set(NOW);
    services = testServices(db, clock);
    const s93 = await createScenario(db, { prefectureId: '93' });
    const s75 = await createScenario(db, { prefectureId: '75' });
    const agents = testAgentContext(db, clock);
    supervisor = await givenAgent(agents, 'supervisor', '93');
    otherSupervisor = await givenAgent(agents, 'supervisor', '75');
    counterAgent = await givenAgent(agents, 'counter', '93', [s93.siteId]);
    requestKey = `identity-${Math.random()}`;
    ids.request = (
      await sql<{ id: string }>`
        insert into allocation_request (reference, prefecture_id, procedure_id, status, site_ids, surname, given_names,
          birth_date, nationality, email, email_key, passport_number, identity_key, management_token_hash, filed_at)
        values ('R-93-0001', '93', ${s93.procedureId}, 'waiting', ${[s93.siteId]}, 'Diallo', 'Aminata', '1990-04-12',
          'SEN', 'aminata@example.org', 'k-aminata', 'P123', ${requestKey}, 'h-1', ${day(1, 9)})
        returning id::text as id`.execute(db)
    ).rows[0]!.id;
    ids.request75 = (
      await sql<{ id: string }>`
        insert into allocation_request (reference, prefecture_id, procedure_id, status, site_ids, surname, given_names,
          birth_date, nationality, email, email_key, passport_number, identity_key, management_token_hash, filed_at)
        values ('R-75-0001', '75', ${s75.procedureId}, 'waiting', ${[s75.siteId]}, 'Martin', 'Paul', '1985-01-02',
          'FRA', 'paul@example.org', 'k-paul', 'P456', 'identity-paul', 'h-2', ${day(1, 9)})
        returning id::text as id`.execute(db)
    ).rows[0]!.id;
    ids.s1 = await security(db, day(2), '203.0.113.7');
    ids.s2 = await security(db, day(3), '203.0.113.9');
    ids.s3 = await security(db, day(4), '198.51.100.4');
    ids.s4 = await security(db, new Date('2026-10-30T12:00:00Z'), '203.0.113.7');
    ids.s5 = await security(db, day(5), '192.0.2.1', requestKey);
    ids.a1 = await audit(db, day(2, 13), '93', ids.request);
    ids.a2 = await audit(db, day(2, 14), '75', null);
    ids.a3 = await audit(db, day(10), '93', null);
    ids.a4 = await audit(db, day(6), '93', null, '10.0.0.1');
  });

  const exportPack = (
    overrides: Partial<Parameters<Services['features']['evidence']['useCases']['exportEvidencePack']>[0]> = {},
  ) =>
    services.features.evidence.useCases.exportEvidencePack({
      by: { email: supervisor.email },
      prefectureId: '93',
      from: FROM,
      to: TO,
      reason: 'Plainte, parquet de Bobigny',
      ...overrides,
    });

  const eventsOf = (zip: Uint8Array): PackEvent[] =>
    JSON.parse(text(evidencePackFormat.unzip(zip)!.get('events.json'))) as PackEvent[];
  const idsOf = (events: PackEvent[], kind: string) =>
    events
      .filter((e) => e.kind === kind)
      .map((e) => e.id)
      .sort();
  const verify = (zip: Uint8Array) =>
    verifyEvidencePack({ format: evidencePackFormat, signer: services.ports.signer }, { zip });

  it('holds exactly the events of a period of the prefecture: its security events, its audit events, no other', async () => {
    const pack = await exportPack();
    const events = eventsOf(pack.bytes);
    assert.deepEqual(idsOf(events, 'security'), [ids.s1, ids.s2, ids.s3, ids.s5].sort());
    assert.deepEqual(idsOf(events, 'audit'), [ids.a1, ids.a4].sort());
    assert.deepEqual(idsOf(events, 'request'), []);
    assert.deepEqual(pack.counts, { security: 4, audit: 2, draw: 0, commitment: 0, request: 0, appointment: 0 });
    assert.deepEqual(
      events.map((e) => e.at),
      [...events.map((e) => e.at)].sort(),
    );
    const s1 = events.find((e) => e.id === ids.s1 && e.kind === 'security')!;
    assert.equal(s1.ip, '203.0.113.7');
    assert.equal(s1.at, '2026-11-02T12:00:00.000Z');
    assert.equal(s1.action, 'pow_invalid');
    const report = verify(pack.bytes);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
  });

  it('narrowed to prefixes and a request: the events from those addresses or of that identity, and the request as stored', async () => {
    const pack = await exportPack({ ipPrefixes: ['203.0.113.'], requestIds: [ids.request!] });
    const events = eventsOf(pack.bytes);
    assert.deepEqual(idsOf(events, 'security'), [ids.s1, ids.s2, ids.s5].sort());
    assert.deepEqual(idsOf(events, 'audit'), [ids.a1]);
    assert.deepEqual(idsOf(events, 'request'), [ids.request]);
    const request = events.find((e) => e.kind === 'request')!;
    assert.equal(request.subject, 'R-93-0001');
    assert.equal(request.seq, null);
    const identity = JSON.parse(request.details) as Record<string, unknown>;
    assert.equal(identity.surname, 'Diallo');
    assert.equal(identity.birthDate, '1990-04-12');
    assert.equal(identity.email, 'aminata@example.org');
    assert.equal(verify(pack.bytes).ok, true);
  });

  it('is the same bytes for the same database state and instant', async () => {
    const uses = services.features.evidence.useCases;
    const input = {
      scope: { prefectureId: '93', from: FROM, to: TO, requestIds: [], appointmentIds: [], ipPrefixes: [] },
      prefectureName: 'Préfecture 93',
      agent: { ...supervisor.agent },
      reason: 'Comparaison',
      at: NOW,
    };
    const first = await uses.assembleEvidencePack(input);
    const second = await uses.assembleEvidencePack(input);
    assert.equal(Buffer.compare(Buffer.from(first.bytes), Buffer.from(second.bytes)), 0);
    assert.equal(first.manifestSha256, second.manifestSha256);
  });

  it('verify-pack names the file at fault: a changed byte, a removed event, an edited manifest, another key', async () => {
    const pack = await exportPack();
    const files = evidencePackFormat.unzip(pack.bytes)!;
    const rezip = (changed: Map<string, Uint8Array>) =>
      evidencePackFormat.zip(
        [...changed].map(([name, bytes]) => ({ name, bytes })),
        NOW,
      );
    const problemsOf = (changed: Map<string, Uint8Array>) => verify(rezip(changed)).problems.map((p) => p.file);

    // A changed byte in events.csv (203.0.113.7 → 203.0.113.8).
    const csv = text(files.get('events.csv'));
    assert.ok(csv.includes('203.0.113.7'));
    const changed = verify(rezip(new Map([...files, ['events.csv', utf8(csv.replace('203.0.113.7', '203.0.113.8'))]])));
    assert.deepEqual(
      changed.problems.map((p) => p.file),
      ['events.csv', 'events.csv'],
    );
    assert.match(changed.problems[0]!.problem, /is not the manifest's/);
    assert.match(changed.problems[1]!.problem, /^line \d+ differs from events\.json$/);

    // The manifest edited (another reason), its signature left as it was.
    const manifest = JSON.parse(text(files.get('manifest.json'))) as PackManifest;
    const edited = utf8(manifestJson({ ...manifest, reason: 'Autre motif' }));
    assert.deepEqual(problemsOf(new Map([...files, ['manifest.json', edited]])), ['manifest.sig']);

    // An event removed from events.json and events.csv, every hash redone and the manifest
    // signed again with the server's key (as only the server could): the chain shows it.
    const events = JSON.parse(text(files.get('events.json'))) as PackEvent[];
    const kept = events.filter((e) => !(e.kind === 'security' && e.id === ids.s2));
    assert.equal(kept.length, events.length - 1);
    const { eventsCsv, eventsJson } = await import('../../src/domain/evidence-pack.ts');
    const forged = new Map(files);
    forged.set('events.json', utf8(eventsJson(kept)));
    forged.set('events.csv', utf8(eventsCsv(kept)));
    const signAgain = (map: Map<string, Uint8Array>, signer: (bytes: Uint8Array) => Uint8Array) => {
      const content = manifest.files
        .filter((f) => f.name !== 'SHA256SUMS')
        .map((f) => manifestFile(f.name, map.get(f.name)!));
      map.set('SHA256SUMS', utf8(sha256Sums(content)));
      const listed = manifest.files.map((f) => manifestFile(f.name, map.get(f.name)!));
      const bytes = utf8(manifestJson({ ...manifest, files: listed }));
      map.set('manifest.json', bytes);
      map.set('manifest.sig', signer(bytes));
      return map;
    };
    const removed = verify(rezip(signAgain(forged, (b) => services.ports.signer.sign(b))));
    assert.equal(removed.ok, false);
    assert.deepEqual(
      removed.problems.map((p) => p.file),
      ['events.json', 'events.json'],
    );
    assert.match(removed.problems[0]!.problem, /1 security events|3 security events/);
    assert.match(removed.problems[1]!.problem, /the event of link \d+ is missing/);

    // Signed with another key (the forger's public key put in the pack): refused against the server's.
    const other = generateKeyPairSync('ed25519');
    const byOther = new Map(files);
    byOther.set('public-key.pem', utf8(other.publicKey.export({ format: 'pem', type: 'spki' }).toString()));
    const signedElsewhere = verify(rezip(signAgain(byOther, (b) => new Uint8Array(sign(null, b, other.privateKey)))));
    assert.deepEqual(
      signedElsewhere.problems.map((p) => p.file),
      ['manifest.sig'],
    );

    // Not a ZIP at all.
    assert.deepEqual(
      verify(utf8('not a zip')).problems.map((p) => p.file),
      ['(the pack)'],
    );
  });

  it('places a hold the purge honours, and is audited with the manifest hash', async () => {
    const db = database().db;
    const pack = await exportPack({ ipPrefixes: ['203.0.113.'] });
    assert.equal(pack.hold.releasedAt, null);
    assert.deepEqual(pack.hold.ipPrefixes, ['203.0.113.', '203.0.113.7', '203.0.113.9']);
    assert.deepEqual([pack.hold.from, pack.hold.to], [FROM, TO]);

    const { rows } = await sql<{ action: string; prefecture_id: string | null; target_id: string; after: string }>`
      select action, prefecture_id, target_id, after::text as after from audit_event
       where action in ('evidence.exported', 'evidence_hold.place') and at = ${NOW}
       order by id desc limit 2`.execute(db);
    assert.deepEqual(
      rows.map((r) => [r.action, r.prefecture_id]),
      [
        ['evidence.exported', '93'],
        ['evidence_hold.place', null],
      ],
    );
    assert.equal(rows[0]!.target_id, pack.manifestSha256);
    const after = JSON.parse(rows[0]!.after) as { holdId: string; manifestSha256: string; reason: string };
    assert.equal(after.holdId, pack.hold.id);
    assert.equal(after.manifestSha256, pack.manifestSha256);

    // Eight months later, the daily purge keeps the pack's security events, not the others.
    const exists = async (id: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from security_event where id = ${id}::bigint`.execute(db))
        .rows[0]!.n === 1;
    const later = new TestClock(new Date('2027-08-06T10:00:00Z'));
    const run = await testServices(db, later).features.retention.useCases.runRetention();
    assert.equal(run.status, 'ran');
    assert.deepEqual(await Promise.all([ids.s1, ids.s2, ids.s3, ids.s4, ids.s5].map((id) => exists(id!))), [
      true,
      true,
      true,
      false,
      true,
    ]);
  });

  it('refuses an agent of another prefecture and a counter agent (FORBIDDEN_SCOPE), an empty scope, bad dates, a request of another prefecture', async () => {
    assert.equal(await refusal(exportPack({ by: { email: otherSupervisor.email } })), 'FORBIDDEN_SCOPE');
    assert.equal(await refusal(exportPack({ by: { email: counterAgent.email } })), 'FORBIDDEN_SCOPE');
    assert.equal(await refusal(exportPack({ by: { email: 'nobody@interieur.gouv.fr' } })), 'VALIDATION_FAILED');
    assert.equal(
      await refusal(exportPack({ from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-02-01T00:00:00Z') })),
      'EVIDENCE_SCOPE_EMPTY',
    );
    assert.equal(await refusal(exportPack({ ipPrefixes: ['192.168.'] })), 'EVIDENCE_SCOPE_EMPTY');
    assert.equal(await refusal(exportPack({ from: TO, to: FROM })), 'DATE_RANGE_INVALID');
    assert.equal(await refusal(exportPack({ from: null })), 'DATE_RANGE_INVALID');
    assert.equal(
      await refusal(exportPack({ from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') })),
      'DATE_RANGE_INVALID',
    );
    assert.equal(await refusal(exportPack({ requestIds: [ids.request75!] })), 'EVIDENCE_RECORD_NOT_FOUND');
    assert.equal(await refusal(exportPack({ requestIds: ['not-a-uuid'] })), 'VALIDATION_FAILED');
    assert.equal(await refusal(exportPack({ reason: 'x' })), 'VALIDATION_FAILED');
    assert.equal(await refusal(exportPack({ prefectureId: '99', by: { email: supervisor.email } })), 'FORBIDDEN_SCOPE');
  });
});
