import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDepartementCode, isSlug, isUuid } from '../../src/domain/identifiers.ts';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../../src/domain/language.ts';

describe('identifiers', () => {
  it('a slug: lower-case letters, digits and dashes, not starting with a dash, 2 to 64 characters', () => {
    for (const slug of ['bobigny', 'premiere-demande', 'a1', '9-', `a${'b'.repeat(63)}`])
      assert.equal(isSlug(slug), true, slug);
    for (const value of [
      'a',
      '-ab',
      'Bobigny',
      'bo bigny',
      'bo_bigny',
      'é-a',
      `a${'b'.repeat(64)}`,
      'ab\n',
      '',
      null,
      12,
    ])
      assert.equal(isSlug(value), false, String(value));
  });

  it('a UUID: 8-4-4-4-12 hexadecimal digits, either case', () => {
    assert.equal(isUuid('6f1c2a4e-0b1d-4c2e-8f3a-9b8c7d6e5f40'), true);
    assert.equal(isUuid('6F1C2A4E-0B1D-4C2E-8F3A-9B8C7D6E5F40'), true);
    for (const value of [
      '6f1c2a4e-0b1d-4c2e-8f3a-9b8c7d6e5f4',
      '6f1c2a4e-0b1d-4c2e-8f3a-9b8c7d6e5f401',
      '6f1c2a4e0b1d4c2e8f3a9b8c7d6e5f40',
      'x6f1c2a4e-0b1d-4c2e-8f3a-9b8c7d6e5f40',
      '6f1c2a4g-0b1d-4c2e-8f3a-9b8c7d6e5f40',
      'not-a-uuid',
      null,
      // Not a string, though it prints as a UUID.
      { toString: () => '6f1c2a4e-0b1d-4c2e-8f3a-9b8c7d6e5f40' },
    ])
      assert.equal(isUuid(value), false, String(value));
  });

  it('a département: 01–95 but 20, 2A and 2B, 971–974 and 976', () => {
    const valid = ['01', '09', '10', '19', '21', '29', '2A', '2B', '30', '89', '90', '95', '971', '974', '976'];
    for (const code of valid) assert.equal(isDepartementCode(code), true, code);
    const invalid = [
      '00',
      '1',
      '20',
      '2C',
      '2a',
      '96',
      '99',
      '970',
      '975',
      '977',
      '9711',
      '093',
      'x01',
      '01x',
      '',
      null,
      93, // a number, though it prints as a département
      971,
    ];
    for (const value of invalid) assert.equal(isDepartementCode(value), false, String(value));
  });

  it('speaks French and English, French by default', () => {
    assert.deepEqual([LANGUAGES, DEFAULT_LANGUAGE], [['fr', 'en'], 'fr']);
  });
});
