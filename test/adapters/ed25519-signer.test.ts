// The convocation signer (adapters/ed25519-signer.ts): Ed25519 keys, derived or configured.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createEd25519Signer,
  deriveDevelopmentKey,
  parseSigningKey,
  SigningKeyError,
  signerFromConfig,
} from '../../src/adapters/ed25519-signer.ts';

const SECRET = 'test-identity-secret-0123456789abcdef';
const signer = signerFromConfig({ convocationSigningKey: null, identityKeySecret: SECRET });

describe('Ed25519 convocation signer', () => {
  const message = new TextEncoder().encode('convocation');

  it('signs and verifies, and refuses an altered message or signature', () => {
    const signature = signer.sign(message);
    assert.equal(signature.length, 64);
    assert.equal(signer.verify(message, signature), true);
    assert.equal(signer.verify(new TextEncoder().encode('convocatioN'), signature), false);
    const altered = Uint8Array.from(signature);
    altered[10]! ^= 1;
    assert.equal(signer.verify(message, altered), false);
    assert.equal(signer.verify(message, signature.subarray(0, 63)), false);
  });

  it('derives the development key deterministically from the identity secret', () => {
    const again = signerFromConfig({ convocationSigningKey: null, identityKeySecret: SECRET });
    const other = signerFromConfig({ convocationSigningKey: null, identityKeySecret: `${SECRET}-other` });
    assert.equal(again.source, 'derived');
    assert.equal(again.keyId, signer.keyId);
    assert.notEqual(other.keyId, signer.keyId);
    assert.equal(again.verify(message, signer.sign(message)), true);
    assert.equal(other.verify(message, signer.sign(message)), false);
  });

  it('reads a configured PKCS#8 PEM, or its base64', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = signerFromConfig({ convocationSigningKey: pem, identityKeySecret: SECRET });
    const fromBase64 = signerFromConfig({
      convocationSigningKey: Buffer.from(pem).toString('base64'),
      identityKeySecret: SECRET,
    });
    assert.equal(fromPem.source, 'configured');
    assert.equal(fromPem.keyId, fromBase64.keyId);
    assert.notEqual(fromPem.keyId, signer.keyId);
    assert.equal(fromBase64.verify(message, fromPem.sign(message)), true);
    assert.equal(createEd25519Signer(deriveDevelopmentKey(SECRET)).keyId, signer.keyId);
  });

  it('refuses a key that is not Ed25519 or not a key, without echoing it', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.throws(
      () => parseSigningKey(ecPem),
      (e: unknown) => e instanceof SigningKeyError && /Ed25519/.test(e.message) && !e.message.includes('PRIVATE'),
    );
    const garbage = 'not-a-key-but-long-enough-to-pass-the-config-length-check';
    assert.throws(
      () => parseSigningKey(garbage),
      (e: unknown) => e instanceof SigningKeyError && !e.message.includes(garbage),
    );
    const brokenPem = '-----BEGIN PRIVATE KEY-----\nAAAAsecretAAAA\n-----END PRIVATE KEY-----';
    assert.throws(
      () => parseSigningKey(brokenPem),
      (e: unknown) => e instanceof SigningKeyError && !e.message.includes('secret'),
    );
  });
});
