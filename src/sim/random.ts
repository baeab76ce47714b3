// The simulator's only source of randomness: pure-rand's xoroshiro128+ seeded once with
// --seed. Independent streams are jumps of that one generator (2^64 steps apart each), so
// the arrivals and each policy draw from their own stream: adding a draw to one policy
// does not shift the arrivals the others see.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

export class Random {
  private constructor(private readonly generator: JumpableRandomGenerator) {}

  /** `count` independent streams from one seed (a 32-bit integer). */
  static streams(seed: number, count: number): Random[] {
    const generator = xoroshiro128plus(seed);
    const streams: Random[] = [];
    for (let i = 0; i < count; i++) {
      generator.jump();
      streams.push(new Random(generator.clone()));
    }
    return streams;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** Exponential with the given mean: the gap between two events of a Poisson process. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /**
   * Log-normal with the given median; `spread` is σ of the underlying normal. Delays of
   * people are log-normal: most answer within the median, a long tail takes many times it.
   * Example: median 3 h, spread 1.2 → 90 % answer between 25 min and 21 h.
   */
  logNormal(median: number, spread: number): number {
    return median * Math.exp(spread * this.normal());
  }

  /**
   * The `k` smallest of `n` independent uniforms on [0, 1), ascending, without drawing the
   * other n − k (each next one is the smallest of the uniforms left above the previous).
   * Example: the 5 fastest of 10,000 people at their screens.
   */
  smallestUniforms(n: number, k: number): number[] {
    const values: number[] = [];
    let previous = 0;
    for (let i = 0; i < Math.min(n, k); i++) {
      previous += (1 - previous) * (1 - (1 - this.float()) ** (1 / (n - i)));
      values.push(previous);
    }
    return values;
  }

  /** Standard normal (Box–Muller on two uniforms). */
  private normal(): number {
    const u = 1 - this.float(); // (0, 1]: log(0) is never taken
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
