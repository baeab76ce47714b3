// @ts-check
// A worker thread's program, chosen as bin/creneau.js chooses: from the build of the sources as
// they are now (scripts/build.js makes one file per thread program), else the TypeScript
// sources through tsx. `workerData.entry` names the program.
import { workerData } from 'node:worker_threads';
import { currentBuild, PROGRAMS } from '../scripts/build.js';

const name = /** @type {keyof typeof PROGRAMS} */ (workerData?.entry);
if (name === 'creneau' || !(name in PROGRAMS))
  throw new Error(`bin/thread.js: no thread program named ${String(name)}`);
const build = process.env.CRENEAU_FROM_SOURCES === '1' ? null : currentBuild(undefined, name);
if (build) {
  process.setSourceMapsEnabled(true);
  await import(build);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(`../${PROGRAMS[name]}`);
}
