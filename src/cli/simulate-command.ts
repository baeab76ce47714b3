// `creneau simulate`: the three policies on the same simulated arrivals (src/sim,
// docs/SIMULATOR.md). The JSON report goes to --json FILE (or stdout), the chart to --svg
// FILE (by default next to the JSON). The progress bar is drawn on stderr, and only on a
// terminal: piped or redirected output stays clean.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { renderChart } from '../sim/chart.ts';
import { POLICIES, simulate } from '../sim/simulate.ts';

interface SimulateOptions {
  weeks: number;
  seed: number;
  scale: number;
  json?: string;
  svg?: string;
  quiet?: boolean;
}

const integerIn =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected an integer from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`,
      );
    }
    return n;
  };

/** /tmp/sim.json → /tmp/sim.svg; report → report.svg. */
export const svgPathFor = (jsonPath: string): string => `${jsonPath.replace(/\.json$/i, '')}.svg`;

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'compare first come first served (fcfs, fcfsProtected) with the one flow of requests and draws (oneFlow) on the same simulated arrivals, bots included (docs/SIMULATOR.md)',
    )
    .option('--weeks <n>', 'weeks measured (after a year of warm-up)', integerIn(1, 520), 52)
    .option('--seed <n>', 'random seed: the same seed gives the same report', integerIn(0, 0x7fffffff), 1)
    .option('--scale <n>', 'appointments a year at the prefecture', integerIn(1_000, 2_000_000), 150_000)
    .option('--json <file>', 'write the JSON report to FILE (default: standard output)')
    .option('--svg <file>', 'write the SVG chart to FILE (default: next to the JSON report, FILE.svg)')
    .option('--quiet', 'no progress bar and no summary')
    .action((options: SimulateOptions) => {
      const showBar = !options.quiet && process.stderr.isTTY === true;
      const bar = showBar
        ? new cliProgress.SingleBar(
            {
              stream: process.stderr,
              format: 'simulating {policy} [{bar}] {percentage}% | {duration}s',
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
      bar?.start(1, 0, { policy: POLICIES[0] });

      const started = performance.now();
      let simulation: ReturnType<typeof simulate>;
      try {
        simulation = simulate({
          weeks: options.weeks,
          seed: options.seed,
          scale: options.scale,
          onProgress: bar
            ? (done, total, policy) => {
                if (bar.getTotal() !== total) bar.setTotal(total);
                bar.update(done, { policy });
              }
            : undefined,
        });
      } finally {
        bar?.stop();
      }
      const elapsedMs = Math.round(performance.now() - started);
      const { resellerIdentityShare, policies, ...run } = simulation.report;
      const json = `${JSON.stringify({ resellerIdentityShare, elapsedMs, policies, ...run }, null, 2)}\n`;

      if (options.json) writeFileSync(options.json, json);
      else process.stdout.write(json);
      const svgPath = options.svg ?? (options.json ? svgPathFor(options.json) : undefined);
      if (svgPath) writeFileSync(svgPath, renderChart(simulation.report));

      if (options.quiet || !options.json) return;
      const rows = POLICIES.map((policy) => {
        const m = policies[policy];
        return `  ${policy.padEnd(14)} ${pct(m.resellerShare)} ${pct(m.humanSuccessRate)} ${String(m.medianDaysToAppointment ?? '–').padStart(8)} ${pct(m.urgentServedInTime)} ${String(m.wastedSlots).padStart(7)}`;
      });
      process.stdout.write(
        [
          `simulated ${options.weeks} weeks, ${options.scale.toLocaleString('en')} appointments a year, seed ${options.seed}, in ${(elapsedMs / 1000).toFixed(1)} s`,
          `  ${'policy'.padEnd(14)} reseller  own-way  median-d   urgent  wasted`,
          ...rows,
          `  resellers rent ${pct(resellerIdentityShare).trim()} of identities · report ${options.json}${svgPath ? ` · chart ${svgPath}` : ''}`,
          '',
        ].join('\n'),
      );
    });
}

const pct = (share: number): string => `${(share * 100).toFixed(1)} %`.padStart(8);
