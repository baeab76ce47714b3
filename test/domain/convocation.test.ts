import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { convocationToken } from '../../src/app/convocations/issue-convocation.ts';
import {
  base32Decode,
  base32Encode,
  CONVOCATION_SIGNING_CONTEXT,
  CONVOCATION_TOKEN_LENGTH,
  type ConvocationPayload,
  convocationExpiry,
  decodePayload,
  encodePayload,
  isConvocationHonoured,
  parseShortCode,
  parseToken,
  shortCodeOf,
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

  it('base32: every test vector of RFC 4648 both ways, and nothing else of any length', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      assert.equal(base32Encode(bytes), encoded, plain);
      assert.deepEqual(base32Decode(encoded, bytes.length), bytes, encoded);
    }
    assert.equal(base32Decode('MZXW6YTBOI', 5), null, 'six bytes are not five');
    assert.equal(base32Decode('MZXW6YTB', 6), null);
    assert.equal(base32Decode('MZXW6YT!', 5), null, 'a character outside the alphabet, even on a byte boundary');
    assert.equal(base32Decode('MZXW6YT8', 5), null);
  });

  it('refuses a packed reference of exactly 30^10, another version, another length', () => {
    const bytes = encodePayload(PAYLOAD);
    let n = 30n ** 10n;
    for (let i = 23; i >= 17; i--) {
      bytes[i] = Number(n & 0xffn);
      n >>= 8n;
    }
    assert.equal(decodePayload(bytes), null);
    const other = encodePayload(PAYLOAD);
    other[0] = 2;
    assert.equal(decodePayload(other), null);
    assert.equal(decodePayload(encodePayload(PAYLOAD).subarray(0, 27)), null);
    const longer = new Uint8Array(29);
    longer.set(encodePayload(PAYLOAD));
    assert.equal(decodePayload(longer), null);
  });

  it('encodes expiries 0 to 2^32 − 1, version 1 only, and says what it refuses', () => {
    assert.equal(decodePayload(encodePayload({ ...PAYLOAD, exp: 0 }))?.exp, 0);
    assert.equal(decodePayload(encodePayload({ ...PAYLOAD, exp: 0xffffffff }))?.exp, 0xffffffff);
    assert.throws(() => encodePayload({ ...PAYLOAD, exp: -1 }), { name: 'RangeError', message: 'expiry out of range' });
    assert.throws(() => encodePayload({ ...PAYLOAD, v: 2 as 1 }), {
      name: 'RangeError',
      message: 'unsupported convocation version 2',
    });
    assert.throws(() => encodePayload({ ...PAYLOAD, ref: 'nope' }), { message: 'not a booking reference' });
    assert.throws(() => encodePayload({ ...PAYLOAD, aid: 'appointment-1' }), {
      message: 'appointment id is not a UUID',
    });
    assert.deepEqual(decodePayload(encodePayload({ ...PAYLOAD, aid: AID.toUpperCase() })), PAYLOAD);
  });

  it('signs the context "creneau/convocation/v1\\n" then the payload bytes', () => {
    assert.equal(CONVOCATION_SIGNING_CONTEXT, 'creneau/convocation/v1\n');
    const bytes = encodePayload(PAYLOAD);
    const message = signedMessage(bytes);
    assert.equal(new TextDecoder().decode(message.subarray(0, 23)), 'creneau/convocation/v1\n');
    assert.deepEqual(message.subarray(23), bytes);
    assert.equal(message.length, 23 + 28);
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

  it('uses the booking reference itself as the short code, and names an unknown time zone', () => {
    assert.equal(shortCodeOf('K7M4-9XQ2-HT'), 'K7M4-9XQ2-HT');
    assert.throws(() => convocationExpiry(new Date('2026-06-02T07:30:00Z'), 'Europe/Nowhere'), {
      name: 'RangeError',
      message: 'Unknown time zone: Europe/Nowhere',
    });
  });

  it('reads a short code as people type it', () => {
    assert.equal(parseShortCode('k7m4 9xq2ht'), 'K7M4-9XQ2-HT');
    assert.equal(parseShortCode('K7M4-9XQ2-HT'), 'K7M4-9XQ2-HT');
    assert.equal(parseShortCode('K7M4-9XQ2-H0'), null);
    assert.equal(parseShortCode('K7M4-9XQ2'), null);
  });
});
