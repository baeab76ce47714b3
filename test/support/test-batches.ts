// How test/all.ts groups the test files into batch processes: few enough that starting a
// process (tsx, the app's modules, a PGlite template: 2–4 s) stays a small share, small enough
// that the lanes finish together and no process lives long enough to grow large.

/** A file never timed yet: a guess from its folder (storage, browser and CLI suites are the slow ones). */
function guessedSeconds(file: string): number {
  return /\/(storage|browser|cli)\//.test(file) ? 20 : 3;
}

/**
 * Browser suites each drive a Chromium: two at once on a small machine starve each other into
 * navigation timeouts, so their batches hold browser files only and run one at a time.
 */
export const isBrowserFile = (file: string): boolean => file.includes('test/browser/');

export interface Batch {
  files: string[];
  browser: boolean;
}

/**
 * First-fit decreasing into batches of about a sixth of a lane's share (at least 15 s of
 * tests), the heaviest batches first so that the last ones to start are short.
 */
export function planBatches(files: readonly string[], knownSeconds: Record<string, number>, jobs: number): Batch[] {
  const weighed = files
    .map((file) => ({ file, seconds: knownSeconds[file] ?? guessedSeconds(file) }))
    .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file));
  const total = weighed.reduce((sum, f) => sum + f.seconds, 0);
  const capacity = Math.max(15, total / (jobs * 6));
  const batches: (Batch & { seconds: number })[] = [];
  for (const { file, seconds } of weighed) {
    const browser = isBrowserFile(file);
    const fits = batches.find((b) => b.browser === browser && b.seconds + seconds <= capacity);
    if (fits) {
      fits.files.push(file);
      fits.seconds += seconds;
    } else batches.push({ files: [file], browser, seconds });
  }
  return batches.sort((a, b) => b.seconds - a.seconds).map(({ files, browser }) => ({ files, browser }));
}
