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

  it('names the line and the reason of every refusal', () => {
    const [header, r2, r1, s1] = text
      .split('\n')
      .slice(0, 4)
      .map((line) => JSON.parse(line)) as [Record<string, unknown>, unknown[], unknown[], unknown[]];
    const snapshot = (lines: unknown[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
    const refusal = (snapshotText: string): string | null => {
      try {
        decodeDrawSnapshot(snapshotText);
        return null;
      } catch (e) {
        assert.ok(code('VALIDATION_FAILED')(e), String(e));
        return (e as Error).message.replace('Malformed draw snapshot at ', '');
      }
    };
    const withRequest = (fields: unknown[]) => snapshot([header, fields, r1, s1]);
    const withSlot = (fields: unknown[]) => snapshot([header, r2, r1, fields]);
    const cases: [string, string][] = [
      ['', 'line 1: unexpected end'],
      ['{"format"\n', 'line 1: not JSON'],
      ['\n', 'line 1: not JSON'],
      ['null\n', 'line 1: expected format creneau-draw-snapshot/2'],
      [snapshot([{ ...header, format: 'other' }, r2, r1, s1]), 'line 1: expected format creneau-draw-snapshot/2'],
      [snapshot([{ ...header, seed: 1 }, r2, r1, s1]), 'line 1: seed, requests and slots are required'],
      [snapshot([{ ...header, requests: '2' }, r2, r1, s1]), 'line 1: seed, requests and slots are required'],
      [snapshot([{ ...header, slots: 1.5 }, r2, r1, s1]), 'line 1: seed, requests and slots are required'],
      [withRequest(r2.slice(0, 5)), 'line 2: a request is [id, class, batch, sites, weekdays, half-days]'],
      [withRequest({ ...r2 } as never), 'line 2: a request is [id, class, batch, sites, weekdays, half-days]'],
      [withSlot(s1.slice(0, 4)), 'line 4: a slot is [id, site, startsAt, weekday, half-day]'],
      [withSlot({ ...s1 } as never), 'line 4: a slot is [id, site, startsAt, weekday, half-day]'],
      [`${text}[]\n`, 'line 5: text after the last slot'],
    ];
    // Each field of a request, then of a slot, given the wrong type in turn.
    const wrongRequestFields = [1, '0', '20605', 'site-b', [1, '2'], 'am'];
    wrongRequestFields.forEach((wrong, i) => {
      cases.push([withRequest(r2.map((f, j) => (j === i ? wrong : f))), 'line 2: a request field has the wrong type']);
    });
    cases.push([
      withRequest(r2.map((f, j) => (j === 3 ? ['site-b', 1] : f))),
      'line 2: a request field has the wrong type',
    ]);
    cases.push([withRequest(r2.map((f, j) => (j === 5 ? [1] : f))), 'line 2: a request field has the wrong type']);
    const wrongSlotFields = [1, 2, '1767600000000', '5', 1];
    wrongSlotFields.forEach((wrong, i) => {
      cases.push([withSlot(s1.map((f, j) => (j === i ? wrong : f))), 'line 4: a slot field has the wrong type']);
    });
    for (const [snapshotText, expected] of cases) assert.equal(refusal(snapshotText), expected, snapshotText);
    assert.equal(refusal(snapshot([header, r2, r1, s1])), null);
  });
});
