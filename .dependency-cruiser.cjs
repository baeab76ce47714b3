// The direction of the arrows (ARCHITECTURE.md), checked by `npm run arrows` in `npm test`:
// domain ← ports ← app ← http, adapters implement ports, main.ts (the composition root) and
// the entry points wire them. A forbidden import or a cycle fails the check.
//
// Type-only imports count (tsPreCompilationDeps): a layer that needs another's types depends
// on it all the same.
//

/** Packages a pure rule may use: dates and zones, a seeded generator. */
const PURE_PACKAGES = 'node_modules/(luxon|pure-rand|ipaddr\.js)/';

/** What use cases must reach through ports only: storage, caches, mail, HTTP. */
const INFRASTRUCTURE_PACKAGES =
  'node_modules/(kysely|kysely-pglite-dialect|pg|pg-pool|@electric-sql/pglite|ioredis|nodemailer|fastify|@fastify/[^/]+|altcha-lib|@node-rs/argon2)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No cycles, not even through types: a page or route never imports the server that registers it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'features-take-ports-not-adapters',
      severity: 'error',
      comment:
        'A feature is built from the Ports it names (features/ports.ts); which adapter implements them is decided once, in composition/create-ports.ts.',
      from: { path: '^src/features/' },
      to: { path: '^src/(adapters|composition|cli|demo|sim)/|^src/main\\.ts$' },
    },
    {
      name: 'only-the-composition-builds-features',
      severity: 'error',
      comment: 'Features are assembled in composition/create-features.ts (used by main.ts, the CLI and the tests).',
      from: { path: '^src/', pathNot: '^src/(features|composition)/|^src/main\\.ts$' },
      to: { path: '^src/(features|composition)/' },
    },
    {
      name: 'plugins-never-import-the-server',
      severity: 'error',
      comment:
        'Routes and pages get their use cases from their feature (src/features/), never the server options: http/server.ts is imported by the composition only.',
      from: { path: '^src/http/', pathNot: '^src/http/server\\.ts$' },
      to: { path: '^src/http/server\\.ts$' },
    },
    {
      name: 'domain-imports-domain-only',
      severity: 'error',
      comment: 'domain/ holds the pure rules: nothing else of src/.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'No I/O in domain/: of Node only crypto (createHash for draw digests), of npm only luxon, pure-rand and ipaddr.js. Randomness and the clock come in as arguments.',
      from: { path: '^src/domain/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: [`^(node:)?crypto$`, PURE_PACKAGES],
      },
    },
    {
      name: 'ports-see-domain',
      severity: 'error',
      comment: 'ports/ are interfaces over domain types.',
      from: { path: '^src/ports/' },
      to: { path: '^src/', pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'app-sees-ports',
      severity: 'error',
      comment:
        'Use cases see domain, ports and other use cases only: never adapters, http, config.ts or main.ts. ' +
        "Exception: app/notifications/messages/ renders the emails' wording from src/i18n (the text catalogue, which imports domain only; see i18n-is-a-leaf).",
      from: { path: '^src/app/' },
      to: {
        path: '^src/',
        pathNot: ['^src/(domain|ports|app)/', '^src/i18n/i18n\\.ts$'],
      },
    },
    {
      name: 'i18n-only-in-messages',
      severity: 'error',
      comment: 'Of app/, only the email messages use the text catalogue.',
      from: { path: '^src/app/', pathNot: '^src/app/notifications/messages/' },
      to: { path: '^src/i18n/' },
    },
    {
      name: 'app-no-infrastructure',
      severity: 'error',
      comment: 'Use cases reach storage, Redis, mail and HTTP through ports, never their libraries.',
      from: { path: '^src/app/' },
      to: { path: [INFRASTRUCTURE_PACKAGES, '^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|dns)$'] },
    },
    {
      name: 'i18n-is-a-leaf',
      severity: 'error',
      comment: 'The text catalogue (src/i18n) depends on domain only, so that app/ may use it.',
      from: { path: '^src/i18n/' },
      to: { path: '^src/', pathNot: '^src/(domain|i18n)/' },
    },
    {
      name: 'adapters-implement-ports',
      severity: 'error',
      comment:
        'Adapters take their types from ports and domain: never http, app (use cases or their contexts), the demo seed, the CLI or main.ts. ' +
        'config.ts is allowed (generated-secrets.ts completes the configuration).',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/(http|app|cli|demo|sim)/', '^src/main\\.ts$'] },
    },
    {
      name: 'http-no-adapters',
      severity: 'error',
      comment:
        'http/ sees use cases, ports and domain; adapters are built by the composition root and handed over in ServerOptions.',
      from: { path: '^src/http/' },
      to: { path: ['^src/(adapters|cli|demo|sim)/', '^src/main\\.ts$', '^src/config\\.ts$'] },
    },
    {
      name: 'main-only-from-entry-points',
      severity: 'error',
      comment: 'The composition root is imported by entry points only: the CLI here (bin/, bench/ and test/ outside src/).',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'demo-only-from-entry-points',
      severity: 'error',
      comment: 'The demo seed runs use cases on real adapters: only the composition root and the CLI start it.',
      from: { path: '^src/', pathNot: ['^src/demo/', '^src/main\\.ts$', '^src/cli/'] },
      to: { path: '^src/demo/' },
    },
    {
      name: 'sim-sees-domain',
      severity: 'error',
      comment: 'The simulator models the rules of domain/, without storage or HTTP.',
      from: { path: '^src/sim/' },
      to: { path: '^src/', pathNot: '^src/(domain|sim)/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'config.ts, the only reader of process.env, depends on domain at most.',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/domain/', '^src/config\\.ts$'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Browser scripts served as they are (their imports are URLs of the site).
    exclude: { path: '^src/http/web/public/' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules may be a symlink (worktrees): report packages under node_modules/ all the same.
    preserveSymlinks: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
