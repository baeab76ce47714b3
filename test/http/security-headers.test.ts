// Security headers on every route the server has (read from app.printRoutes(), so a route
// added later is covered without touching this test), in answers and refusals alike: a CSP
// without 'unsafe-inline' that forbids framing, no referrer, nosniff; in production (Secure
// cookies) HSTS too, and every cookie Secure — the language cookie included.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { describeEachEngine } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { pageRoutes } from '../support/page-routes.ts';
import { TestClock } from '../support/scenario.ts';

interface Route {
  method: string;
  url: string;
}

/**
 * Every method and path of Fastify's route tree ("├── api/slots (GET, HEAD)"; children carry
 * the rest of their path), with parameters and wildcards filled with placeholders.
 */
function routesOf(tree: string): Route[] {
  const segments: string[] = [];
  const routes: Route[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    segments.length = depth;
    segments[depth] = match[2]!;
    const url = segments.join('').replace(/:\w+/g, '00000000-0000-4000-8000-000000000000').replace(/\*/g, 'anything');
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) routes.push({ method, url });
  }
  return routes;
}

function assertSecurityHeaders(response: LightMyRequestResponse, where: string, production: boolean): void {
  const csp = response.headers['content-security-policy'];
  assert.equal(typeof csp, 'string', `${where}: Content-Security-Policy`);
  assert.doesNotMatch(csp as string, /unsafe-inline|unsafe-eval/, where);
  assert.match(csp as string, /frame-ancestors 'none'/, where);
  assert.match(csp as string, /script-src 'self'(;|$)/, where);
  assert.equal(response.headers['referrer-policy'], 'no-referrer', where);
  assert.equal(response.headers['x-content-type-options'], 'nosniff', where);
  if (production) {
    assert.match(String(response.headers['strict-transport-security']), /max-age=\d{7,}/, `${where}: HSTS`);
    for (const cookie of [response.headers['set-cookie'] ?? []].flat())
      assert.match(cookie, /;\s*Secure/i, `${where}: ${cookie}`);
  } else {
    assert.equal(response.headers['strict-transport-security'], undefined, `${where}: no HSTS over plain HTTP`);
  }
}

describeEachEngine('security headers', (database) => {
  const clock = new TestClock(new Date('2026-06-01T08:00:00Z'));
  const servers: Record<'production' | 'development', FastifyInstance | undefined> = {
    production: undefined,
    development: undefined,
  };
  before(async () => {
    servers.production = await testServer(database(), clock, { secureCookies: true });
    servers.development = await testServer(database(), clock, {
      devOutboxDir: mkdtempSync(join(tmpdir(), 'creneau-headers-outbox-')),
    });
  });
  after(async () => {
    await servers.production?.close();
    await servers.development?.close();
  });

  for (const mode of ['production', 'development'] as const) {
    describe(mode, () => {
      it('are on every route of the server, its pages and its API, answers and refusals', async () => {
        const app = servers[mode]!;
        const routes = routesOf(app.printRoutes({ commonPrefix: false }));
        // The tree is read right: it holds the API (OpenAPI) and the page routes of the sources.
        const seen = new Set(routes.map((r) => `${r.method} ${r.url}`));
        const placeholder = (path: string) => path.replace(/:\w+/g, '00000000-0000-4000-8000-000000000000');
        for (const [path, item] of Object.entries((app.swagger() as { paths: Record<string, object> }).paths)) {
          for (const method of Object.keys(item))
            assert.ok(
              seen.has(`${method.toUpperCase()} ${placeholder(path.replace(/\{(\w+)\}/g, ':$1'))}`),
              `${method} ${path}`,
            );
        }
        // /dev/outbox exists in demo mode only, never in production.
        for (const page of pageRoutes().filter((p) => mode === 'development' || !p.path.startsWith('/dev/')))
          assert.ok(seen.has(`${page.method} ${placeholder(page.path)}`), `${page.method} ${page.path}`);
        assert.ok(routes.length > 100, `${routes.length} routes`);

        let cookies = 0;
        for (const { method, url } of [
          ...routes,
          { method: 'GET', url: '/no-such-page' },
          { method: 'GET', url: '/api/no-such-route' },
        ]) {
          for (const accept of ['text/html', 'application/json']) {
            const response = await app.inject({ method: method as 'GET', url, headers: { accept } });
            assert.ok(response.statusCode < 500, `${method} ${url}: ${response.statusCode}`);
            assertSecurityHeaders(
              response,
              `${method} ${url} (${accept}) → ${response.statusCode}`,
              mode === 'production',
            );
            cookies += [response.headers['set-cookie'] ?? []].flat().length;
          }
        }
        assert.ok(cookies > 0, 'some routes set cookies, and were checked');
      });

      it(`sets the language cookie ${mode === 'production' ? 'Secure' : 'without Secure (plain HTTP)'}, and reads it back`, async () => {
        const app = servers[mode]!;
        const chosen = await app.inject({ url: '/?lang=en', headers: { accept: 'text/html' } });
        const cookie = [chosen.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('lang='));
        assert.ok(cookie, 'the choice is remembered');
        assert.match(cookie, /^lang=en;/);
        assert.match(cookie, /Path=\//);
        assert.match(cookie, /SameSite=Lax/i);
        assert.match(cookie, /Max-Age=31536000/);
        if (mode === 'production') assert.match(cookie, /;\s*Secure/i);
        else assert.doesNotMatch(cookie, /Secure/i);
        const later = await app.inject({ url: '/', headers: { accept: 'text/html', cookie: 'lang=en' } });
        assert.match(later.body, /<html[^>]*lang="en"/);
        assert.equal(
          [later.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('lang=')),
          undefined,
          'not set again when unchanged',
        );
        const api = await app.inject({ url: '/api/prefectures?lang=en' });
        assert.equal(
          [api.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('lang=')),
          undefined,
          'the API sets no language cookie',
        );
      });
    });
  }
});
