import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AppointmentStatus,
  auditActionOf,
  availableActions,
  type CheckInAction,
  canUndo,
  isCheckInAction,
  isCheckInCommand,
  noShowFrom,
  noShowRate,
  transitionFor,
  undoFor,
  whyNoArrival,
} from '../../src/domain/agenda-rules.ts';
import { DomainError } from '../../src/domain/errors.ts';

// Slot 2026-06-02 09:00 in Paris (07:00Z).
const STARTS = new Date('2026-06-02T07:00:00Z');
const subject = (status: AppointmentStatus, timeZone = 'Europe/Paris') => ({ status, startsAt: STARTS, timeZone });
const at = (iso: string) => new Date(iso);

function codeOf(action: CheckInAction, status: AppointmentStatus, now: Date, timeZone?: string): string {
  try {
    transitionFor(action, subject(status, timeZone), now);
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof DomainError);
    return error.code;
  }
}

describe('check-in transitions', () => {
  it('checks a booked person in on the local day of the appointment only', () => {
    assert.deepEqual(transitionFor('arrived', subject('booked'), at('2026-06-02T06:30:00Z')), {
      from: 'booked',
      to: 'arrived',
    });
    assert.equal(codeOf('arrived', 'booked', at('2026-06-01T22:00:00Z')), 'ok', 'midnight in Paris is already the day');
    assert.equal(codeOf('arrived', 'booked', at('2026-06-01T21:59:59Z')), 'CHECK_IN_NOT_TODAY', '23:59 the day before');
    assert.equal(codeOf('arrived', 'booked', at('2026-06-02T22:00:00Z')), 'CHECK_IN_NOT_TODAY', 'the next day');
    // In Cayenne (UTC−3) 07:00Z is 04:00 the same day; 02:59Z is still June 1st there.
    assert.equal(codeOf('arrived', 'booked', at('2026-06-02T02:59:00Z'), 'America/Cayenne'), 'CHECK_IN_NOT_TODAY');
    assert.equal(codeOf('arrived', 'booked', at('2026-06-02T03:00:00Z'), 'America/Cayenne'), 'ok');
  });

  it('serves only someone who arrived', () => {
    assert.deepEqual(transitionFor('served', subject('arrived'), at('2026-06-02T08:00:00Z')), {
      from: 'arrived',
      to: 'served',
    });
    for (const status of ['booked', 'served', 'no_show', 'cancelled'] as const) {
      assert.equal(codeOf('served', status, at('2026-06-02T08:00:00Z')), 'APPOINTMENT_STATUS_CONFLICT', status);
    }
  });

  it('records a no-show from 15 minutes after the start, for a booked appointment only', () => {
    assert.equal(noShowFrom(STARTS).toISOString(), '2026-06-02T07:15:00.000Z');
    assert.equal(codeOf('no_show', 'booked', at('2026-06-02T07:14:59Z')), 'NO_SHOW_TOO_EARLY');
    assert.deepEqual(transitionFor('no_show', subject('booked'), at('2026-06-02T07:15:00Z')), {
      from: 'booked',
      to: 'no_show',
    });
    assert.equal(codeOf('no_show', 'booked', at('2026-06-05T07:15:00Z')), 'ok', 'a later day too');
    assert.equal(codeOf('no_show', 'arrived', at('2026-06-02T08:00:00Z')), 'APPOINTMENT_STATUS_CONFLICT');
    assert.equal(codeOf('no_show', 'cancelled', at('2026-06-02T08:00:00Z')), 'APPOINTMENT_STATUS_CONFLICT');
  });

  it('never checks in twice nor a cancelled, served or no-show appointment', () => {
    for (const status of ['arrived', 'served', 'no_show', 'cancelled'] as const) {
      assert.equal(codeOf('arrived', status, at('2026-06-02T07:00:00Z')), 'APPOINTMENT_STATUS_CONFLICT', status);
    }
  });

  it('offers the buttons that would succeed now', () => {
    assert.deepEqual(availableActions(subject('booked'), at('2026-06-02T06:00:00Z')), ['arrived']);
    assert.deepEqual(availableActions(subject('booked'), at('2026-06-02T07:20:00Z')), ['arrived', 'no_show']);
    assert.deepEqual(availableActions(subject('booked'), at('2026-06-03T07:20:00Z')), ['no_show']);
    assert.deepEqual(availableActions(subject('arrived'), at('2026-06-02T07:20:00Z')), ['served']);
    assert.deepEqual(availableActions(subject('served'), at('2026-06-02T07:20:00Z')), []);
  });
});

