import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import QRCode from 'qrcode';
import {
  createEd25519Signer,
  deriveDevelopmentKey,
  parseSigningKey,
  SigningKeyError,
  signerFromConfig,
} from '../../src/adapters/ed25519-signer.ts';
import { convocationToken, issueConvocation } from '../../src/app/convocations/issue-convocation.ts';
import {
  base32Decode,
  base32Encode,
  CONVOCATION_TOKEN_LENGTH,
  type ConvocationPayload,
  convocationExpiry,
  decodePayload,
  encodePayload,
  isConvocationHonoured,
  parseShortCode,
  parseToken,
  signedMessage,
} from '../../src/domain/convocation.ts';

const AID = '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b';
const PAYLOAD: ConvocationPayload = { v: 1, ref: 'K7M4-9XQ2-HT', aid: AID, exp: 1_780_437_600 };
const SECRET = 'test-identity-secret-0123456789abcdef';
const signer = signerFromConfig({ convocationSigningKey: null, identityKeySecret: SECRET });

describe('convocation payload and token', () => {
  it('round-trips the payload through 28 bytes', () => {
    const bytes = encodePayload(PAYLOAD);
    assert.equal(bytes.length, 28);
    assert.deepEqual(decodePayload(bytes), PAYLOAD);
  });

  it('packs the extreme references and refuses a packed number beyond 30^10', () => {
    for (const ref of ['2222-2222-22', 'ZZZZ-ZZZZ-ZZ', 'A2B3-C4D5-E6']) {
      assert.equal(decodePayload(encodePayload({ ...PAYLOAD, ref }))?.ref, ref);
    }
    const bytes = encodePayload(PAYLOAD);
    bytes.fill(0xff, 17, 24);
    assert.equal(decodePayload(bytes), null);
  });

  it('refuses to encode what is not a reference, a UUID or a 32-bit expiry', () => {
    assert.throws(() => encodePayload({ ...PAYLOAD, ref: 'K7M4-9XQ2-H0' }), RangeError);
    assert.throws(() => encodePayload({ ...PAYLOAD, aid: 'appointment-1' }), RangeError);
    assert.throws(() => encodePayload({ ...PAYLOAD, exp: 2 ** 32 }), RangeError);
    assert.throws(() => encodePayload({ ...PAYLOAD, exp: 1.5 }), RangeError);
  });

  it('base32 is RFC 4648 and only accepts the canonical encoding', () => {
    assert.equal(base32Encode(new TextEncoder().encode('foobar')), 'MZXW6YTBOI');
    assert.deepEqual(base32Decode('MZXW6YTBOI', 6), new TextEncoder().encode('foobar'));
    assert.deepEqual(base32Decode('mzxw6ytboi', 6), new TextEncoder().encode('foobar'));
    // "I" = 01000: its last two bits are padding; "J" = 01001 sets one of them.
    assert.equal(base32Decode('MZXW6YTBOJ', 6), null);
    assert.equal(base32Decode('MZXW6YTBO', 6), null);
    assert.equal(base32Decode('MZXW6YTBO1', 6), null);
  });

  it('makes a 149-character token of QR alphanumeric characters that parses back', () => {
    const { token } = convocationToken(signer, {
      id: AID,
      reference: 'K7M4-9XQ2-HT',
      endsAt: new Date('2026-06-02T07:30:00Z'),
      timeZone: 'Europe/Paris',
    });
    assert.equal(token.length, 149);
    assert.equal(CONVOCATION_TOKEN_LENGTH, 149);
    assert.match(token, /^[A-Z2-7]{45}\.[A-Z2-7]{103}$/);
    const parsed = parseToken(` ${token.toLowerCase()}\n`);
    assert.ok(parsed);
    assert.equal(parsed.payload.aid, AID);
    assert.equal(parsed.payload.ref, 'K7M4-9XQ2-HT');
    assert.ok(signer.verify(signedMessage(parsed.payloadBytes), parsed.signature));
  });

  it('refuses malformed tokens', () => {
    const { token } = convocationToken(signer, {
      id: AID,
      reference: 'K7M4-9XQ2-HT',
      endsAt: new Date('2026-06-02T07:30:00Z'),
      timeZone: 'Europe/Paris',
    });
    for (const bad of [
      '',
      token.slice(1),
      `${token}A`,
      token.replace('.', 'A'),
      token.replace('.', '..').slice(0, 149),
      `A${token.slice(1, 45)}8${token.slice(46)}`,
    ]) {
      assert.equal(parseToken(bad), null, bad);
    }
    // A payload of another version.
    const [payload, signature] = token.split('.') as [string, string];
    const other = base32Decode(payload, 28)!;
    other[0] = 2;
    assert.equal(parseToken(`${base32Encode(other)}.${signature}`), null);
  });
});

