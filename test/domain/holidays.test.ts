import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PublicHoliday } from '../../src/domain/holidays.ts';
import { easterSunday, isPublicHoliday, publicHolidays } from '../../src/domain/holidays.ts';

// Expected lists are written out by hand, in date order, from the published
// calendars (service-public.fr "jours fériés" 2025/2026/2027) — not computed.

const JAN1 = "Jour de l'an";
const EASTER_MON = 'Lundi de Pâques';
const MAY1 = 'Fête du Travail';
const MAY8 = 'Victoire 1945';
const ASCENSION = 'Ascension';
const WHIT_MON = 'Lundi de Pentecôte';
const JUL14 = 'Fête nationale';
const AUG15 = 'Assomption';
const NOV1 = 'Toussaint';
const NOV11 = 'Armistice 1918';
const DEC25 = 'Noël';
const GOOD_FRI = 'Vendredi saint';
const DEC26 = 'Saint-Étienne';
const ABOLITION = "Abolition de l'esclavage";

type Row = readonly [string, string];
const toList = (rows: readonly Row[]): PublicHoliday[] => rows.map(([date, name]) => ({ date, name }));

describe('easterSunday', () => {
  const known: ReadonlyArray<readonly [number, string]> = [
    [1900, '1900-04-15'],
    [1954, '1954-04-18'],
    [1961, '1961-04-02'],
    [1981, '1981-04-19'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2016, '2016-03-27'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2038, '2038-04-25'],
    [2049, '2049-04-18'],
    [2100, '2100-03-28'],
  ];
  for (const [year, expected] of known) {
    it(`Easter ${year} is ${expected}`, () => {
      assert.equal(easterSunday(year), expected);
    });
  }

  it('always falls on a Sunday between 22 March and 25 April (1900–2200)', () => {
    for (let y = 1900; y <= 2200; y++) {
      const e = easterSunday(y);
      assert.match(e, new RegExp(`^${y}-(03-(2[2-9]|3[01])|04-(0[1-9]|1\\d|2[0-5]))$`), `year ${y}: ${e}`);
      assert.equal(new Date(`${e}T00:00:00Z`).getUTCDay(), 0, `year ${y}: ${e} is not a Sunday`);
    }
  });

  it('rejects out-of-range or non-integer years', () => {
    assert.throws(() => easterSunday(1899), RangeError);
    assert.throws(() => easterSunday(2201), RangeError);
    assert.throws(() => easterSunday(2025.5), RangeError);
    assert.throws(() => easterSunday(Number.NaN), RangeError);
  });
});

describe('publicHolidays — Paris (75), national list', () => {
  it('2025', () => {
    assert.deepStrictEqual(
      publicHolidays(2025, '75'),
      toList([
        ['2025-01-01', JAN1],
        ['2025-04-21', EASTER_MON],
        ['2025-05-01', MAY1],
        ['2025-05-08', MAY8],
        ['2025-05-29', ASCENSION],
        ['2025-06-09', WHIT_MON],
        ['2025-07-14', JUL14],
        ['2025-08-15', AUG15],
        ['2025-11-01', NOV1],
        ['2025-11-11', NOV11],
        ['2025-12-25', DEC25],
      ]),
    );
  });
  it('2026', () => {
    assert.deepStrictEqual(
      publicHolidays(2026, '75'),
      toList([
        ['2026-01-01', JAN1],
        ['2026-04-06', EASTER_MON],
        ['2026-05-01', MAY1],
        ['2026-05-08', MAY8],
        ['2026-05-14', ASCENSION],
        ['2026-05-25', WHIT_MON],
        ['2026-07-14', JUL14],
        ['2026-08-15', AUG15],
        ['2026-11-01', NOV1],
        ['2026-11-11', NOV11],
        ['2026-12-25', DEC25],
      ]),
    );
  });
  it('2027 (Ascension before 8 May)', () => {
    assert.deepStrictEqual(
      publicHolidays(2027, '75'),
      toList([
        ['2027-01-01', JAN1],
        ['2027-03-29', EASTER_MON],
        ['2027-05-01', MAY1],
        ['2027-05-06', ASCENSION],
        ['2027-05-08', MAY8],
        ['2027-05-17', WHIT_MON],
        ['2027-07-14', JUL14],
        ['2027-08-15', AUG15],
        ['2027-11-01', NOV1],
        ['2027-11-11', NOV11],
        ['2027-12-25', DEC25],
      ]),
    );
  });
  it('other metropolitan départements (93, 2A, 2B, 01, 10, 19, 95) get the same national list', () => {
    const paris = publicHolidays(2026, '75');
    for (const dep of ['93', '2A', '2B', '01', '10', '19', '95']) {
      assert.deepStrictEqual(publicHolidays(2026, dep), paris, dep);
    }
  });
});

