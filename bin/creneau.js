#!/usr/bin/env node
// @ts-check
// The build of the sources as they are now (scripts/build.js: made by `npm install`, `npm start`
// and the test run) when there is one; else the TypeScript sources through tsx, which compiles
// them as they load (about 2 s of CPU more per start). CRENEAU_FROM_SOURCES=1 forces the latter.
import { currentBuild } from '../scripts/build.js';

const build = process.env.CRENEAU_FROM_SOURCES === '1' ? null : currentBuild();
if (build) {
  process.setSourceMapsEnabled(true); // stack traces name the sources' files and lines
  await import(build);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/creneau.ts');
}
