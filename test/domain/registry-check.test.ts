import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RENEWAL_WINDOW,
  evaluateRegistryCheck,
  explainPermitRefusal,
  type RegistryCheckInput,
  type RegistryFacts,
  renewalWindowDates,
  surnameMatches,
} from '../../src/domain/registry-check.ts';

const RENEWAL = { renewalWindow: DEFAULT_RENEWAL_WINDOW, alternativeProcedureId: 'premiere-demande' };
const DUPLICATE = { renewalWindow: null, alternativeProcedureId: null };
const RECORD: RegistryFacts = { surname: 'Keïta', birthDate: '1984-03-09', permitExpiresOn: '2026-10-15' };

const check = (overrides: Partial<RegistryCheckInput> = {}) =>
  evaluateRegistryCheck({
    record: RECORD,
    surname: 'KEITA',
    birthDate: '1984-03-09',
    procedure: RENEWAL,
    today: '2026-07-01',
    ...overrides,
  });

describe('calendar months', () => {
  it('gives the renewal window of a permit, both ends as dates', () => {
    assert.deepEqual(renewalWindowDates('2026-10-15', DEFAULT_RENEWAL_WINDOW), {
      opensOn: '2026-06-15',
      closesOn: '2026-08-15',
    });
    assert.deepEqual(renewalWindowDates('2026-06-30', DEFAULT_RENEWAL_WINDOW), {
      opensOn: '2026-02-28',
      closesOn: '2026-04-30',
    });
  });
});

describe('surname matching', () => {
  it('ignores case, accents, punctuation and spacing', () => {
    assert.equal(surnameMatches('Keïta', 'KEITA'), true);
    assert.equal(surnameMatches('Yıldız', 'yildiz'), true);
    assert.equal(surnameMatches('Pierre-Louis', 'pierre louis'), true);
    assert.equal(surnameMatches('Pierre-Louis', 'Pierrelouis'), true);
    assert.equal(surnameMatches('N’Guessan', "n'guessan"), true);
    assert.equal(surnameMatches('El Idrissi', 'ELIDRISSI'), true);
    assert.equal(surnameMatches('Öztürk', '  Ozturk '), true);
  });

  it('accepts whole words of a compound surname, not a bare particle', () => {
    assert.equal(surnameMatches('Diallo Ndiaye', 'Diallo'), true);
    assert.equal(surnameMatches('DIALLO NDIAYE', 'ndiaye'), true);
    assert.equal(surnameMatches('Diallo Ndiaye', 'Diallo-Ndiaye'), true);
    assert.equal(surnameMatches('da Silva Santos', 'Silva Santos'), true);
    assert.equal(surnameMatches('da Silva Santos', 'Da Silva'), true);
    assert.equal(surnameMatches('Ben Salah', 'Salah'), true);
    assert.equal(surnameMatches('Ben Salah', 'Ben'), false);
    assert.equal(surnameMatches('da Silva Santos', 'da'), false);
    assert.equal(surnameMatches('El Idrissi', 'El'), false);
  });

  it('refuses other names, parts of words, extra words and blanks', () => {
    assert.equal(surnameMatches('Diallo Ndiaye', 'Dial'), false);
    assert.equal(surnameMatches('Diallo Ndiaye', 'Ndiaye Diallo'), false);
    assert.equal(surnameMatches('Diallo', 'Diallo Ndiaye'), false);
    assert.equal(surnameMatches('Sarr', 'Sar'), false);
    assert.equal(surnameMatches('Sarr', ''), false);
    assert.equal(surnameMatches('Sarr', ' - '), false);
    assert.equal(surnameMatches('Diallo Ndiaye', 'Silva Santos'), false);
    // Every given word has to be there, in a row: one shared word among two is not the name.
    assert.equal(surnameMatches('da Silva Santos', 'Silva Pereira'), false);
    assert.equal(surnameMatches('da Silva Santos', 'Costa Santos'), false);
    // Nothing matches nothing: a record without a surname names nobody.
    assert.equal(surnameMatches('', ''), false);
    assert.equal(surnameMatches(' - ', ''), false);
    assert.equal(surnameMatches('', 'Sarr'), false);
  });

  it('refuses each particle given alone, and accepts it with the rest of the name', () => {
    const particles =
      'AL EL BEN BENT BIN BINT ABU ABOU OULD AIT DE DA DI DO DU DOS DAS DEL DELLA LA LE LES VAN VON DER DEN TER Y E';
    for (const particle of particles.split(' ')) {
      assert.equal(surnameMatches(`${particle} Moreau`, particle.toLowerCase()), false, particle);
      assert.equal(surnameMatches(`${particle} Moreau`, `${particle} Moreau`), true, particle);
      assert.equal(surnameMatches(`${particle} Moreau`, 'Moreau'), true, particle);
    }
    // Two particles together are still no name; a word that only looks like one is.
    assert.equal(surnameMatches('Van der Berg', 'van der'), false);
    assert.equal(surnameMatches('Van der Berg', 'der Berg'), true);
    assert.equal(surnameMatches('Dossou Adjovi', 'Dossou'), true);
  });
});

