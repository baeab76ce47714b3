import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import type {
  Closure,
  ExceptionalOpening,
  OpeningRule,
  ReleasePolicy,
  SlotDraft,
  SlotGenerationInput,
} from '../../src/domain/slot-generation.ts';
import {
  generateSlots,
  localDateRange,
  markReservedForAgents,
  releaseInstant,
  validateOpeningRule,
} from '../../src/domain/slot-generation.ts';

const PARIS = 'Europe/Paris';
const DEFAULT_POLICY: ReleasePolicy = { daysAhead: 14, time: '08:00' };

function rule(overrides: Partial<OpeningRule> = {}): OpeningRule {
  return {
    counterId: 'c1',
    procedureId: 'titre-sejour',
    weekdays: [1, 2, 3, 4, 5],
    validFrom: '2026-01-01',
    validUntil: null,
    windows: [{ start: '09:00', end: '12:00' }],
    slotMinutes: 20,
    ...overrides,
  };
}

function input(overrides: Partial<SlotGenerationInput> = {}): SlotGenerationInput {
  return {
    timeZone: PARIS,
    fromDate: '2026-04-13', // Monday
    toDate: '2026-04-13',
    rules: [rule()],
    exceptionalOpenings: [],
    closures: [],
    isHoliday: () => false,
    releasePolicy: () => DEFAULT_POLICY,
    ...overrides,
  };
}

const iso = (d: Date): string => d.toISOString();
const starts = (slots: SlotDraft[]): string[] => slots.map((s) => iso(s.startsAt));
const dates = (slots: SlotDraft[]): string[] => [...new Set(slots.map((s) => s.localDate))];

