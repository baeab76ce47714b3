import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  closureProblems,
  counterNameProblems,
  drawCadenceProblems,
  drawScheduleProblems,
  type ExistingSlot,
  emailCapProblems,
  endOpeningRule,
  newOpeningRuleProblems,
  planSlotResync,
  procedurePolicyProblems,
  reservedPercentProblems,
  scheduledProcedureProblems,
  siteDetailsProblems,
  type WantedSlot,
} from '../../src/domain/configuration-rules.ts';
import { isDomainError } from '../../src/domain/errors.ts';

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
});
