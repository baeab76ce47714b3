// `creneau evidence hold|release` and `creneau retention run` as an operator runs them: a real
// process on a real PostgreSQL database, with the system clock; then `creneau audit verify`
// accounts for the purged security event and still finds a raw delete.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { retentionPeriod } from '../../src/domain/retention.ts';
import { cliOnOwnDatabase } from '../support/cli-database.ts';
import { postgresSkipReason } from '../support/databases.ts';

const AGENT = 'juriste@seine-saint-denis.gouv.fr';

describe('creneau retention and evidence holds', { skip: postgresSkipReason() }, () => {
  const cli = cliOnOwnDatabase('creneau_retention_cli');
  const { creneau } = cli;
  let database: OpenDatabase;

  before(async () => {
    database = await cli.create();
    await sql`insert into agent (email, display_name, password_hash, totp_secret, role, prefecture_id, created_at)
              values (${AGENT}, 'Camille Juriste', '$argon2id$x', 'secret', 'admin', null, now())`.execute(database.db);
  });
  after(() => cli.drop());

  const security = async (monthsAgo: number, ip: string) =>
    (
      await sql<{ id: string }>`insert into security_event (at, ip, route, reason)
        values (now() - make_interval(months => ${monthsAgo}), ${ip}, 'POST /api/bookings', 'pow_invalid')
        returning id::text as id`.execute(database.db)
    ).rows[0]!.id;
  const exists = async (id: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from security_event where id = ${id}::bigint`.execute(
        database.db,
      )
    ).rows[0]!.n === 1;

  it('keeps a held event through the day’s run, purges it after release, and verify accounts for it', {
    timeout: 180_000,
  }, async () => {
    const old = await security(7, '198.51.100.7');
    const recent = await security(1, '198.51.100.8');

    const nothing = await creneau('evidence', 'hold', '--by', AGENT, '--reason', 'Plainte');
    assert.equal(nothing.code, 1, nothing.stdout);
    assert.match(nothing.stdout, /VALIDATION_FAILED/);

    const held = await creneau(
      'evidence',
      'hold',
      '--by',
      AGENT,
      '--reason',
      'Plainte, parquet de Bobigny',
      '--ip',
      '198.51.100.',
    );
    assert.equal(held.code, 0, held.stdout);
    const holdId = /hold (\d+) \(active\)/.exec(held.stdout)?.[1];
    assert.ok(holdId, held.stdout);

    const first = await creneau('retention', 'run');
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /"securityEvents":0/);
    assert.match(first.stdout, /"held":1/);
    assert.equal(await exists(old), true);
    const again = await creneau('retention', 'run');
    assert.match(again.stdout, /already run today, nothing done/);

    const released = await creneau('evidence', 'release', holdId, '--by', AGENT);
    assert.equal(released.code, 0, released.stdout);
    assert.match(released.stdout, new RegExp(`hold ${holdId} \\(released `));
    // The next day, as far as the election knows.
    await sql`delete from retention_run where period = ${retentionPeriod(new Date())}`.execute(database.db);
    const next = await creneau('retention', 'run');
    assert.match(next.stdout, /"securityEvents":1/);
    assert.equal(await exists(old), false);
    assert.equal(await exists(recent), true);

    const intact = await creneau('audit', 'verify');
    assert.equal(intact.code, 0, intact.stdout);
    assert.match(intact.stdout, /evidence chain: intact/);
    assert.match(intact.stdout, /1 rows purged by recorded purges/);

    await sql`delete from security_event where id = ${recent}::bigint`.execute(database.db);
    const broken = await creneau('audit', 'verify');
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stdout, new RegExp(`first break: row-deleted at link \\d+ \\(security ${recent}\\)`));
  });
});
