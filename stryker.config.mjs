// Mutation testing (StrykerJS), run by `npm run mutation`; never part of `npm test`.
// Three scopes, because a mutant runs every test file that covers it: the pure rules of
// src/domain are judged by test/domain alone (a test file starts in under a second), the
// booking and draw use cases by their storage tests on PGlite (14 to 20 s a file on an idle
// machine). Mixing them would send every surviving domain mutant through the storage tests.
//   MUTATION_SCOPE=domain   src/domain/**                        test/domain
//   MUTATION_SCOPE=booking  app/booking/book-slot.ts             test/storage/{booking,agent-channel}
//   MUTATION_SCOPE=draws    app/draws/run-draw.ts, app/offers/*  test/storage/{offers-answers,draws,one-flow,draw-commitments,fraud}
// Each test file runs in its own `node --import tsx` process and prints TAP (the tap runner);
// perTest coverage then means "the test files that reach the mutant". Incremental: a later run
// re-tests only mutants whose code or tests changed (reports/ is not committed).

const scope = process.env.MUTATION_SCOPE ?? 'domain';
const scopes = {
  domain: {
    mutate: ['src/domain/**/*.ts'],
    testFiles: ['test/domain/**/*.test.ts'],
  },
  booking: {
    mutate: ['src/app/booking/book-slot.ts'],
    // agent-channel: the phone and counter bookings (no email code, the audit in the transaction).
    testFiles: ['test/storage/booking.test.ts', 'test/storage/agent-channel.test.ts'],
  },
  draws: {
    mutate: ['src/app/draws/run-draw.ts', 'src/app/offers/*.ts'],
    // The short, exact file first: a mutant it kills costs one short process, not three.
    // draw-commitments: the report's commitment; fraud: an expired offer scores its request.
    testFiles: [
      'test/storage/offers-answers.test.ts',
      'test/storage/draws.test.ts',
      'test/storage/one-flow.test.ts',
      'test/storage/draw-commitments.test.ts',
      'test/storage/fraud.test.ts',
    ],
  },
};
const chosen = scopes[scope];
// MUTATION_REPORT names the reports of a partial run (one file with -m) so it keeps the scope's.
const report = process.env.MUTATION_REPORT ?? scope;
if (!chosen) throw new Error(`MUTATION_SCOPE must be one of ${Object.keys(scopes).join(', ')}, not ${scope}`);
// Storage tests on PGlite only (test/support/databases.ts): the test runners inherit this
// process's environment.
process.env.TEST_ENGINES = 'pglite';
// Each fast-check property tries at most 25 cases (test/support/property-runs.ts; `npm test`
// runs them in full): a mutant the rules' examples miss still fails a few random cases, and
// allocation-draw's properties take 1.5 s instead of 7 s (loaded machine).
process.env.PROPERTY_RUNS ??= '25';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  tap: {
    testFiles: chosen.testFiles,
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap'],
  },
  mutate: chosen.mutate,
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: tables, messages) would each run every test file;
  // they are reported as ignored, not hidden.
  ignoreStatic: true,
  // The machine's two cores are shared; storage tests on PostgreSQL are not run here (PGlite only).
  concurrency: 2,
  timeoutMS: 5_000,
  // The first run of every test file with coverage: three storage files took over the
  // default 5 minutes on the loaded machine.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: `reports/mutation/${report}-incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${report}.html` },
  jsonReporter: { fileName: `reports/mutation/${report}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['bench', 'docs', 'test/browser', 'data', 'test-artifacts', 'reports'],
};
