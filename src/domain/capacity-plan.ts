// Capacity planning (issue 17, part 2): how long people will wait with the counter-hours a
// prefecture opens, and how many it must open to bring the median wait to a target. Pure.
//
// The model, in words (shown to supervisors beside its figures):
//   * a week's counter-hours give slots: hours × 60 / the procedure's slot length;
//   * every week, the slots take people from the waiting list (as many as there are slots, or
//     as many as wait), and new requests arrive at the recent rate;
//   * a share of the people given a slot do not come (the recent no-show rate) and file again:
//     a slot taken by a no-show takes nobody off the list for good;
//   * people are served in the order the draws give them — by priority class, then by the days
//     they waited — which, for the median person, is first come first served by batch: someone
//     filing this week waits until the slots have been given to everyone waiting before them
//     (no-shows included: they took a slot). The median filer comes mid-week, when half the
//     week's slots are gone and half its arrivals are in, so waits (the list + half a week's
//     arrivals − half a week's slots) ÷ the slots of a week. The list itself shrinks only by the
//     slots honoured.
// Assumptions, stated on the page: the arrival rate, the no-show rate and the slot length stay
// as they were recently; every slot opened is offered and taken (no slot left unused); the
// queue is one queue (sites are summed). It is a fluid model: it ignores week-to-week chance,
// which the simulation test measures (test/domain/capacity-plan.test.ts).
import { addDays } from './calendar-date.ts';
import { DomainError } from './errors.ts';
import { generateSlots, type OpeningRule } from './slot-generation.ts';

export interface CapacityInputs {
  /** Requests waiting now. */
  waiting: number;
  /** Requests filed per week, recently. */
  arrivalsPerWeek: number;
  /** Share of appointments not honoured, recently (0–1). */
  noShowRate: number;
  /** Minutes per appointment slot. */
  slotMinutes: number;
}

export interface WeekProjection {
  /** Weeks from now (0: this week's start). */
  week: number;
  /** Requests waiting at the start of this week. */
  waiting: number;
  /** The median wait for a slot, in days, of someone filing this week. null without slots. */
  medianWaitDays: number | null;
}

const DAYS_PER_WEEK = 7;

function assertPlannable(inputs: CapacityInputs): void {
  const { waiting, arrivalsPerWeek, noShowRate, slotMinutes } = inputs;
  const fine =
    Number.isFinite(waiting) &&
    waiting >= 0 &&
    Number.isFinite(arrivalsPerWeek) &&
    arrivalsPerWeek >= 0 &&
    noShowRate >= 0 &&
    noShowRate < 1 &&
    Number.isFinite(slotMinutes) &&
    slotMinutes > 0;
  if (!fine)
    throw new DomainError(
      'VALIDATION_FAILED',
      'waiting and arrivals ≥ 0, a no-show rate in [0, 1), a slot length > 0.',
    );
}

/** The slots a week of counter-hours gives. */
export function slotsPerWeek(counterHours: number, slotMinutes: number): number {
  return Math.floor((counterHours * 60) / slotMinutes);
}

/** The slots of a week that take someone off the list for good (the others go to no-shows who file again). */
function effectiveSlots(slots: number, noShowRate: number): number {
  return slots * (1 - noShowRate);
}

function medianWaitDays(waiting: number, arrivalsPerWeek: number, slots: number): number | null {
  if (slots <= 0) return null;
  return Math.max(0, (waiting + (arrivalsPerWeek - slots) / 2) / slots) * DAYS_PER_WEEK;
}

/** The waiting list week by week, from now to `weeks` ahead, with this many counter-hours a week. */
export function projectWaitingList(inputs: CapacityInputs, counterHours: number, weeks: number): WeekProjection[] {
  assertPlannable(inputs);
  const slots = slotsPerWeek(counterHours, inputs.slotMinutes);
  const weeksOut: WeekProjection[] = [];
  let waiting = inputs.waiting;
  for (let week = 0; week <= weeks; week++) {
    const effective = effectiveSlots(Math.min(slots, waiting + inputs.arrivalsPerWeek), inputs.noShowRate);
    weeksOut.push({
      week,
      waiting,
      medianWaitDays: medianWaitDays(waiting, inputs.arrivalsPerWeek, slots),
    });
    waiting = Math.max(0, waiting + inputs.arrivalsPerWeek - effective);
  }
  return weeksOut;
}

export interface CapacityNeed {
  /** Counter-hours a week that bring the median wait to the target by the horizon, and keep it there. */
  counterHours: number;
  slotsPerWeek: number;
}

/**
 * The fewest counter-hours a week (whole slots) with which, `horizonWeeks` from now, the median
 * wait is at most `targetDays` and the list no longer grows (enough slots for the arrivals).
 */
export function counterHoursNeeded(inputs: CapacityInputs, targetDays: number, horizonWeeks: number): CapacityNeed {
  assertPlannable(inputs);
  if (!(targetDays > 0) || !Number.isInteger(horizonWeeks) || horizonWeeks < 0)
    throw new DomainError('VALIDATION_FAILED', 'A target wait > 0 days and a horizon in whole weeks.');
  const meets = (slots: number) => {
    if (effectiveSlots(slots, inputs.noShowRate) < inputs.arrivalsPerWeek) return false;
    const hours = (slots * inputs.slotMinutes) / 60;
    const atHorizon = projectWaitingList(inputs, hours, horizonWeeks).at(-1)!;
    return atHorizon.medianWaitDays !== null && atHorizon.medianWaitDays <= targetDays;
  };
  // Nobody waits and nobody comes: no counter-hour is needed.
  if (inputs.waiting === 0 && inputs.arrivalsPerWeek === 0) return { slotsPerWeek: 0, counterHours: 0 };
  // The list and the arrivals, served within the target from now, are always enough.
  let high = Math.max(1, Math.ceil((inputs.waiting + inputs.arrivalsPerWeek) / (1 - inputs.noShowRate)));
  while (!meets(high)) high *= 2;
  let low = 0;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (meets(middle)) high = middle;
    else low = middle;
  }
  return { slotsPerWeek: high, counterHours: (high * inputs.slotMinutes) / 60 };
}

/**
 * The counter-hours a week each site opens under its regular opening rules, averaged over the
 * whole weeks [fromDate, fromDate + 7 × weeks) — the slots the rules give (whole slots only,
 * slot-generation.ts's layout), × their length. Holidays, closures and exceptional openings
 * are left out: the plan is about the regular hours. Also the slots' mean length (null: none).
 */
export function weeklyCounterHours(
  rules: readonly (OpeningRule & { siteId: string })[],
  timeZone: string,
  fromDate: string,
  weeks: number,
): { bySite: Map<string, number>; slotMinutes: number | null } {
  const siteOf = new Map(rules.map((r) => [r.counterId, r.siteId]));
  const slots = generateSlots({
    timeZone,
    fromDate,
    toDate: addDays(fromDate, 7 * weeks - 1),
    rules: [...rules],
    exceptionalOpenings: [],
    closures: [],
    isHoliday: () => false,
    releasePolicy: () => ({ daysAhead: 0, time: '00:00' }),
  });
  const minutes = new Map<string, number>();
  let total = 0;
  for (const slot of slots) {
    const length = (slot.endsAt.getTime() - slot.startsAt.getTime()) / 60_000;
    const site = siteOf.get(slot.counterId)!;
    minutes.set(site, (minutes.get(site) ?? 0) + length);
    total += length;
  }
  return {
    bySite: new Map([...minutes].map(([site, m]) => [site, m / 60 / weeks])),
    slotMinutes: slots.length === 0 ? null : total / slots.length,
  };
}
