// Ed25519 convocation signatures with node:crypto.
//
// The key is CONVOCATION_SIGNING_KEY: a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----…"), or that
// PEM base64-encoded onto one line (handier in an env file). Generate one with
//   openssl genpkey -algorithm ed25519 | base64 -w0
// Without one (development and tests only: config.ts requires it in production) the key is
// derived from the identity secret: HKDF-SHA256 → 32-byte Ed25519 seed, so demo
// convocations survive a restart. Nothing secret is ever logged or put in an error message.
import { createHash, createPrivateKey, createPublicKey, hkdfSync, type KeyObject, sign, verify } from 'node:crypto';
import type { ConvocationSigner } from '../ports/convocation-signer.ts';

export class SigningKeyError extends Error {}

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function keyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError('CONVOCATION_SIGNING_KEY is not a readable PKCS#8 private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `CONVOCATION_SIGNING_KEY must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  return key;
}

/** PEM as is, or the base64 of a PEM. */
export function parseSigningKey(configured: string): KeyObject {
  const text = configured.trim();
  if (text.startsWith('-----BEGIN')) return keyFromPem(text);
  const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (decoded.trimStart().startsWith('-----BEGIN')) return keyFromPem(decoded);
  throw new SigningKeyError('CONVOCATION_SIGNING_KEY must be a PKCS#8 PEM or its base64');
}

/** The development key: deterministic from the identity secret, useless without it. */
export function deriveDevelopmentKey(identityKeySecret: string): KeyObject {
  const seed = Buffer.from(hkdfSync('sha256', identityKeySecret, 'creneau', 'convocation-signing-key/ed25519/v1', 32));
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export interface Ed25519Signer extends ConvocationSigner {
  /** SPKI PEM of the public key: what an offline verifier would hold. */
  readonly publicKeyPem: string;
  /** SHA-256 of the public key (base64url, 16 characters): safe to log, to tell keys apart. */
  readonly keyId: string;
  /** Whether the key came from configuration or was derived for development. */
  readonly source: 'configured' | 'derived';
}

/** A public key's identifier: SHA-256 of its SPKI form, base64url, 16 characters. */
const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url')
    .slice(0, 16);

/** The identifier of a public key given as PEM (a pack's verifier is handed one); null when unreadable. */
export function keyIdOfPem(pem: string): string | null {
  try {
    return keyIdOf(createPublicKey({ key: pem, format: 'pem' }));
  } catch {
    return null;
  }
}

export function createEd25519Signer(
  privateKey: KeyObject,
  source: Ed25519Signer['source'] = 'configured',
): Ed25519Signer {
  const publicKey = createPublicKey(privateKey);
  return {
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: keyIdOf(publicKey),
    source,
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
    verify(message, signature) {
      if (signature.length !== 64) return false;
      try {
        return verify(null, message, publicKey, signature);
      } catch {
        return false;
      }
    },
  };
}

/** From configuration: the configured key, or the derived development key when none is set. */
export function signerFromConfig(config: {
  convocationSigningKey: string | null;
  identityKeySecret: string;
}): Ed25519Signer {
  return config.convocationSigningKey
    ? createEd25519Signer(parseSigningKey(config.convocationSigningKey), 'configured')
    : createEd25519Signer(deriveDevelopmentKey(config.identityKeySecret), 'derived');
}
