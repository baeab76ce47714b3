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

  it('orders records, groups and reasons alike whatever the input order, ties by key and value', () => {
    const since = new Date('2026-05-01T08:00:00Z');
    // Same instant: the records' keys decide, in the group, in each reason and between groups.
    const a = record('doc-a', { key: 'k2', since, emailKey: '1shared@example.org' });
    const b = record('doc-b', { key: 'k1', since, emailKey: '1shared@example.org' });
    const c = record('doc-c', { key: 'k3', since, emailKey: 'zed@example.org' });
    const d = record('doc-b', { key: 'k4', since, emailKey: 'zed@example.org' });
    const other1 = record('doc-x', {
      key: 'k6',
      since,
      surname: 'Sow',
      givenNames: 'Ali',
      emailKey: 'sow@example.org',
    });
    const other2 = record('doc-y', { key: 'k5', since, surname: 'Sow', givenNames: 'Ali', emailKey: null });
    const expected = [
      {
        records: ['k1', 'k2', 'k3', 'k4'],
        identityCount: 3,
        // Names first though '1' sorts before 'D'; then the emails by value.
        reasons: [
          ['name_birth_date', 'AMINATA DIALLO|1990-04-12', ['k1', 'k2', 'k3', 'k4']],
          ['email', '1shared@example.org', ['k1', 'k2']],
          ['email', 'zed@example.org', ['k3', 'k4']],
        ],
      },
      { records: ['k5', 'k6'], identityCount: 2, reasons: [['name_birth_date', 'ALI SOW|1990-04-12', ['k5', 'k6']]] },
    ];
    const shape = (groups: ReturnType<typeof groupLikelyDuplicates>) =>
      groups.map((g) => ({
        records: g.records.map((r) => r.key),
        identityCount: g.identityCount,
        reasons: g.reasons.map((r) => [r.kind, r.value, r.recordKeys]),
      }));
    assert.deepEqual(shape(groupLikelyDuplicates([a, b, c, d, other1, other2])), expected);
    assert.deepEqual(shape(groupLikelyDuplicates([other2, other1, d, c, b, a])), expected);
    assert.deepEqual(shape(groupLikelyDuplicates([c, other1, a, d, other2, b])), expected);
  });

  it('links nobody through an empty email key', () => {
    const a = record('doc-a', { surname: 'Martin', givenNames: 'Paul', emailKey: '' });
    const b = record('doc-b', { surname: 'Durand', givenNames: 'Léa', emailKey: '' });
    assert.deepEqual(groupLikelyDuplicates([a, b]), []);
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
