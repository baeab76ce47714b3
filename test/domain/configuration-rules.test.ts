import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertNoProblems,
  closureProblems,
  counterNameProblems,
  drawCadenceProblems,
  drawScheduleProblems,
  type ExistingSlot,
  emailCapProblems,
  endOpeningRule,
  exceptionalOpeningProblems,
  newOpeningRuleProblems,
  planSlotResync,
  procedurePolicyProblems,
  reservedPercentProblems,
  scheduledProcedureProblems,
  siteDetailsProblems,
  type WantedSlot,
} from '../../src/domain/configuration-rules.ts';
import { DomainError, isDomainError } from '../../src/domain/errors.ts';

const TODAY = '2026-06-01';
const fields = (problems: { field: string }[]) => problems.map((p) => p.field).sort();

describe('configuration rules: forms', () => {
  it('gives opening hours only to an existing procedure done by appointment', () => {
    assert.deepEqual(scheduledProcedureProblems('titre', { channel: 'appointment' }), []);
    assert.deepEqual(
      scheduledProcedureProblems('titre', null).map((p) => p.problem),
      ['unknown'],
    );
    assert.deepEqual(
      scheduledProcedureProblems('titre', { channel: 'postal' }).map((p) => p.problem),
      ['notByAppointment'],
    );
    assert.deepEqual(
      scheduledProcedureProblems('titre', { channel: 'online' }).map((p) => p.problem),
      ['notByAppointment'],
    );
  });

  it("checks a site's details field by field", () => {
    assert.deepEqual(
      siteDetailsProblems({
        name: 'Bobigny',
        address: '1 esplanade Jean Moulin',
        phone: '+33 1 41 60 60 60',
        publicHours: '',
      }),
      [],
    );
    assert.deepEqual(
      fields(siteDetailsProblems({ name: ' ', address: '', phone: 'call us', publicHours: 'x'.repeat(501) })),
      ['address', 'name', 'phone', 'publicHours'],
    );
    assert.deepEqual(
      siteDetailsProblems({ name: 'a\u0000b', address: 'x', phone: '', publicHours: '' }).map((p) => p.problem),
      ['characters'],
    );
  });

  it('wants a counter name, a percentage 0–100, a draw time, a cap 1–20', () => {
    assert.deepEqual(counterNameProblems('Guichet 4'), []);
    assert.equal(counterNameProblems('')[0]?.problem, 'required');
    assert.deepEqual(reservedPercentProblems(0), []);
    assert.deepEqual(reservedPercentProblems(100), []);
    assert.equal(reservedPercentProblems(101).length, 1);
    assert.equal(reservedPercentProblems(12.5).length, 1);
    assert.equal(reservedPercentProblems(Number.NaN).length, 1);
    assert.deepEqual(drawScheduleProblems({ dailyAt: '07:30' }), []);
    assert.equal(drawScheduleProblems({ dailyAt: '24:00' })[0]?.field, 'dailyAt');
    assert.deepEqual(emailCapProblems(3), []);
    assert.equal(emailCapProblems(0).length, 1);
    assert.equal(emailCapProblems(21).length, 1);
  });

  it("bounds a procedure's policy like the table does: no mode, no order, offers ignored 1–10, declines 0–10", () => {
    const ok = { releaseDaysAhead: 30, releaseTime: '08:00', offerHours: 48, maxIgnoredOffers: 2, maxDeclines: 2 };
    assert.deepEqual(procedurePolicyProblems(ok), []);
    assert.deepEqual(
      procedurePolicyProblems({ ...ok, maxDeclines: 0, maxIgnoredOffers: 10 }),
      [],
      'no decline allowed: the first one closes the request',
    );
    assert.deepEqual(
      fields(procedurePolicyProblems({ ...ok, releaseDaysAhead: 367, offerHours: 0, releaseTime: '8h' })),
      ['offerHours', 'releaseDaysAhead', 'releaseTime'],
    );
    assert.deepEqual(fields(procedurePolicyProblems({ ...ok, maxIgnoredOffers: 0, maxDeclines: 11 })), [
      'maxDeclines',
      'maxIgnoredOffers',
    ]);
    assert.deepEqual(fields(procedurePolicyProblems({ ...ok, maxIgnoredOffers: 1.5, maxDeclines: -1 })), [
      'maxDeclines',
      'maxIgnoredOffers',
    ]);
    assert.deepEqual(
      procedurePolicyProblems({ ...ok, maxDeclines: Number.NaN }).map((p) => p.problem),
      ['range'],
    );
  });

  it('checks a draw cadence: a step of 5–720 minutes, HH:MM times in order, at least two draws a day', () => {
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 15, fromTime: '08:00', untilTime: '18:00' }), []);
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 5, fromTime: '00:00', untilTime: '23:59' }), []);
    assert.deepEqual(
      drawCadenceProblems({ everyMinutes: 60, fromTime: '08:00', untilTime: '09:00' }),
      [],
      'two draws: 08:00 and 09:00',
    );
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 720, fromTime: '06:00', untilTime: '18:00' }), []);
    const problems = (c: { everyMinutes: number; fromTime: string; untilTime: string }) =>
      drawCadenceProblems(c).map((p) => `${p.field}:${p.problem}`);
    assert.deepEqual(problems({ everyMinutes: 4, fromTime: '08:00', untilTime: '18:00' }), [
      'everyMinutes:cadenceRange',
    ]);
    assert.deepEqual(problems({ everyMinutes: 721, fromTime: '00:00', untilTime: '23:00' }), [
      'everyMinutes:cadenceRange',
    ]);
    assert.deepEqual(problems({ everyMinutes: 7.5, fromTime: '08:00', untilTime: '18:00' }), [
      'everyMinutes:cadenceRange',
    ]);
    assert.deepEqual(problems({ everyMinutes: Number.NaN, fromTime: '08:00', untilTime: '18:00' }), [
      'everyMinutes:cadenceRange',
    ]);
    assert.deepEqual(problems({ everyMinutes: 15, fromTime: '8:00', untilTime: '24:00' }), [
      'fromTime:time',
      'untilTime:time',
    ]);
    assert.deepEqual(problems({ everyMinutes: 15, fromTime: '18:00', untilTime: '08:00' }), ['untilTime:timeOrder']);
    assert.deepEqual(problems({ everyMinutes: 15, fromTime: '08:00', untilTime: '08:00' }), ['untilTime:timeOrder']);
    assert.deepEqual(
      problems({ everyMinutes: 120, fromTime: '08:00', untilTime: '09:00' }),
      ['everyMinutes:cadenceSpan'],
      'one draw a day is a daily draw',
    );
  });

  it('validates a new opening rule with validateOpeningRule, from today on', () => {
    const rule = {
      counterId: 'c-1',
      procedureId: 'titre-sejour',
      weekdays: [1, 2, 3, 4] as (1 | 2 | 3 | 4)[],
      validFrom: TODAY,
      validUntil: null,
      windows: [{ start: '09:00', end: '12:00' }],
      slotMinutes: 20,
    };
    assert.deepEqual(newOpeningRuleProblems(rule, TODAY), []);
    assert.deepEqual(fields(newOpeningRuleProblems({ ...rule, validFrom: '2026-05-31' }, TODAY)), ['validFrom']);
    assert.deepEqual(
      newOpeningRuleProblems({ ...rule, validFrom: '2026-05-31' }, TODAY).map((p) => p.problem),
      ['past'],
    );
    const broken = newOpeningRuleProblems(
      { ...rule, weekdays: [8 as 1], windows: [{ start: '12:00', end: '09:00' }], slotMinutes: 3 },
      TODAY,
    );
    assert.ok(fields(broken).includes('weekdays'), JSON.stringify(broken));
    assert.ok(fields(broken).includes('windows'), JSON.stringify(broken));
    assert.deepEqual(fields(newOpeningRuleProblems({ ...rule, procedureId: '' }, TODAY)), ['procedureId']);
  });

  it('ends a rule from a date: the day before becomes its last, or it is removed when it had not started', () => {
    const rule = { validFrom: '2026-01-05', validUntil: null };
    assert.deepEqual(endOpeningRule(rule, '2026-07-01', TODAY), { kind: 'end', validUntil: '2026-06-30' });
    assert.deepEqual(endOpeningRule({ validFrom: '2026-07-01', validUntil: null }, '2026-07-01', TODAY), {
      kind: 'remove',
    });
    assert.equal(endOpeningRule({ validFrom: '2026-01-05', validUntil: '2026-06-10' }, '2026-06-20', TODAY), null);
    assert.throws(
      () => endOpeningRule(rule, '2026-05-31', TODAY),
      (e) => isDomainError(e) && e.code === 'VALIDATION_FAILED',
    );
    assert.throws(
      () => endOpeningRule(rule, '2026-02-30', TODAY),
      (e) => isDomainError(e) && e.code === 'VALIDATION_FAILED',
    );
  });

  it('checks a closure: from today, in order, at most a year, with a reason', () => {
    assert.deepEqual(closureProblems({ dateFrom: TODAY, dateTo: '2026-06-03', reason: 'Travaux' }, TODAY), []);
    assert.deepEqual(fields(closureProblems({ dateFrom: '2026-05-30', dateTo: '2026-05-29', reason: '' }, TODAY)), [
      'dateFrom',
      'dateTo',
      'reason',
    ]);
    assert.deepEqual(fields(closureProblems({ dateFrom: TODAY, dateTo: '2027-06-02', reason: 'x' }, TODAY)), [
      'dateTo',
    ]);
    assert.deepEqual(fields(closureProblems({ dateFrom: '2026-02-30', dateTo: 'soon', reason: 'x' }, TODAY)), [
      'dateFrom',
      'dateTo',
    ]);
  });
});

