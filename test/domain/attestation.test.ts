// The attestation payload's checks one by one: each field, alone invalid in an otherwise
// canonical payload, makes it unreadable (request-rules.test.ts covers the round trip and
// the token's shape).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AttestationFacts,
  attestationText,
  decodeAttestationPayload,
  encodeAttestationPayload,
  formatAttestationToken,
  parseAttestationToken,
  REQUEST_STATUS_TEXT,
  signedAttestationMessage,
} from '../../src/domain/attestation.ts';
import { REQUEST_STATUSES } from '../../src/domain/request-rules.ts';
import { ATTESTATION_FACTS } from '../support/attestation-facts.ts';

const FACTS: AttestationFacts = ATTESTATION_FACTS;

/** The canonical payload with its JSON key `key` set to `value` (the key order kept). */
const payloadWith = (key: string, value: unknown): Uint8Array => {
  const json = JSON.parse(new TextDecoder().decode(encodeAttestationPayload(FACTS)));
  json[key] = value;
  return new TextEncoder().encode(JSON.stringify(json));
};

describe('attestation payload: every field is checked', () => {
  it('reads the canonical payload, and each field at its limits', () => {
    assert.deepEqual(decodeAttestationPayload(encodeAttestationPayload(FACTS)), FACTS);
    const limits: [keyof AttestationFacts, string][] = [
      ['surname', 'N'],
      ['givenNames', 'a'.repeat(200)],
      ['prefectureId', '2A'],
      ['status', 'offered'],
      ['birthDate', '2000-02-29'],
    ];
    for (const [field, value] of limits) {
      const facts = { ...FACTS, [field]: value };
      assert.deepEqual(decodeAttestationPayload(encodeAttestationPayload(facts)), facts, field);
    }
  });

  it('refuses a payload with one field wrong', () => {
    const wrong: [string, unknown][] = [
      ['v', 2],
      ['v', '1'],
      ['rid', '3F2B8C1E-9A4D-4E6F-8B7A-0C1D2E3F4A5B'], // a UUID, but not in lower case
      ['rid', 'not-a-uuid'],
      ['ref', 'k7m4-9xq2-ht'], // readable, but not its canonical form
      ['ref', 'K7M49XQ2HT'],
      ['ref', 7],
      ['pre', '20'],
      ['pre', 93],
      ['pro', 'Naturalisation'],
      ['sn', ''],
      ['gn', 'a'.repeat(201)],
      ['sn', 1],
      ['bd', '1990-02-30'],
      ['fil', '2026-06-01T08:00:00Z'], // an instant, but not as toISOString writes it
      ['iat', 'yesterday'],
      ['st', 'lost'],
      ['st', 0],
    ];
    for (const [key, value] of wrong)
      assert.equal(decodeAttestationPayload(payloadWith(key, value)), null, `${key}: ${JSON.stringify(value)}`);
  });

  it('refuses what is not a JSON object in UTF-8', () => {
    for (const text of ['null', '[]', '1', '"x"', '{', ''])
      assert.equal(decodeAttestationPayload(new TextEncoder().encode(text)), null, text);
    assert.equal(decodeAttestationPayload(new Uint8Array([0xff, 0xfe])), null);
  });

  it('a token needs a 64-byte signature and at most 2,048 characters once its spaces are gone', () => {
    const payload = encodeAttestationPayload(FACTS);
    const token = (signatureBytes: number) => formatAttestationToken(payload, new Uint8Array(signatureBytes));
    assert.ok(parseAttestationToken(token(64)));
    assert.equal(parseAttestationToken(token(63)), null);
    assert.equal(parseAttestationToken(token(65)), null);
    const long = { ...FACTS, surname: 'a'.repeat(200), givenNames: 'b'.repeat(200) };
    const longToken = formatAttestationToken(encodeAttestationPayload(long), new Uint8Array(64));
    // Line breaks every 16 characters: twice as long raw, still read.
    const wrapped = longToken.replace(/.{16}/g, '$&\n');
    assert.deepEqual(parseAttestationToken(wrapped)?.facts, long);
    assert.equal(parseAttestationToken(`${longToken}${' '.repeat(4096 - longToken.length + 1)}`), null);
    assert.equal(
      parseAttestationToken(`${longToken}${' '.repeat(4096 - longToken.length)}`)?.facts.surname,
      long.surname,
    );
  });

  it('refuses a token longer than 2,048 characters, even one whose payload is valid', () => {
    // Control characters are escaped in six characters each: 200 of them are a valid name.
    const long = { ...FACTS, surname: '\u0001'.repeat(200), givenNames: '\u0002'.repeat(200) };
    const payload = encodeAttestationPayload(long);
    assert.deepEqual(decodeAttestationPayload(payload), long);
    const token = formatAttestationToken(payload, new Uint8Array(64));
    assert.ok(token.length > 2048 && token.length <= 4096, String(token.length));
    assert.equal(parseAttestationToken(token), null);
  });

  it('reads only the canonical base64url of each part', () => {
    // 64 bytes are 86 characters whose last one carries 4 unused bits: 'A' and 'B' read the same bytes.
    const token = formatAttestationToken(encodeAttestationPayload(FACTS), new Uint8Array(64));
    assert.ok(token.endsWith('A'));
    assert.ok(parseAttestationToken(token));
    assert.equal(parseAttestationToken(`${token.slice(0, -1)}B`), null);
  });

  it('signs the payload behind its own context string', () => {
    const payload = encodeAttestationPayload(FACTS);
    assert.equal(
      new TextDecoder().decode(signedAttestationMessage(payload)),
      `creneau/request-attestation/v1\n${new TextDecoder().decode(payload)}`,
    );
  });

  it('states each status in its own words, in French and in English', () => {
    for (const language of ['fr', 'en'] as const) {
      const texts = REQUEST_STATUSES.map((status) => REQUEST_STATUS_TEXT[status][language]);
      assert.ok(
        texts.every((t) => typeof t === 'string' && t.length > 10),
        language,
      );
      assert.equal(new Set(texts).size, REQUEST_STATUSES.length, language);
      const subject = {
        prefectureName: 'P',
        procedureNameFr: 'N',
        procedureNameEn: 'N',
        timeZone: 'Europe/Paris',
        verifyUrl: 'https://x/attestation/verify',
      };
      for (const status of REQUEST_STATUSES) {
        const text = attestationText({ ...subject, facts: { ...FACTS, status } });
        assert.ok(text[language].status.includes(REQUEST_STATUS_TEXT[status][language]), `${language} ${status}`);
      }
    }
  });
});
