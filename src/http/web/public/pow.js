// Loads the ALTCHA widget without inline script or blob: workers (strict CSP): the
// external build, with its SHA-256 worker served from our own origin.
import '/assets/altcha/external/altcha.min.js';

globalThis.$altcha.algorithms.set('SHA-256', () => new Worker('/assets/altcha/workers/sha.js'));
