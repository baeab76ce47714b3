// Loads the ALTCHA widget without inline script or blob: workers (strict CSP): the
// external build, its French and English texts, and its SHA-256 worker, all from our origin.
import '/assets/altcha/external/altcha.min.js';
import '/assets/altcha/i18n/fr-fr.js';
import '/assets/altcha/i18n/en.js';

globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/assets/altcha/workers/sha.js'));

// A solved challenge expires after 5 minutes: whoever takes longer to fill the form gets a
// fresh one solved in the background (no time limit for the person). At most once a minute,
// so a phone whose clock is wrong (every challenge looks expired to it) does not loop.
const RESOLVE_AT_MOST_EVERY_MS = 60_000;
for (const widget of document.querySelectorAll('altcha-widget')) {
  let lastResolve = 0;
  widget.addEventListener('expired', () => {
    if (Date.now() - lastResolve < RESOLVE_AT_MOST_EVERY_MS) return;
    lastResolve = Date.now();
    widget.verify();
  });
}
