// `creneau agent create | disable` as an operator runs them: a real process over an embedded
// database; the TOTP URI and a generated password are printed once, and the demo seed
// refuses production.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

const BIN = new URL('../../bin/creneau.js', import.meta.url).pathname;
const run = promisify(execFile);

describe('creneau agent', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'creneau-agent-cli-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
    SEED_DEMO_ON_FIRST_START: 'false',
  };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates an administrator, prints its TOTP URI and password once, then disables it', async () => {
    const created = await run(
      process.execPath,
      [BIN, 'agent', 'create', '--email', 'Admin@Interieur.gouv.fr', '--name', 'Admin', '--role', 'admin'],
      { env },
    );
    assert.match(created.stdout, /created: admin@interieur\.gouv\.fr \(admin\)/);
    assert.match(created.stdout, /password \(shown once\): \S{20}/);
    assert.match(
      created.stdout,
      /otpauth:\/\/totp\/Cr%C3%A9neau:admin%40interieur\.gouv\.fr\?issuer=Cr%C3%A9neau&secret=[A-Z2-7]{32}/,
    );
    const again = await run(
      process.execPath,
      [BIN, 'agent', 'create', '--email', 'admin@interieur.gouv.fr', '--name', 'Twin', '--role', 'admin'],
      { env },
    ).catch((e: { code: number; stderr: string }) => e);
    assert.match((again as { stderr: string }).stderr, /AGENT_EMAIL_TAKEN/);
    const disabled = await run(process.execPath, [BIN, 'agent', 'disable', '--email', 'admin@interieur.gouv.fr'], {
      env,
    });
    assert.match(disabled.stdout, /disabled; 0 session\(s\) revoked/);
  });

  it('refuses to seed the demo (public agent passwords) in production', async () => {
    const refused = await run(process.execPath, [BIN, 'seed', '--demo'], {
      env: {
        ...env,
        NODE_ENV: 'production',
        IDENTITY_KEY_SECRET: 'x'.repeat(40),
        POW_HMAC_KEY: 'y'.repeat(40),
        CONVOCATION_SIGNING_KEY: 'z'.repeat(60),
      },
    }).catch((e: { stderr: string }) => e);
    assert.match((refused as { stderr: string }).stderr, /never seeded in production/);
  });
});
