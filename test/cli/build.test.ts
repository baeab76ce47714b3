// scripts/build.js on a project of its own: the build runs like the sources (each module still
// finds its files next to its source, a lazy import stays a chunk of its own), and an edited
// source makes the build stale, so that bin/creneau.js falls back to the sources until the next one.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, currentBuild, sourcesStamp } from '../../scripts/build.js';

const run = promisify(execFile);

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

describe('the build (scripts/build.js)', () => {
  const root = mkdtempSync(join(tmpdir(), 'creneau-build-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  write(
    root,
    'src/cli/creneau.ts',
    `import { templates } from '../place/where.ts';
const lazy: { value: string } = await import('../place/lazy.ts');
console.log(JSON.stringify({ templates, here: import.meta.url, dir: import.meta.dirname, lazy: lazy.value }));
`,
  );
  write(root, 'src/place/where.ts', "export const templates = new URL('./templates/', import.meta.url).pathname;\n");
  write(root, 'src/place/lazy.ts', "export const value: string = 'first';\n");

  it('runs like the sources: every module locates its files from its source, a lazy import is a chunk', async () => {
    assert.equal(currentBuild(root), null);
    const entry = await build(root);
    assert.equal(currentBuild(root), entry);
    assert.equal(dirname(entry), join(root, 'dist', sourcesStamp(root)));
    const printed = JSON.parse((await run(process.execPath, [entry])).stdout);
    assert.deepEqual(printed, {
      templates: join(root, 'src/place/templates/'),
      here: pathToFileURL(join(root, 'src/cli/creneau.ts')).href,
      dir: join(root, 'src/cli'),
      lazy: 'first',
    });
    const chunks = readdirSync(dirname(entry)).filter((f) => f.endsWith('.js') && f !== 'creneau.js');
    assert.equal(chunks.length, 1, `the lazy module in a chunk of its own: ${chunks.join(', ')}`);
  });

  it('is stale once a source changes; the next build is another, the previous one kept a while', async () => {
    const before = await build(root);
    write(root, 'src/place/lazy.ts', "export const value: string = 'second';\n");
    assert.equal(currentBuild(root), null);
    const after = await build(root);
    assert.notEqual(after, before);
    assert.equal(JSON.parse((await run(process.execPath, [after])).stdout).lazy, 'second');
    assert.ok(existsSync(before), 'a process started from the previous build may still load its chunks');
    rmSync(join(root, 'src/place/lazy.ts'));
    assert.equal(currentBuild(root), null, 'a deleted source changes the stamp too');
  });
});
