import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATCH_UP_MS, latestDueTick, ticksBetween, wallClockInstant, type DrawSchedule } from '../../src/domain/draw-schedule.ts';

const PARIS: DrawSchedule = { timeZone: 'Europe/Paris', dailyAt: '07:00', afterRelease: false };
const iso = (ticks: { at: Date; trigger: string }[]) => ticks.map((t) => `${t.at.toISOString()} ${t.trigger}`);
const at = (s: string) => new Date(s);

describe('draw schedule — daily ticks in local time', () => {
  it('draws at 07:00 Paris time: 06:00Z in winter, 05:00Z in summer', () => {
    assert.deepEqual(iso(ticksBetween(PARIS, [], at('2026-01-14T12:00:00Z'), at('2026-01-16T12:00:00Z'))), [
      '2026-01-15T06:00:00.000Z daily', '2026-01-16T06:00:00.000Z daily',
    ]);
    assert.deepEqual(iso(ticksBetween(PARIS, [], at('2026-07-14T12:00:00Z'), at('2026-07-15T12:00:00Z'))), ['2026-07-15T05:00:00.000Z daily']);
  });

  it('follows the DST changes of the prefecture, day by day', () => {
    // Sunday 29 March 2026: clocks go forward at 02:00 in Paris.
    assert.deepEqual(iso(ticksBetween(PARIS, [], at('2026-03-27T12:00:00Z'), at('2026-03-30T12:00:00Z'))), [
      '2026-03-28T06:00:00.000Z daily', '2026-03-29T05:00:00.000Z daily', '2026-03-30T05:00:00.000Z daily',
    ]);
    // Sunday 25 October 2026: clocks go back at 03:00.
    assert.deepEqual(iso(ticksBetween(PARIS, [], at('2026-10-24T12:00:00Z'), at('2026-10-26T12:00:00Z'))), [
      '2026-10-25T06:00:00.000Z daily', '2026-10-26T06:00:00.000Z daily',
    ]);
  });

  it('moves a time that does not exist forward and uses a repeated time once (its first occurrence)', () => {
    const night = { ...PARIS, dailyAt: '02:30' };
    // 02:30 does not exist on 29 March: 03:30 CEST = 01:30Z.
    assert.deepEqual(iso(ticksBetween(night, [], at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'))), ['2026-03-29T01:30:00.000Z daily']);
    // 02:30 happens twice on 25 October: the first, 02:30 CEST = 00:30Z; not again at 01:30Z.
    assert.deepEqual(iso(ticksBetween(night, [], at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'))), ['2026-10-25T00:30:00.000Z daily']);
  });

  it('uses the time zone of overseas prefectures', () => {
    assert.equal(wallClockInstant('2026-01-15', '07:00', 'America/Cayenne').toISOString(), '2026-01-15T10:00:00.000Z');
    assert.equal(wallClockInstant('2026-01-15', '07:00', 'Indian/Reunion').toISOString(), '2026-01-15T03:00:00.000Z');
    const cayenne = { timeZone: 'America/Cayenne', dailyAt: '07:00', afterRelease: false };
    assert.deepEqual(iso(ticksBetween(cayenne, [], at('2026-01-15T00:00:00Z'), at('2026-01-16T00:00:00Z'))), ['2026-01-15T10:00:00.000Z daily']);
  });

  it('is a half-open interval (from, to]: a tick at `to` counts, one at `from` does not', () => {
    assert.deepEqual(iso(ticksBetween(PARIS, [], at('2026-01-15T06:00:00Z'), at('2026-01-16T06:00:00Z'))), ['2026-01-16T06:00:00.000Z daily']);
  });
});

describe('draw schedule — after each release', () => {
  const releases = [at('2026-01-15T07:00:00Z'), at('2026-01-15T07:00:00Z'), at('2026-01-15T13:30:00Z'), at('2026-01-15T06:00:00Z')];

  it('adds a tick at each release instant, one per instant, the daily one winning a tie', () => {
    const schedule = { ...PARIS, afterRelease: true };
    assert.deepEqual(iso(ticksBetween(schedule, releases, at('2026-01-15T00:00:00Z'), at('2026-01-15T23:00:00Z'))), [
      '2026-01-15T06:00:00.000Z daily', '2026-01-15T07:00:00.000Z release', '2026-01-15T13:30:00.000Z release',
    ]);
  });

  it('ignores releases when the prefecture draws only daily', () => {
    assert.deepEqual(iso(ticksBetween(PARIS, releases, at('2026-01-15T00:00:00Z'), at('2026-01-15T23:00:00Z'))), ['2026-01-15T06:00:00.000Z daily']);
  });
});

describe('draw schedule — the tick due now', () => {
  const schedule = { ...PARIS, afterRelease: true };

  it('is the latest tick at or before now', () => {
    assert.deepEqual(latestDueTick(schedule, [], at('2026-01-15T08:30:00Z')), { at: at('2026-01-15T06:00:00Z'), trigger: 'daily' });
    assert.deepEqual(latestDueTick(schedule, [], at('2026-01-15T05:59:59Z')), { at: at('2026-01-14T06:00:00Z'), trigger: 'daily' });
    assert.deepEqual(latestDueTick(schedule, [at('2026-01-15T07:00:00Z')], at('2026-01-15T07:00:00Z')), { at: at('2026-01-15T07:00:00Z'), trigger: 'release' });
  });

  it('catches up a missed tick within the window only (a draw reads the present: older ticks add nothing)', () => {
    const hourly = { ...schedule, afterRelease: false };
    assert.equal(latestDueTick(hourly, [], at('2026-01-15T08:00:00Z'), 60 * 60_000), null);
    assert.deepEqual(latestDueTick(hourly, [], at('2026-01-15T06:30:00Z'), 60 * 60_000)?.at, at('2026-01-15T06:00:00Z'));
    assert.equal(CATCH_UP_MS, 24 * 3_600_000);
  });
});
