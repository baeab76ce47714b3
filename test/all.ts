// Runs every *.test.ts (or those whose path contains one of the filters) in batches of files,
// several batch processes at a time (test/support/run-batch.ts). A batch is a few files in
// one process: the process starts once (tsx, the app's modules, a PGlite template) for them,
// and its memory goes back to the system when it ends. Files never share state across
// processes: each storage suite has its own database (test/support/databases.ts), servers
// listen on port 0, Redis keys carry a random prefix.
//
// Usage: node --import tsx test/all.ts [--jobs N] [--write-timings] [filter…]
//   --jobs N          batch processes at a time (default TEST_JOBS, else cores + 1: the
//                     suites wait on PostgreSQL, Chromium and child processes part of the time)
//   --write-timings   record each file's time in test/timings.json (it sizes the batches)
// The exit code is 1 when a test fails or is cancelled, a suite's hook fails, a file runs no
// test, or a batch process dies before its last test.
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.js';
import type { BatchMessage, BatchTest } from './support/batch-reporter.ts';
import { machineBusySeconds } from './support/machine-cpu.ts';
import { treeMemoryBytes } from './support/process-memory.ts';
import { planBatches } from './support/test-batches.ts';

const root = new URL('..', import.meta.url).pathname;
const timingsFile = join(root, 'test/timings.json');
const { values: options, positionals: filters } = parseArgs({
  allowPositionals: true,
  options: { jobs: { type: 'string' }, 'write-timings': { type: 'boolean', default: false } },
});
const jobs = Number(options.jobs ?? process.env.TEST_JOBS ?? availableParallelism() + 1);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a whole number ≥ 1, not ${options.jobs}`);

const files = ['test', 'src']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(' ')}`);
  process.exit(1);
}

// The `creneau` processes the suites start run the build of the sources as they are (bin/creneau.js):
// about 2 s of CPU less per start than through tsx, some sixty starts a run.
await build();

const knownSeconds: Record<string, number> = JSON.parse(readFileSync(timingsFile, 'utf8'));
const batches = planBatches(files, knownSeconds, jobs);
const started = performance.now();
const machineBusyAtStart = machineBusySeconds();
// Fixtures the run's batches share (test/support/browser.ts: the seeded demo), removed at the end.
const runDir = mkdtempSync(join(tmpdir(), 'creneau-test-run-'));
const tests: BatchTest[] = [];
/** CPU seconds per file: its batch process and the children it reaped (servers, CLIs, Chromium's browser process — not its renderers, which nobody in the tree reaps). */
const cpuByFile = new Map<string, number>();
const problems: string[] = [];
// Memory (proportional set sizes), sampled: of the whole tree (this process, the batches, the servers and
// browsers they start) and of each running batch's tree.
let peakBytes = 0;
const runningPeaks = new Map<number, number>();
const sampler = setInterval(() => {
  const pids = [...runningPeaks.keys()];
  const [total = 0, ...batches] = treeMemoryBytes([process.pid, ...pids]);
  peakBytes = Math.max(peakBytes, total);
  for (const [i, pid] of pids.entries()) runningPeaks.set(pid, Math.max(runningPeaks.get(pid) ?? 0, batches[i] ?? 0));
}, 250);

/** Runs one batch in its own process; its output is printed whole when it ends, so batches never interleave. */
function runBatch(batch: readonly string[], index: number): Promise<void> {
  return new Promise((resolve) => {
    const child = fork(join(root, 'test/support/run-batch.ts'), batch, {
      cwd: root,
      execArgv: [
        '--expose-gc', // test/support/databases.ts releaseClosedInstances
        '--import',
        'tsx',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${join(root, 'test/support/batch-reporter.ts')}`,
        '--test-reporter-destination=stderr',
      ],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, TEST_RUN_DIR: runDir },
    });
    if (child.pid) runningPeaks.set(child.pid, 0);
    const output: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    const batchStarted = performance.now();
    let ended = false;
    child.on('message', (message: BatchMessage) => {
      if (message.kind === 'end') ended = true;
      else if (message.kind === 'cpu') cpuByFile.set(message.file, message.seconds);
      else tests.push(message.test);
    });
    child.on('exit', (code, signal) => {
      const seconds = ((performance.now() - batchStarted) / 1000).toFixed(1);
      const peak = ((runningPeaks.get(child.pid ?? 0) ?? 0) / 2 ** 30).toFixed(2);
      const cpu = batch.reduce((sum, file) => sum + (cpuByFile.get(file) ?? 0), 0).toFixed(1);
      runningPeaks.delete(child.pid ?? 0);
      process.stdout.write(
        `\n# ── batch ${index + 1}/${batches.length} (${seconds} s, CPU ${cpu} s, peak ${peak} GiB): ${batch.join(' ')}\n`,
      );
      process.stdout.write(Buffer.concat(output));
      if (!ended)
        problems.push(`batch ${index + 1} died before its last test (exit ${code ?? signal}): ${batch.join(' ')}`);
      resolve();
    });
  });
}