// Each problem exactly: its field places it next to the input, its problem key picks the
// translated message of the pages (agent-config:problems), its message is the API's.
describe('configuration rules: each problem exactly', () => {
  const problem = (field: string, key: string, message: string) => ({ field, problem: key, message });
  const refusal = (act: () => unknown): DomainError => {
    try {
      act();
    } catch (error) {
      assert.ok(error instanceof DomainError);
      return error;
    }
    assert.fail('no refusal');
  };

  it('throws the problems as VALIDATION_FAILED errors, or nothing when there are none', () => {
    assert.equal(assertNoProblems([]), undefined);
    const error = refusal(() =>
      assertNoProblems([problem('name', 'required', 'name is required'), problem('phone', 'phone', 'bad')]),
    );
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.equal(error.message, 'Some fields are missing or invalid.');
    assert.deepEqual(error.details, {
      errors: [
        { path: 'name', message: 'name is required', problem: 'required' },
        { path: 'phone', message: 'bad', problem: 'phone' },
      ],
    });
  });

  it("bounds a site's texts at 200, 300, 30 and 500 characters, and a counter's name at 100", () => {
    const site = { name: 'Bobigny', address: '1 esplanade Jean Moulin', phone: '', publicHours: '' };
    assert.deepEqual(
      siteDetailsProblems({ name: 'n'.repeat(200), address: 'a'.repeat(300), phone: '', publicHours: 'h'.repeat(500) }),
      [],
    );
    assert.deepEqual(
      siteDetailsProblems({ name: 'n'.repeat(201), address: 'a'.repeat(301), phone: '', publicHours: 'h'.repeat(501) }),
      [
        problem('name', 'tooLong', 'name is longer than 200 characters'),
        problem('address', 'tooLong', 'address is longer than 300 characters'),
        problem('publicHours', 'tooLong', 'publicHours is longer than 500 characters'),
      ],
    );
    assert.deepEqual(siteDetailsProblems({ ...site, name: '  ', address: 'x\u001by' }), [
      problem('name', 'required', 'name is required'),
      problem('address', 'characters', 'address contains control characters'),
    ]);
    assert.deepEqual(siteDetailsProblems({ ...site, address: 'Bâtiment A\n\t1 rue X' }), [], 'tabs and line breaks');
    assert.deepEqual(counterNameProblems('g'.repeat(100)), []);
    assert.deepEqual(counterNameProblems('g'.repeat(101)), [
      problem('name', 'tooLong', 'name is longer than 100 characters'),
    ]);
    assert.deepEqual(counterNameProblems(' '), [problem('name', 'required', 'name is required')]);
  });

  it('takes a phone of 6 to 30 digits, spaces and + . ( ) -, with or without +, or none', () => {
    const site = { name: 'Bobigny', address: '1 esplanade Jean Moulin', phone: '', publicHours: '' };
    const phoneProblems = (phone: string) => siteDetailsProblems({ ...site, phone });
    const bad = problem('phone', 'phone', 'phone must be digits, spaces and + . ( ) - only');
    for (const phone of [
      '01 41 60 60 60',
      '+33 (0)1.41.60-60-60',
      '123456',
      ' 01 41 60 60 60 ',
      '\t0141606060\n',
      '   ',
      '1'.repeat(30),
    ]) {
      assert.deepEqual(phoneProblems(phone), [], phone);
    }
    for (const phone of ['12345', 'call us', 'tel 0141606060', '0141606060 poste 2', '++33141606060', '33+141606060']) {
      assert.deepEqual(phoneProblems(phone), [bad], phone);
    }
    assert.deepEqual(phoneProblems('1'.repeat(31)), [
      problem('phone', 'tooLong', 'phone is longer than 30 characters'),
      bad,
    ]);
  });

  it('takes a reserve from 0 to 100 %, a time of day from 00:00 to 23:59, a cap from 1 to 20', () => {
    const percent = [problem('reservedPercent', 'percent', 'reservedPercent must be a whole number from 0 to 100')];
    for (const p of [0, 1, 50, 100]) assert.deepEqual(reservedPercentProblems(p), [], String(p));
    for (const p of [-1, 101, 0.5, Number.NaN]) assert.deepEqual(reservedPercentProblems(p), percent, String(p));
    const time = [problem('dailyAt', 'time', 'dailyAt must be a time HH:MM')];
    for (const t of ['00:00', '07:30', '19:59', '23:59']) assert.deepEqual(drawScheduleProblems({ dailyAt: t }), [], t);
    for (const t of ['24:00', '7:30', '07:60', 'x07:30', '07:305', '07h30', '']) {
      assert.deepEqual(drawScheduleProblems({ dailyAt: t }), time, t);
    }
    const cap = [problem('maxActivePerEmail', 'range', 'maxActivePerEmail must be a whole number from 1 to 20')];
    for (const n of [1, 2, 20]) assert.deepEqual(emailCapProblems(n), [], String(n));
    for (const n of [0, 21, 2.5, Number.NaN]) assert.deepEqual(emailCapProblems(n), cap, String(n));
  });

  it("names each problem of a procedure's policy", () => {
    assert.deepEqual(
      procedurePolicyProblems({
        releaseDaysAhead: -1,
        releaseTime: '8h',
        offerHours: 337,
        maxIgnoredOffers: 11,
        maxDeclines: 0,
      }),
      [
        problem('releaseDaysAhead', 'range', 'releaseDaysAhead must be a whole number from 0 to 366'),
        problem('releaseTime', 'time', 'releaseTime must be a time HH:MM'),
        problem('offerHours', 'range', 'offerHours must be a whole number from 1 to 336'),
        problem('maxIgnoredOffers', 'range', 'maxIgnoredOffers must be a whole number from 1 to 10'),
      ],
    );
    assert.deepEqual(
      procedurePolicyProblems({
        releaseDaysAhead: 366,
        releaseTime: '23:59',
        offerHours: 1,
        maxIgnoredOffers: 1,
        maxDeclines: 10,
      }),
      [],
    );
  });

  it('names each problem of a draw cadence, counting minutes from midnight', () => {
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 3, fromTime: '18:00', untilTime: '08:00' }), [
      problem('everyMinutes', 'cadenceRange', 'everyMinutes must be a whole number from 5 to 720'),
      problem('untilTime', 'timeOrder', 'untilTime must be after fromTime'),
    ]);
    // One bad time: no comparison with the other (25:00 would read as after 08:00).
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 15, fromTime: '25:00', untilTime: '08:00' }), [
      problem('fromTime', 'time', 'fromTime must be a time HH:MM'),
    ]);
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 15, fromTime: '08:00', untilTime: '7:00' }), [
      problem('untilTime', 'time', 'untilTime must be a time HH:MM'),
    ]);
    const span = problem(
      'everyMinutes',
      'cadenceSpan',
      'a cadence draws at least twice a day: everyMinutes must not exceed the time from fromTime to untilTime',
    );
    // 08:00–08:59 is 59 minutes: hours and minutes add up.
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 60, fromTime: '08:00', untilTime: '08:59' }), [span]);
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 90, fromTime: '08:45', untilTime: '10:15' }), []);
    assert.deepEqual(drawCadenceProblems({ everyMinutes: 91, fromTime: '08:45', untilTime: '10:15' }), [span]);
  });

  it('maps each problem of an opening rule to its field and its kind', () => {
    const rule = {
      counterId: 'c-1',
      procedureId: 'titre-sejour',
      weekdays: [1, 2] as (1 | 2)[],
      validFrom: TODAY,
      validUntil: null as string | null,
      windows: [{ start: '09:00', end: '12:00' }],
      slotMinutes: 20,
    };
    const check = (overrides: Partial<typeof rule>) => newOpeningRuleProblems({ ...rule, ...overrides }, TODAY);
    assert.deepEqual(check({ weekdays: [] }), [problem('weekdays', 'weekdays', 'at least one weekday is required')]);
    assert.deepEqual(check({ weekdays: [8 as 1, 1, 1] }), [
      problem('weekdays', 'weekdays', 'weekday 8 is not an ISO weekday (1 = Monday … 7 = Sunday)'),
      problem('weekdays', 'weekdays', 'weekday 1 is listed more than once'),
    ]);
    assert.deepEqual(check({ validFrom: '2026-02-30', validUntil: '2026-13-01' }), [
      problem('validFrom', 'date', 'validFrom must be a valid YYYY-MM-DD date, got "2026-02-30"'),
      problem('validUntil', 'date', 'validUntil must be a valid YYYY-MM-DD date or null, got "2026-13-01"'),
    ]);
    assert.deepEqual(check({ validFrom: '2026-07-02', validUntil: '2026-07-01' }), [
      problem('validFrom', 'order', 'validFrom (2026-07-02) must not be after validUntil (2026-07-01)'),
    ]);
    assert.deepEqual(check({ slotMinutes: 3 }), [
      problem('slotMinutes', 'slotMinutes', 'slotMinutes must be an integer between 5 and 240, got 3'),
    ]);
    assert.deepEqual(check({ windows: [] }), [
      problem('windows', 'windowRequired', 'at least one time window is required'),
    ]);
    assert.deepEqual(
      check({
        windows: [
          { start: '9h', end: '24:00' },
          { start: '12:00', end: '09:00' },
          { start: '13:00', end: '13:10' },
        ],
      }),
      [
        problem('windows', 'time', 'window 1 (9h–24:00): start must be "HH:MM" between 00:00 and 23:59'),
        problem('windows', 'time', 'window 1 (9h–24:00): end must be "HH:MM" between 00:00 and 23:59'),
        problem('windows', 'windowOrder', 'window 2 (12:00–09:00): start must be before end'),
        problem('windows', 'windowShort', 'window 3 (13:00–13:10): shorter than one 20-minute slot'),
      ],
    );
    assert.deepEqual(
      check({
        windows: [
          { start: '14:00', end: '16:00' },
          { start: '09:00', end: '12:00' },
        ],
      }),
      [
        problem(
          'windows',
          'windowOverlap',
          'window 2 (09:00–12:00): windows must be in chronological order (starts before window 1 (14:00–16:00))',
        ),
      ],
    );
    assert.deepEqual(
      check({
        windows: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
      }),
      [problem('windows', 'windowOverlap', 'window 2 (11:00–13:00): overlaps window 1 (09:00–12:00)')],
    );
    assert.deepEqual(check({ counterId: '' }), [problem('counterId', 'rule', 'counterId is required')]);
    assert.deepEqual(check({ procedureId: '' }), [problem('procedureId', 'required', 'procedureId is required')]);
    // An invalid start is not also "past" (2026-02-30 sorts before today).
    assert.deepEqual(check({ validFrom: '2026-02-30' }), [
      problem('validFrom', 'date', 'validFrom must be a valid YYYY-MM-DD date, got "2026-02-30"'),
    ]);
    assert.deepEqual(check({ validFrom: '2026-05-31' }), [
      problem('validFrom', 'past', `validFrom must be today (${TODAY}) or later`),
    ]);
    // A start in the past is said along with the other problems.
    assert.deepEqual(check({ validFrom: '2026-05-31', slotMinutes: 3 }), [
      problem('slotMinutes', 'slotMinutes', 'slotMinutes must be an integer between 5 and 240, got 3'),
      problem('validFrom', 'past', `validFrom must be today (${TODAY}) or later`),
    ]);
  });

  it('checks an exceptional opening on one date, today or later, from 2000 on', () => {
    const opening = {
      counterId: 'c-1',
      procedureId: 'titre-sejour',
      date: '2026-06-13',
      windows: [{ start: '09:00', end: '12:00' }],
      slotMinutes: 20,
    };
    const date = problem('date', 'date', 'date must be a valid YYYY-MM-DD date');
    assert.deepEqual(exceptionalOpeningProblems(opening, TODAY), []);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, date: TODAY }, TODAY), []);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, date: '2026-02-30' }, TODAY), [date]);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, date: '13/06/2026' }, TODAY), [date]);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, date: '1999-12-31' }, '1999-01-01'), [date]);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, date: '2000-01-01' }, '1999-01-01'), []);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, date: '2026-05-31' }, TODAY), [
      problem('date', 'past', `date must be today (${TODAY}) or later`),
    ]);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, windows: [{ start: '12:00', end: '09:00' }] }, TODAY), [
      problem('windows', 'windowOrder', 'window 1 (12:00–09:00): start must be before end'),
    ]);
    assert.deepEqual(exceptionalOpeningProblems({ ...opening, procedureId: '' }, TODAY), [
      problem('procedureId', 'required', 'procedureId is required'),
    ]);
  });

  it('names the procedure refused for an opening', () => {
    assert.deepEqual(scheduledProcedureProblems('', null), [], 'an empty id is the form\'s "required"');
    assert.deepEqual(scheduledProcedureProblems('titre', null), [
      problem('procedureId', 'unknown', 'no procedure titre'),
    ]);
    assert.deepEqual(scheduledProcedureProblems('titre', { channel: 'postal' }), [
      problem('procedureId', 'notByAppointment', 'titre is not done by appointment'),
    ]);
  });

  it('ends a rule from today on, a date from 2000 on, and keeps a rule ending that very day', () => {
    const rule = { validFrom: '2026-01-05', validUntil: null };
    const errors = (act: () => unknown) => refusal(act).details;
    assert.deepEqual(endOpeningRule(rule, TODAY, TODAY), { kind: 'end', validUntil: '2026-05-31' });
    assert.deepEqual(endOpeningRule({ validFrom: '2026-01-05', validUntil: '2026-07-01' }, '2026-07-01', TODAY), {
      kind: 'end',
      validUntil: '2026-06-30',
    });
    assert.deepEqual(endOpeningRule({ validFrom: '2026-01-05', validUntil: '2026-12-31' }, '2026-07-01', TODAY), {
      kind: 'end',
      validUntil: '2026-06-30',
    });
    assert.equal(endOpeningRule({ validFrom: '2026-01-05', validUntil: '2026-06-30' }, '2026-07-01', TODAY), null);
    assert.deepEqual(
      errors(() => endOpeningRule(rule, '2026-05-31', TODAY)),
      {
        errors: [{ path: 'endsFrom', message: `endsFrom must be today (${TODAY}) or later`, problem: 'past' }],
      },
    );
    assert.deepEqual(
      errors(() => endOpeningRule(rule, '1999-12-31', '1999-01-01')),
      {
        errors: [{ path: 'endsFrom', message: 'endsFrom must be a valid YYYY-MM-DD date', problem: 'date' }],
      },
    );
    assert.equal(refusal(() => endOpeningRule(rule, 'soon', TODAY)).message, 'Some fields are missing or invalid.');
    assert.deepEqual(endOpeningRule(rule, '2000-01-01', '1999-01-01'), { kind: 'remove' });
  });

  it('names each problem of a closure; one day and 366 days are fine', () => {
    const closure = (dateFrom: string, dateTo: string, reason = 'Travaux', today = TODAY) =>
      closureProblems({ dateFrom, dateTo, reason }, today);
    assert.deepEqual(closure(TODAY, TODAY), [], 'one day');
    assert.deepEqual(closure(TODAY, '2027-06-01'), [], 'the longest: 2026-06-01 to 2027-06-01');
    assert.deepEqual(closure(TODAY, '2027-06-02'), [
      problem('dateTo', 'tooLongRange', 'a closure lasts 366 days at most'),
    ]);
    assert.deepEqual(closure('2026-06-03', '2026-06-02'), [
      problem('dateTo', 'order', 'dateTo must not be before dateFrom'),
    ]);
    assert.deepEqual(closure('2026-05-31', '2026-06-02', ''), [
      problem('dateFrom', 'past', `dateFrom must be today (${TODAY}) or later`),
      problem('reason', 'required', 'reason is required'),
    ]);
    // A bad date is only "date": not also past, nor out of order with the other.
    assert.deepEqual(closure('soon', '2026-06-02'), [
      problem('dateFrom', 'date', 'dateFrom must be a valid YYYY-MM-DD date'),
    ]);
    assert.deepEqual(closure('2026-02-30', '2026-06-02'), [
      problem('dateFrom', 'date', 'dateFrom must be a valid YYYY-MM-DD date'),
    ]);
    assert.deepEqual(closure(TODAY, '2026-13-01'), [
      problem('dateTo', 'date', 'dateTo must be a valid YYYY-MM-DD date'),
    ]);
    assert.deepEqual(closure('2000-01-01', '2000-01-02', 'x', '1999-01-01'), []);
    assert.deepEqual(closure('1999-12-31', '2000-01-02', 'x', '1999-01-01'), [
      problem('dateFrom', 'date', 'dateFrom must be a valid YYYY-MM-DD date'),
    ]);
    assert.deepEqual(closure(TODAY, TODAY, 'r'.repeat(501)), [
      problem('reason', 'tooLong', 'reason is longer than 500 characters'),
    ]);
  });
});

