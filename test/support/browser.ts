// Real-browser tests: Debian's Chromium driven by playwright-core, against the real server
// listening on a local port, with the demo catalogue, a test clock and the `.eml` outbox.
//
//   const server = await startBrowserServer();
//   const page = await openPage(server.baseUrl, '/', { lang: 'en' });
//   await expectNoAxeViolations(page, 'home');
//   await screenshot(page, 'home-en');
//   await page.context().close(); await server.close();
//
// One Chromium per test process (launched on first use, closed at exit). Without
// /usr/bin/chromium the browser suites are skipped, except with CI=true where they fail
// (.ci/run installs the package).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type ParsedMail, simpleParser } from 'mailparser';
import { type Browser, chromium, type Page } from 'playwright-core';
import { currentTotpCode } from '../../src/adapters/agent-credentials.ts';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { dumpPglite, wrapPglite } from '../../src/adapters/db/database.ts';
import { createOutboxMailer } from '../../src/adapters/mail/outbox-mailer.ts';
import type { AppContext } from '../../src/app/shared/context.ts';
import { seedDemo } from '../../src/demo/demo-seed.ts';
import { demoAgentTestCredentials, testAgentUseCases } from './agents.ts';
import { freshDatabase, freshPgliteInstance, pgliteFromDump, releaseClosedPglite } from './databases.ts';
import { type TestServerOptions, testServer } from './http.ts';
import { TestClock, testContext } from './scenario.ts';

export const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/screenshots/', import.meta.url).pathname;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Why browser tests must be skipped here, or false. With CI=true they are never skipped. */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${CHROMIUM} is missing (apt-get install -y chromium)`);
  return `${CHROMIUM} is missing (apt-get install -y chromium)`;
}

let browser: Promise<Browser> | null = null;

export function sharedBrowser(): Promise<Browser> {
  browser ??= chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return browser;
}

after(async () => {
  if (browser) await (await browser).close();
  browser = null;
});

/** The messages written to the server's `.eml` outbox, newest last. */
export interface Mailbox {
  dir: string;
  all(): Promise<ParsedMail[]>;
  /** The messages to one address, newest last. */
  to(address: string): Promise<ParsedMail[]>;
  /** The one-time code of the newest message to `address` carrying one. */
  codeFor(address: string): Promise<string>;
}

function mailbox(dir: string): Mailbox {
  const all = async () => {
    if (!existsSync(dir)) return [];
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, f)))));
    return mails.sort((a, b) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0));
  };
  const to = async (address: string) =>
    (await all()).filter((m) =>
      JSON.stringify(m.to ?? '')
        .toLowerCase()
        .includes(address.toLowerCase()),
    );
  return {
    dir,
    all,
    to,
    async codeFor(address) {
      for (const mail of (await to(address)).reverse()) {
        const match = /(\d{4}) (\d{4})/.exec(mail.text ?? '');
        if (match) return `${match[1]}${match[2]}`;
      }
      throw new Error(`no code sent to ${address}`);
    },
  };
}

export interface BrowserServer {
  baseUrl: string;
  app: FastifyInstance;
  database: OpenDatabase;
  clock: TestClock;
  ctx: AppContext;
  mails: Mailbox;
  close(): Promise<void>;
}

export interface BrowserServerOptions extends Pick<TestServerOptions, 'rateLimits' | 'setup'> {
  /** The test clock's start; now by default (the demo catalogue releases slots from it). */
  now?: Date;
  /** Days of slots the demo seed materialises. */
  horizonDays?: number;
}

/**
 * The demo, seeded once per run (with the demo agents) and copied for each suite that starts
 * "now" with the default horizon: seeding takes 8 s of CPU, a copy a fraction of one. test/all.ts
 * gives its batches a directory of the run's own (TEST_RUN_DIR), where the first browser batch
 * leaves the seeded dump for the next ones (they run one after the other), for 15 minutes at
 * most. The seed's clock is that much behind a later suite's at most — the demo's slots,
 * appointments and offers are placed days apart, so nothing a suite looks at changes in between.
 */
const DEMO_REUSED_FOR_MS = 15 * 60_000;
let seededDemo: Promise<Uint8Array> | undefined;
function seededDemoDump(): Promise<Uint8Array> {
  seededDemo ??= (async () => {
    const shared = process.env.TEST_RUN_DIR ? join(process.env.TEST_RUN_DIR, 'seeded-demo.tar') : null;
    if (shared && existsSync(shared) && Date.now() - statSync(shared).mtimeMs < DEMO_REUSED_FOR_MS)
      return readFileSync(shared);
    const pglite = await freshPgliteInstance();
    const database = wrapPglite(pglite);
    const clock = new TestClock(new Date());
    const mailer = createOutboxMailer({
      dir: mkdtempSync(join(tmpdir(), 'creneau-browser-seed-')),
      from: 'Créneau <noreply@creneau.localhost>',
    });
    await seedDemo(database.db, testContext(database.db, clock, { mailer }), {
      horizonDays: DEFAULT_HORIZON_DAYS,
      agents: testAgentUseCases(database.db, clock),
      agentCredentials: demoAgentTestCredentials,
    });
    const dump = await dumpPglite(pglite);
    await database.close();
    await releaseClosedPglite(pglite);
    if (shared) {
      const partial = `${shared}.${process.pid}`;
      writeFileSync(partial, dump);
      renameSync(partial, shared);
    }
    return dump;
  })();
  return seededDemo;
}

