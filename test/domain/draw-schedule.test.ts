import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CATCH_UP_MS,
  collectionWindowMs,
  DAILY_COLLECTION_MS,
  type DrawSchedule,
  freedCollectionWindowMs,
  latestDueTick,
  ticksBetween,
  tickTimes,
  wallClockInstant,
} from '../../src/domain/draw-schedule.ts';

const PARIS: DrawSchedule = { timeZone: 'Europe/Paris', dailyAt: '07:00', cadence: null };
const iso = (ticks: { at: Date; trigger: string }[]) => ticks.map((t) => `${t.at.toISOString()} ${t.trigger}`);
const localTime = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
/** The daily draws among a daily schedule's ticks (the hourly ones after them left out). */
const dailyOnly = (schedule: DrawSchedule, ticks: { at: Date; trigger: string }[]) =>
  ticks.filter((t) => localTime(t.at, schedule.timeZone) === schedule.dailyAt);
const at = (s: string) => new Date(s);

describe('draw schedule — daily ticks in local time', () => {
  it('draws at 07:00 Paris time: 06:00Z in winter, 05:00Z in summer', () => {
    assert.deepEqual(
      iso(dailyOnly(PARIS, ticksBetween(PARIS, at('2026-01-14T12:00:00Z'), at('2026-01-16T12:00:00Z')))),
      ['2026-01-15T06:00:00.000Z daily', '2026-01-16T06:00:00.000Z daily'],
    );
    assert.deepEqual(
      iso(dailyOnly(PARIS, ticksBetween(PARIS, at('2026-07-14T12:00:00Z'), at('2026-07-15T12:00:00Z')))),
      ['2026-07-15T05:00:00.000Z daily'],
    );
  });

  it('follows the DST changes of the prefecture, day by day', () => {
    // Sunday 29 March 2026: clocks go forward at 02:00 in Paris.
    assert.deepEqual(
      iso(dailyOnly(PARIS, ticksBetween(PARIS, at('2026-03-27T12:00:00Z'), at('2026-03-30T12:00:00Z')))),
      ['2026-03-28T06:00:00.000Z daily', '2026-03-29T05:00:00.000Z daily', '2026-03-30T05:00:00.000Z daily'],
    );
    // Sunday 25 October 2026: clocks go back at 03:00.
    assert.deepEqual(
      iso(dailyOnly(PARIS, ticksBetween(PARIS, at('2026-10-24T12:00:00Z'), at('2026-10-26T12:00:00Z')))),
      ['2026-10-25T06:00:00.000Z daily', '2026-10-26T06:00:00.000Z daily'],
    );
  });

  it('moves a time that does not exist forward and uses a repeated time once (its first occurrence)', () => {
    const night = { ...PARIS, dailyAt: '02:30' };
    // 02:30 does not exist on 29 March: 03:30 CEST = 01:30Z.
    assert.deepEqual(iso(ticksBetween(night, at('2026-03-28T19:00:00Z'), at('2026-03-29T01:59:00Z'))), [
      '2026-03-29T01:30:00.000Z daily',
    ]);
    // 02:30 happens twice on 25 October: the first, 02:30 CEST = 00:30Z; not again at 01:30Z.
    assert.deepEqual(iso(ticksBetween(night, at('2026-10-24T19:00:00Z'), at('2026-10-25T01:59:00Z'))), [
      '2026-10-25T00:30:00.000Z daily',
    ]);
  });

  it('uses the time zone of overseas prefectures', () => {
    assert.equal(wallClockInstant('2026-01-15', '07:00', 'America/Cayenne').toISOString(), '2026-01-15T10:00:00.000Z');
    assert.equal(wallClockInstant('2026-01-15', '07:00', 'Indian/Reunion').toISOString(), '2026-01-15T03:00:00.000Z');
    const cayenne = { timeZone: 'America/Cayenne', dailyAt: '07:00', cadence: null };
    assert.deepEqual(
      iso(dailyOnly(cayenne, ticksBetween(cayenne, at('2026-01-15T00:00:00Z'), at('2026-01-16T00:00:00Z')))),
      ['2026-01-15T10:00:00.000Z daily'],
    );
  });

  it('draws hourly after the daily draw until 20:00, so that a freed slot is drawn within the hour', () => {
    assert.deepEqual(tickTimes(PARIS), [
      '07:00',
      '08:00',
      '09:00',
      '10:00',
      '11:00',
      '12:00',
      '13:00',
      '14:00',
      '15:00',
      '16:00',
      '17:00',
      '18:00',
      '19:00',
      '20:00',
    ]);
    assert.equal(freedCollectionWindowMs(PARIS), 3_600_000);
    // A daily draw set after 20:00 still happens, once.
    assert.deepEqual(tickTimes({ dailyAt: '21:30', cadence: null }), ['21:30']);
  });

  it('is a half-open interval (from, to]: a tick at `to` counts, one at `from` does not', () => {
    assert.deepEqual(
      iso(dailyOnly(PARIS, ticksBetween(PARIS, at('2026-01-15T06:00:00Z'), at('2026-01-16T06:00:00Z')))),
      ['2026-01-16T06:00:00.000Z daily'],
    );
  });
});

