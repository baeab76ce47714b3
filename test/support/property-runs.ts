// How many cases each fast-check property tries. The mutation run (stryker.config.mjs) sets
// PROPERTY_RUNS to cap them: every surviving mutant reruns the whole test file, and a few
// hundred cases per property made each allocation-draw mutant cost seconds. `npm test` leaves
// it unset and runs every property in full.
import fc from 'fast-check';

const cap = Number(process.env.PROPERTY_RUNS) || undefined;
// Properties that name no numRuns use fast-check's default (100): capped too.
if (cap) fc.configureGlobal({ numRuns: cap });

/** `numRuns` as written, or the mutation run's cap when it is lower. */
export const propertyRuns = (numRuns: number): number => (cap ? Math.min(numRuns, cap) : numRuns);
