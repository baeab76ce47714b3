// The simulator (src/sim): reproducible, sound bookkeeping, and results that follow from the
// mechanisms rather than from the parameters alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { registerSimulateCommand, svgPathFor } from '../../src/cli/simulate-command.ts';
import { FAKE, FREE } from '../../src/sim/ledger.ts';
import { POLICIES, simulate, type Simulation } from '../../src/sim/simulate.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'creneau-sim-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Runs `creneau simulate …` in-process, as the CLI would, and returns the parsed report. */
async function runCommand(...args: string[]): Promise<Record<string, unknown>> {
  const program = new Command().exitOverride();
  registerSimulateCommand(program);
  await program.parseAsync(['node', 'creneau', 'simulate', '--quiet', ...args]);
  const json = args[args.indexOf('--json') + 1]!;
  return JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
}

const withoutElapsed = ({ elapsedMs, ...rest }: Record<string, unknown>) => {
  assert.ok(Number.isInteger(elapsedMs) && (elapsedMs as number) >= 0, 'elapsedMs is a duration in milliseconds');
  return rest;
};

describe('creneau simulate: reproducible', () => {
  it('gives the same JSON for the same seed (except elapsedMs), and a chart next to it', async () => {
    const first = join(directory, 'first.json');
    const second = join(directory, 'second.json');
    const a = await runCommand('--weeks', '3', '--scale', '5000', '--seed', '7', '--json', first);
    const b = await runCommand('--weeks', '3', '--scale', '5000', '--seed', '7', '--json', second);
    assert.deepEqual(withoutElapsed(a), withoutElapsed(b));
    assert.deepEqual(Object.keys(a).slice(0, 3), ['resellerIdentityShare', 'elapsedMs', 'policies']);
    assert.deepEqual(Object.keys(a.policies as object), ['fcfs', 'fcfsProtected', 'allocation']);

    const svg = readFileSync(svgPathFor(first), 'utf8');
    assert.equal(svgPathFor(first), join(directory, 'first.svg'));
    assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"/);
    assert.match(svg, /<title id="chart-title">Who gets the slots — 3 weeks, 5,000 appointments a year, seed 7<\/title>/);
    // The description states every figure, so the chart says everything without sight.
    const desc = /<desc id="chart-desc">([^<]*)<\/desc>/.exec(svg)?.[1] ?? '';
    const fcfs = (a.policies as Record<string, { resellerShare: number }>).fcfs!;
    assert.ok(desc.includes(`fcfs ${Math.round(fcfs.resellerShare * 100)} %`), desc);
  });

  it('differs with another seed', async () => {
    const a = await runCommand('--weeks', '3', '--scale', '5000', '--seed', '1', '--json', join(directory, 'seed1.json'));
    const b = await runCommand('--weeks', '3', '--scale', '5000', '--seed', '2', '--json', join(directory, 'seed2.json'));
    assert.notDeepEqual(withoutElapsed(a).policies, withoutElapsed(b).policies);
  });

  it('refuses bad options with a clear message', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerSimulateCommand(program);
    await assert.rejects(program.parseAsync(['node', 'creneau', 'simulate', '--weeks', '0']), /expected an integer from 1 to 520/);
    await assert.rejects(program.parseAsync(['node', 'creneau', 'simulate', '--seed', '-3']), /expected an integer from 0/);
  });

  it('writes clean JSON to a pipe: no progress bar when stderr is not a terminal', { timeout: 60_000 }, async () => {
    const script = [
      "import { Command } from 'commander';",
      "import { registerSimulateCommand } from './src/cli/simulate-command.ts';",
      'const program = new Command(); registerSimulateCommand(program);',
      "await program.parseAsync(['node', 'creneau', 'simulate', '--weeks', '2', '--scale', '3000']);",
    ].join('\n');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
    assert.equal(stderr, '');
    const report = JSON.parse(stdout) as { policies: object };
    assert.deepEqual(Object.keys(report.policies), [...POLICIES]);
  });
});