describe('draw schedule — a cadence through the day', () => {
  const calm: DrawSchedule = { ...PARIS, cadence: { everyMinutes: 15, fromTime: '08:00', untilTime: '09:00' } };

  it('draws every step from the first time to the last, both included, in local time', () => {
    assert.deepEqual(tickTimes(calm), ['08:00', '08:15', '08:30', '08:45', '09:00']);
    assert.deepEqual(
      tickTimes({ dailyAt: '07:00', cadence: { everyMinutes: 25, fromTime: '08:00', untilTime: '09:00' } }),
      ['08:00', '08:25', '08:50'],
    );
    assert.deepEqual(iso(ticksBetween(calm, at('2026-01-15T06:50:00Z'), at('2026-01-15T07:20:00Z'))), [
      '2026-01-15T07:00:00.000Z cadence',
      '2026-01-15T07:15:00.000Z cadence',
    ]);
  });

  it('has no tick at night and none at release instants (a release is an instant anyone can watch)', () => {
    assert.deepEqual(iso(ticksBetween(calm, at('2026-01-15T08:01:00Z'), at('2026-01-16T06:59:00Z'))), []);
  });

  it('waits a full collection window: the step of a cadence, 12 hours for daily draws', () => {
    assert.equal(collectionWindowMs(calm), 15 * 60_000);
    assert.equal(collectionWindowMs(PARIS), DAILY_COLLECTION_MS);
    assert.equal(DAILY_COLLECTION_MS, 12 * 3_600_000);
  });
});

describe('draw schedule — the tick due now', () => {
  it('is the latest tick at or before now', () => {
    assert.deepEqual(latestDueTick(PARIS, at('2026-01-15T08:30:00Z')), {
      at: at('2026-01-15T08:00:00Z'),
      trigger: 'daily',
    });
    assert.deepEqual(latestDueTick(PARIS, at('2026-01-15T05:59:59Z')), {
      at: at('2026-01-14T19:00:00Z'),
      trigger: 'daily',
    });
    const calm: DrawSchedule = { ...PARIS, cadence: { everyMinutes: 15, fromTime: '08:00', untilTime: '18:00' } };
    assert.deepEqual(latestDueTick(calm, at('2026-01-15T07:20:00Z')), {
      at: at('2026-01-15T07:15:00Z'),
      trigger: 'cadence',
    });
  });

  it('catches up a missed tick within the window only (a draw reads the present: older ticks add nothing)', () => {
    assert.equal(latestDueTick(PARIS, at('2026-01-15T05:00:00Z'), 60 * 60_000), null);
    assert.deepEqual(latestDueTick(PARIS, at('2026-01-15T06:30:00Z'), 60 * 60_000)?.at, at('2026-01-15T06:00:00Z'));
    assert.equal(CATCH_UP_MS, 24 * 3_600_000);
  });
});