describe('localDateRange', () => {
  it('lists inclusive dates across month and leap-day boundaries', () => {
    assert.deepEqual(localDateRange('2028-02-27', '2028-03-01'), [
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    assert.deepEqual(localDateRange('2026-12-31', '2027-01-01'), ['2026-12-31', '2027-01-01']);
    assert.deepEqual(localDateRange('2026-03-29', '2026-03-29'), ['2026-03-29']);
  });

  it('is empty when from > to and rejects malformed dates', () => {
    assert.deepEqual(localDateRange('2026-05-02', '2026-05-01'), []);
    assert.throws(() => localDateRange('2026-02-30', '2026-03-01'), RangeError);
    assert.throws(() => localDateRange('2026-1-01', '2026-03-01'), RangeError);
  });
});

describe('generateSlots — layout (worked examples)', () => {
  it('09:00–12:00 with 20-min slots → 9 slots, 09:00 … 11:40', () => {
    const slots = generateSlots(input());
    assert.equal(slots.length, 9);
    // 2026-04-13 is in summer time: 09:00 Paris = 07:00Z.
    assert.equal(iso(slots[0]!.startsAt), '2026-04-13T07:00:00.000Z');
    assert.equal(iso(slots[0]!.endsAt), '2026-04-13T07:20:00.000Z');
    assert.equal(iso(slots[8]!.startsAt), '2026-04-13T09:40:00.000Z');
    assert.equal(iso(slots[8]!.endsAt), '2026-04-13T10:00:00.000Z');
    for (const s of slots) {
      assert.equal(s.counterId, 'c1');
      assert.equal(s.procedureId, 'titre-sejour');
      assert.equal(s.localDate, '2026-04-13');
      assert.equal(s.endsAt.getTime() - s.startsAt.getTime(), 20 * 60_000);
    }
  });

  it('09:05–10:00 with 30-min slots → only 09:05 (09:35 + 30 = 10:05 > 10:00)', () => {
    const slots = generateSlots(
      input({ rules: [rule({ windows: [{ start: '09:05', end: '10:00' }], slotMinutes: 30 })] }),
    );
    assert.deepEqual(starts(slots), ['2026-04-13T07:05:00.000Z']);
  });

  it('lays out each window separately and sorts by start then counter', () => {
    const slots = generateSlots(
      input({
        rules: [
          rule({ counterId: 'c2', windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 30 }),
          rule({
            counterId: 'c1',
            windows: [
              { start: '09:00', end: '10:00' },
              { start: '13:30', end: '16:00' },
            ],
            slotMinutes: 45,
          }),
        ],
      }),
    );
    assert.deepEqual(
      slots.map((s) => `${s.counterId}@${iso(s.startsAt).slice(11, 16)}`),
      // c1: 09:00 (09:45+45 > 10:00), 13:30, 14:15, 15:00 (15:45+45 > 16:00); c2: 09:00, 09:30.
      ['c1@07:00', 'c2@07:00', 'c2@07:30', 'c1@11:30', 'c1@12:15', 'c1@13:00'],
    );
  });
});

describe('generateSlots — which days', () => {
  it('uses weekdays and the inclusive validity period', () => {
    const slots = generateSlots(
      input({
        fromDate: '2026-04-06', // Monday
        toDate: '2026-04-19', // Sunday
        rules: [
          rule({
            weekdays: [1, 3, 6],
            validFrom: '2026-04-08',
            validUntil: '2026-04-15',
            windows: [{ start: '09:00', end: '09:20' }],
          }),
        ],
      }),
    );
    // Mon 06 is before validFrom; Wed 08 = validFrom; Wed 15 = validUntil (inclusive); Sat 18 is after it.
    assert.deepEqual(dates(slots), ['2026-04-08', '2026-04-11', '2026-04-13', '2026-04-15']);
    assert.equal(slots.length, 4);
  });

  it('skips holidays', () => {
    const holidays = new Set(['2026-05-01', '2026-05-08']);
    const slots = generateSlots(
      input({ fromDate: '2026-04-27', toDate: '2026-05-08', isHoliday: (d) => holidays.has(d) }),
    );
    assert.deepEqual(dates(slots), [
      '2026-04-27',
      '2026-04-28',
      '2026-04-29',
      '2026-04-30',
      '2026-05-04',
      '2026-05-05',
      '2026-05-06',
      '2026-05-07',
    ]);
  });

  it('applies site-wide closures to every counter and counter closures to that counter only', () => {
    const closures: Closure[] = [
      { counterId: null, from: '2026-04-14', to: '2026-04-15' },
      { counterId: 'c2', from: '2026-04-16', to: '2026-04-16' },
    ];
    const slots = generateSlots(
      input({
        fromDate: '2026-04-13',
        toDate: '2026-04-17',
        rules: [rule({ counterId: 'c1' }), rule({ counterId: 'c2' })],
        closures,
      }),
    );
    const byCounter = (c: string): string[] => dates(slots.filter((s) => s.counterId === c));
    assert.deepEqual(byCounter('c1'), ['2026-04-13', '2026-04-16', '2026-04-17']);
    assert.deepEqual(byCounter('c2'), ['2026-04-13', '2026-04-17']);
  });

  it('exceptional openings replace that day’s rule slots for the counter+procedure only', () => {
    const exceptional: ExceptionalOpening[] = [
      {
        counterId: 'c1',
        procedureId: 'titre-sejour',
        date: '2026-04-14',
        windows: [{ start: '14:00', end: '15:00' }],
        slotMinutes: 30,
      },
    ];
    const slots = generateSlots(
      input({
        fromDate: '2026-04-13',
        toDate: '2026-04-15',
        rules: [
          rule({ windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 30 }),
          rule({ procedureId: 'naturalisation', windows: [{ start: '10:00', end: '11:00' }], slotMinutes: 60 }),
        ],
        exceptionalOpenings: exceptional,
      }),
    );
    const onDay = slots.filter((s) => s.localDate === '2026-04-14');
    assert.deepEqual(
      onDay.map((s) => `${s.procedureId}@${iso(s.startsAt)}`),
      [
        'naturalisation@2026-04-14T08:00:00.000Z', // other procedure untouched
        'titre-sejour@2026-04-14T12:00:00.000Z', // 14:00 Paris
        'titre-sejour@2026-04-14T12:30:00.000Z',
      ],
    );
    // Neighbouring days keep the rule.
    assert.equal(slots.filter((s) => s.localDate === '2026-04-13').length, 3);
    assert.equal(slots.filter((s) => s.localDate === '2026-04-15').length, 3);
  });

  it('exceptional openings open on holidays and closed weekdays, but not during closures', () => {
    const holidays = new Set(['2026-05-14']); // Ascension (Thursday)
    const slots = generateSlots(
      input({
        fromDate: '2026-05-14',
        toDate: '2026-05-17',
        rules: [rule({ windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 60 })],
        isHoliday: (d) => holidays.has(d),
        exceptionalOpenings: [
          {
            counterId: 'c1',
            procedureId: 'titre-sejour',
            date: '2026-05-14',
            windows: [{ start: '09:00', end: '10:00' }],
            slotMinutes: 30,
          },
          {
            counterId: 'c1',
            procedureId: 'titre-sejour',
            date: '2026-05-16',
            windows: [{ start: '09:00', end: '10:00' }],
            slotMinutes: 60,
          },
          {
            counterId: 'c1',
            procedureId: 'titre-sejour',
            date: '2026-05-17',
            windows: [{ start: '09:00', end: '10:00' }],
            slotMinutes: 60,
          },
        ],
        closures: [{ counterId: 'c1', from: '2026-05-17', to: '2026-05-17' }],
      }),
    );
    assert.deepEqual(
      slots.map((s) => `${s.localDate}@${iso(s.startsAt)}`),
      [
        '2026-05-14@2026-05-14T07:00:00.000Z', // holiday, exceptional
        '2026-05-14@2026-05-14T07:30:00.000Z',
        '2026-05-15@2026-05-15T07:00:00.000Z', // Friday, rule
        '2026-05-16@2026-05-16T07:00:00.000Z', // Saturday, exceptional
      ],
    );
  });

  it('keeps one slot when two rules produce the same counter+start', () => {
    const slots = generateSlots(
      input({
        rules: [
          rule({ windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 30 }),
          rule({ procedureId: 'other', windows: [{ start: '09:00', end: '10:00' }], slotMinutes: 20 }),
        ],
      }),
    );
    // Rule 1: 09:00, 09:30; rule 2: 09:00 (duplicate, dropped), 09:20, 09:40.
    assert.deepEqual(
      slots.map((s) => `${s.procedureId}@${iso(s.startsAt).slice(11, 16)}`),
      ['titre-sejour@07:00', 'other@07:20', 'titre-sejour@07:30', 'other@07:40'],
    );
    const keys = slots.map((s) => `${s.counterId}@${s.startsAt.getTime()}`);
    assert.equal(new Set(keys).size, keys.length);
  });

  it('rejects invalid time zones, dates and rules', () => {
    assert.throws(() => generateSlots(input({ timeZone: 'Europe/Atlantis' })), RangeError);
    assert.throws(() => generateSlots(input({ timeZone: '' })), RangeError);
    assert.throws(() => generateSlots(input({ fromDate: '2026-13-01' })), RangeError);
    assert.throws(() => generateSlots(input({ rules: [rule({ slotMinutes: 0 })] })), RangeError);
    assert.throws(() => releaseInstant('2026-04-10', DEFAULT_POLICY, 'Not/AZone'), RangeError);
  });
});

describe('generateSlots — daylight saving (Europe/Paris)', () => {
  const nightRule = (weekday: 7): OpeningRule =>
    rule({
      weekdays: [weekday],
      windows: [
        { start: '01:00', end: '04:00' },
        { start: '09:00', end: '09:30' },
      ],
      slotMinutes: 30,
    });

  it('spring forward 2026-03-29: 02:00 and 02:30 do not exist and are skipped', () => {
    const slots = generateSlots(input({ fromDate: '2026-03-29', toDate: '2026-03-29', rules: [nightRule(7)] }));
    assert.deepEqual(starts(slots), [
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T00:30:00.000Z', // 01:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T01:30:00.000Z', // 03:30 CEST
      '2026-03-29T07:00:00.000Z', // 09:00 CEST
    ]);
    // 01:30 CET + 30 real minutes = 03:00 CEST.
    assert.equal(iso(slots[1]!.endsAt), '2026-03-29T01:00:00.000Z');
    for (const s of slots) assert.equal(s.endsAt.getTime() - s.startsAt.getTime(), 30 * 60_000);
  });

  it('skips a gap start even when shifting it would not collide with another slot', () => {
    // 01:45–03:15 with 45-min slots → wall-clock starts 01:45 and 02:30 (02:30 + 45 = 03:15 fits).
    const r = rule({ weekdays: [7], windows: [{ start: '01:45', end: '03:15' }], slotMinutes: 45 });
    const spring = generateSlots(input({ fromDate: '2026-03-29', toDate: '2026-03-29', rules: [r] }));
    assert.deepEqual(starts(spring), ['2026-03-29T00:45:00.000Z']); // 02:30 does not exist
    const autumn = generateSlots(input({ fromDate: '2026-10-25', toDate: '2026-10-25', rules: [r] }));
    assert.deepEqual(starts(autumn), ['2026-10-24T23:45:00.000Z', '2026-10-25T00:30:00.000Z']);
  });

  it('fall back 2026-10-25: 02:00 and 02:30 are produced once, at their first occurrence', () => {
    const slots = generateSlots(input({ fromDate: '2026-10-25', toDate: '2026-10-25', rules: [nightRule(7)] }));
    assert.deepEqual(starts(slots), [
      '2026-10-24T23:00:00.000Z', // 01:00 CEST
      '2026-10-24T23:30:00.000Z', // 01:30 CEST
      '2026-10-25T00:00:00.000Z', // 02:00 CEST (first occurrence)
      '2026-10-25T00:30:00.000Z', // 02:30 CEST (first occurrence)
      '2026-10-25T02:00:00.000Z', // 03:00 CET
      '2026-10-25T02:30:00.000Z', // 03:30 CET
      '2026-10-25T08:00:00.000Z', // 09:00 CET
    ]);
    for (const s of slots) assert.equal(s.localDate, '2026-10-25');
  });

  it('days around the changes keep their own offsets', () => {
    const slots = generateSlots(
      input({
        fromDate: '2026-03-28',
        toDate: '2026-03-30',
        rules: [rule({ weekdays: [1, 6, 7], windows: [{ start: '09:00', end: '09:30' }], slotMinutes: 30 })],
      }),
    );
    assert.deepEqual(starts(slots), [
      '2026-03-28T08:00:00.000Z', // Saturday, CET
      '2026-03-29T07:00:00.000Z', // Sunday, CEST
      '2026-03-30T07:00:00.000Z', // Monday, CEST
    ]);
  });
});

describe('generateSlots — overseas zones', () => {
  const nineOClock = (timeZone: string): string => {
    const slots = generateSlots(
      input({ timeZone, rules: [rule({ windows: [{ start: '09:00', end: '09:30' }], slotMinutes: 30 })] }),
    );
    assert.equal(slots.length, 1);
    return iso(slots[0]!.startsAt);
  };

  it('maps 09:00 local to the right UTC instant', () => {
    assert.equal(nineOClock('America/Cayenne'), '2026-04-13T12:00:00.000Z'); // UTC−3
    assert.equal(nineOClock('Indian/Reunion'), '2026-04-13T05:00:00.000Z'); // UTC+4
    assert.equal(nineOClock('Indian/Mayotte'), '2026-04-13T06:00:00.000Z'); // UTC+3
    assert.equal(nineOClock('America/Guadeloupe'), '2026-04-13T13:00:00.000Z'); // UTC−4
  });

  it('has no DST shift on the metropolitan change days', () => {
    const slots = generateSlots(
      input({
        timeZone: 'Indian/Reunion',
        fromDate: '2026-03-29',
        toDate: '2026-03-29',
        rules: [rule({ weekdays: [7], windows: [{ start: '02:00', end: '03:00' }], slotMinutes: 30 })],
      }),
    );
    assert.deepEqual(starts(slots), ['2026-03-28T22:00:00.000Z', '2026-03-28T22:30:00.000Z']);
  });
});

describe('release instants', () => {
  it('releases daysAhead days before at the local time', () => {
    assert.equal(
      iso(releaseInstant('2026-04-10', { daysAhead: 14, time: '08:00' }, PARIS)),
      '2026-03-27T07:00:00.000Z',
    );
    // Both in summer time.
    assert.equal(iso(releaseInstant('2026-06-15', { daysAhead: 7, time: '08:00' }, PARIS)), '2026-06-08T06:00:00.000Z');
    // daysAhead 0 → same day.
    assert.equal(iso(releaseInstant('2026-06-15', { daysAhead: 0, time: '00:00' }, PARIS)), '2026-06-14T22:00:00.000Z');
    assert.equal(
      iso(releaseInstant('2026-04-10', { daysAhead: 14, time: '08:00' }, 'America/Cayenne')),
      '2026-03-27T11:00:00.000Z',
    );
    assert.equal(
      iso(releaseInstant('2026-04-10', { daysAhead: 14, time: '08:00' }, 'Indian/Reunion')),
      '2026-03-27T04:00:00.000Z',
    );
  });

  it('handles releases across and during the DST changes', () => {
    // Slot in winter time (CET), release in summer time (CEST): 08:00 CEST = 06:00Z.
    assert.equal(
      iso(releaseInstant('2026-11-02', { daysAhead: 14, time: '08:00' }, PARIS)),
      '2026-10-19T06:00:00.000Z',
    );
    // 02:30 on 2026-03-29 does not exist → moved forward to 03:30 CEST, like luxon.
    const gap = releaseInstant('2026-04-05', { daysAhead: 7, time: '02:30' }, PARIS);
    assert.equal(iso(gap), '2026-03-29T01:30:00.000Z');
    assert.equal(iso(gap), DateTime.fromISO('2026-03-29T02:30', { zone: PARIS }).toUTC().toISO());
    // 02:30 on 2026-10-25 happens twice → first occurrence (CEST).
    assert.equal(iso(releaseInstant('2026-11-01', { daysAhead: 7, time: '02:30' }, PARIS)), '2026-10-25T00:30:00.000Z');
  });

  it('rejects invalid policies', () => {
    assert.throws(() => releaseInstant('2026-04-10', { daysAhead: -1, time: '08:00' }, PARIS), RangeError);
    assert.throws(() => releaseInstant('2026-04-10', { daysAhead: 1.5, time: '08:00' }, PARIS), RangeError);
    assert.throws(() => releaseInstant('2026-04-10', { daysAhead: 1, time: '8:00' }, PARIS), RangeError);
  });

  it('sets releasedAt on generated slots from the procedure policy', () => {
    const policies: Record<string, ReleasePolicy> = {
      'titre-sejour': { daysAhead: 14, time: '08:00' },
      naturalisation: { daysAhead: 30, time: '10:00' },
    };
    const slots = generateSlots(
      input({
        fromDate: '2026-04-10',
        toDate: '2026-04-10',
        rules: [
          rule({ windows: [{ start: '09:00', end: '09:40' }] }),
          rule({ procedureId: 'naturalisation', windows: [{ start: '14:00', end: '14:20' }] }),
        ],
        releasePolicy: (p) => policies[p]!,
      }),
    );
    assert.deepEqual(
      slots.map((s) => `${s.procedureId}:${iso(s.releasedAt)}`),
      [
        'titre-sejour:2026-03-27T07:00:00.000Z',
        'titre-sejour:2026-03-27T07:00:00.000Z',
        'naturalisation:2026-03-11T09:00:00.000Z', // 2026-03-11 10:00 CET
      ],
    );
  });
});

describe('validateOpeningRule', () => {
  it('accepts a valid rule', () => {
    assert.deepEqual(validateOpeningRule(rule()), []);
    assert.deepEqual(validateOpeningRule(rule({ validUntil: '2026-01-01', slotMinutes: 5 })), []);
    assert.deepEqual(
      validateOpeningRule(
        rule({
          windows: [
            { start: '09:00', end: '12:00' },
            { start: '12:00', end: '16:00' }, // touching is not overlapping
          ],
          slotMinutes: 180,
        }),
      ),
      [],
    );
  });

  it('reports windows shorter than one slot', () => {
    assert.deepEqual(
      validateOpeningRule(
        rule({
          validUntil: '2026-01-01',
          windows: [
            { start: '09:00', end: '12:00' },
            { start: '12:00', end: '16:00' }, // touching is not overlapping
          ],
          slotMinutes: 240,
        }),
      ),
      ['window 1 (09:00–12:00): shorter than one 240-minute slot'],
    );
  });

  // Exact lists: a fragment found somewhere would let a wrong label, a wrong bound or an
  // extra complaint pass.
  const problemsOf = (overrides: Partial<OpeningRule>): string[] => validateOpeningRule(rule(overrides));
  const slotRange = (got: number) => `slotMinutes must be an integer between 5 and 240, got ${got}`;
  const notIso = (d: number) => `weekday ${d} is not an ISO weekday (1 = Monday … 7 = Sunday)`;

  it('reports slotMinutes out of range', () => {
    assert.deepEqual(problemsOf({ slotMinutes: 4 }), [slotRange(4)]);
    assert.deepEqual(problemsOf({ slotMinutes: 241 }), [
      slotRange(241),
      'window 1 (09:00–12:00): shorter than one 241-minute slot',
    ]);
    assert.deepEqual(problemsOf({ slotMinutes: 12.5 }), [slotRange(12.5)]);
  });

  it('reports missing ids and bad weekdays', () => {
    assert.deepEqual(problemsOf({ counterId: '', procedureId: '' }), [
      'counterId is required',
      'procedureId is required',
    ]);
    assert.deepEqual(problemsOf({ weekdays: [] }), ['at least one weekday is required']);
    assert.deepEqual(problemsOf({ weekdays: [1, 2, 1] }), ['weekday 1 is listed more than once']);
    assert.deepEqual(problemsOf({ weekdays: [0 as never] }), [notIso(0)]);
    assert.deepEqual(problemsOf({ weekdays: [8 as never] }), [notIso(8)]);
    assert.deepEqual(problemsOf({ weekdays: [1, 7] }), []);
  });

  it('reports bad validity dates', () => {
    assert.deepEqual(problemsOf({ validFrom: '2026-05-01', validUntil: '2026-04-30' }), [
      'validFrom (2026-05-01) must not be after validUntil (2026-04-30)',
    ]);
    assert.deepEqual(problemsOf({ validFrom: '2026-02-29' }), [
      'validFrom must be a valid YYYY-MM-DD date, got "2026-02-29"',
    ]);
    assert.deepEqual(problemsOf({ validUntil: 'soon' }), [
      'validUntil must be a valid YYYY-MM-DD date or null, got "soon"',
    ]);
  });

  it('reports malformed, empty, unordered and overlapping windows', () => {
    const windows = (...w: [string, string][]) => ({ windows: w.map(([start, end]) => ({ start, end })) });
    assert.deepEqual(problemsOf({ windows: [] }), ['at least one time window is required']);
    assert.deepEqual(problemsOf(windows(['9:00', '12:00'])), [
      'window 1 (9:00–12:00): start must be "HH:MM" between 00:00 and 23:59',
    ]);
    assert.deepEqual(problemsOf(windows(['09:00', '24:00'])), [
      'window 1 (09:00–24:00): end must be "HH:MM" between 00:00 and 23:59',
    ]);
    assert.deepEqual(problemsOf(windows(['12:00', '09:00'])), ['window 1 (12:00–09:00): start must be before end']);
    assert.deepEqual(problemsOf(windows(['09:00', '09:00'])), ['window 1 (09:00–09:00): start must be before end']);
    assert.deepEqual(problemsOf(windows(['13:00', '16:00'], ['09:00', '12:00'])), [
      'window 2 (09:00–12:00): windows must be in chronological order (starts before window 1 (13:00–16:00))',
    ]);
    assert.deepEqual(problemsOf(windows(['09:00', '12:00'], ['11:30', '14:00'])), [
      'window 2 (11:30–14:00): overlaps window 1 (09:00–12:00)',
    ]);
  });

  it('lists several problems at once, in the order of the fields', () => {
    assert.deepEqual(problemsOf({ weekdays: [], slotMinutes: 1, validFrom: '2026-06-01', validUntil: '2026-01-01' }), [
      'at least one weekday is required',
      'validFrom (2026-06-01) must not be after validUntil (2026-01-01)',
      slotRange(1),
    ]);
  });
});

describe('markReservedForAgents', () => {
  const day = (localDate: string, count: number, procedureId = 'titre-sejour') =>
    Array.from({ length: count }, (_, i) => ({
      counterId: i % 2 === 0 ? 'g1' : 'g2',
      procedureId,
      localDate,
      startsAt: new Date(Date.parse(`${localDate}T08:00:00Z`) + Math.floor(i / 2) * 900_000),
      endsAt: new Date(Date.parse(`${localDate}T08:15:00Z`) + Math.floor(i / 2) * 900_000),
      releasedAt: new Date('2026-01-01T00:00:00Z'),
    }));

  it('reserves the share of each day, spread through it', () => {
    const marked = markReservedForAgents(day('2026-06-01', 10), () => 20);
    assert.deepEqual(
      marked.map((s) => s.reservedForAgents),
      [false, false, false, false, true, false, false, false, false, true],
    );
  });

  it('counts each day and procedure apart, and reserves nothing at 0 %', () => {
    const slots = [...day('2026-06-01', 4), ...day('2026-06-02', 4), ...day('2026-06-01', 4, 'naturalisation')];
    const marked = markReservedForAgents(slots, (procedure) => (procedure === 'naturalisation' ? 0 : 50));
    assert.equal(
      marked.filter((s) => s.reservedForAgents && s.localDate === '2026-06-01' && s.procedureId === 'titre-sejour')
        .length,
      2,
    );
    assert.equal(marked.filter((s) => s.reservedForAgents && s.localDate === '2026-06-02').length, 2);
    assert.equal(marked.filter((s) => s.reservedForAgents && s.procedureId === 'naturalisation').length, 0);
  });

  it('marks the same slots whatever order they come in (materialising again changes nothing)', () => {
    const slots = day('2026-06-01', 9);
    const once = markReservedForAgents(slots, () => 30)
      .filter((s) => s.reservedForAgents)
      .map((s) => `${s.counterId}${s.startsAt.toISOString()}`)
      .sort();
    const shuffled = markReservedForAgents([...slots].reverse(), () => 30)
      .filter((s) => s.reservedForAgents)
      .map((s) => `${s.counterId}${s.startsAt.toISOString()}`)
      .sort();
    assert.equal(once.length, 2);
    assert.deepEqual(shuffled, once);
  });
});
