// Nationalities: ISO 3166-1 alpha-3 codes, named in the page's language, sorted by name; a
// value stored before the list (a free "MAL") is shown as it is, never taken for a country.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTRY_CODES, countryName, countryOptions, isCountryCode } from '../../src/domain/countries.ts';

describe('countries', () => {
  it('knows the 249 ISO 3166-1 codes, in upper case, and nothing else', () => {
    assert.equal(COUNTRY_CODES.length, 249);
    for (const code of ['MLI', 'SEN', 'DZA', 'CIV', 'FRA', 'GBR', 'COD', 'PSE']) assert.ok(isCountryCode(code), code);
    for (const code of ['MAL', 'mli', 'XXX', '', 'toString', '__proto__'])
      assert.equal(isCountryCode(code), false, code);
  });

  it('names a country in the page language, and leaves a value that is no code as it is', () => {
    assert.equal(countryName('MLI', 'fr'), 'Mali');
    assert.equal(countryName('DZA', 'fr'), 'Algérie');
    assert.equal(countryName('DZA', 'en'), 'Algeria');
    assert.equal(countryName('DEU', 'fr'), 'Allemagne');
    assert.equal(countryName('MAL', 'fr'), 'MAL');
    assert.equal(countryName('constructor', 'en'), 'constructor');
  });

  it('gives every code a name of its own in both languages (no entry of the table empty or wrong)', () => {
    // An emptied or unknown alpha-2 entry shows the code itself or a bare 2-letter code, and two
    // codes sharing one entry share its name.
    for (const language of ['en', 'fr'] as const) {
      const names = COUNTRY_CODES.map((code) => countryName(code, language));
      COUNTRY_CODES.forEach((code, i) => {
        assert.notEqual(names[i], code, `${code} in ${language}`);
        assert.doesNotMatch(names[i]!, /^[A-Z]{2}$/, `${code} in ${language}`);
      });
      assert.equal(new Set(names).size, 249, language);
    }
  });

  it('lists every country once, sorted by its name in the language (accents where they belong)', () => {
    for (const language of ['fr', 'en'] as const) {
      const options = countryOptions(language);
      assert.equal(options.length, 249);
      assert.equal(new Set(options.map((o) => o.code)).size, 249);
      const collator = new Intl.Collator(language);
      for (let i = 1; i < options.length; i++)
        assert.ok(collator.compare(options[i - 1]!.name, options[i]!.name) <= 0, options[i]!.name);
    }
    const french = countryOptions('fr').map((o) => o.name);
    assert.ok(
      french.indexOf('Égypte') > french.indexOf('Dominique') && french.indexOf('Égypte') < french.indexOf('Fidji'),
    );
  });
});