describe('configuration rules: slots after a change', () => {
  const at = (hhmm: string) => new Date(`2026-06-08T${hhmm}:00Z`);
  const released = new Date('2026-05-01T08:00:00Z');
  const existing = (id: string, start: string, end: string, extra: Partial<ExistingSlot> = {}): ExistingSlot => ({
    id,
    counterId: 'c1',
    procedureId: 'p',
    startsAt: at(start),
    endsAt: at(end),
    releasedAt: released,
    status: 'open',
    reservedForAgents: false,
    held: false,
    ...extra,
  });
  const wanted = (start: string, end: string, extra: Partial<WantedSlot> = {}): WantedSlot => ({
    counterId: 'c1',
    procedureId: 'p',
    startsAt: at(start),
    endsAt: at(end),
    releasedAt: released,
    localDate: '2026-06-08',
    reservedForAgents: false,
    ...extra,
  });

  it('keeps what is unchanged, adds what is new, withdraws what is no longer wanted', () => {
    const plan = planSlotResync(
      [existing('a', '09:00', '09:20'), existing('b', '09:20', '09:40')],
      [wanted('09:00', '09:20'), wanted('09:40', '10:00')],
    );
    assert.deepEqual(plan.withdraw, ['b']);
    assert.deepEqual(plan.update, []);
    assert.deepEqual(
      plan.insert.map((s) => s.startsAt.toISOString()),
      [at('09:40').toISOString()],
    );
  });

  it('never touches a held slot, and drops the wanted slots that would overlap it (worked example of planSlotResync)', () => {
    const plan = planSlotResync(
      [
        existing('free1', '09:00', '09:20'),
        existing('booked', '09:20', '09:40', { held: true }),
        existing('free2', '09:40', '10:00'),
      ],
      [wanted('09:00', '09:30'), wanted('09:30', '10:00')],
    );
    assert.deepEqual(plan.withdraw.sort(), ['free1', 'free2']);
    assert.deepEqual(plan.update, []);
    assert.deepEqual(plan.insert, []);
  });

  it("re-marks the agents' reserve and reopens a withdrawn slot in place (same counter and start)", () => {
    const plan = planSlotResync(
      [existing('a', '09:00', '09:20'), existing('w', '09:20', '09:40', { status: 'withdrawn' })],
      [wanted('09:00', '09:20', { reservedForAgents: true }), wanted('09:20', '09:40')],
    );
    assert.deepEqual(
      plan.update.map((u) => [u.id, u.slot.reservedForAgents]),
      [
        ['a', true],
        ['w', false],
      ],
    );
    assert.deepEqual(plan.withdraw, []);
    assert.deepEqual(plan.insert, []);
  });

  it('keeps the earliest of two wanted slots that overlap at one counter', () => {
    const plan = planSlotResync(
      [],
      [wanted('09:00', '09:30'), wanted('09:15', '09:45', { procedureId: 'q' }), wanted('09:30', '10:00')],
    );
    assert.deepEqual(
      plan.insert.map((s) => s.startsAt.toISOString()),
      [at('09:00').toISOString(), at('09:30').toISOString()],
    );
  });
  it('updates a free slot whose procedure, end or release changed, and leaves an identical one alone', () => {
    const later = new Date('2026-05-02T08:00:00Z');
    const plan = planSlotResync(
      [
        existing('same', '08:00', '08:20'),
        existing('proc', '09:00', '09:20'),
        existing('end', '10:00', '10:20'),
        existing('rel', '11:00', '11:20'),
      ],
      [
        wanted('08:00', '08:20'),
        wanted('09:00', '09:20', { procedureId: 'q' }),
        wanted('10:00', '10:30'),
        wanted('11:00', '11:20', { releasedAt: later }),
      ],
    );
    assert.deepEqual(
      plan.update.map((u) => u.id),
      ['proc', 'end', 'rel'],
    );
    assert.deepEqual(plan.withdraw, []);
    assert.deepEqual(plan.insert, []);
  });

  it('drops what overlaps any held slot of the counter, not what only touches one, nor at another counter', () => {
    const plan = planSlotResync(
      [
        existing('held1', '09:00', '09:20', { held: true }),
        existing('held2', '10:00', '10:20', { held: true }),
        existing('held3', '11:00', '11:20', { held: true }),
      ],
      [
        wanted('08:40', '09:00'),
        wanted('09:10', '09:30'),
        wanted('09:20', '09:40'),
        wanted('09:50', '10:10'),
        wanted('10:50', '11:10'),
        wanted('11:20', '11:40'),
        wanted('09:10', '09:30', { counterId: 'c2' }),
        wanted('13:00', '13:20'),
      ],
    );
    assert.deepEqual(
      plan.insert.map((s) => `${s.counterId} ${s.startsAt.toISOString().slice(11, 16)}`),
      ['c1 08:40', 'c2 09:10', 'c1 09:20', 'c1 11:20', 'c1 13:00'],
    );
    assert.deepEqual(plan.withdraw, []);
  });

  it('takes the wanted slots in time order whatever their order, and leaves withdrawn ones withdrawn', () => {
    const plan = planSlotResync(
      [existing('gone', '12:00', '12:20', { status: 'withdrawn' })],
      [
        wanted('09:40', '10:00', { counterId: 'c2' }),
        wanted('09:15', '09:45'),
        wanted('09:40', '10:00'),
        wanted('09:00', '09:30'),
        wanted('09:40', '10:00', { counterId: 'c0' }),
      ],
    );
    assert.deepEqual(
      plan.insert.map((s) => `${s.counterId} ${s.startsAt.toISOString().slice(11, 16)}`),
      ['c1 09:00', 'c0 09:40', 'c1 09:40', 'c2 09:40'],
    );
    assert.deepEqual(plan.withdraw, [], 'already withdrawn');
    assert.deepEqual(plan.update, []);
  });

  it('never touches a held slot wanted again at its very counter and start', () => {
    const plan = planSlotResync(
      [existing('booked', '09:00', '09:20', { held: true, procedureId: 'old' })],
      [wanted('09:00', '09:20'), wanted('09:20', '09:40')],
    );
    assert.deepEqual(plan.update, []);
    assert.deepEqual(plan.withdraw, []);
    assert.deepEqual(
      plan.insert.map((s) => s.startsAt.toISOString()),
      [at('09:20').toISOString()],
    );
  });

  it('orders wanted slots of one start by counter, and keeps the first given of two at one counter and start', () => {
    const plan = planSlotResync(
      [],
      [
        wanted('09:40', '10:00', { counterId: 'c0' }),
        wanted('09:40', '10:00', { counterId: 'c2' }),
        wanted('09:40', '10:10', { procedureId: 'first' }),
        wanted('09:40', '10:00', { procedureId: 'second' }),
      ],
    );
    assert.deepEqual(
      plan.insert.map((s) => `${s.counterId} ${s.procedureId}`),
      ['c0 p', 'c1 first', 'c2 p'],
    );
  });
});
