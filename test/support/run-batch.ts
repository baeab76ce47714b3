// One batch of test files in one process, started by test/all.ts: the files are imported in
// turn and node:test runs their suites; test/support/batch-reporter.ts tells the parent what
// passed and failed. The process ends with its last test (its exit code is not read: PGlite's
// runtime resets process.exitCode when an instance closes).
import { pathToFileURL } from 'node:url';

for (const file of process.argv.slice(2)) await import(pathToFileURL(file).href);
