// One batch of test files in one process, started by test/all.ts: the files are imported in
// turn and node:test runs their suites one after the other; test/support/batch-reporter.ts
// tells the parent what passed and failed. Before each file, a marker test names it: suites
// made by helpers (describeEachEngine, describeInBrowser) are reported with the helper's file,
// so the reporter attributes every top-level test to the last marker seen (top-level tests
// run in the order they were registered). The process ends with its last test (its exit code
// is not read: PGlite's runtime resets process.exitCode when an instance closes).
import { relative } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FILE_MARKER } from './batch-reporter.ts';

const root = new URL('../..', import.meta.url).pathname;
for (const file of process.argv.slice(2)) {
  test(`${FILE_MARKER}${relative(root, file)}`, () => {});
  await import(pathToFileURL(file).href);
}