// Browser batches run one at a time, one after the other from the start: their chain is the
// longest the suite has, so a lane free while none runs takes the next one; otherwise a lane
// takes the heaviest other batch left (and one that finds only browser batches waits).
const queue = batches.map((batch, index) => ({ ...batch, index }));
let browserRunning: Promise<void> | null = null;
async function lane(): Promise<void> {
  while (queue.length > 0) {
    const browserAt = browserRunning === null ? queue.findIndex((b) => b.browser) : -1;
    const at = browserAt !== -1 ? browserAt : queue.findIndex((b) => !b.browser);
    if (at === -1) {
      await browserRunning;
      continue;
    }
    const next = queue.splice(at, 1)[0] as (typeof queue)[number];
    const run = runBatch(next.files, next.index);
    if (next.browser) browserRunning = run.finally(() => (browserRunning = null));
    await run;
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, batches.length) }, lane));
clearInterval(sampler);
rmSync(runDir, { recursive: true, force: true });

const leaves = tests.filter((t) => !t.suite);
const count = (outcome: BatchTest['outcome']) => leaves.filter((t) => t.outcome === outcome).length;
const failedSuites = tests.filter((t) => t.suite && t.outcome === 'fail');
const secondsByFile = new Map<string, number>();
for (const t of tests)
  if (t.topLevel && t.file) secondsByFile.set(t.file, (secondsByFile.get(t.file) ?? 0) + t.durationMs / 1000);
for (const file of files) if (!secondsByFile.has(file)) problems.push(`${file} ran no test`);

const failures = leaves.filter((t) => t.outcome === 'fail' || t.outcome === 'cancelled');
if (failures.length + failedSuites.length > 0) {
  console.log('\n# failed:');
  for (const t of [...failures, ...failedSuites])
    console.log(`#   ${t.file ?? '?'} › ${t.name} (${t.outcome})${t.error ? `: ${t.error.split('\n')[0]}` : ''}`);
}
for (const problem of problems) console.log(`# ${problem}`);
const slowest = [...secondsByFile].sort((a, b) => b[1] - a[1]).slice(0, 5);
const costliest = [...cpuByFile].sort((a, b) => b[1] - a[1]).slice(0, 5);
const cpuTotal = [...cpuByFile.values()].reduce((sum, s) => sum + s, 0);
const seconds = (performance.now() - started) / 1000;
const machineBusyAtEnd = machineBusySeconds();
const machineBusy =
  machineBusyAtStart === null || machineBusyAtEnd === null
    ? 'not known here'
    : `${(machineBusyAtEnd - machineBusyAtStart).toFixed(0)} s busy of ${(seconds * availableParallelism()).toFixed(0)} (${availableParallelism()} cores × the duration): the test processes, the PostgreSQL server, Chromium's renderers, anything else running`;
console.log(
  [
    `# files ${files.length} in ${batches.length} batches, ${jobs} at a time`,
    `# tests ${leaves.length}`,
    `# pass ${count('pass')}`,
    `# fail ${count('fail')}`,
    `# cancelled ${count('cancelled')}`,
    `# skipped ${count('skip')}`,
    `# todo ${count('todo')}`,
    `# failed suites ${failedSuites.length}`,
    `# slowest files ${slowest.map(([f, s]) => `${f} ${s.toFixed(1)} s`).join(', ')}`,
    `# costliest files (CPU) ${costliest.map(([f, s]) => `${f} ${s.toFixed(1)} s`).join(', ')}`,
    `# CPU of the test processes ${cpuTotal.toFixed(0)} s (neither the database server's nor Chromium's renderers')`,
    `# CPU of the machine ${machineBusy}`,
    `# peak memory of the test processes ${(peakBytes / 2 ** 30).toFixed(2)} GiB`,
    `# duration ${seconds.toFixed(1)} s`,
  ].join('\n'),
);

// This run's times are always kept in test-artifacts/ (not committed); --write-timings merges
// them into test/timings.json, which sizes the batches.
const measured = Object.fromEntries([...secondsByFile].map(([file, seconds]) => [file, Math.round(seconds * 10) / 10]));
mkdirSync(join(root, 'test-artifacts'), { recursive: true });
writeFileSync(join(root, 'test-artifacts/test-timings.json'), `${JSON.stringify(measured, null, 2)}\n`);
const cpu = Object.fromEntries(
  [...cpuByFile].sort((a, b) => b[1] - a[1]).map(([f, s]) => [f, Math.round(s * 10) / 10]),
);
writeFileSync(join(root, 'test-artifacts/test-cpu.json'), `${JSON.stringify(cpu, null, 2)}\n`);
if (options['write-timings']) {
  const merged = Object.fromEntries(Object.entries({ ...knownSeconds, ...measured }).sort());
  writeFileSync(timingsFile, `${JSON.stringify(merged, null, 2)}\n`);
}
process.exitCode = failures.length + failedSuites.length + problems.length > 0 ? 1 : 0;
