// What every policy run shares: the result it hands to the metrics, and the schedule of
// the world's events (arrivals, releases, midnights) on the policy's own clock.
import type { Applicant } from '../arrivals.ts';
import type { EventQueue } from '../event-queue.ts';
import type { Ledger } from '../ledger.ts';
import type { RunExtras } from '../metrics.ts';
import { releasesOf, type Slot } from '../slots.ts';
import { DAY, dayOf } from '../time.ts';
import type { World } from '../world.ts';

/** Called at each simulated midnight: `day` of `days`. */
export type ProgressCallback = (day: number, days: number) => void;

export interface PolicyRun {
  ledger: Ledger;
  extras: RunExtras;
}

/** Arrivals one after the other (each schedules the next: the queue stays small). */
export function scheduleArrivals(world: World, queue: EventQueue, arrive: (applicant: Applicant) => void): void {
  const from = (index: number): void => {
    const applicant = world.applicants[index];
    if (applicant === undefined) return;
    queue.schedule(applicant.arrivesAt, () => {
      arrive(applicant);
      from(index + 1);
    });
  };
  from(0);
}

export function scheduleReleases(world: World, queue: EventQueue, release: (slots: Slot[]) => void): void {
  for (const { at, slots } of releasesOf(world.slots)) {
    if (at < world.horizon) queue.schedule(at, () => release(slots));
  }
}

/** Each midnight: report progress, and retire yesterday's appointments from the live count. */
export function scheduleDays(
  world: World,
  queue: EventQueue,
  ledger: Ledger,
  onDay: ProgressCallback | undefined,
): void {
  const days = Math.ceil(world.horizon / DAY);
  const slotsByDay = new Map<number, Slot[]>();
  for (const slot of world.slots) {
    const list = slotsByDay.get(slot.day);
    if (list) list.push(slot);
    else slotsByDay.set(slot.day, [slot]);
  }
  for (let day = 1; day <= days; day++) {
    queue.schedule(day * DAY, () => {
      for (const slot of slotsByDay.get(dayOf(queue.now) - 1) ?? []) ledger.appointmentPassed(slot);
      onDay?.(day, days);
    });
  }
}
