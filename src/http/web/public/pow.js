// Loads the ALTCHA widget without inline script or blob: workers (strict CSP): the
// external build, with its SHA-256 worker served from our own origin.
import '/assets/altcha/external/altcha.min.js';

globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/assets/altcha/workers/sha.js'));

// A solved challenge expires after 5 minutes; whoever takes longer to fill the form must not
// be stopped by it: solve a fresh one in the background (no time limit for the person).
for (const widget of document.querySelectorAll('altcha-widget')) {
  widget.addEventListener('expired', () => widget.verify());
}
