import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError, ERROR_CATALOGUE, isDomainError, TRANSIENT_ERRORS } from '../../src/domain/errors.ts';

describe('domain errors', () => {
  it('names the passing troubles an idempotent retry must try again, and only those', () => {
    // A refusal about the moment (the registry down, a limit reached) is never replayed to a
    // retry with the same key; every other refusal is (idempotency.ts, idempotent-requests.ts).
    assert.deepEqual([...TRANSIENT_ERRORS].sort(), [
      'EMAIL_CODE_SEND_LIMITED',
      'INTERNAL_ERROR',
      'RATE_LIMITED',
      'REGISTRY_ATTEMPTS_LIMITED',
      'REGISTRY_UNAVAILABLE',
      'SERVICE_UNAVAILABLE',
    ]);
    for (const code of TRANSIENT_ERRORS) assert.ok(code in ERROR_CATALOGUE, code);
    assert.equal(TRANSIENT_ERRORS.has('SLOT_TAKEN'), false);
    assert.equal(TRANSIENT_ERRORS.has('VALIDATION_FAILED'), false);
  });

  it("carries its code, the catalogue's text unless told another, and its details", () => {
    const plain = new DomainError('SLOT_TAKEN');
    assert.equal(plain.name, 'DomainError');
    assert.equal(plain.code, 'SLOT_TAKEN');
    assert.equal(plain.message, ERROR_CATALOGUE.SLOT_TAKEN);
    assert.equal(plain.details, undefined);
    assert.match(String(plain), /^DomainError: /);
    const told = new DomainError('VALIDATION_FAILED', 'surname: required', { field: 'surname' });
    assert.equal(told.message, 'surname: required');
    assert.deepEqual(told.details, { field: 'surname' });
    assert.equal(isDomainError(told), true);
    assert.equal(isDomainError(new Error('SLOT_TAKEN')), false);
    assert.equal(isDomainError({ code: 'SLOT_TAKEN', name: 'DomainError' }), false);
  });
});