describe('registry check', () => {
  it('passes a matching identity inside the renewal window, both ends included', () => {
    assert.deepEqual(check(), { ok: true });
    assert.deepEqual(check({ today: '2026-06-15' }), { ok: true });
    assert.deepEqual(check({ today: '2026-08-15' }), { ok: true });
    assert.deepEqual(check({ birthDate: ' 1984-03-09 ' }), { ok: true });
  });

  it('gives one refusal for an unknown number, a wrong surname and a wrong birth date', () => {
    const refusal = { ok: false, code: 'IDENTITY_NOT_VERIFIED' };
    assert.deepEqual(check({ record: null }), refusal);
    assert.deepEqual(check({ surname: 'Traoré' }), refusal);
    assert.deepEqual(check({ birthDate: '1984-09-03' }), refusal);
    // Even input that equals the placeholder compared against when there is no record.
    assert.deepEqual(check({ record: null, surname: 'NO RECORD', birthDate: '0000-01-01' }), refusal);
    // The permit's dates are not revealed to someone who does not match: an expired permit
    // with a wrong birth date is an identity refusal, not PERMIT_EXPIRED.
    assert.deepEqual(check({ birthDate: '1984-09-03', today: '2027-01-01' }), refusal);
    assert.deepEqual(check({ surname: 'Traoré', today: '2026-01-01' }), refusal);
  });

  it('sends an expired permit to the alternative procedure', () => {
    assert.deepEqual(check({ today: '2026-10-16' }), {
      ok: false,
      code: 'PERMIT_EXPIRED',
      alternativeProcedureId: 'premiere-demande',
    });
    assert.deepEqual(check({ today: '2030-01-01', procedure: { ...RENEWAL, alternativeProcedureId: null } }), {
      ok: false,
      code: 'PERMIT_EXPIRED',
      alternativeProcedureId: null,
    });
  });

  it('refuses a date before or after the renewal window, with its dates', () => {
    const outside = { ok: false, code: 'OUTSIDE_RENEWAL_WINDOW', opensOn: '2026-06-15', closesOn: '2026-08-15' };
    assert.deepEqual(check({ today: '2026-06-14' }), outside);
    assert.deepEqual(check({ today: '2025-01-01' }), outside);
    assert.deepEqual(check({ today: '2026-08-16' }), outside);
    // Last day of validity: not expired yet, but the window closed two months ago.
    assert.deepEqual(check({ today: '2026-10-15' }), outside);
    // Month ends clamp: a permit expiring on 31 May 2026 with a 3→1 window opens on 28 February.
    assert.deepEqual(
      check({
        record: { ...RECORD, permitExpiresOn: '2026-05-31' },
        procedure: { renewalWindow: { startMonths: 3, endMonths: 1 }, alternativeProcedureId: null },
        today: '2026-02-27',
      }),
      { ok: false, code: 'OUTSIDE_RENEWAL_WINDOW', opensOn: '2026-02-28', closesOn: '2026-04-30' },
    );
  });

  it('checks identity only for procedures without a renewal window', () => {
    assert.deepEqual(check({ procedure: DUPLICATE, today: '2020-01-01' }), { ok: true });
    assert.deepEqual(check({ procedure: DUPLICATE, today: '2030-01-01' }), { ok: true });
    assert.deepEqual(check({ procedure: DUPLICATE, record: null }), { ok: false, code: 'IDENTITY_NOT_VERIFIED' });
  });

  it('explains permit refusals with the dates and the procedure to book instead', () => {
    const early = explainPermitRefusal(
      { ok: false, code: 'OUTSIDE_RENEWAL_WINDOW', opensOn: '2026-06-15', closesOn: '2026-08-15' },
      DEFAULT_RENEWAL_WINDOW,
      '2026-05-01',
    );
    assert.match(early, /opens 4 months before expiry/);
    assert.match(early, /from 2026-06-15 to 2026-08-15/);
    const late = explainPermitRefusal(
      { ok: false, code: 'OUTSIDE_RENEWAL_WINDOW', opensOn: '2026-06-15', closesOn: '2026-08-15' },
      DEFAULT_RENEWAL_WINDOW,
      '2026-09-01',
    );
    assert.match(late, /closed on 2026-08-15/);
    const expired = explainPermitRefusal(
      { ok: false, code: 'PERMIT_EXPIRED', alternativeProcedureId: 'premiere-demande' },
      DEFAULT_RENEWAL_WINDOW,
      '2026-11-01',
    );
    assert.match(expired, /"premiere-demande"/);
  });

  it('gives the whole sentence of each permit refusal', () => {
    const outside = {
      ok: false,
      code: 'OUTSIDE_RENEWAL_WINDOW',
      opensOn: '2026-06-15',
      closesOn: '2026-08-15',
    } as const;
    assert.equal(
      explainPermitRefusal(outside, DEFAULT_RENEWAL_WINDOW, '2026-06-14'),
      'Renewal opens 4 months before expiry: you can book this procedure from 2026-06-15 to 2026-08-15 (4 to 2 months before your permit expires).',
    );
    assert.equal(
      explainPermitRefusal(outside, DEFAULT_RENEWAL_WINDOW, '2026-08-16'),
      'The renewal window of your permit closed on 2026-08-15 (it was open from 2026-06-15, 4 to 2 months before your permit expires). Contact the prefecture.',
    );
    assert.equal(
      explainPermitRefusal(
        { ok: false, code: 'PERMIT_EXPIRED', alternativeProcedureId: null },
        DEFAULT_RENEWAL_WINDOW,
        '2026-11-01',
      ),
      'Your permit has expired: it can no longer be renewed with this procedure. Contact the prefecture to know which procedure applies.',
    );
  });
});