describe('publicHolidays — Alsace-Moselle (57, 67, 68)', () => {
  const expected2025 = toList([
    ['2025-01-01', JAN1],
    ['2025-04-18', GOOD_FRI],
    ['2025-04-21', EASTER_MON],
    ['2025-05-01', MAY1],
    ['2025-05-08', MAY8],
    ['2025-05-29', ASCENSION],
    ['2025-06-09', WHIT_MON],
    ['2025-07-14', JUL14],
    ['2025-08-15', AUG15],
    ['2025-11-01', NOV1],
    ['2025-11-11', NOV11],
    ['2025-12-25', DEC25],
    ['2025-12-26', DEC26],
  ]);
  const expected2026 = toList([
    ['2026-01-01', JAN1],
    ['2026-04-03', GOOD_FRI],
    ['2026-04-06', EASTER_MON],
    ['2026-05-01', MAY1],
    ['2026-05-08', MAY8],
    ['2026-05-14', ASCENSION],
    ['2026-05-25', WHIT_MON],
    ['2026-07-14', JUL14],
    ['2026-08-15', AUG15],
    ['2026-11-01', NOV1],
    ['2026-11-11', NOV11],
    ['2026-12-25', DEC25],
    ['2026-12-26', DEC26],
  ]);
  const expected2027 = toList([
    ['2027-01-01', JAN1],
    ['2027-03-26', GOOD_FRI],
    ['2027-03-29', EASTER_MON],
    ['2027-05-01', MAY1],
    ['2027-05-06', ASCENSION],
    ['2027-05-08', MAY8],
    ['2027-05-17', WHIT_MON],
    ['2027-07-14', JUL14],
    ['2027-08-15', AUG15],
    ['2027-11-01', NOV1],
    ['2027-11-11', NOV11],
    ['2027-12-25', DEC25],
    ['2027-12-26', DEC26],
  ]);
  for (const dep of ['57', '67', '68']) {
    it(`${dep} 2025`, () => assert.deepStrictEqual(publicHolidays(2025, dep), expected2025));
    it(`${dep} 2026`, () => assert.deepStrictEqual(publicHolidays(2026, dep), expected2026));
    it(`${dep} 2027`, () => assert.deepStrictEqual(publicHolidays(2027, dep), expected2027));
  }
});

