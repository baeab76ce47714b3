// Runs every *.test.ts in ONE process, so the suites share one PGlite template (PGlite takes
// seconds and hundreds of MB to start, and parallel starts have crashed: pglite#1053).
// Usage: node --import tsx test/all.ts [filter…]  (filters match file paths)
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = ['test', 'src']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(root, dir, f)))
  .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
  .filter((f) => filters.length === 0 || filters.some((needle) => relative(root, f).includes(needle)))
  .sort();

if (files.length === 0) {
  console.error(`no test file matches ${filters.join(' ')}`);
  process.exit(1);
}
// node:test marks a failure by setting process.exitCode = 1 when it happens; PGlite's
// Emscripten runtime sets process.exitCode = 0 whenever an instance closes, which would hide
// every failure before the last close. So the exit code comes from the reporter's own final
// count ("# fail N", "# cancelled N"), read as it is written: non-zero failures, tests
// cancelled (a failed before() hook cancels its suite's tests without counting them as
// failures), or no summary at all, fail.
let failures: number | null = null;
let cancelled = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const match = /^# fail (\d+)$/m.exec(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  if (match) failures = Number(match[1]);
  const cancelledMatch = /^# cancelled (\d+)$/m.exec(
    typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'),
  );
  if (cancelledMatch) cancelled = Number(cancelledMatch[1]);
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;
process.on('exit', () => {
  if (failures === null || failures > 0 || cancelled > 0) process.exitCode = 1;
});

for (const file of files) await import(pathToFileURL(file).href);
