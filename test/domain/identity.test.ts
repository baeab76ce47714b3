import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normaliseReference,
  REFERENCE_ALPHABET,
  referenceFromRandomBytes,
} from '../../src/domain/booking-reference.ts';
import {
  assertPlausibleBirthDate,
  assertReschedulable,
  assertSearchRange,
  requiredIdentityMaterial,
} from '../../src/domain/booking-rules.ts';
import {
  attributesMaterial,
  emailKey,
  identityMaterial,
  normaliseAgdref,
  normaliseName,
  normalisePassport,
} from '../../src/domain/identity.ts';
import { localDateOf, localTimeOf } from '../../src/domain/local-time.ts';

describe('identity normalisation', () => {
  it('normalises AGDREF numbers to 10 digits and refuses other shapes', () => {
    assert.equal(normaliseAgdref('751 234 567'), '0751234567');
    assert.equal(normaliseAgdref('7512345678'), '7512345678');
    assert.equal(normaliseAgdref('75-12.34-5678'), '7512345678');
    assert.equal(normaliseAgdref('12345678'), null);
    assert.equal(normaliseAgdref('75123456789'), null);
    assert.equal(normaliseAgdref('75123456a8'), null);
  });

  it('normalises passport numbers and names', () => {
    assert.equal(normalisePassport(' ab 12-345 '), 'AB12345');
    assert.equal(normalisePassport('A1'), null);
    assert.equal(normalisePassport('A'.repeat(20)), 'A'.repeat(20));
    for (const bad of ['A'.repeat(21), 'AB/12345', 'AB12345/', 'ÉB12345'])
      assert.equal(normalisePassport(bad), null, bad);
    assert.equal(normaliseName('Ndiaye-Diop'), normaliseName('NDIAYE DIOP'));
    assert.equal(normaliseName('Hélène  Öztürk'), 'HELENE OZTURK');
  });

  it('counts plus-addresses and Gmail dots as one inbox', () => {
    assert.equal(emailKey(' A.Dupont+rdv2@GMail.com '), 'adupont@gmail.com');
    assert.equal(emailKey('a.dupont@googlemail.com'), 'adupont@gmail.com');
    assert.equal(emailKey('a.dupont+x@example.org'), 'a.dupont@example.org');
    assert.notEqual(emailKey('a.dupont@example.org'), emailKey('adupont@example.org'));
  });

  it('builds identity material from the proof the procedure asks for', () => {
    const person = {
      surname: 'X',
      givenNames: 'Y',
      birthDate: '1990-01-02',
      nationality: 'sen',
      email: 'x@example.org',
      agdrefNumber: '751234567',
      passportNumber: 'ab123456',
    };
    assert.equal(identityMaterial(person, 'agdref'), 'agdref:0751234567');
    assert.equal(identityMaterial(person, 'passport'), 'passport:SEN:AB123456');
    // The document alone: other names, birth date or nationality do not make another person…
    assert.equal(
      identityMaterial(
        { ...person, birthDate: '1985-05-05', surname: 'Z', nationality: 'mli', documentCountry: 'SEN' },
        'passport',
      ),
      'passport:SEN:AB123456',
    );
    // …but the same number issued by another country is another document.
    assert.equal(identityMaterial({ ...person, documentCountry: 'mli' }, 'passport'), 'passport:MLI:AB123456');
    assert.equal(identityMaterial({ ...person, documentCountry: ' mli ' }, 'passport'), 'passport:MLI:AB123456');
  });

  it('binds a document to normalised attributes: spelling does not matter, another birth date or nationality does', () => {
    const person = { surname: 'Ndiaye-Diop', givenNames: 'Zoé', birthDate: '1990-01-02', nationality: 'sen' };
    assert.equal(attributesMaterial(person), 'attributes:NDIAYE DIOP|ZOE|1990-01-02|SEN');
    assert.equal(attributesMaterial({ ...person, nationality: ' sen ' }), 'attributes:NDIAYE DIOP|ZOE|1990-01-02|SEN');
    assert.equal(
      attributesMaterial({ ...person, surname: 'NDIAYE DIOP', givenNames: 'zoe' }),
      attributesMaterial(person),
    );
    assert.notEqual(attributesMaterial({ ...person, birthDate: '1990-01-03' }), attributesMaterial(person));
    assert.notEqual(attributesMaterial({ ...person, nationality: 'MLI' }), attributesMaterial(person));
    assert.throws(() => requiredIdentityMaterial({ ...person, agdrefNumber: undefined }, 'agdref'), {
      code: 'IDENTITY_PROOF_MISMATCH',
    });
    assert.throws(() => requiredIdentityMaterial({ ...person, passportNumber: '!!' }, 'passport'), {
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('booking references', () => {
  it('uses only unambiguous symbols, grouped 4-4-2', () => {
    assert.equal(REFERENCE_ALPHABET.length, 30);
    assert.doesNotMatch(REFERENCE_ALPHABET, /[01ILOU]/);
    const ref = referenceFromRandomBytes(Uint8Array.from({ length: 10 }, (_, i) => i * 3));
    assert.equal(ref, '258B-EHMQ-TX'); // bytes 0,3,…,27 → symbols 0,3,…,27
  });

  it('skips biased bytes and reports when bytes run out', () => {
    assert.equal(referenceFromRandomBytes(Uint8Array.from([240, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])), '2345-6789-AB');
    assert.equal(referenceFromRandomBytes(Uint8Array.from([250, 1, 2])), null);
  });

  it('reads back what a person types', () => {
    assert.equal(normaliseReference('k7m4 9xq2ht'), 'K7M4-9XQ2-HT');
    assert.equal(normaliseReference('K7M4-9XQ2-H0'), null);
    assert.equal(normaliseReference('K7M4'), null);
  });
});

describe('booking rules', () => {
  const now = new Date('2026-06-01T08:00:00Z');
  it('limits reschedules and refuses past or cancelled appointments', () => {
    const future = new Date('2026-06-02T08:00:00Z');
    assert.doesNotThrow(() => assertReschedulable({ status: 'booked', startsAt: future, rescheduleCount: 1 }, 2, now));
    assert.throws(() => assertReschedulable({ status: 'booked', startsAt: future, rescheduleCount: 2 }, 2, now), {
      code: 'RESCHEDULE_LIMIT_REACHED',
    });
    assert.throws(() => assertReschedulable({ status: 'cancelled', startsAt: future, rescheduleCount: 0 }, 2, now), {
      code: 'APPOINTMENT_NOT_ACTIVE',
    });
    assert.throws(() => assertReschedulable({ status: 'booked', startsAt: now, rescheduleCount: 0 }, 2, now), {
      code: 'APPOINTMENT_NOT_ACTIVE',
    });
  });

  it('accepts birth dates from 1900 to today only', () => {
    assert.doesNotThrow(() => assertPlausibleBirthDate('1900-01-01', now));
    assert.doesNotThrow(() => assertPlausibleBirthDate('2026-06-01', now));
    assert.throws(() => assertPlausibleBirthDate('2026-06-02', now), { code: 'VALIDATION_FAILED' });
    assert.throws(() => assertPlausibleBirthDate('1899-12-31', now), { code: 'VALIDATION_FAILED' });
  });

  it('accepts search ranges of 1 to 92 days', () => {
    assert.doesNotThrow(() => assertSearchRange('2026-06-01', '2026-06-01'));
    assert.doesNotThrow(() => assertSearchRange('2026-06-01', '2026-08-31'));
    assert.throws(() => assertSearchRange('2026-06-01', '2026-09-01'), { code: 'DATE_RANGE_INVALID' });
    assert.throws(() => assertSearchRange('2026-06-02', '2026-06-01'), { code: 'DATE_RANGE_INVALID' });
  });
});

describe('local time', () => {
  it('gives the local date and time of an instant in each zone', () => {
    assert.equal(localDateOf(new Date('2026-03-28T23:30:00Z'), 'Europe/Paris'), '2026-03-29');
    assert.equal(localDateOf(new Date('2026-03-28T23:30:00Z'), 'America/Cayenne'), '2026-03-28');
    assert.equal(localTimeOf(new Date('2026-03-29T07:00:00Z'), 'Europe/Paris'), '09:00');
    assert.equal(localTimeOf(new Date('2026-03-29T05:00:00Z'), 'Indian/Reunion'), '09:00');
    assert.throws(() => localDateOf(new Date(), 'Mars/Olympus'), RangeError);
    assert.throws(() => localTimeOf(new Date(), 'Mars/Olympus'), RangeError);
    // Across the change to and from summer time, midnight on a 24-hour clock.
    assert.equal(localTimeOf(new Date('2026-03-29T00:59:00Z'), 'Europe/Paris'), '01:59');
    assert.equal(localTimeOf(new Date('2026-03-29T01:00:00Z'), 'Europe/Paris'), '03:00');
    assert.equal(localTimeOf(new Date('2026-10-25T00:30:00Z'), 'Europe/Paris'), '02:30');
    assert.equal(localTimeOf(new Date('2026-10-25T01:30:00Z'), 'Europe/Paris'), '02:30');
    assert.equal(localTimeOf(new Date('2026-06-01T22:05:00Z'), 'Europe/Paris'), '00:05');
    assert.equal(localTimeOf(new Date('2026-06-01T03:00:00Z'), 'America/Cayenne'), '00:00');
  });
});
