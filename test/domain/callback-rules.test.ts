import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALLBACK_LANGUAGES,
  CALLBACK_STATUSES,
  callbackAge,
  callbackPurgeCutoff,
  displayPhoneNumber,
  isCallbackLanguage,
  isCallbackStatus,
  isClosedCallbackStatus,
  normalisePhoneNumber,
  normaliseSituation,
  situationLength,
} from '../../src/domain/callback-rules.ts';

describe('call-back rules', () => {
  it('keeps French numbers in national form, others in international form, and refuses the rest', () => {
    const cases: [string, string | null][] = [
      ['06 12 34 56 78', '0612345678'],
      ['+33 6 12 34 56 78', '0612345678'],
      ['0033612345678', '0612345678'],
      ['06.12.34.56.78', '0612345678'],
      ['(06)-12/34\u00a056 78', '0612345678'],
      ['0594 39 45 10', '0594394510'],
      ['+221 77 123 45 67', '+221771234567'],
      ['00221771234567', '+221771234567'],
      ['+1 202 555 0143', '+12025550143'],
      ['+123456789012345', '+123456789012345'], // 15 digits: the longest E.164 number
      ['+1234567890123456', null], // 16
      ['+1234567', null], // 7 digits: too short
      ['+12345678', '+12345678'], // 8 digits: the shortest kept
      ['+0221771234567', null], // no country code starts with 0
      ['+33 0 12 34 56 78', null], // a French number never starts 0 after +33
      ['+33 6 12', null],
      ['+33 6 12 34 56 789', null],
      ['12345', null],
      ['06 12 34 56 7a', null],
      ['0012345678', '+12345678'], // 00 is the international prefix: 8 digits after it
      ['612345678', null],
      ['00 1234567', null], // 00 + 7 digits: too short
      ['x0612345678', null],
      ['0612345678x', null],
      ['', null],
      // Anchored at both ends: nothing before the + or 00, nothing after the digits.
      ['1+221771234567', null],
      ['+221771234567x', null],
      // +33 followed by a 10-digit French number ending in a valid one: not a French number.
      ['+3333612345678', null],
    ];
    for (const [raw, expected] of cases) assert.equal(normalisePhoneNumber(raw), expected, raw);
  });

  it('shows French numbers in pairs, others as stored', () => {
    assert.equal(displayPhoneNumber('0612345678'), '06 12 34 56 78');
    assert.equal(displayPhoneNumber('+221771234567'), '+221771234567');
    assert.equal(displayPhoneNumber('061234567'), '061234567');
    assert.equal(displayPhoneNumber('x0612345678'), 'x0612345678');
    assert.equal(displayPhoneNumber('0612345678x'), '0612345678x');
  });

  it('stores a situation trimmed, with \\n line ends and no control characters but line feeds', () => {
    assert.equal(normaliseSituation('  a\r\nb\rc\n\td\u0000e\u001f\u007ff\u000bg  '), 'a\nb\nc\ndefg');
    assert.equal(normaliseSituation('\r\n x \r\n'), 'x');
    // Not a control character: kept.
    assert.equal(normaliseSituation('é ü\u00a0z'), 'é ü\u00a0z');
    assert.equal(situationLength('a😀é'), 3);
  });

  it('knows its languages and statuses, and only resolved or unreachable call-backs are closed', () => {
    for (const language of CALLBACK_LANGUAGES) assert.equal(isCallbackLanguage(language), true);
    for (const value of ['de', 'FR', '', null, 1]) assert.equal(isCallbackLanguage(value), false);
    for (const status of CALLBACK_STATUSES) assert.equal(isCallbackStatus(status), true);
    for (const value of ['open', 'Called', '', null, 0]) assert.equal(isCallbackStatus(value), false);
    assert.deepEqual(
      CALLBACK_STATUSES.map((s) => isClosedCallbackStatus(s)),
      [false, false, true, true],
    );
  });

  it('purges closed call-backs 90 days after their last change', () => {
    assert.equal(
      callbackPurgeCutoff(new Date('2026-05-30T10:00:00Z')).toISOString(),
      new Date('2026-03-01T10:00:00Z').toISOString(),
    );
  });

  it('says how long a call-back waited in minutes, then hours (under two days), then days', () => {
    const created = new Date('2026-03-02T08:00:00Z'); // a Monday
    const at = (iso: string) => callbackAge(created, new Date(iso));
    assert.deepEqual(at('2026-03-02T07:59:00Z'), { value: 0, unit: 'minutes' }); // a clock behind: never negative
    assert.deepEqual(at('2026-03-02T08:42:59Z'), { value: 42, unit: 'minutes' });
    assert.deepEqual(at('2026-03-02T08:59:59Z'), { value: 59, unit: 'minutes' });
    assert.deepEqual(at('2026-03-02T09:00:00Z'), { value: 1, unit: 'hours' });
    assert.deepEqual(at('2026-03-03T14:00:00Z'), { value: 30, unit: 'hours' });
    assert.deepEqual(at('2026-03-04T07:59:00Z'), { value: 47, unit: 'hours' });
    assert.deepEqual(at('2026-03-04T08:00:00Z'), { value: 2, unit: 'days' });
    assert.deepEqual(at('2026-03-05T09:00:00Z'), { value: 3, unit: 'days' });
    assert.deepEqual(at('2026-03-06T07:00:00Z'), { value: 3, unit: 'days' });
  });
});
