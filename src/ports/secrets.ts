// Randomness and keyed hashing used by use cases, injected so tests can pin them.
export interface SecretGenerator {
  /** A management token: ≥ 128 bits, URL-safe. */
  managementToken(): string;
  randomBytes(count: number): Uint8Array;
  /** A random (version 4) UUID, e.g. the Idempotency-Key a page form carries from step to step. */
  uuid(): string;
}

export interface Hasher {
  /** One-way digest of a secret token, for storage and lookup. */
  tokenDigest(token: string): string;
  /** Keyed (HMAC) digest of normalised identity material: stable across restarts, useless without the server secret. */
  identityKey(material: string): string;
  /** Digest of a request body, to recognise idempotent replays. */
  fingerprint(value: unknown): string;
}
