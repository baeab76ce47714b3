// Outside production, the secrets the environment leaves out are generated at first start into
// DATA_DIR/secrets.json (0600) and reused after: never published constants in the source.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { SECRETS_FILE } from '../../src/adapters/generated-secrets.ts';
import { createAltchaProofOfWork } from '../../src/adapters/pow/altcha-proof-of-work.ts';
import { ConfigError } from '../../src/config.ts';
import { createDifficultyPolicy } from '../../src/domain/pow-difficulty.ts';
import { configFromEnvironment } from '../../src/main.ts';
import type { ReplayStore } from '../../src/ports/proof-of-work.ts';

const root = mkdtempSync(join(tmpdir(), 'creneau-secrets-'));
let dirs = 0;
/** A data directory that does not exist yet (nested, as DATA_DIR=./var/creneau would be). */
const freshDataDir = () => join(root, `start-${++dirs}`, 'data');
const modeOf = (path: string) => statSync(path).mode & 0o777;

// The constants config.ts published before (issue 12 §3): anyone could sign with them.
const FORMER_POW_KEY = 'creneau-development-pow-hmac-key-do-not-use-in-production';
const FORMER_IDENTITY_SECRET = 'creneau-development-identity-secret-do-not-use-in-production';

describe('generated development secrets', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('are generated at the first start and the same at the next', () => {
    const dataDir = freshDataDir();
    const first = configFromEnvironment({ DATA_DIR: dataDir });
    const second = configFromEnvironment({ DATA_DIR: dataDir });
    assert.ok(first.identityKeySecret.length >= 32 && first.pow.hmacKey.length >= 32);
    assert.notEqual(first.identityKeySecret, first.pow.hmacKey);
    assert.equal(second.identityKeySecret, first.identityKeySecret);
    assert.equal(second.pow.hmacKey, first.pow.hmacKey);
    assert.deepEqual(JSON.parse(readFileSync(join(dataDir, SECRETS_FILE), 'utf8')), {
      identityKeySecret: first.identityKeySecret,
      powHmacKey: first.pow.hmacKey,
    });
    assert.deepEqual(readdirSync(dataDir), [SECRETS_FILE], 'nothing left aside');
  });

  it('differ from one data directory to another, and from the former constants', () => {
    const one = configFromEnvironment({ DATA_DIR: freshDataDir() });
    const two = configFromEnvironment({ DATA_DIR: freshDataDir() });
    assert.notEqual(one.identityKeySecret, two.identityKeySecret);
    assert.notEqual(one.pow.hmacKey, two.pow.hmacKey);
    assert.notEqual(one.identityKeySecret, FORMER_IDENTITY_SECRET);
    assert.notEqual(one.pow.hmacKey, FORMER_POW_KEY);
  });

  it('are readable by their owner only (0600), and closed again if opened', () => {
    const dataDir = freshDataDir();
    configFromEnvironment({ DATA_DIR: dataDir });
    const file = join(dataDir, SECRETS_FILE);
    assert.equal(modeOf(file), 0o600);
    assert.equal(modeOf(dataDir), 0o700);
    chmodSync(file, 0o644);
    configFromEnvironment({ DATA_DIR: dataDir });
    assert.equal(modeOf(file), 0o600);
  });

  it('fill only what the environment leaves out', () => {
    const dataDir = freshDataDir();
    const given = 'given-identity-secret-0123456789abcdef';
    const config = configFromEnvironment({ DATA_DIR: dataDir, IDENTITY_KEY_SECRET: given });
    assert.equal(config.identityKeySecret, given);
    const kept = JSON.parse(readFileSync(join(dataDir, SECRETS_FILE), 'utf8'));
    assert.equal(config.pow.hmacKey, kept.powHmacKey);
  });

  it('are never written when the environment names every secret (production always does)', () => {
    const dataDir = freshDataDir();
    const config = configFromEnvironment({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      IDENTITY_KEY_SECRET: 'x'.repeat(32),
      POW_HMAC_KEY: 'y'.repeat(32),
      CONVOCATION_SIGNING_KEY: 'z'.repeat(40),
    });
    assert.equal(config.pow.hmacKey, 'y'.repeat(32));
    assert.equal(existsSync(dataDir), false);
    assert.throws(() => configFromEnvironment({ NODE_ENV: 'production', DATA_DIR: dataDir }), ConfigError);
    assert.equal(existsSync(dataDir), false);
  });

  it('refuse a damaged file rather than silently generating new keys', () => {
    const dataDir = freshDataDir();
    configFromEnvironment({ DATA_DIR: dataDir });
    writeFileSync(join(dataDir, SECRETS_FILE), '{"identityKeySecret":"short"}');
    assert.throws(
      () => configFromEnvironment({ DATA_DIR: dataDir }),
      (e: unknown) => e instanceof ConfigError && /secrets\.json/.test(e.message),
    );
  });

  it('are no longer constants in the source', () => {
    const sources = readdirSync(new URL('../../src/', import.meta.url).pathname, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(new URL(`../../src/${f}`, import.meta.url), 'utf8'));
    assert.ok(sources.length > 50);
    for (const former of [FORMER_POW_KEY, FORMER_IDENTITY_SECRET, 'do-not-use-in-production']) {
      assert.equal(sources.filter((source) => source.includes(former)).length, 0, former);
    }
  });

  it('refuse a proof of work forged with the formerly published key', async () => {
    const clock = { now: () => new Date() };
    const used = new Set<string>();
    const replayStore: ReplayStore = {
      claimOnce: async (key) => {
        if (used.has(key)) return false;
        used.add(key);
        return true;
      },
    };
    const difficulty = createDifficultyPolicy({ minMaxNumber: 1000, maxMaxNumber: 1000 });
    const config = configFromEnvironment({ DATA_DIR: freshDataDir() });
    const server = createAltchaProofOfWork({ hmacKey: config.pow.hmacKey, clock, replayStore, difficulty });
    const forger = createAltchaProofOfWork({ hmacKey: FORMER_POW_KEY, clock, replayStore, difficulty });
    const ip = { ip: '203.0.113.9' };
    const payloadOf = async (challenge: Awaited<ReturnType<typeof server.createChallenge>>) => {
      const solution = await solveChallenge({
        challenge: challenge as unknown as Challenge,
        deriveKey,
        timeout: 30_000,
      });
      return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    };
    assert.equal(await server.verify(await payloadOf(await forger.createChallenge(ip)), ip), 'invalid');
    // The same solving against the server's own challenge passes: the refusal is the key's.
    assert.equal(await server.verify(await payloadOf(await server.createChallenge(ip)), ip), 'ok');
  });
});
