// The pages' static files, made light once per process:
//   * one stylesheet: the DSFR without its legacy part (dsfr.main.min.css, for browsers of the
//     last years: 575 KB instead of 717 KB), only the icon rules the templates use (a subset of
//     utility/icons/icons.min.css, which holds ~1,500 icons: 355 KB for the 8 we show), and
//     creneau.css;
//   * every file it names (Marianne fonts, the DSFR's SVG icons), the DSFR script and the
//     favicons, under content-hashed names: /assets/h/<name>.<hash>.<ext>, cached a year,
//     `immutable` (a new content is a new name, so a browser never asks twice);
//   * text files (CSS, JS, SVG) sent in brotli or gzip, each made once, on first demand, off the
//     event loop (zlib's thread pool); `warmAssets` makes them at start in production.
// A first visit of the home page transfers about 200 KB (fonts are most of it), a second one
// the page alone (test/browser/page-weight.test.ts prints both).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const DSFR = new URL('../../../node_modules/@gouvfr/dsfr/dist/', import.meta.url).pathname;
const PUBLIC = new URL('./public/', import.meta.url).pathname;
const TEMPLATES = new URL('./templates/', import.meta.url).pathname;

/** Where hashed files are served: one parametric route, looked up in a map. */
export const HASHED_PREFIX = '/assets/h/';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** Already compressed formats (fonts, images) are sent as they are. */
const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.ico']);

interface HashedAsset {
  url: string;
  type: string;
  body: Buffer;
  compressible: boolean;
  encoded: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
}

/** The URLs the layout links to. */
export interface AssetUrls {
  styles: string;
  /** Linked inside <noscript>: what changes when scripts do not run (http/web/public/noscript.css). */
  noscriptStyles: string;
  script: string;
  faviconSvg: string;
  faviconIco: string;
  appleTouchIcon: string;
}

export interface AssetCatalogue {
  urls: AssetUrls;
  byName: Map<string, HashedAsset>;
  /** The icon classes (fr-icon-…) kept in the stylesheet. */
  icons: string[];
}

function digest(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64url').replace(/[-_]/g, '').slice(0, 12);
}

function addAsset(byName: Map<string, HashedAsset>, fileName: string, body: Buffer): string {
  const extension = extname(fileName);
  const name = `${basename(fileName, extension)}.${digest(body)}${extension}`;
  if (!byName.has(name))
    byName.set(name, {
      url: `${HASHED_PREFIX}${name}`,
      type: TYPES[extension] ?? 'application/octet-stream',
      body,
      compressible: COMPRESSIBLE.has(extension),
      encoded: {},
    });
  return `${HASHED_PREFIX}${name}`;
}

/**
 * Rewrites every url(…) of a stylesheet read from `fromDir` to the hashed URL of the file it
 * names (added to the catalogue); data: URLs stay.
 *   url(fonts/Marianne-Bold.woff2) → url(/assets/h/Marianne-Bold.Ab12Cd34Ef56.woff2)
 */
