// The scalping benchmark's figures and their uncertainty.
//
// An advantage is a ratio of shares: (the group's share of the appointments) ÷ (its share of
// the identities), pooled over the rounds (sums, not a mean of per-round ratios, so a round
// with few appointments weighs little). 1 = no advantage.
// Its 95 % interval is a percentile bootstrap over rounds: rounds are drawn with replacement
// (a round is the unit that repeats: its own procedure, slots, identities and seed), the
// pooled ratio recomputed, 2,000 times; the 2.5th and 97.5th percentiles are the interval.
// Counts of successes out of attempts (hand-offs, identity variants) get a Wilson interval.
import { rngOf } from './scalping-client.ts';

/** One round of one group: what it got and how many it was, out of everyone. */
export interface ShareSample {
  groupGot: number;
  allGot: number;
  groupSize: number;
  allSize: number;
}

export const BOOTSTRAP_METHOD = 'percentile bootstrap over rounds (2,000 resamples, pooled ratio of shares)';

export function pooledAdvantage(samples: readonly ShareSample[]): number {
  let got = 0,
    all = 0,
    size = 0,
    everyone = 0;
  for (const s of samples) {
    got += s.groupGot;
    all += s.allGot;
    size += s.groupSize;
    everyone += s.allSize;
  }
  if (all === 0 || size === 0) return NaN;
  return got / all / (size / everyone);
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** 95 % percentile-bootstrap interval of pooledAdvantage over `rounds` (each an array of samples). */
export function bootstrapAdvantage(
  rounds: readonly (readonly ShareSample[])[],
  seed: number,
  resamples = 2000,
): [number, number] {
  if (rounds.length === 0) return [NaN, NaN];
  const rng = rngOf(seed);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const drawn: ShareSample[] = [];
    for (let i = 0; i < rounds.length; i++) drawn.push(...rounds[Math.floor(rng() * rounds.length)]!);
    const v = pooledAdvantage(drawn);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  return [quantile(values, 0.025), quantile(values, 0.975)];
}

/** Wilson score interval (95 %) of successes / n. */
export function wilson(successes: number, n: number): [number, number] {
  if (n === 0) return [NaN, NaN];
  const z = 1.959964;
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