const DEFAULT_HORIZON_DAYS = 30;

/** The server on a local port over a fresh PGlite database with the demo catalogue. */
export async function startBrowserServer(options: BrowserServerOptions = {}): Promise<BrowserServer> {
  const fromTemplate =
    options.now === undefined && (options.horizonDays ?? DEFAULT_HORIZON_DAYS) === DEFAULT_HORIZON_DAYS;
  const database = fromTemplate ? await pgliteFromDump(await seededDemoDump()) : await freshDatabase('pglite');
  const clock = new TestClock(options.now ?? new Date());
  const dir = mkdtempSync(join(tmpdir(), 'creneau-browser-outbox-'));
  const mailer = createOutboxMailer({ dir, from: 'Créneau <noreply@creneau.localhost>' });
  const ctx = testContext(database.db, clock, { mailer });
  if (!fromTemplate) await seedDemo(database.db, ctx, { horizonDays: options.horizonDays ?? DEFAULT_HORIZON_DAYS });
  const app = await testServer(database, clock, {
    ctx: { mailer },
    devOutboxDir: dir,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.setup ? { setup: options.setup } : {}),
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    baseUrl: address,
    app,
    database,
    clock,
    ctx,
    mails: mailbox(dir),
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/**
 * describeInBrowser('booking', (server) => { it(…, () => openPage(server.baseUrl, …)) }):
 * one server for the suite, started before its tests and closed after; skipped (or failed
 * with CI=true) without Chromium.
 */
export function describeInBrowser(
  name: string,
  suite: (server: BrowserServer) => void,
  options: BrowserServerOptions = {},
): void {
  describe(name, { skip: browserSkipReason() }, () => {
    const server = {} as BrowserServer;
    before(async () => {
      Object.assign(server, await startBrowserServer(options));
    });
    after(async () => {
      await server.close?.();
    });
    suite(server);
  });
}

export interface OpenPageOptions {
  /** The browser's language (Accept-Language and navigator.language); fr by default. */
  lang?: 'fr' | 'en';
  javaScript?: boolean;
  /** A phone-sized viewport (360×740), as most applicants use. */
  mobile?: boolean;
}

/** Problems the page reported: console errors (CSP violations among them) and uncaught errors. */
export const pageProblems = new WeakMap<Page, string[]>();

export async function openPage(baseUrl: string, path: string, options: OpenPageOptions = {}): Promise<Page> {
  const lang = options.lang ?? 'fr';
  const context = await (await sharedBrowser()).newContext({
    baseURL: baseUrl,
    locale: lang === 'fr' ? 'fr-FR' : 'en-GB',
    javaScriptEnabled: options.javaScript ?? true,
    viewport: options.mobile ? { width: 360, height: 740 } : { width: 1280, height: 900 },
    ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const problems: string[] = [];
  pageProblems.set(page, problems);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // A page refused by design (a form answered 4xx) is logged by Chromium as a failed load
    // of the document itself: that is the page under test, not a problem of it.
    const documentRefused = /status of 4\d\d/.test(message.text()) && message.location().url === page.url();
    if (!documentRefused) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const response = await page.goto(path);
  if (!response) throw new Error(`no response for ${path}`);
  return page;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core (WCAG 2.x A and AA rules, as RGAA 4 maps them) in the page. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // evaluate() goes through the DevTools protocol: the page's CSP (no inline script) stays on.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** A readable list, for assertion messages. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `   ${n.target.join(' ')} — ${n.failureSummary ?? ''}`)
          .join('\n')}`,
    )
    .join('\n');
}

/** Fails with the list of violations and console problems (CSP refusals included) of the page. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const violations = await axeViolations(page);
  const problems = pageProblems.get(page) ?? [];
  if (violations.length > 0)
    throw new Error(
      `axe-core: ${violations.length} violation(s) on ${label} (${page.url()}):\n${describeViolations(violations)}`,
    );
  if (problems.length > 0) throw new Error(`console errors on ${label} (${page.url()}):\n${problems.join('\n')}`);
}

/** Screenshots stop this far down: the demo's list of 200 likely duplicates is 158,000 px tall, 1.5 GB to render. */
const SCREENSHOT_MAX_HEIGHT = 12_000;

/** A full-page PNG under test-artifacts/screenshots/<name>.png (its first 12,000 px at most). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  const { width, height } = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
  }));
  await page.screenshot({
    path,
    fullPage: true,
    ...(height > SCREENSHOT_MAX_HEIGHT ? { clip: { x: 0, y: 0, width, height: SCREENSHOT_MAX_HEIGHT } } : {}),
  });
  return path;
}

/**
 * Logs an agent in through the two log-in pages (password, then the authenticator code of
 * the server clock's moment) and returns the page on /agent. A code opens one session: give
 * each log-in of one agent its own TOTP step (move `server.clock`).
 */
export async function logInAgent(
  server: BrowserServer,
  agent: { email: string; password: string; totpSecret: string },
  options: OpenPageOptions = {},
): Promise<Page> {
  const page = await openPage(server.baseUrl, '/agent/login', options);
  await page.fill('#email', agent.email);
  await page.fill('#password', agent.password);
  await page.locator('main button[type=submit]').click();
  await page.waitForURL(/\/agent\/login\/code$/);
  await page.fill('#code', currentTotpCode(agent.totpSecret, server.clock.now()));
  await page.locator('main button[type=submit]').click();
  await page.waitForURL(/\/agent$/);
  return page;
}
