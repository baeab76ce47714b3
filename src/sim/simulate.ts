// One simulation: build the world once (arrivals and slot calendar), then run the three
// policies on it, each with its own random stream, and measure them the same way.
// Pure apart from the progress callback: no clock, no I/O; the caller times the run.
import type { PolicyName } from './bots.ts';
import { measure, type PolicyMetrics, resellerIdentityShareOf } from './metrics.ts';
import { defaultParameters, type ParameterOverrides, type SimParameters, withOverrides } from './parameters.ts';
import { runFcfs } from './policies/fcfs.ts';
import { runOneFlow } from './policies/one-flow.ts';
import type { PolicyRun } from './policies/policy-run.ts';
import { Random } from './random.ts';
import { buildWorld, type World } from './world.ts';

export const POLICIES: readonly PolicyName[] = ['fcfs', 'fcfsProtected', 'oneFlow'];

export interface SimulationOptions {
  /** Measured weeks (a warm-up before and a cool-down after are simulated too). */
  weeks: number;
  /** 32-bit integer: the same seed gives the same report. */
  seed: number;
  /** Appointments a year (default 150,000). */
  scale?: number;
  parameters?: ParameterOverrides;
  /** Run only these policies (tests, what-ifs); each keeps its own random stream, so its
   *  figures are those of the full run. Default: all of POLICIES. */
  only?: readonly PolicyName[];
  /** Called as simulated days pass: `done` of `total`, over the three policies. */
  onProgress?: (done: number, total: number, policy: PolicyName) => void;
}

export interface SimulationReport {
  /** Share of the measured applicants who hand their identity to a reseller at once. */
  resellerIdentityShare: number;
  policies: Record<PolicyName, PolicyMetrics>; // only those run, with `only`
  seed: number;
  weeks: number;
  scale: number;
  parameters: SimParameters;
}

export interface Simulation {
  report: SimulationReport;
  /** The raw runs, for tests (ledgers: who holds which slot). */
  world: World;
  runs: Record<PolicyName, PolicyRun>;
}

export function simulate(options: SimulationOptions): Simulation {
  const { weeks, seed } = options;
  if (!Number.isInteger(weeks) || weeks < 1) throw new RangeError('weeks must be a positive integer');
  if (!Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff)
    throw new RangeError('seed must be an integer from 0 to 2147483647');
  const scale = options.scale ?? 150_000;
  if (!Number.isFinite(scale) || scale < 1_000)
    throw new RangeError('scale must be at least 1,000 appointments a year');
  const parameters = withOverrides(defaultParameters(scale), options.parameters);

  const [arrivals, ...streams] = Random.streams(seed, 1 + POLICIES.length);
  const world = buildWorld(parameters, weeks, arrivals!);

  const runs = {} as Record<PolicyName, PolicyRun>;
  const chosen = POLICIES.filter((policy) => options.only === undefined || options.only.includes(policy));
  POLICIES.forEach((policy, p) => {
    // p: the stream, fixed whatever is chosen
    if (!chosen.includes(policy)) return;
    const onDay = (day: number, days: number) =>
      options.onProgress?.(chosen.indexOf(policy) * days + day, chosen.length * days, policy);
    const random = streams[p]!;
    runs[policy] =
      policy === 'oneFlow' ? runOneFlow(world, random, seed, onDay) : runFcfs(world, random, policy, onDay);
  });

  const policies = {} as Record<PolicyName, PolicyMetrics>;
  for (const policy of chosen) policies[policy] = measure(world, runs[policy].ledger, runs[policy].extras);
  return {
    report: {
      resellerIdentityShare: resellerIdentityShareOf(world),
      policies,
      seed,
      weeks,
      scale,
      parameters,
    },
    world,
    runs,
  };
}
