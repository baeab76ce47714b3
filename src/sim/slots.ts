// The slot calendar, the same for every policy: each working day at the release time, the
// slots of the working day `releaseLeadWorkingDays` ahead appear, split between registry-
// checked and passport procedures, spread over 09:00–12:00 and 13:30–16:30.
import type { HalfDay } from '../domain/allocation-draw.ts';
import type { SimParameters } from './parameters.ts';
import { addWorkingDays, DAY, HOUR, isWorkingDay, MINUTE, timeOfDay, weekdayOf } from './time.ts';

export interface Slot {
  index: number;
  registryChecked: boolean;
  day: number;
  startsAt: number;
  releasedAt: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  halfDay: HalfDay;
}

/** Working days in a year: 52 weeks and a day, five days in seven. */
const WORKING_DAYS_PER_YEAR = (365 * 5) / 7;

export function slotsPerWorkingDay(params: SimParameters): { registry: number; passport: number } {
  const perDay = Math.round(params.supply.appointmentsPerYear / WORKING_DAYS_PER_YEAR);
  const registry = Math.round(perDay * params.supply.registryCheckedShare);
  return { registry, passport: perDay - registry };
}

/** Every slot released before `horizon`, grouped by release instant (ascending). */
export function generateSlots(params: SimParameters, horizon: number): Slot[] {
  const { registry, passport } = slotsPerWorkingDay(params);
  const releaseTime = timeOfDay(params.supply.releaseAt);
  const slots: Slot[] = [];
  for (let releaseDay = 0; releaseDay * DAY + releaseTime < horizon; releaseDay++) {
    if (!isWorkingDay(releaseDay)) continue;
    const day = addWorkingDays(releaseDay, params.supply.releaseLeadWorkingDays);
    for (const [registryChecked, count] of [
      [true, registry],
      [false, passport],
    ] as const) {
      for (let i = 0; i < count; i++) {
        // First half of the day's slots in the morning, second half in the afternoon.
        const morning = i < count / 2;
        const position = morning
          ? i / Math.ceil(count / 2)
          : (i - Math.ceil(count / 2)) / Math.max(1, Math.floor(count / 2));
        const start = (morning ? 9 * HOUR : 13.5 * HOUR) + Math.floor((position * 3 * HOUR) / MINUTE) * MINUTE;
        slots.push({
          index: slots.length,
          registryChecked,
          day,
          startsAt: day * DAY + start,
          releasedAt: releaseDay * DAY + releaseTime,
          weekday: weekdayOf(day) + 1,
          halfDay: morning ? 'am' : 'pm',
        });
      }
    }
  }
  return slots;
}

export interface Release {
  at: number;
  slots: Slot[];
}

/** Slots grouped by release instant, earliest release first. */
export function releasesOf(slots: readonly Slot[]): Release[] {
  const releases: Release[] = [];
  for (const slot of slots) {
    const last = releases.at(-1);
    if (last !== undefined && last.at === slot.releasedAt) last.slots.push(slot);
    else releases.push({ at: slot.releasedAt, slots: [slot] });
  }
  return releases;
}
