// People looking for a free slot on the public list, shared by every policy that has one:
// fcfs and fcfsProtected (the whole calendar) and oneFlow (the slots a draw left without a
// taker, opened to first come). Each person still looking checks the list a few times a day
// while awake; whoever checks first after a slot appears finds it and sends the form.
import type { Range, SimParameters } from '../parameters.ts';
import type { Random } from '../random.ts';
import { AWAKE_PER_DAY, addAwakeTime, MINUTE } from '../time.ts';

/** Applicants still looking on their own, with a uniform random pick (swap-remove array). */
export class Seekers {
  private readonly items: number[] = [];
  private readonly position: Map<number, number> = new Map();

  get size(): number {
    return this.items.length;
  }

  has(index: number): boolean {
    return this.position.has(index);
  }

  add(index: number): void {
    if (this.position.has(index)) return;
    this.position.set(index, this.items.length);
    this.items.push(index);
  }

  remove(index: number): void {
    const at = this.position.get(index);
    if (at === undefined) return;
    const last = this.items.pop()!;
    if (last !== index) {
      this.items[at] = last;
      this.position.set(last, at);
    }
    this.position.delete(index);
  }

  pick(random: Random): number | undefined {
    return this.items.length === 0 ? undefined : this.items[random.int(0, this.items.length - 1)];
  }
}

/**
 * When the next of `seekers` finds a slot free from `from` and their booking lands (checks
 * while awake, `checksPerDay` each, then the form); Infinity when nobody is looking.
 */
export function humanBookingAt(
  seekers: Seekers,
  from: number,
  params: SimParameters,
  form: Range,
  random: Random,
): number {
  if (seekers.size === 0) return Infinity;
  const meanGap = AWAKE_PER_DAY / (seekers.size * params.humans.checksPerDay);
  const seen = addAwakeTime(from, random.exponential(meanGap));
  return Math.round(seen + random.between(form.min, form.max) * MINUTE);
}

/**
 * When the bookings of the people at their screens at a known instant land, fastest first:
 * `releaseWatcherShare` of those looking, each after the minutes of the form; only the
 * fastest `count` can matter.
 */
export function watcherBookingTimes(
  seekers: Seekers,
  at: number,
  count: number,
  params: SimParameters,
  form: Range,
  random: Random,
): number[] {
  const watchers = Math.round(seekers.size * params.humans.releaseWatcherShare);
  return random
    .smallestUniforms(watchers, count)
    .map((u) => Math.round(at + (form.min + u * (form.max - form.min)) * MINUTE));
}
