// A feature: its use cases, bound to the ports it uses, and the routes and pages that call
// them (and nothing else: they never see a store). Each is built by one
// `createXFeature(ports, config, …)` in this folder; src/composition/ builds them all, once,
// for main.ts, the CLI, the benchmarks and the tests alike.
import type { FeaturePlugins } from '../http/feature-plugins.ts';

export interface Feature<UseCases = unknown> extends FeaturePlugins {
  readonly name: string;
  readonly useCases: UseCases;
  /** Periodic housekeeping (expired records purged…): how many rows, by name. */
  readonly upkeep?: () => Promise<Record<string, number>>;
}

export type { WebSettings } from '../http/feature-plugins.ts';
