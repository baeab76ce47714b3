// The applicant's web pages: DSFR served from our own origin, forms (urlencoded) with CSRF
// tokens, HTML errors in the page's language. The JSON API keeps its own error format; this
// plugin is encapsulated so none of this reaches /api.
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, isDomainError } from '../../domain/errors.ts';
import { translator } from '../../i18n/i18n.ts';
import { STATUS_OF, setRetryAfterIfUnavailable, toProblem } from '../problem.ts';
import { registerHashedAssets } from './assets.ts';
import { compressPages } from './page-compression.ts';
import { languageOf, sendPage } from './render.ts';

const NODE_MODULES = new URL('../../../node_modules/', import.meta.url).pathname;
const PUBLIC = new URL('./public/', import.meta.url).pathname;

export interface WebOptions {
  /** Secure cookies (HTTPS only): on in production. */
  secureCookies: boolean;
}

/** Where a failed form sends the applicant back: the page they came from, if it is ours. */
function backLink(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return undefined;
  try {
    const url = new URL(referer);
    return url.host === request.headers.host ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

/** An error page with the stable code, in the page's language. */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  status: number = STATUS_OF[code],
): FastifyReply {
  const t = translator(languageOf(request), 'errors');
  const requestId = code === 'INTERNAL_ERROR' || code === 'SERVICE_UNAVAILABLE' ? request.id : undefined;
  setRetryAfterIfUnavailable(reply, code);
  return sendPage(
    request,
    reply,
    'error',
    { title: t('title'), message: t(code), code, requestId, back: backLink(request) },
    status,
  );
}

function errorCodeOf(error: unknown, request: FastifyRequest): ErrorCode {
  const fastifyCode = (error as FastifyError | undefined)?.code;
  if (fastifyCode === 'FST_CSRF_INVALID_TOKEN' || fastifyCode === 'FST_CSRF_MISSING_SECRET')
    return 'CSRF_TOKEN_INVALID';
  if (isDomainError(error)) return error.code;
  return toProblem(error, request).code as ErrorCode;
}

/** Paths that are not pages: the JSON API, its documentation, health and readiness, static files. */
export function isPagePath(url: string): boolean {
  return !/^\/(api(\/|$|\?)|docs|openapi\.json|health|ready|assets\/)/.test(url);
}

/** A browser asking for a page (it says text/html); API clients keep problem+json. */
export function wantsHtmlPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return isPagePath(request.url) && typeof accept === 'string' && accept.includes('text/html');
}

/**
 * Static files first: the layout's stylesheet, script, fonts, icons and favicons under hashed
 * names (http/web/assets.ts); the proof-of-work widget from node_modules and our own few
 * scripts under their names (they import each other by path).
 */
async function registerAssets(app: FastifyInstance): Promise<void> {
  const maxAge = 7 * 24 * 3600 * 1000;
  registerHashedAssets(app);
  await app.register(fastifyStatic, {
    root: `${NODE_MODULES}altcha/dist/`,
    prefix: '/assets/altcha/',
    maxAge,
    index: false,
    list: false,
  });
  // The QR decoder of the check-in page, for browsers without BarcodeDetector (one file).
  await app.register(fastifyStatic, {
    root: `${NODE_MODULES}jsqr/dist/`,
    prefix: '/assets/jsqr/',
    maxAge,
    index: false,
    decorateReply: false,
    list: false,
    allowedPath: (path) => path === '/jsQR.js',
  });
  await app.register(fastifyStatic, {
    root: PUBLIC,
    prefix: '/assets/',
    maxAge: 3600 * 1000,
    index: false,
    decorateReply: false,
    list: false,
  });
}

/**
 * Page routes are registered inside `pages`: they get form parsing, CSRF on every unsafe
 * method, and HTML error pages.
 */
export function webPlugin(options: WebOptions, pages: FastifyPluginAsync[]): FastifyPluginAsync {
  return async (app) => {
    await registerAssets(app);
    compressPages(app);
    await app.register(formbody, { bodyLimit: 32 * 1024 });
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: 'creneau_csrf',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secureCookies },
      getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
    });
    // After body parsing (preValidation), so the token in the form is readable.
    app.addHook('preValidation', (request, reply, done) => {
      if (request.method === 'GET' || request.method === 'HEAD') return done();
      app.csrfProtection(request, reply, done);
    });
    // Pages are not part of the API's OpenAPI document.
    app.addHook('onRoute', (route) => {
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    app.setErrorHandler((error, request, reply) => {
      const code = errorCodeOf(error, request);
      if (code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'page error');
      return sendErrorPage(request, reply, code);
    });
    for (const page of pages) await app.register(page);
  };
}
