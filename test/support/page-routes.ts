// The page routes declared in src/http/pages, read from the sources, so that a page added
// later is fuzzed and scope-checked without touching the tests. A path built from a constant
// of its file (`${CHECK_IN_PATH}/:id`) is resolved; one that cannot be resolved fails.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PageRoute {
  method: 'GET' | 'POST';
  path: string;
}

const PAGES = new URL('../../src/http/pages/', import.meta.url).pathname;

export function pageRoutes(under = ''): PageRoute[] {
  const dir = join(PAGES, under);
  const routes = new Map<string, PageRoute>();
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))) {
    const text = readFileSync(file, 'utf8');
    const constants = new Map([...text.matchAll(/const (\w+) = '(\/[^']*)'/g)].map((m) => [m[1]!, m[2]!]));
    for (const m of text.matchAll(/app\.(get|post)\(\s*(['`])([^'`]*)\2/g)) {
      const path = m[3]!.replace(/\$\{(\w+)\}/g, (whole, name: string) => constants.get(name) ?? whole);
      assert.ok(!path.includes('${'), `${file}: cannot resolve the route ${m[3]}`);
      const method = m[1] === 'get' ? 'GET' : 'POST';
      routes.set(`${method} ${path}`, { method, path });
    }
  }
  return [...routes.values()];
}