describe('undo', () => {
  const changed = (status: AppointmentStatus, statusChangedAt: Date | null) => ({
    ...subject(status),
    statusChangedAt,
  });
  it('takes the last step back on the local day it was made', () => {
    const at20 = at('2026-06-02T07:20:00Z');
    assert.deepEqual(undoFor(changed('no_show', at20), at('2026-06-02T21:59:59Z')), { from: 'no_show', to: 'booked' });
    assert.deepEqual(undoFor(changed('served', at20), at20), { from: 'served', to: 'arrived' });
    assert.deepEqual(undoFor(changed('arrived', at20), at20), { from: 'arrived', to: 'booked' });
    const code = (s: ReturnType<typeof changed>, now: Date) => {
      try {
        undoFor(s, now);
        return 'ok';
      } catch (e) {
        return (e as DomainError).code;
      }
    };
    assert.equal(
      code(changed('no_show', at20), at('2026-06-02T22:00:00Z')),
      'CHECK_IN_UNDO_TOO_LATE',
      'midnight in Paris',
    );
    assert.equal(code(changed('booked', null), at20), 'APPOINTMENT_STATUS_CONFLICT');
    assert.equal(code(changed('cancelled', at20), at20), 'APPOINTMENT_STATUS_CONFLICT');
    assert.equal(canUndo(changed('arrived', null), at20), false, 'set by no agent: nothing to take back');
    assert.equal(canUndo(changed('arrived', at20), at20), true);
  });
});

describe('what a refusal tells the agent', () => {
  const refusal = (act: () => unknown): DomainError => {
    try {
      act();
    } catch (error) {
      assert.ok(error instanceof DomainError);
      return error;
    }
    assert.fail('no refusal');
  };
  it('gives the status and the action in conflict, the appointment date, the first no-show instant', () => {
    const conflict = refusal(() => transitionFor('served', subject('booked'), at('2026-06-02T08:00:00Z')));
    assert.equal(conflict.code, 'APPOINTMENT_STATUS_CONFLICT');
    assert.deepEqual(conflict.details, { status: 'booked', action: 'served' });
    const notToday = refusal(() => transitionFor('arrived', subject('booked'), at('2026-06-01T12:00:00Z')));
    assert.equal(notToday.code, 'CHECK_IN_NOT_TODAY');
    assert.deepEqual(notToday.details, { appointmentDate: '2026-06-02' });
    const early = refusal(() => transitionFor('no_show', subject('booked'), at('2026-06-02T07:05:00Z')));
    assert.equal(early.code, 'NO_SHOW_TOO_EARLY');
    assert.deepEqual(early.details, { from: '2026-06-02T07:15:00.000Z' });
    const undo = refusal(() => undoFor({ ...subject('cancelled'), statusChangedAt: null }, at('2026-06-02T08:00:00Z')));
    assert.equal(undo.code, 'APPOINTMENT_STATUS_CONFLICT');
    assert.deepEqual(undo.details, { status: 'cancelled', action: 'undo' });
  });
});

describe('commands from a form', () => {
  it('accepts the three steps and undo, nothing else', () => {
    for (const action of ['arrived', 'served', 'no_show']) {
      assert.equal(isCheckInAction(action), true, action);
      assert.equal(isCheckInCommand(action), true, action);
    }
    assert.equal(isCheckInAction('undo'), false);
    assert.equal(isCheckInCommand('undo'), true);
    for (const other of ['', 'booked', 'cancelled', 'ARRIVED', 'undo ', null, undefined, 1, ['arrived']]) {
      assert.equal(isCheckInAction(other), false, String(other));
      assert.equal(isCheckInCommand(other), false, String(other));
    }
  });

  it('names the audit action of each command', () => {
    assert.deepEqual((['arrived', 'served', 'no_show', 'undo'] as const).map(auditActionOf), [
      'appointment.arrived',
      'appointment.served',
      'appointment.no_show',
      'appointment.undo',
    ]);
  });
});

describe('no-show rate', () => {
  it('divides no-shows by appointments due, and has no rate for nothing due', () => {
    assert.equal(noShowRate(40, 6), 0.15);
    assert.equal(noShowRate(3, 0), 0);
    assert.equal(noShowRate(0, 0), null);
  });
});

it('says why an arrival cannot be recorded: another day (later or past), cancelled, already closed', () => {
  // Paris, slot Wednesday 3 June 2026 at 09:00 (07:00Z).
  const subject = (status: AppointmentStatus) => ({
    status,
    startsAt: new Date('2026-06-03T07:00:00Z'),
    timeZone: 'Europe/Paris',
  });
  const tuesday = new Date('2026-06-02T21:59:00Z'); // 23:59 the day before, local
  const wednesday = new Date('2026-06-02T22:00:00Z'); // 00:00 that day, local
  const thursday = new Date('2026-06-03T22:00:00Z');
  assert.equal(whyNoArrival(subject('booked'), tuesday), 'future_day');
  assert.equal(whyNoArrival(subject('booked'), wednesday), null);
  assert.equal(whyNoArrival(subject('booked'), thursday), 'past_day');
  assert.equal(whyNoArrival(subject('arrived'), thursday), null);
  assert.equal(whyNoArrival(subject('cancelled'), wednesday), 'cancelled');
  assert.equal(whyNoArrival(subject('served'), wednesday), 'closed');
  assert.equal(whyNoArrival(subject('no_show'), wednesday), 'closed');
});
