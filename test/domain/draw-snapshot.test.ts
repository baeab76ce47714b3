// The stored input of a draw (src/domain/draw-snapshot.ts): lossless, and strict on read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DrawInput, inputDigestOf } from '../../src/domain/allocation-draw.ts';
import { decodeDrawSnapshot, encodeDrawSnapshot } from '../../src/domain/draw-snapshot.ts';
import { DomainError } from '../../src/domain/errors.ts';

const code = (code: string) => (e: unknown) => e instanceof DomainError && e.code === code;

describe('draw snapshot', () => {
  const input: DrawInput = {
    seed: 'seed\twith "quotes" and é',
    requests: [
      {
        id: 'r-2',
        priorityClass: 2,
        batch: 20605,
        siteIds: ['site,a', 'site-b'],
        weekdays: [1, 2],
        halfDays: ['am', 'pm'],
      },
      { id: 'r-1', priorityClass: 0, batch: 20604, siteIds: ['site-b'], weekdays: [5], halfDays: ['pm'] },
    ],
    slots: [{ id: 's-1', siteId: 'site-b', startsAt: 1767600000000, weekday: 5, halfDay: 'pm' }],
  };
  const text = [...encodeDrawSnapshot(input)].join('');

  it('decodes what it encodes, exactly (same input digest)', () => {
    const decoded = decodeDrawSnapshot(text);
    assert.deepEqual(decoded, input);
    assert.equal(inputDigestOf(decoded), inputDigestOf(input));
    const empty: DrawInput = { seed: 'x', requests: [], slots: [] };
    assert.deepEqual(decodeDrawSnapshot([...encodeDrawSnapshot(empty)].join('')), empty);
  });

  it('writes format 2: no order, the batch in place of the filing instant', () => {
    const [header, first] = text.split('\n');
    assert.deepEqual(JSON.parse(header!), {
      format: 'creneau-draw-snapshot/2',
      seed: input.seed,
      requests: 2,
      slots: 1,
    });
    assert.deepEqual(JSON.parse(first!), ['r-2', 2, 20605, ['site,a', 'site-b'], [1, 2], ['am', 'pm']]);
  });

  it('refuses a truncated or altered snapshot with the line, and says why a format-1 snapshot cannot be replayed', () => {
    assert.throws(
      () => decodeDrawSnapshot(text.slice(0, -10)),
      (e: unknown) => e instanceof DomainError && e.code === 'VALIDATION_FAILED' && /line 4/.test(e.message),
    );
    assert.throws(() => decodeDrawSnapshot(text.replace('"r-1",0', '"r-1","0"')), code('VALIDATION_FAILED'));
    assert.throws(() => decodeDrawSnapshot(`${text}[]\n`), code('VALIDATION_FAILED'));
    const formerFormat = text.replace('creneau-draw-snapshot/2', 'creneau-draw-snapshot/1');
    assert.throws(
      () => decodeDrawSnapshot(formerFormat),
      (e: unknown) => code('VALIDATION_FAILED')(e) && /former rules/.test((e as Error).message),
    );
  });
});