describe('convocation rules', () => {
  it('expires at the end of the local day of the appointment', () => {
    // 09:30 in Paris (UTC+2 in June) → midnight Paris = 22:00Z.
    assert.equal(
      convocationExpiry(new Date('2026-06-02T07:30:00Z'), 'Europe/Paris'),
      Date.parse('2026-06-02T22:00:00Z') / 1000,
    );
    // 23:30Z on 1 June is already 2 June in Paris, still 1 June in Cayenne (UTC−3).
    assert.equal(
      convocationExpiry(new Date('2026-06-01T23:30:00Z'), 'Europe/Paris'),
      Date.parse('2026-06-02T22:00:00Z') / 1000,
    );
    assert.equal(
      convocationExpiry(new Date('2026-06-01T23:30:00Z'), 'America/Cayenne'),
      Date.parse('2026-06-02T03:00:00Z') / 1000,
    );
    // The day the clocks go back (25 hours in Paris): midnight after is 23:00Z.
    assert.equal(
      convocationExpiry(new Date('2026-10-25T09:00:00Z'), 'Europe/Paris'),
      Date.parse('2026-10-25T23:00:00Z') / 1000,
    );
    assert.throws(() => convocationExpiry(new Date(), 'Mars/Olympus'), RangeError);
  });

  it('honours a booked appointment until its slot ends, an arrived one until the end of the day', () => {
    const endsAt = new Date('2026-06-02T07:30:00Z');
    const at = (iso: string) => new Date(iso);
    const subject = (status: 'booked' | 'arrived' | 'served' | 'no_show' | 'cancelled') => ({
      status,
      endsAt,
      timeZone: 'Europe/Paris',
    });
    assert.equal(isConvocationHonoured(subject('booked'), at('2026-06-02T07:29:59Z')), true);
    assert.equal(isConvocationHonoured(subject('booked'), at('2026-06-02T07:30:00Z')), false);
    assert.equal(isConvocationHonoured(subject('arrived'), at('2026-06-02T21:59:59Z')), true);
    assert.equal(isConvocationHonoured(subject('arrived'), at('2026-06-02T22:00:00Z')), false);
    for (const status of ['served', 'no_show', 'cancelled'] as const) {
      assert.equal(isConvocationHonoured(subject(status), at('2026-06-01T08:00:00Z')), false);
    }
  });

  it('reads a short code as people type it', () => {
    assert.equal(parseShortCode('k7m4 9xq2ht'), 'K7M4-9XQ2-HT');
    assert.equal(parseShortCode('K7M4-9XQ2-HT'), 'K7M4-9XQ2-HT');
    assert.equal(parseShortCode('K7M4-9XQ2-H0'), null);
    assert.equal(parseShortCode('K7M4-9XQ2'), null);
  });
});

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

describe('convocation QR code', () => {
  it('renders a well-formed SVG of a version ≤ 6 QR code of the token', async () => {
    const issued = await issueConvocation(signer, {
      id: AID,
      reference: 'K7M4-9XQ2-HT',
      endsAt: new Date('2026-06-02T07:30:00Z'),
      timeZone: 'Europe/Paris',
    });
    assert.equal(issued.shortCode, 'K7M4-9XQ2-HT');
    assert.equal(issued.expiresAt, '2026-06-02T22:00:00.000Z');
    assert.match(
      issued.qrSvg,
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 (\d+) \1"[^>]*>.*<\/svg>\s*$/s,
    );
    assert.match(issued.qrSvg, /<path [^>]*d="M[^"]{100,}"/);
    const qr = QRCode.create(issued.token, { errorCorrectionLevel: 'M' });
    assert.ok(qr.version <= 6, `version ${qr.version}`);
    assert.equal(qr.modules.size, 17 + 4 * qr.version);
    // The SVG is the same symbol: its view box is the modules plus the 2-module margin on each side.
    const viewBox = Number(/viewBox="0 0 (\d+)/.exec(issued.qrSvg)![1]);
    assert.equal(viewBox, qr.modules.size + 4);
  });

  it('stays at version 6 for any appointment (fixed-length tokens)', () => {
    for (const ref of ['2222-2222-22', 'ZZZZ-ZZZZ-ZZ']) {
      const { token } = convocationToken(signer, {
        id: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
        reference: ref,
        endsAt: new Date('2099-12-31T12:00:00Z'),
        timeZone: 'Pacific/Noumea',
      });
      assert.ok(QRCode.create(token, { errorCorrectionLevel: 'M' }).version <= 6);
    }
  });
});
