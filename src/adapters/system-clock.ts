import type { Clock } from '../ports/clock.ts';

/** The machine's clock: the one the composition root injects, and the default of adapters given none. */
export const systemClock: Clock = { now: () => new Date() };