describe('publicHolidays — overseas départements (abolition of slavery)', () => {
  it('Guadeloupe (971): 27 May', () => {
    assert.deepStrictEqual(
      publicHolidays(2025, '971'),
      toList([
        ['2025-01-01', JAN1],
        ['2025-04-21', EASTER_MON],
        ['2025-05-01', MAY1],
        ['2025-05-08', MAY8],
        ['2025-05-27', ABOLITION],
        ['2025-05-29', ASCENSION],
        ['2025-06-09', WHIT_MON],
        ['2025-07-14', JUL14],
        ['2025-08-15', AUG15],
        ['2025-11-01', NOV1],
        ['2025-11-11', NOV11],
        ['2025-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2026, '971'),
      toList([
        ['2026-01-01', JAN1],
        ['2026-04-06', EASTER_MON],
        ['2026-05-01', MAY1],
        ['2026-05-08', MAY8],
        ['2026-05-14', ASCENSION],
        ['2026-05-25', WHIT_MON],
        ['2026-05-27', ABOLITION],
        ['2026-07-14', JUL14],
        ['2026-08-15', AUG15],
        ['2026-11-01', NOV1],
        ['2026-11-11', NOV11],
        ['2026-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2027, '971'),
      toList([
        ['2027-01-01', JAN1],
        ['2027-03-29', EASTER_MON],
        ['2027-05-01', MAY1],
        ['2027-05-06', ASCENSION],
        ['2027-05-08', MAY8],
        ['2027-05-17', WHIT_MON],
        ['2027-05-27', ABOLITION],
        ['2027-07-14', JUL14],
        ['2027-08-15', AUG15],
        ['2027-11-01', NOV1],
        ['2027-11-11', NOV11],
        ['2027-12-25', DEC25],
      ]),
    );
  });

  it('Martinique (972): 22 May', () => {
    assert.deepStrictEqual(
      publicHolidays(2025, '972'),
      toList([
        ['2025-01-01', JAN1],
        ['2025-04-21', EASTER_MON],
        ['2025-05-01', MAY1],
        ['2025-05-08', MAY8],
        ['2025-05-22', ABOLITION],
        ['2025-05-29', ASCENSION],
        ['2025-06-09', WHIT_MON],
        ['2025-07-14', JUL14],
        ['2025-08-15', AUG15],
        ['2025-11-01', NOV1],
        ['2025-11-11', NOV11],
        ['2025-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2026, '972'),
      toList([
        ['2026-01-01', JAN1],
        ['2026-04-06', EASTER_MON],
        ['2026-05-01', MAY1],
        ['2026-05-08', MAY8],
        ['2026-05-14', ASCENSION],
        ['2026-05-22', ABOLITION],
        ['2026-05-25', WHIT_MON],
        ['2026-07-14', JUL14],
        ['2026-08-15', AUG15],
        ['2026-11-01', NOV1],
        ['2026-11-11', NOV11],
        ['2026-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2027, '972'),
      toList([
        ['2027-01-01', JAN1],
        ['2027-03-29', EASTER_MON],
        ['2027-05-01', MAY1],
        ['2027-05-06', ASCENSION],
        ['2027-05-08', MAY8],
        ['2027-05-17', WHIT_MON],
        ['2027-05-22', ABOLITION],
        ['2027-07-14', JUL14],
        ['2027-08-15', AUG15],
        ['2027-11-01', NOV1],
        ['2027-11-11', NOV11],
        ['2027-12-25', DEC25],
      ]),
    );
  });

  it('Guyane (973): 10 June', () => {
    assert.deepStrictEqual(
      publicHolidays(2025, '973'),
      toList([
        ['2025-01-01', JAN1],
        ['2025-04-21', EASTER_MON],
        ['2025-05-01', MAY1],
        ['2025-05-08', MAY8],
        ['2025-05-29', ASCENSION],
        ['2025-06-09', WHIT_MON],
        ['2025-06-10', ABOLITION],
        ['2025-07-14', JUL14],
        ['2025-08-15', AUG15],
        ['2025-11-01', NOV1],
        ['2025-11-11', NOV11],
        ['2025-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2026, '973'),
      toList([
        ['2026-01-01', JAN1],
        ['2026-04-06', EASTER_MON],
        ['2026-05-01', MAY1],
        ['2026-05-08', MAY8],
        ['2026-05-14', ASCENSION],
        ['2026-05-25', WHIT_MON],
        ['2026-06-10', ABOLITION],
        ['2026-07-14', JUL14],
        ['2026-08-15', AUG15],
        ['2026-11-01', NOV1],
        ['2026-11-11', NOV11],
        ['2026-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2027, '973'),
      toList([
        ['2027-01-01', JAN1],
        ['2027-03-29', EASTER_MON],
        ['2027-05-01', MAY1],
        ['2027-05-06', ASCENSION],
        ['2027-05-08', MAY8],
        ['2027-05-17', WHIT_MON],
        ['2027-06-10', ABOLITION],
        ['2027-07-14', JUL14],
        ['2027-08-15', AUG15],
        ['2027-11-01', NOV1],
        ['2027-11-11', NOV11],
        ['2027-12-25', DEC25],
      ]),
    );
  });

  it('La Réunion (974): 20 December', () => {
    assert.deepStrictEqual(
      publicHolidays(2025, '974'),
      toList([
        ['2025-01-01', JAN1],
        ['2025-04-21', EASTER_MON],
        ['2025-05-01', MAY1],
        ['2025-05-08', MAY8],
        ['2025-05-29', ASCENSION],
        ['2025-06-09', WHIT_MON],
        ['2025-07-14', JUL14],
        ['2025-08-15', AUG15],
        ['2025-11-01', NOV1],
        ['2025-11-11', NOV11],
        ['2025-12-20', ABOLITION],
        ['2025-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2026, '974'),
      toList([
        ['2026-01-01', JAN1],
        ['2026-04-06', EASTER_MON],
        ['2026-05-01', MAY1],
        ['2026-05-08', MAY8],
        ['2026-05-14', ASCENSION],
        ['2026-05-25', WHIT_MON],
        ['2026-07-14', JUL14],
        ['2026-08-15', AUG15],
        ['2026-11-01', NOV1],
        ['2026-11-11', NOV11],
        ['2026-12-20', ABOLITION],
        ['2026-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2027, '974'),
      toList([
        ['2027-01-01', JAN1],
        ['2027-03-29', EASTER_MON],
        ['2027-05-01', MAY1],
        ['2027-05-06', ASCENSION],
        ['2027-05-08', MAY8],
        ['2027-05-17', WHIT_MON],
        ['2027-07-14', JUL14],
        ['2027-08-15', AUG15],
        ['2027-11-01', NOV1],
        ['2027-11-11', NOV11],
        ['2027-12-20', ABOLITION],
        ['2027-12-25', DEC25],
      ]),
    );
  });

  it('Mayotte (976): 27 April', () => {
    assert.deepStrictEqual(
      publicHolidays(2025, '976'),
      toList([
        ['2025-01-01', JAN1],
        ['2025-04-21', EASTER_MON],
        ['2025-04-27', ABOLITION],
        ['2025-05-01', MAY1],
        ['2025-05-08', MAY8],
        ['2025-05-29', ASCENSION],
        ['2025-06-09', WHIT_MON],
        ['2025-07-14', JUL14],
        ['2025-08-15', AUG15],
        ['2025-11-01', NOV1],
        ['2025-11-11', NOV11],
        ['2025-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2026, '976'),
      toList([
        ['2026-01-01', JAN1],
        ['2026-04-06', EASTER_MON],
        ['2026-04-27', ABOLITION],
        ['2026-05-01', MAY1],
        ['2026-05-08', MAY8],
        ['2026-05-14', ASCENSION],
        ['2026-05-25', WHIT_MON],
        ['2026-07-14', JUL14],
        ['2026-08-15', AUG15],
        ['2026-11-01', NOV1],
        ['2026-11-11', NOV11],
        ['2026-12-25', DEC25],
      ]),
    );
    assert.deepStrictEqual(
      publicHolidays(2027, '976'),
      toList([
        ['2027-01-01', JAN1],
        ['2027-03-29', EASTER_MON],
        ['2027-04-27', ABOLITION],
        ['2027-05-01', MAY1],
        ['2027-05-06', ASCENSION],
        ['2027-05-08', MAY8],
        ['2027-05-17', WHIT_MON],
        ['2027-07-14', JUL14],
        ['2027-08-15', AUG15],
        ['2027-11-01', NOV1],
        ['2027-11-11', NOV11],
        ['2027-12-25', DEC25],
      ]),
    );
  });
});

describe('publicHolidays — input handling', () => {
  it('trims the code and accepts lower-case Corsican codes', () => {
    assert.deepStrictEqual(publicHolidays(2025, ' 2a '), publicHolidays(2025, '2A'));
    assert.deepStrictEqual(publicHolidays(2025, '2b'), publicHolidays(2025, '75'));
    assert.deepStrictEqual(publicHolidays(2025, ' 57\n'), publicHolidays(2025, '57'));
  });

  it('returns a fresh array each call (mutating it does not leak)', () => {
    const first = publicHolidays(2026, '75');
    first.pop();
    first[0]!.name = 'mutated';
    assert.equal(publicHolidays(2026, '75').length, 11);
    assert.equal(publicHolidays(2026, '75')[0]!.name, JAN1);
  });

  it('throws RangeError for malformed département codes', () => {
    for (const bad of ['', '  ', '7', '075', '20', '00', '96', '2C', 'AB', '975', '977', '978', '7 5', '75a', '9710']) {
      assert.throws(() => publicHolidays(2025, bad), RangeError, JSON.stringify(bad));
    }
  });

  it('throws RangeError for years outside 1900–2200', () => {
    assert.throws(() => publicHolidays(1899, '75'), RangeError);
    assert.throws(() => publicHolidays(2201, '75'), RangeError);
    assert.throws(() => publicHolidays(2025.5, '75'), RangeError);
    assert.equal(publicHolidays(1900, '75').length, 11);
    assert.equal(publicHolidays(2200, '75').length, 11);
  });
});

describe('isPublicHoliday', () => {
  it('national days', () => {
    assert.equal(isPublicHoliday('2025-01-01', '75'), true);
    assert.equal(isPublicHoliday('2025-04-21', '75'), true);
    assert.equal(isPublicHoliday('2026-05-14', '93'), true);
    assert.equal(isPublicHoliday('2027-05-17', '2A'), true);
    assert.equal(isPublicHoliday('2026-12-25', '974'), true);
  });

  it('ordinary days and Easter Sunday-adjacent non-holidays', () => {
    assert.equal(isPublicHoliday('2025-01-02', '75'), false);
    assert.equal(isPublicHoliday('2025-04-22', '75'), false);
    assert.equal(isPublicHoliday('2026-05-15', '75'), false); // "pont" is not a holiday
    assert.equal(isPublicHoliday('2025-04-20', '75'), false); // Easter Sunday itself is not listed
  });

  it('Good Friday and 26 December only in Alsace-Moselle', () => {
    assert.equal(isPublicHoliday('2025-04-18', '57'), true);
    assert.equal(isPublicHoliday('2026-04-03', '67'), true);
    assert.equal(isPublicHoliday('2027-03-26', '68'), true);
    assert.equal(isPublicHoliday('2025-12-26', '68'), true);
    assert.equal(isPublicHoliday('2025-04-18', '75'), false);
    assert.equal(isPublicHoliday('2025-12-26', '75'), false);
    assert.equal(isPublicHoliday('2025-12-26', '54'), false); // Meurthe-et-Moselle is not Moselle
  });

  it('abolition day only in its own overseas département', () => {
    assert.equal(isPublicHoliday('2025-05-27', '971'), true);
    assert.equal(isPublicHoliday('2025-05-27', '972'), false);
    assert.equal(isPublicHoliday('2025-05-22', '972'), true);
    assert.equal(isPublicHoliday('2025-05-22', '971'), false);
    assert.equal(isPublicHoliday('2026-06-10', '973'), true);
    assert.equal(isPublicHoliday('2026-06-10', '75'), false);
    assert.equal(isPublicHoliday('2027-12-20', '974'), true);
    assert.equal(isPublicHoliday('2027-12-20', '976'), false);
    assert.equal(isPublicHoliday('2027-04-27', '976'), true);
    assert.equal(isPublicHoliday('2027-04-27', '974'), false);
  });

  it('is consistent across repeated (cached) calls and normalised codes', () => {
    assert.equal(isPublicHoliday('2025-12-26', '57'), true);
    assert.equal(isPublicHoliday('2025-12-26', ' 57 '), true);
    assert.equal(isPublicHoliday('2025-12-26', '75'), false);
    assert.equal(isPublicHoliday('2025-08-15', '2b'), true);
  });

  it('throws RangeError for malformed dates, years or codes', () => {
    for (const bad of [
      '2025-1-01',
      '2025/01/01',
      '20250101',
      '2025-01-01T00:00',
      '',
      '2025-13-01',
      '2025-00-10',
      '2025-02-29',
      '2025-04-31',
      '2025-01-00',
    ]) {
      assert.throws(() => isPublicHoliday(bad, '75'), RangeError, JSON.stringify(bad));
    }
    assert.equal(isPublicHoliday('2024-02-29', '75'), false); // leap day is valid
    assert.throws(() => isPublicHoliday('1899-12-25', '75'), RangeError);
    assert.throws(() => isPublicHoliday('2201-01-01', '75'), RangeError);
    assert.throws(() => isPublicHoliday('2025-01-01', 'XX'), RangeError);
    assert.throws(() => isPublicHoliday('2025-01-01', '20'), RangeError);
  });
});
