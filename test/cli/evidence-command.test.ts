// `creneau evidence export|verify-pack|public-key` as an operator and an investigator run them:
// real processes on a real PostgreSQL database; the pack written, its hold listed, the pack
// verified with the server's key and with the published key alone, and a changed byte found.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { evidencePackFormat } from '../../src/adapters/evidence/evidence-pack-format.ts';
import { cliOnOwnDatabase } from '../support/cli-database.ts';
import { postgresSkipReason } from '../support/databases.ts';

const SUPERVISOR = 'superviseur@seine-saint-denis.gouv.fr';
const OTHER = 'superviseur@paris.gouv.fr';

describe('creneau evidence export and verify-pack', { skip: postgresSkipReason() }, () => {
  const cli = cliOnOwnDatabase('creneau_evidence_cli');
  const { creneau } = cli;
  let database: OpenDatabase;

  before(async () => {
    database = await cli.create();
    const db = database.db;
    await sql`insert into prefecture (id, name, time_zone) values ('93', 'Seine-Saint-Denis', 'Europe/Paris'),
              ('75', 'Paris', 'Europe/Paris')`.execute(db);
    await sql`insert into agent (email, display_name, password_hash, totp_secret, role, prefecture_id, created_at)
              values (${SUPERVISOR}, 'Camille Superviseure', '$argon2id$x', 'secret', 'supervisor', '93', now()),
                     (${OTHER}, 'Paul Superviseur', '$argon2id$x', 'secret', 'supervisor', '75', now())`.execute(db);
    for (const [day, ip] of [
      ['2026-11-02', '203.0.113.7'],
      ['2026-11-03', '203.0.113.9'],
      ['2026-11-04', '198.51.100.4'],
    ])
      await sql`insert into security_event (at, ip, route, reason)
                values (${`${day}T10:00:00Z`}, ${ip}, 'POST /api/bookings', 'pow_invalid')`.execute(db);
  });
  after(() => cli.drop());

  const exportArgs = (by: string, out: string) => [
    'evidence',
    'export',
    '--prefecture',
    '93',
    '--from',
    '2026-11-01',
    '--to',
    '2026-11-08',
    '--ip',
    '203.0.113.',
    '--by',
    by,
    '--reason',
    'Plainte, parquet de Bobigny',
    '--out',
    out,
  ];

  it('writes a pack the investigator verifies with the published key, places its hold, and finds a changed byte', {
    timeout: 180_000,
  }, async () => {
    const out = join(cli.dataDir, 'pack.zip');
    const refused = await creneau(...exportArgs(OTHER, out));
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout, /^FORBIDDEN_SCOPE: /m);

    const exported = await creneau(...exportArgs(SUPERVISOR, out));
    assert.equal(exported.code, 0, exported.stdout);
    assert.match(exported.stdout, /^evidence pack written: .*pack\.zip \(\d+ bytes\)$/m);
    assert.match(exported.stdout, /^ {2}security 2, audit 0, draw 0, commitment 0, request 0, appointment 0$/m);
    const holdId = /hold (\d+) placed/.exec(exported.stdout)?.[1];
    assert.ok(holdId, exported.stdout);

    const holds = await creneau('evidence', 'holds');
    assert.match(
      holds.stdout,
      new RegExp(`hold ${holdId} \\(active\\): Plainte, parquet de Bobigny — .*address 203\\.0\\.113\\.7\\*`),
    );

    const verified = await creneau('evidence', 'verify-pack', out);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /^evidence pack: intact$/m);
    assert.match(verified.stdout, /Seine-Saint-Denis \(93\), 2026-11-01T00:00:00\.000Z to 2026-11-08T00:00:00\.000Z/);

    const key = await creneau('evidence', 'public-key');
    assert.match(key.stdout, /^-----BEGIN PUBLIC KEY-----\n/);
    const keyFile = join(cli.dataDir, 'published-key.pem');
    writeFileSync(keyFile, key.stdout);
    const withKey = await creneau('evidence', 'verify-pack', out, '--public-key', keyFile);
    assert.equal(withKey.code, 0, withKey.stdout);
    assert.match(withKey.stdout, /^evidence pack: intact$/m);

    const files = evidencePackFormat.unzip(new Uint8Array(readFileSync(out)))!;
    const csv = new TextDecoder().decode(files.get('events.csv'));
    files.set('events.csv', new TextEncoder().encode(csv.replace('203.0.113.9', '203.0.113.8')));
    const tampered = join(cli.dataDir, 'tampered.zip');
    writeFileSync(
      tampered,
      evidencePackFormat.zip(
        [...files].map(([name, bytes]) => ({ name, bytes })),
        new Date(),
      ),
    );
    const broken = await creneau('evidence', 'verify-pack', tampered, '--public-key', keyFile);
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stdout, /^evidence pack: NOT INTACT$/m);
    assert.match(broken.stdout, /^ {2}events\.csv: its SHA-256 \([0-9a-f]{64}, \d+ bytes\) is not the manifest's/m);

    const audited = await sql<{ action: string }>`
      select action from audit_event where action in ('evidence.exported', 'evidence_hold.place') order by id`.execute(
      database.db,
    );
    assert.deepEqual(
      audited.rows.map((r) => r.action),
      ['evidence_hold.place', 'evidence.exported'],
    );
    const chain = await creneau('audit', 'verify');
    assert.equal(chain.code, 0, chain.stdout);
  });
});