function rehomeUrls(css: string, fromDir: string, byName: Map<string, HashedAsset>): string {
  return css.replace(/url\((['"]?)([^'")]+)\1\)/g, (whole, _quote: string, target: string) => {
    if (/^(data:|https?:|#|\/)/.test(target)) return whole;
    const file = join(fromDir, target.replace(/[?#].*$/, ''));
    return `url(${addAsset(byName, file, readFileSync(file))})`;
  });
}

/** The end of a block opened at `open` ('{'): the index of its matching '}'. */
function blockEnd(css: string, open: number): number {
  let depth = 0;
  for (let i = open; i < css.length; i++) {
    if (css[i] === '{') depth++;
    else if (css[i] === '}' && --depth === 0) return i;
  }
  return css.length;
}

/**
 * The rules of a (minified) stylesheet whose selectors name one of `icons`, with only those
 * selectors; @media blocks kept when something inside is; comments dropped.
 *   ".fr-icon-a:after,.fr-icon-a:before{…}.fr-icon-b:before{…}" with {fr-icon-a}
 *   → ".fr-icon-a:after,.fr-icon-a:before{…}"
 */
export function iconRules(css: string, icons: ReadonlySet<string>): string {
  const source = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const keeps = (selector: string) => {
    const match = /\.(fr-icon-[a-z0-9-]+)(?![a-z0-9-])/.exec(selector);
    return match !== null && icons.has(match[1]!);
  };
  let kept = '';
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{', at);
    if (open < 0) break;
    const prelude = source.slice(at, open).trim();
    const end = blockEnd(source, open);
    const inside = source.slice(open + 1, end);
    if (prelude.startsWith('@')) {
      const inner = iconRules(inside, icons);
      if (inner) kept += `${prelude}{${inner}}`;
    } else {
      const selectors = prelude.split(',').filter(keeps);
      if (selectors.length > 0) kept += `${selectors.join(',')}{${inside}}`;
    }
    at = end + 1;
  }
  return kept;
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templateFiles(join(dir, entry.name))
      : entry.name.endsWith('.eta')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The DSFR icon classes the templates name ("fr-icon-calendar-line"…). */
export function iconsInTemplates(dir = TEMPLATES): string[] {
  const icons = new Set<string>();
  for (const file of templateFiles(dir))
    for (const match of readFileSync(file, 'utf8').matchAll(/\bfr-icon-[a-z0-9]+(?:-[a-z0-9]+)*\b/g))
      icons.add(match[0]);
  return [...icons].sort();
}

function buildCatalogue(): AssetCatalogue {
  const byName = new Map<string, HashedAsset>();
  const icons = iconsInTemplates();
  const dsfr = rehomeUrls(readFileSync(join(DSFR, 'dsfr.main.min.css'), 'utf8'), DSFR, byName);
  const iconsDir = join(DSFR, 'utility/icons/');
  const iconCss = rehomeUrls(
    iconRules(readFileSync(join(iconsDir, 'icons.min.css'), 'utf8'), new Set(icons)),
    iconsDir,
    byName,
  );
  const own = readFileSync(join(PUBLIC, 'creneau.css'), 'utf8');
  const styles = `${dsfr}\n/* DSFR icons used by the pages */\n${iconCss}\n${own}`;
  const file = (path: string) => addAsset(byName, path, readFileSync(join(DSFR, path)));
  return {
    urls: {
      styles: addAsset(byName, 'creneau.css', Buffer.from(styles)),
      noscriptStyles: addAsset(byName, 'noscript.css', readFileSync(join(PUBLIC, 'noscript.css'))),
      script: file('dsfr.module.min.js'),
      faviconSvg: file('favicon/favicon.svg'),
      faviconIco: file('favicon/favicon.ico'),
      appleTouchIcon: file('favicon/apple-touch-icon.png'),
    },
    byName,
    icons,
  };
}

let catalogue: AssetCatalogue | undefined;

/** Built on first use and kept for the process: the files of an installed package do not change. */
export function assetCatalogue(): AssetCatalogue {
  catalogue ??= buildCatalogue();
  return catalogue;
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

function encode(asset: HashedAsset, encoding: 'br' | 'gzip'): Promise<Buffer> {
  asset.encoded[encoding] ??=
    encoding === 'br'
      ? brotli(asset.body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: asset.body.length,
          },
        })
      : gzipped(asset.body, { level: 9 });
  return asset.encoded[encoding];
}

/** Compresses every text file now (production start) rather than for the first visitor. */
export async function warmAssets(): Promise<void> {
  const assets = [...assetCatalogue().byName.values()].filter((asset) => asset.compressible);
  for (const asset of assets) await Promise.all([encode(asset, 'br'), encode(asset, 'gzip')]);
}

async function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: HashedAsset): Promise<FastifyReply> {
  reply.header('cache-control', IMMUTABLE).type(asset.type);
  if (!asset.compressible) return reply.send(asset.body);
  reply.header('vary', 'accept-encoding');
  const accepted = request.headers['accept-encoding'];
  const encoding = accepted ? negotiate(accepted, ['br', 'gzip', 'identity']) : undefined;
  if (encoding === 'br' || encoding === 'gzip')
    return reply.header('content-encoding', encoding).send(await encode(asset, encoding));
  return reply.send(asset.body);
}

/** GET /assets/h/:name — the hashed files, or 404. */
export function registerHashedAssets(app: FastifyInstance): void {
  const { byName } = assetCatalogue();
  // Not part of the API: kept out of the OpenAPI document.
  app.get<{ Params: { name: string } }>(`${HASHED_PREFIX}:name`, { schema: { hide: true } }, async (request, reply) => {
    const asset = byName.get(request.params.name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return sendAsset(request, reply, asset);
  });
}
