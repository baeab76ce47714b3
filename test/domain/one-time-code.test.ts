import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  codeFromRandomBytes,
  drawCode,
  EMAIL_CODE_BITS,
  formatCode,
  normaliseCodeInput,
  normaliseVerifiedEmail,
  parseVerificationId,
  verificationIdFromRandomBytes,
} from '../../src/domain/one-time-code.ts';

const word = (n: number) => new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

/** mulberry32: a small seeded generator, so the distribution test is reproducible. */
function seededBytes(seed: number): (count: number) => Uint8Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (count) => {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i += 4) out.set(word(next()).subarray(0, Math.min(4, count - i)), i);
    return out;
  };
}

describe('email one-time codes', () => {
  it('carries at least 20 bits: 8 decimal digits', () => {
    assert.ok(EMAIL_CODE_BITS >= 20, `${EMAIL_CODE_BITS} bits`);
    assert.equal(codeFromRandomBytes(word(0)), '00000000');
    assert.equal(codeFromRandomBytes(word(12345)), '00012345');
    assert.equal(codeFromRandomBytes(word(123_456_789)), '23456789');
  });

  it('rejects the top of the 32-bit range, so that no code is more likely than another', () => {
    // 42 × 10^8 = 4 200 000 000 is the largest multiple of 10^8 below 2^32.
    assert.equal(codeFromRandomBytes(word(4_199_999_999)), '99999999');
    assert.equal(codeFromRandomBytes(word(4_200_000_000)), null);
    assert.equal(codeFromRandomBytes(word(0xffffffff)), null);
    // drawCode draws again after a rejected word.
    const words = [0xffffffff, 4_200_000_000, 42];
    assert.equal(
      drawCode(() => word(words.shift()!)),
      '00000042',
    );
    assert.equal(words.length, 0);
  });

  it('draws every digit uniformly (chi-square over 200 000 seeded codes)', () => {
    const random = seededBytes(20260601);
    const counts = Array.from({ length: 8 }, () => new Array<number>(10).fill(0));
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const code = drawCode(random);
      assert.match(code, /^\d{8}$/);
      for (let p = 0; p < 8; p++) counts[p]![Number(code[p])]!++;
    }
    // 9 degrees of freedom: P(χ² > 27.9) = 0.001. (The modulo bias that rejection removes
    // is too small to see here — about 1 % on a leading 9 — hence the exact test above.)
    for (const [position, perDigit] of counts.entries()) {
      const chi2 = perDigit.reduce((sum, observed) => sum + (observed - n / 10) ** 2 / (n / 10), 0);
      assert.ok(chi2 < 27.9, `digit ${position + 1}: χ² = ${chi2.toFixed(1)} (${perDigit.join(' ')})`);
    }
  });

  it('shows codes as "1234 5678" and accepts them typed with spaces or dashes', () => {
    assert.equal(formatCode('12345678'), '1234 5678');
    for (const typed of ['12345678', '1234 5678', ' 1234-5678 ', '1234\u00a05678', '12 34 56 78', '1234.5678']) {
      assert.equal(normaliseCodeInput(typed), '12345678', typed);
    }
    for (const typed of ['1234567', '123456789', '1234 567a', '', '١٢٣٤٥٦٧٨', '1234_5678']) {
      assert.equal(normaliseCodeInput(typed), null, typed);
    }
  });

  it('makes version-4 verification ids and refuses malformed ones', () => {
    const id = verificationIdFromRandomBytes(new Uint8Array(16).fill(0xff));
    assert.equal(id, 'ffffffff-ffff-4fff-bfff-ffffffffffff');
    assert.equal(parseVerificationId(id.toUpperCase()), id);
    for (const bad of ['', 'not-a-uuid', `${id}0`, `{${id}}`, id.replace(/-/g, ''), "' or 1=1 --"]) {
      assert.equal(parseVerificationId(bad), null, bad);
    }
  });

  it('refuses too few random bytes, and writes each byte of an id as two hex digits', () => {
    assert.throws(() => codeFromRandomBytes(new Uint8Array(3)), {
      name: 'RangeError',
      message: 'a code needs 4 random bytes',
    });
    assert.equal(codeFromRandomBytes(new Uint8Array([0, 0, 0x30, 0x39])), '00012345');
    assert.throws(() => verificationIdFromRandomBytes(new Uint8Array(15)), {
      name: 'RangeError',
      message: 'a verification id needs 16 random bytes',
    });
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i);
    assert.equal(verificationIdFromRandomBytes(bytes), '00010203-0405-4607-8809-0a0b0c0d0e0f');
  });

  it('binds a code to its address trimmed, without case', () => {
    assert.equal(normaliseVerifiedEmail('  Awa.Diop@Example.ORG\t'), 'awa.diop@example.org');
  });
});