describe('simulate: bookkeeping', () => {
  let run: Simulation;
  it('runs a small instance (8 weeks, 20,000 appointments a year) without a hitch', { timeout: 60_000 }, (t) => {
    const started = performance.now();
    run = simulate({ weeks: 8, seed: 3, scale: 20_000 });
    t.diagnostic(`small instance: ${Math.round(performance.now() - started)} ms`);
  });

  it('never gives a slot twice, nor two slots to one person, in any policy', () => {
    for (const policy of POLICIES) {
      const { ledger } = run.runs[policy];
      const holders = new Set<number>();
      let booked = 0;
      ledger.slotHolder.forEach((holder, slot) => {
        if (holder === FREE || holder === FAKE) return;
        booked++;
        assert.ok(!holders.has(holder), `${policy}: applicant ${holder} holds two slots`);
        holders.add(holder);
        assert.equal(ledger.applicantSlot[holder], slot, `${policy}: ledger views disagree on slot ${slot}`);
      });
      const holding = ledger.applicantSlot.filter((slot) => slot !== FREE).length;
      assert.equal(holding, booked, `${policy}: every holder is the holder of its slot`);
      assert.ok(booked > 0.5 * run.world.slots.length, `${policy}: most slots are used (${booked})`);
    }
  });

  it('keeps every share in [0, 1] and every count consistent', () => {
    const { report } = run;
    assert.ok(report.resellerIdentityShare > 0 && report.resellerIdentityShare < 1);
    for (const policy of POLICIES) {
      const m = report.policies[policy];
      for (const share of [m.resellerShare, m.humanSuccessRate, m.urgentServedInTime, m.paidRate, m.servedRate]) {
        assert.ok(share >= 0 && share <= 1, `${policy}: ${share}`);
      }
      assert.ok(m.wastedSlots >= 0 && m.wastedSlots <= m.slots);
      assert.ok(m.servedRate <= m.humanSuccessRate + m.paidRate + 1e-9);
      assert.ok(m.handOffs.succeeded <= m.handOffs.attempted);
      assert.ok(m.medianDaysToAppointment !== null && m.medianDaysToAppointment > 0);
    }
  });
});

describe('simulate: what the mechanisms imply', () => {
  let fast: Simulation;
  let slow: Simulation;
  before(() => {
    fast = simulate({ weeks: 8, seed: 5, scale: 20_000 });
    // Bots slowed to a person's pace (1 to 4 minutes a booking): the race is theirs no more.
    const personPace = { min: 60_000, max: 240_000 };
    slow = simulate({ weeks: 8, seed: 5, scale: 20_000, parameters: { bots: { latencyMs: personPace, protectedLatencyMs: personPace } } });
  });

  it('under fcfs, fast bots end up with most slots, and hand-offs succeed', () => {
    for (const policy of ['fcfs', 'fcfsProtected'] as const) {
      const m = fast.report.policies[policy];
      assert.ok(m.resellerShare > 0.5, `${policy}: ${m.resellerShare}`);
      assert.ok(m.handOffs.succeeded > 0.95 * m.handOffs.attempted, `${policy}: hand-offs ${JSON.stringify(m.handOffs)}`);
    }
  });

  it('under fcfs, the share comes from speed: bots as slow as people get far less', () => {
    const fastShare = fast.report.policies.fcfs.resellerShare;
    const slowShare = slow.report.policies.fcfs.resellerShare;
    assert.ok(slowShare < fastShare - 0.3, `fast ${fastShare}, slow ${slowShare}`);
  });

  it('under allocation, resellers get no more than the identities they rent, fast or slow', () => {
    // A draw ignores who filed a request and how fast: the resellers' only way in is a real
    // customer's own request, which wins what that customer would have won (a bot files it
    // hours earlier and never misses an offer, hence the small margin). Invented identities
    // hold offers for nothing and their hand-offs go to whoever the draw puts first.
    for (const { report } of [fast, slow]) {
      const m = report.policies.allocation;
      assert.ok(m.resellerShare <= report.resellerIdentityShare + 0.03, `${m.resellerShare} vs ${report.resellerIdentityShare}`);
      assert.ok(m.handOffs.succeeded < 0.25 * m.handOffs.attempted, `hand-offs ${JSON.stringify(m.handOffs)}`);
    }
    const difference = Math.abs(fast.report.policies.allocation.resellerShare - slow.report.policies.allocation.resellerShare);
    assert.ok(difference < 0.02, `speed buys nothing: ${difference}`);
  });

  it('under allocation, urgent applicants are served in time far more often than under fcfs', () => {
    const { policies } = fast.report;
    assert.ok(policies.allocation.urgentServedInTime > policies.fcfs.urgentServedInTime + 0.3);
    assert.ok(policies.allocation.humanSuccessRate > policies.fcfs.humanSuccessRate + 0.3);
  });
});
