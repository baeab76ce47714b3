// The fraud thresholds' simulation: `npm run bench:fraud -- [--seed N] [--scale N] [--days N]
// [--thresholds FILE] [--json FILE] [--quiet]` (docs/SIMULATOR.md, "The fraud simulation";
// README, "Why these thresholds").
//
// Generates a seeded month of genuine people and reseller fleets filing at one prefecture
// (src/sim/fraud-population.ts), counts every request's facts as the store does, scores them
// with domain/fraud-signals.ts and prints, over a grid of hold scores, the share of genuine
// requests held (false positives, and a day's worth for the agents) and the share of each
// fleet's requests held, with the signals that fired at the thresholds' hold score.
// --thresholds FILE: a JSON FraudThresholds ({ rules, holdScore, holdHours }), in part or whole,
// to try instead of the defaults — what a prefecture would configure. --variant NAME: one assumption of the
// population changed (FRAUD_POPULATION_VARIANTS, docs/SIMULATOR.md). Same seed, same JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DEFAULT_FRAUD_THRESHOLDS,
  FRAUD_SIGNAL_KINDS,
  type FraudSignalKind,
  type FraudThresholds,
  type SignalRule,
  type SignalRules,
} from '../src/domain/fraud-signals.ts';
import { defaultFraudPopulation, FRAUD_POPULATION_VARIANTS } from '../src/sim/fraud-population.ts';
import { formatFraudReport, simulateFraud } from '../src/sim/fraud-report.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    scale: { type: 'string', default: '150000' },
    days: { type: 'string', default: '30' },
    thresholds: { type: 'string' },
    variant: { type: 'string' },
    json: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const integer = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    console.error(`--${name}: expected an integer from ${min} to ${max}, not ${text}`);
    process.exit(2);
  }
  return n;
};

/** The defaults, with what the file gives: the hold score, the hours, any signal's rule or part of it. */
function thresholdsFrom(file: string | undefined): FraudThresholds {
  if (!file) return DEFAULT_FRAUD_THRESHOLDS;
  const given = JSON.parse(readFileSync(file, 'utf8')) as Partial<FraudThresholds> & {
    rules?: Partial<Record<FraudSignalKind, Partial<SignalRule>>>;
  };
  const rules = Object.fromEntries(
    FRAUD_SIGNAL_KINDS.map((kind) => [kind, { ...DEFAULT_FRAUD_THRESHOLDS.rules[kind], ...given.rules?.[kind] }]),
  ) as SignalRules;
  return { ...DEFAULT_FRAUD_THRESHOLDS, ...given, rules };
}
const thresholds = thresholdsFrom(values.thresholds);
const variant = values.variant === undefined ? undefined : FRAUD_POPULATION_VARIANTS[values.variant];
if (values.variant !== undefined && !variant) {
  console.error(`--variant: one of ${Object.keys(FRAUD_POPULATION_VARIANTS).join(', ')}`);
  process.exit(2);
}
const parameters = defaultFraudPopulation(
  integer('scale', values.scale, 1_000, 2_000_000),
  integer('days', values.days, 1, 180),
);
const { report } = simulateFraud({
  seed: integer('seed', values.seed, 0, 0x7fffffff),
  parameters: variant ? variant.apply(parameters) : parameters,
  thresholds,
});
const json = `${JSON.stringify(report, null, 2)}\n`;
if (values.json) writeFileSync(values.json, json);
else process.stdout.write(json);
if (!values.quiet && values.json) process.stdout.write(formatFraudReport(report));
