// What the three policies share: the applicants, the slot calendar, and the measured window.
// Built once per run from the arrivals stream, so every policy faces the same people.
import { type Applicant, generateArrivals } from './arrivals.ts';
import type { SimParameters } from './parameters.ts';
import type { Random } from './random.ts';
import { generateSlots, type Slot } from './slots.ts';
import { WEEK } from './time.ts';

export interface World {
  params: SimParameters;
  applicants: Applicant[];
  slots: Slot[];
  /** The run goes from 0 to `horizon`; metrics cover [measureFrom, measureTo). */
  horizon: number;
  measureFrom: number;
  measureTo: number;
  /** Applicants arriving in the measured window, and slots starting in it. */
  isMeasuredApplicant(applicant: Applicant): boolean;
  isMeasuredSlot(slot: Slot): boolean;
}

export function buildWorld(params: SimParameters, weeks: number, random: Random): World {
  const measureFrom = params.measure.warmUpWeeks * WEEK;
  const measureTo = measureFrom + weeks * WEEK;
  const horizon = measureTo + params.measure.coolDownWeeks * WEEK;
  return {
    params,
    applicants: generateArrivals(params, horizon, random),
    slots: generateSlots(params, horizon),
    horizon,
    measureFrom,
    measureTo,
    isMeasuredApplicant: (a) => a.arrivesAt >= measureFrom && a.arrivesAt < measureTo,
    isMeasuredSlot: (s) => s.startsAt >= measureFrom && s.startsAt < measureTo,
  };
}
