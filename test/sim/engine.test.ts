// The simulator's building blocks: its clock, its queue of events, its randomness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventQueue } from '../../src/sim/event-queue.ts';
import { Random } from '../../src/sim/random.ts';
import { addAwakeTime, addWorkingDays, calendarDate, DAY, HOUR, MINUTE } from '../../src/sim/time.ts';

describe('simulated time', () => {
  it('counts working days Monday to Friday (day 0 is a Monday)', () => {
    assert.equal(addWorkingDays(0, 1), 1); // Monday → Tuesday
    assert.equal(addWorkingDays(4, 1), 7); // Friday → next Monday
    assert.equal(addWorkingDays(0, 10), 14); // two weeks
    assert.equal(calendarDate(0), '2029-01-01');
    assert.equal(calendarDate(14 * DAY + 5 * HOUR), '2029-01-15');
  });

  it('lets people act only while awake, 07:00–23:00', () => {
    assert.equal(addAwakeTime(10 * HOUR, 30 * MINUTE), 10 * HOUR + 30 * MINUTE);
    assert.equal(addAwakeTime(22 * HOUR + 30 * MINUTE, HOUR), DAY + 7 * HOUR + 30 * MINUTE);
    assert.equal(addAwakeTime(3 * HOUR, 0), 7 * HOUR); // at night: from the morning on
    assert.equal(addAwakeTime(8 * HOUR, 32 * HOUR), 2 * DAY + 8 * HOUR); // two awake days
  });
});

describe('event queue', () => {
  it('runs events in time order, same-instant events in scheduling order', () => {
    const queue = new EventQueue();
    const seen: string[] = [];
    queue.schedule(20, () => seen.push('b'));
    queue.schedule(10, () => {
      seen.push('a');
      queue.schedule(20, () => seen.push('c')); // same instant as b, scheduled later
    });
    queue.schedule(30, () => seen.push('d'));
    queue.runUntil(25);
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(queue.now, 25);
    assert.throws(() => queue.schedule(24, () => {}), /in the past/);
    queue.runUntil(100);
    assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
  });

  it('keeps order over many random events', () => {
    const queue = new EventQueue();
    const random = Random.streams(9, 1)[0]!;
    const times: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const at = random.int(0, 1_000);
      queue.schedule(at, () => times.push(at));
    }
    queue.runUntil(1_000);
    assert.equal(times.length, 5_000);
    assert.ok(times.every((t, i) => i === 0 || times[i - 1]! <= t));
  });
});

describe('random streams', () => {
  it('are reproducible from the seed and independent of each other', () => {
    const [a1, b1] = Random.streams(42, 2);
    const [a2] = Random.streams(42, 2);
    const sample = (r: Random) => Array.from({ length: 5 }, () => r.float());
    const first = sample(a1!);
    assert.deepEqual(first, sample(a2!));
    assert.notDeepEqual(first, sample(b1!));
    assert.notDeepEqual(first, sample(Random.streams(43, 1)[0]!));
  });

  it('draw the fastest of a crowd in order, without drawing the whole crowd', () => {
    const random = Random.streams(1, 1)[0]!;
    const fastest = random.smallestUniforms(10_000, 50);
    assert.equal(fastest.length, 50);
    assert.ok(fastest.every((u, i) => u >= 0 && u < 1 && (i === 0 || fastest[i - 1]! <= u)));
    // The 50th smallest of 10,000 uniforms is about 50/10,001.
    assert.ok(fastest[49]! > 0.002 && fastest[49]! < 0.008, String(fastest[49]));
    assert.deepEqual(random.smallestUniforms(3, 10).length, 3);
  });

  it('has the medians and means it is asked for', () => {
    const random = Random.streams(5, 1)[0]!;
    const n = 20_000;
    const logNormals = Array.from({ length: n }, () => random.logNormal(3, 1.2)).sort((a, b) => a - b);
    assert.ok(Math.abs(logNormals[n / 2]! - 3) < 0.15, `median ${logNormals[n / 2]}`);
    const mean = Array.from({ length: n }, () => random.exponential(2)).reduce((a, b) => a + b, 0) / n;
    assert.ok(Math.abs(mean - 2) < 0.06, `mean ${mean}`);
  });
});
