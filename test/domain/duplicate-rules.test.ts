// The grouping of likely duplicates (domain/duplicate-rules.ts) and the rules of an urgency
// decision (domain/urgency-review-rules.ts): pure functions, no database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DuplicateCandidate,
  groupLikelyDuplicates,
  likelyDuplicateKeys,
  nameBirthDateKey,
} from '../../src/domain/duplicate-rules.ts';
import {
  decisionProblem,
  isUrgencyDecision,
  normaliseReviewReason,
  recentlyDecidedSince,
  URGENCY_REASON_MAX_LENGTH,
} from '../../src/domain/urgency-review-rules.ts';

let n = 0;
function record(identityKey: string, overrides: Partial<DuplicateCandidate> = {}): DuplicateCandidate {
  n++;
  return {
    key: `r${n}`,
    identityKey,
    surname: 'Diallo',
    givenNames: 'Aminata',
    birthDate: '1990-04-12',
    emailKey: `person${n}@example.org`,
    since: new Date(Date.UTC(2026, 4, 1, 8, n)),
    ...overrides,
  };
}

describe('likely duplicates', () => {
  it('links two documents with the same names and birth date, however typed', () => {
    const a = record('doc-a', { surname: 'Ndiaye-Diop', givenNames: 'Fatou' });
    const b = record('doc-b', { surname: 'NDIAYE DIOP', givenNames: 'fatou' });
    const c = record('doc-c', { surname: 'Fatou', givenNames: 'Ndiayé Diop' }); // the fields the wrong way round, an accent
    const d = record('doc-d', { surname: 'Ndiaye-Diop', givenNames: 'Fatou', birthDate: '1990-04-13' }); // another birth date
    const groups = groupLikelyDuplicates([d, c, b, a]);
    assert.equal(groups.length, 1);
    assert.deepEqual(
      groups[0]!.records.map((r) => r.key),
      [a.key, b.key, c.key],
      'oldest first',
    );
    assert.equal(groups[0]!.identityCount, 3);
    assert.deepEqual(groups[0]!.reasons, [
      { kind: 'name_birth_date', value: 'FATOU NDIAYE DIOP|1990-04-12', recordKeys: [a.key, b.key, c.key] },
    ]);
    assert.equal(
      nameBirthDateKey({ surname: ' ', givenNames: '--', birthDate: '1990-01-01' }),
      null,
      'no name, no key',
    );
  });

  it('links two documents with the same email, and joins the links into one group', () => {
    const a = record('doc-a', { surname: 'Traoré', givenNames: 'Moussa', emailKey: 'shared@example.org' });
    const b = record('doc-b', {
      surname: 'Keita',
      givenNames: 'Ibrahim',
      birthDate: '1970-01-01',
      emailKey: 'shared@example.org',
    });
    const c = record('doc-c', { surname: 'Keita', givenNames: 'Ibrahim', birthDate: '1970-01-01' });
    const [group, ...others] = groupLikelyDuplicates([a, b, c]);
    assert.equal(others.length, 0);
    assert.deepEqual(
      group!.records.map((r) => r.key),
      [a.key, b.key, c.key],
    );
    assert.deepEqual(
      group!.reasons.map((r) => [r.kind, r.value]),
      [
        ['name_birth_date', 'IBRAHIM KEITA|1970-01-01'],
        ['email', 'shared@example.org'],
      ],
    );
  });

  it('does not flag one document used twice, nor people without anything in common', () => {
    const request = record('doc-a', { emailKey: 'same@example.org' });
    const appointment = record('doc-a', { emailKey: 'same@example.org' });
    const stranger = record('doc-b', { surname: 'Martin', givenNames: 'Paul', emailKey: null });
    const noEmail = record('doc-c', { surname: 'Durand', givenNames: 'Léa', emailKey: null });
    assert.deepEqual(groupLikelyDuplicates([request, appointment, stranger, noEmail]), []);
    assert.deepEqual(likelyDuplicateKeys([request, appointment, stranger, noEmail]), new Set());
  });

  it("keeps a document's other records in its group, and groups apart what is apart", () => {
    const a1 = record('doc-a', { emailKey: 'a@example.org' });
    const a2 = record('doc-a', { surname: 'Other', givenNames: 'Name', emailKey: 'a2@example.org' }); // same document, another procedure
    const b = record('doc-b', { emailKey: 'b@example.org' }); // same names and birth date as a1
    const x = record('doc-x', { surname: 'Sow', givenNames: 'Ali', emailKey: 'family@example.org' });
    const y = record('doc-y', {
      surname: 'Sow',
      givenNames: 'Mariam',
      birthDate: '2001-02-03',
      emailKey: 'family@example.org',
    });
    const groups = groupLikelyDuplicates([y, x, b, a2, a1]);
    assert.deepEqual(
      groups.map((g) => g.records.map((r) => r.key)),
      [
        [a1.key, a2.key, b.key],
        [x.key, y.key],
      ],
    );
    assert.deepEqual(
      groups.map((g) => g.identityCount),
      [2, 2],
    );
    assert.deepEqual(likelyDuplicateKeys([y, x, b, a2, a1]), new Set([a1.key, a2.key, b.key, x.key, y.key]));
  });
});

describe('urgency decisions', () => {
  it('needs a reason to refuse, none to confirm, and at most 500 characters', () => {
    assert.equal(decisionProblem('refused', ''), 'reason_required');
    assert.equal(decisionProblem('refused', "Titre valable jusqu'en 2028"), null);
    assert.equal(decisionProblem('confirmed', ''), null);
    assert.equal(decisionProblem('confirmed', 'x'.repeat(URGENCY_REASON_MAX_LENGTH + 1)), 'reason_too_long');
    assert.equal(
      decisionProblem('refused', '💥'.repeat(URGENCY_REASON_MAX_LENGTH)),
      null,
      'characters, not UTF-16 units',
    );
    assert.equal(normaliseReviewReason('  Vu\u0000 au\n\nguichet  '), 'Vu au guichet');
    assert.ok(
      isUrgencyDecision('confirmed') &&
        isUrgencyDecision('refused') &&
        !isUrgencyDecision('pending') &&
        !isUrgencyDecision(undefined),
    );
    assert.equal(recentlyDecidedSince(new Date('2026-06-30T10:00:00Z')).toISOString(), '2026-05-31T10:00:00.000Z');
  });
});
