// What the search box makes of a typed text (domain/caller-search.ts): the exact keys the
// database compares, every plausible reading at once, and nothing for a text too thin to search.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SEARCH_MAX_PAGE, searchCriteriaOf, searchPageOf } from '../../src/domain/caller-search.ts';

const none = { references: [], phones: [], emailKeys: [], agdrefNumbers: [], passportNumbers: [], nameWords: [] };

it('reads an email as its per-email key only (a full address, never a fragment)', () => {
  assert.deepEqual(searchCriteriaOf(' A.Dupont+rdv@GMail.com '), { ...none, emailKeys: ['adupont@gmail.com'] });
});

it('reads no address in a text that has one among other words: an address is the whole text', () => {
  assert.deepEqual(searchCriteriaOf('jean dupont@gmail.com'), {
    ...none,
    nameWords: ['jean', 'dupont', 'gmail', 'com'],
  });
  assert.deepEqual(searchCriteriaOf('dupont@gmail.com jean'), {
    ...none,
    nameWords: ['dupont', 'gmail', 'com', 'jean'],
  });
});

it('reads ten digits as a French phone number, an AGDREF number and a passport number (some are digits only)', () => {
  assert.deepEqual(searchCriteriaOf('06 12 34 56 78'), {
    ...none,
    phones: ['0612345678'],
    agdrefNumbers: ['0612345678'],
    passportNumbers: ['0612345678'],
  });
  assert.deepEqual(searchCriteriaOf('+221 77 123 45 67'), { ...none, phones: ['+221771234567'] });
  assert.deepEqual(searchCriteriaOf('75 123 4567'), {
    ...none,
    agdrefNumbers: ['0751234567'],
    passportNumbers: ['751234567'],
  });
});

it('reads a reference typed loosely, also as a passport number and name words', () => {
  assert.deepEqual(searchCriteriaOf('k7m4 9xq2ht'), {
    ...none,
    references: ['K7M4-9XQ2-HT'],
    passportNumbers: ['K7M49XQ2HT'],
    nameWords: ['k7m4', '9xq2ht'],
  });
});

it('reads a code with dashes that is no current reference (older ones, "H260301-A1") as a reference, as typed', () => {
  assert.deepEqual(searchCriteriaOf('h260301-a1'), {
    ...none,
    references: ['H260301-A1'],
    passportNumbers: ['H260301A1'],
    nameWords: ['h260301', 'a1'],
  });
  assert.deepEqual(searchCriteriaOf('x7-ab12-c3'), {
    ...none,
    references: ['X7-AB12-C3'],
    passportNumbers: ['X7AB12C3'],
    nameWords: ['x7', 'ab12', 'c3'],
  });
  // A hyphenated name has the same shape: also read as one (the readings are ORed).
  assert.deepEqual(searchCriteriaOf('Ndiaye-Diop-Sow'), {
    ...none,
    references: ['NDIAYE-DIOP-SOW'],
    nameWords: ['ndiaye', 'diop', 'sow'],
  });
  // Not when another character comes before or after it.
  assert.deepEqual(searchCriteriaOf("N'Diaye-Diop"), { ...none, nameWords: ['diaye', 'diop'] });
  assert.deepEqual(searchCriteriaOf('Kane-Ba Awa'), { ...none, nameWords: ['kane', 'ba', 'awa'] });
});

it('reads names without case, accents or punctuation; one-letter words are dropped', () => {
  assert.deepEqual(searchCriteriaOf("N'Diaye-Diop Aïssatou"), { ...none, nameWords: ['diaye', 'diop', 'aissatou'] });
  assert.deepEqual(searchCriteriaOf('Zoé Zoe'), { ...none, nameWords: ['zoe'] });
  // Two letters make a word; a text without a digit is no passport number.
  assert.deepEqual(searchCriteriaOf('Wu'), { ...none, nameWords: ['wu'] });
  assert.deepEqual(searchCriteriaOf('Diallo'), { ...none, nameWords: ['diallo'] });
});

it('searches the first 120 characters of a text', () => {
  assert.deepEqual(searchCriteriaOf(`${'x'.repeat(119)} yz`), { ...none, nameWords: ['x'.repeat(119)] });
  assert.deepEqual(searchCriteriaOf(`${'x'.repeat(117)} yz`), { ...none, nameWords: ['x'.repeat(117), 'yz'] });
  assert.deepEqual(searchCriteriaOf(`${'x'.repeat(118)} yz`), { ...none, nameWords: ['x'.repeat(118)] });
});

it('has nothing to search in a blank text, one letter or punctuation', () => {
  for (const typed of ['', '   ', 'a', '@', '-- .', 'a-b'])
    assert.equal(searchCriteriaOf(typed), null, JSON.stringify(typed));
});

it('keeps the page asked within 1…SEARCH_MAX_PAGE', () => {
  assert.deepEqual(['2', '0', '-3', 'abc', undefined, '99', '1000'].map(searchPageOf), [
    2,
    1,
    1,
    1,
    1,
    SEARCH_MAX_PAGE,
    1,
  ]);
  // Only a query string's text is a page: not a number, nor a repeated parameter's list.
  assert.equal(searchPageOf(3), 1);
  assert.equal(searchPageOf(['3']), 1);
});
