import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Hasher, SecretGenerator } from '../ports/secrets.ts';

export const cryptoSecrets: SecretGenerator = {
  managementToken: () => randomBytes(32).toString('base64url'), // 256 bits
  randomBytes: (count) => randomBytes(count),
  uuid: () => randomUUID(),
};

/** JSON with object keys sorted, so that {a,b} and {b,a} fingerprint alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function createHasher(identitySecret: string): Hasher {
  return {
    tokenDigest: (token) => createHash('sha256').update(token).digest('base64url'),
    identityKey: (material) => createHmac('sha256', identitySecret).update(material).digest('base64url'),
    fingerprint: (value) => createHash('sha256').update(canonicalJson(value)).digest('base64url'),
  };
}
