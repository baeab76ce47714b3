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
for (const file of files) await import(pathToFileURL(file).href);
