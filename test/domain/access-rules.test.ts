// The way back in by reference and birth date (domain/access-rules.ts): how often a reference may
// ask for a code, the limiter's key, and when a birth date matches.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ACCESS_CODES_PER_REFERENCE_PER_HOUR, accessLimiterKey, accessMatches } from '../../src/domain/access-rules.ts';

it('lets a reference ask for 3 codes an hour, counted under its own key', () => {
  assert.equal(ACCESS_CODES_PER_REFERENCE_PER_HOUR, 3);
  assert.equal(accessLimiterKey('K7M4-9XQ2-HT'), 'access-code:reference:K7M4-9XQ2-HT');
});

it('matches the birth date on file, and never a holder without an email address', () => {
  const holder = { email: 'awa.kane@example.org', birthDate: '1990-04-12' };
  assert.equal(accessMatches(holder, '1990-04-12'), true);
  assert.equal(accessMatches(holder, '1990-12-04'), false);
  assert.equal(accessMatches(holder, ''), false);
  assert.equal(accessMatches({ ...holder, email: null }, '1990-04-12'), false);
  assert.equal(accessMatches({ ...holder, email: null }, '1990-12-04'), false);
});
