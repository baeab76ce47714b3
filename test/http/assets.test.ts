// The pages' static files (http/web/assets.ts) and the pages themselves: compressed when the
// client accepts it, hashed names cached a year (immutable), only the icons the templates use.
// The weight a browser really transfers is measured in test/browser/page-weight.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { assetCatalogue, iconRules, iconsInTemplates } from '../../src/http/web/assets.ts';
import { freshDatabase } from '../support/databases.ts';
import { testServer } from '../support/http.ts';
import { TestClock } from '../support/scenario.ts';

describe('icon subset', () => {
  it('keeps the rules and selectors of the icons asked for, @media blocks included', () => {
    const css =
      '/*! licence */.fr-icon-a-line:after,.fr-icon-a-line:before{mask-image:url(a.svg)}' +
      '.fr-icon-a-line-b:before{mask-image:url(ab.svg)}.fr-icon-b:before{mask-image:url(b.svg)}' +
      '@media (min-width:36em){.fr-icon-b:before{x:1}.fr-icon-a-line:before{x:2}}@media print{.fr-icon-c:before{y:1}}';
    assert.equal(
      iconRules(css, new Set(['fr-icon-a-line'])),
      '.fr-icon-a-line:after,.fr-icon-a-line:before{mask-image:url(a.svg)}@media (min-width:36em){.fr-icon-a-line:before{x:2}}',
    );
    assert.equal(iconRules(css, new Set()), '');
  });

  it('finds the icon classes the templates name', () => {
    const icons = iconsInTemplates();
    assert.ok(icons.includes('fr-icon-calendar-line') && icons.includes('fr-icon-phone-line'), icons.join());
    assert.ok(icons.length < 30, `a handful of icons, not the sheet: ${icons.length}`);
  });

  it('puts in the stylesheet only those icons, with their SVG files under hashed names', () => {
    const { urls, byName, icons } = assetCatalogue();
    const styles = byName.get(urls.styles.slice('/assets/h/'.length))!.body.toString();
    const subset = styles.slice(styles.indexOf('/* DSFR icons used by the pages */'));
    const named = new Set(subset.match(/\.fr-icon-[a-z0-9-]+(?=[:,{])/g));
    assert.deepEqual([...named].map((n) => n.slice(1)).sort(), icons);
    assert.ok(styles.length < 600_000, `the DSFR without its legacy part: ${styles.length} bytes`);
    assert.doesNotMatch(styles, /url\((?!\/assets\/h\/|["']?data:)/, 'every url() is a hashed file or data:');
    assert.ok(byName.has(/calendar-line\.\w+\.svg/.exec(styles)![0]));
  });
});

describe('static files and pages over HTTP', () => {
  let database: OpenDatabase;
  let app: FastifyInstance;
  before(async () => {
    database = await freshDatabase('pglite');
    app = await testServer(database, new TestClock(new Date('2026-06-01T08:00:00Z')));
  });
  after(async () => {
    await app?.close();
    await database?.close();
  });

  it('links the hashed stylesheet, script and favicons from every page, nothing from the old paths', async () => {
    const home = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    const { urls } = assetCatalogue();
    for (const url of Object.values(urls)) assert.ok(home.body.includes(`"${url}"`), url);
    assert.doesNotMatch(home.body, /\/dsfr\/|icons\.min\.css/);
    assert.equal((await app.inject('/dsfr/dsfr.min.css')).statusCode, 404, 'the full sheet is no longer served');
  });

  it('sends the stylesheet in brotli or gzip, cached a year, immutable, and as is to who asks nothing', async () => {
    const url = assetCatalogue().urls.styles;
    const plain = await app.inject(url);
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.headers['content-type'] as string, /^text\/css/);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers.vary, 'accept-encoding');

    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.ok(br.rawPayload.length < plain.rawPayload.length / 8, `${br.rawPayload.length} bytes in brotli`);
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), plain.body);

    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), plain.body);
  });

  it('sends fonts as they are (already compressed), immutable; an unknown name is 404', async () => {
    const font = [...assetCatalogue().byName.keys()].find((name) => /^Marianne-Regular\.\w+\.woff2$/.test(name))!;
    const answer = await app.inject({ url: `/assets/h/${font}`, headers: { 'accept-encoding': 'br' } });
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers['content-type'], 'font/woff2');
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await app.inject('/assets/h/dsfr.min.nothere.css')).statusCode, 404);
  });

  it('compresses pages for the browsers that accept it', async () => {
    const plain = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    const br = await app.inject({ url: '/', headers: { accept: 'text/html', 'accept-encoding': 'br' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(br.headers.vary as string, /accept-encoding/);
    assert.equal(br.headers['cache-control'], 'no-store', 'a page is never stored');
    const html = brotliDecompressSync(br.rawPayload).toString();
    assert.match(html, /<h1/);
    assert.ok(br.rawPayload.length < plain.rawPayload.length / 3);
    const gz = await app.inject({ url: '/', headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(gz.rawPayload).toString(), /<h1/);
  });
});
