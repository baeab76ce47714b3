// @ts-check
// The `creneau` command compiled to JavaScript (esbuild), so that a process starts without
// compiling TypeScript: through tsx's loader (its own thread, a round trip per module) a start
// costs 3.0 s of CPU, from the build 1.2 s (`creneau draw --help`). bin/creneau.js runs the
// build made from the sources as they are now, and the sources through tsx when there is none.
//
// dist/<stamp>/creneau.js, where the stamp sums up every source file's path, size and time
// of change: an edit, a checkout or a deleted file makes another stamp, hence another build.
// Chunks keep the lazy imports lazy (the HTTP layer loads only in a process that serves);
// packages stay in node_modules. Each build is written aside, then renamed into place: a
// process never sees half of one. `npm install` builds (prepare), and so do `npm start` and
// the test run; `node scripts/build.js` by hand.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The project: its sources in src/, its builds in dist/. */
const project = fileURLToPath(new URL('..', import.meta.url));
/** Another build than the current one is removed once this old: a process started from it has loaded its chunks long since. */
const KEPT_FOR_MS = 60 * 60_000;

/** What the sources are now, in 16 hex digits. */
export function sourcesStamp(root = project) {
  const sources = join(root, 'src');
  const hash = createHash('sha256');
  for (const file of readdirSync(sources, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!file.endsWith('.ts')) continue;
    const { size, mtimeMs } = statSync(join(sources, file));
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The programs a build holds: the command, and each worker thread's program (bin/thread.js).
 * @type {Record<string, string>}
 */
export const PROGRAMS = { creneau: 'src/cli/creneau.ts', 'render-thread': 'src/composition/render-thread.ts' };

/**
 * Where the build of the sources with this stamp is, and one of its programs.
 * @param {string} root
 * @param {string} stamp
 */
function buildOf(root, stamp, program = 'creneau') {
  const dir = join(root, 'dist', stamp);
  return { dir, entry: join(dir, `${program}.js`) };
}

/** A program of the build of the sources as they are now (the command by default), or null when there is none. */
export function currentBuild(root = project, program = 'creneau') {
  const { entry } = buildOf(root, sourcesStamp(root), program);
  return existsSync(entry) ? entry : null;
}

/** Builds the sources as they are now, unless that build exists; its entry point. */
export async function build(root = project) {
  const stamp = sourcesStamp(root);
  const dist = join(root, 'dist');
  const { dir: target, entry } = buildOf(root, stamp);
  if (!existsSync(entry)) {
    const partial = join(dist, `.${stamp}-${process.pid}`);
    const { build: esbuild } = await import('esbuild');
    await esbuild({
      // The programs the project has (test/cli/build.test.ts builds a project of the command alone).
      entryPoints: Object.fromEntries(
        Object.entries(PROGRAMS)
          .map(([name, source]) => /** @type {const} */ ([name, join(root, source)]))
          .filter(([, path]) => existsSync(path)),
      ),
      outdir: partial,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      keepNames: true, // error names and logs read `constructor.name`
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'warning',
      plugins: [keepModuleLocations],
    });
    try {
      renameSync(partial, target);
    } catch (error) {
      // Another process made the same build meanwhile: its copy is as good as this one.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(entry)) throw error;
    }
  }
  removeOldBuilds(dist, stamp);
  return entry;
}

/**
 * A module finds its templates, translations and assets from its own location
 * (`new URL('./templates/', import.meta.url)`): each module's `import.meta` keeps the
 * location of its source file in the build.
 * @type {import('esbuild').Plugin}
 */
const keepModuleLocations = {
  name: 'keep-module-locations',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, ({ path }) => {
      const location = {
        url: pathToFileURL(path).href,
        filename: path,
        dirname: join(path, '..'),
      };
      const contents = readFileSync(path, 'utf8').replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_, key) =>
        JSON.stringify(location[/** @type {keyof typeof location} */ (key)]),
      );
      return { contents, loader: 'ts' };
    });
  },
};

function removeOldBuilds(/** @type {string} */ dist, /** @type {string} */ current) {
  for (const name of readdirSync(dist)) {
    if (name === current) continue;
    const path = join(dist, name);
    if (Date.now() - statSync(path).mtimeMs > KEPT_FOR_MS) rmSync(path, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = await build();
  console.log(`built ${relative(project, entry)}`);
}
