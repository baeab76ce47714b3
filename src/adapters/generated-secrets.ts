// Outside production, the secrets the environment does not give (IDENTITY_KEY_SECRET,
// POW_HMAC_KEY; the convocation key is derived from the first) are generated at first start
// and kept in DATA_DIR/secrets.json, readable by its owner only (0600), then reused at every
// start so identity keys, sealed TOTP secrets and convocations stay valid. Never a constant
// in the source: whoever reads the code cannot forge a proof of work or an identity key.
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type GeneratedSecrets } from '../config.ts';

export const SECRETS_FILE = 'secrets.json';

const OWNER_ONLY = 0o600;

function generate(): GeneratedSecrets {
  return {
    identityKeySecret: randomBytes(32).toString('base64url'),
    powHmacKey: randomBytes(32).toString('base64url'),
  };
}

function read(path: string): GeneratedSecrets {
  let parsed: Partial<GeneratedSecrets>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<GeneratedSecrets>;
  } catch (error) {
    throw new ConfigError(
      `${path} is unreadable (${(error as Error).message}): remove it to generate new secrets (identity keys of existing data will no longer match)`,
    );
  }
  const { identityKeySecret, powHmacKey } = parsed;
  if (
    typeof identityKeySecret !== 'string' ||
    identityKeySecret.length < 32 ||
    typeof powHmacKey !== 'string' ||
    powHmacKey.length < 32
  ) {
    throw new ConfigError(`${path} lacks identityKeySecret or powHmacKey (32+ characters each)`);
  }
  return { identityKeySecret, powHmacKey };
}

/**
 * The secrets kept in `dataDir` (created 0700 if missing), generated the first time. Two
 * processes starting at once agree: the file is written aside, then linked into place, which
 * fails for the second one (EEXIST) — it reads the winner's.
 */
export function loadOrCreateGeneratedSecrets(dataDir: string): GeneratedSecrets {
  const path = join(dataDir, SECRETS_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // An older copy made readable by others (a restore, a chmod) is closed again.
    if ((statSync(path).mode & 0o777) !== OWNER_ONLY) chmodSync(path, OWNER_ONLY);
    return read(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets = generate();
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(aside, `${JSON.stringify(secrets, null, 2)}\n`, { mode: OWNER_ONLY, flag: 'wx' });
  try {
    linkSync(aside, path);
    return secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return read(path);
  } finally {
    unlinkSync(aside);
  }
}
