// Argon2id (@node-rs/argon2, its defaults: m=19 MiB, t=2, p=1 — OWASP's minimum) and TOTP
// (otpauth: SHA-1, 6 digits, 30 s, as every authenticator app reads them).
// TOTP secrets are stored encrypted (AES-256-GCM) under a key derived from the server's
// IDENTITY_KEY_SECRET: a copy of the database alone does not give the second factors.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { Secret, TOTP } from 'otpauth';
import type { AgentCredentials } from '../ports/agent-credentials.ts';

const ISSUER = 'Créneau';
const PERIOD_SECONDS = 30;

function totpOf(secret: string, label = 'agent'): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

export const agentCredentials: AgentCredentials = {
  // Algorithm 2 = Argon2id in @node-rs/argon2 (a const enum, not importable under isolatedModules).
  hashPassword: (password) => hash(password, { algorithm: 2 }),
  verifyPassword: async (phc, password) => {
    try {
      return await verify(phc, password);
    } catch {
      return false;
    }
  },
  newTotpSecret: () => new Secret({ size: 20 }).base32,
  totpUri: (secret, label) => totpOf(secret, label).toString(),
  matchTotp(secret, code, now) {
    const token = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(token)) return null;
    const delta = totpOf(secret).validate({ token, timestamp: now.getTime(), window: 1 });
    return delta === null ? null : Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
  },
};

/** The current code of a secret (the CLI and tests; agents use their app). */
export function currentTotpCode(secret: string, now: Date): string {
  return totpOf(secret).generate({ timestamp: now.getTime() });
}

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** AES-256-GCM under a key derived from `serverSecret`; sealed values read "v1.<iv>.<tag>.<ciphertext>" (base64url). */
export function createSecretBox(serverSecret: string): SecretBox {
  const key = createHmac('sha256', serverSecret).update('creneau agent totp secret v1').digest();
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable TOTP secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
