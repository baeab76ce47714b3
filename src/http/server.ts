// Builds the Fastify application: validation, OpenAPI, error mapping and routes.
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import helmet from 'helmet';
import { plugin as i18nPlugin } from 'i18next-http-middleware';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ERROR_CATALOGUE } from '../domain/errors.ts';
import { i18n } from '../i18n/i18n.ts';
import type { Clock } from '../ports/clock.ts';
import type { SecretGenerator } from '../ports/secrets.ts';
import type { BackOffice, FeaturePlugins } from './feature-plugins.ts';
import {
  clientErrorResponse,
  problem,
  STATUS_OF,
  sendProblem,
  setRetryAfterIfUnavailable,
  toProblem,
} from './problem.ts';
import { type RateLimitOptions, registerRateLimits } from './rate-limit.ts';
import { rememberLanguage } from './web/language-cookie.ts';
import { pageTemplates } from './web/render.ts';
import { isPagePath, sendErrorPage, wantsHtmlPage, webPlugin } from './web/web-plugin.ts';

export interface ServerOptions {
  /** Each feature's routes and pages (src/features/). */
  features: readonly FeaturePlugins[];
  /** The back-office's log-in and session checks, around every feature's back-office pages and routes (the agents feature). */
  backOffice: BackOffice;
  /** Probes share one ping per half second on this clock. */
  clock: Clock;
  /** Request ids are ours (a client cannot inject one into our logs). */
  secrets: Pick<SecretGenerator, 'uuid'>;
  /** Per-IP, per-route limits (src/http/rate-limit.ts); absent: none (unit tests of other concerns). */
  rateLimits?: RateLimitOptions;
  logger: Logger | false;
  /** Whose X-Forwarded-For gives request.ip (config TRUST_PROXY): nobody, N hops, or these proxies. */
  trustProxy?: false | number | readonly string[];
  health: () => Promise<{ database: 'up' | 'down'; engine: string }>;
  /**
   * Whether an error means the database cannot be reached now (an outage, not a bug): answered
   * 503 SERVICE_UNAVAILABLE with Retry-After. The storage adapter knows (adapters/db/connection-errors.ts).
   */
  isDatabaseUnavailable: (error: unknown) => boolean;
  /**
   * False until the database is migrated (main.ts): meanwhile
   * every route but /health, /ready and static files answers 503 SERVICE_UNAVAILABLE.
   * Absent: ready from the start (the database was prepared before building the server).
   */
  started?: () => boolean;
  version: string;
  /** How long a request may take to arrive whole (30 s; tests shorten it). */
  requestTimeoutMs?: number;
  /** Cookies only over HTTPS (production). */
  secureCookies?: boolean;
  /** Page templates compiled once and kept (production); absent: read again at each render. */
  cacheTemplates?: boolean;
}

/**
 * Scripts and styles from our own origin only: no inline script anywhere (the proof-of-work
 * widget is loaded from a file, its worker too), images may be data: URLs (the QR codes).
 */
function securityHeaders(secure: boolean) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(secure ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: secure,
  };
}

/**
 * Fastify reads a bare number as "trust nobody" (it cannot check the nearest peer), so a hop
 * count becomes proxy-addr's function: hop 0 is the socket, 1 the last X-Forwarded-For entry…
 * With TRUST_PROXY=1 the address is the one the nearest proxy appended.
 */
function fastifyTrustProxy(
  trust: false | number | readonly string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust === false ? false : [...trust];
}

/** How long a request may take to arrive whole (headers and body). */
const REQUEST_TIMEOUT_MS = 30_000;

/** How long one database ping answers every liveness and readiness probe. */
const HEALTH_SHARED_MS = 500;

/**
 * One call answers every caller for `ms` (and callers while it runs share it): a flood of
 * probes costs the database one ping per half second, never a pool connection each.
 */
export function sharedForAMoment<T>(call: () => Promise<T>, ms: number, now: () => number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    if (last && now() - last.at < ms) return last.value;
    const value = call();
    const entry = { at: now(), value };
    last = entry;
    // A failed call is not kept: the next caller tries again.
    value.catch(() => {
      if (last === entry) last = null;
    });
    return value;
  };
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  // Fastify's instance type is narrowed by the zod provider; callers only need the base type.
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    bodyLimit: 64 * 1024,
    // A feature's plugin imports its pages and routes as the server starts (lazyPlugin). On a
    // starved machine — a process replaced during a storm — that took over Fastify's default
    // 10 s, and the process died instead of starting late. A plugin that truly hangs still fails.
    pluginTimeout: 120_000,
    // A request must arrive whole within this (Fastify's default is no limit): a client that
    // trickles its headers or body byte by byte cannot hold a connection for ever.
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    // Node checks the timeout every 30 s by default: every 5 s (or sooner), so it holds. Node 20
    // applies it only if the headers' own timeout (60 s by default) is no longer: a client that
    // sent its headers and trickled its body was held 60 s, not 30.
    http: {
      headersTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(5_000, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
    },
    // Request ids are our own, so a client cannot inject one into our logs.
    genReqId: () => options.secrets.uuid(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors raised before routing (undecodable URL, over-long path parameter) bypass setErrorHandler.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(error, request)),
    clientErrorHandler: (error, socket) => {
      if (socket.writable) socket.end(clientErrorResponse(error as { code?: string }));
      else socket.destroy();
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.decorate('pageTemplates', pageTemplates({ cache: options.cacheTemplates ?? false }));
  app.decorate('isDatabaseUnavailable', options.isDatabaseUnavailable);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, request)));
  app.setNotFoundHandler((request, reply) =>
    wantsHtmlPage(request)
      ? sendErrorPage(request, reply, 'ROUTE_NOT_FOUND')
      : sendProblem(reply, problem('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
  // helmet's middleware, built once: @fastify/helmet built it again for every request, parsing
  // the policy each time (15 µs a request, 3.6 % of a polling storm's CPU).
  const setSecurityHeaders = helmet(securityHeaders(options.secureCookies ?? false));
  app.addHook('onRequest', (request, reply, done) =>
    setSecurityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
  await app.register(cookie);
  // The page's language (?lang=, then the `lang` cookie, then Accept-Language); the API skips it.
  await app.register(i18nPlugin, {
    i18next: i18n,
    ignoreRoutes: (request: { url: string }) => !isPagePath(request.url),
  });
  app.addHook('preHandler', rememberLanguage(options.secureCookies ?? false));
  if (options.rateLimits) await registerRateLimits(app, options.rateLimits);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Créneau API',
        version: options.version,
        description:
          "Appointments for the foreigners' services of French prefectures. Errors are RFC 9457 problem+json with a stable `code` (see GET /api/errors).",
      },
      components: {
        securitySchemes: {
          managementToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The management token returned once at booking.',
          },
          agentSession: {
            type: 'http',
            scheme: 'bearer',
            description: 'An agent session token from POST /api/agent/sessions.',
          },
        },
      },
      tags: [
        { name: 'catalogue', description: 'Prefectures, sites and procedures' },
        { name: 'booking', description: 'Free slots and direct booking' },
        { name: 'manage', description: 'View, cancel or reschedule with the management token' },
        { name: 'requests', description: 'Appointment requests for procedures allocated by draws; attestations' },
        { name: 'protection', description: 'Proof of work and email codes required before booking' },
        {
          name: 'agent',
          description:
            'The back-office (bearer agent session from POST /api/agent/sessions): agenda, check-in, convocations, booking for callers, call-backs, configuration, accounts',
        },
        { name: 'service', description: 'Health and reference' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Liveness: 200 as long as this process serves, whatever the database does. A supervisor
  // that restarts on a failed liveness check would only add a cold start to an outage the
  // instance rides out by itself; `database` still says what a ping sees now.
  // One shared answer before the migration and another after it: a "down" seen just before the
  // database came back never answers a probe once the migration has proved it up.
  const startedNow = options.started ?? (() => true);
  const sharedHealth = () => sharedForAMoment(options.health, HEALTH_SHARED_MS, () => options.clock.now().getTime());
  const [healthBeforeStart, healthAfterStart] = [sharedHealth(), sharedHealth()];
  const databaseHealth = () => (startedNow() ? healthAfterStart : healthBeforeStart)();
  const healthBody = z.object({
    status: z.enum(['ok', 'degraded']),
    database: z.string(),
    engine: z.string(),
    version: z.string(),
    /** Which process answered (`serve --processes N` runs several on one port). */
    pid: z.number().int(),
  });
  app.get(
    '/health',
    {
      schema: {
        tags: ['service'],
        summary: 'Liveness (always 200 while the process serves) and database status',
        response: { 200: healthBody },
      },
    },
    async (_request, reply) => {
      const health = await databaseHealth();
      reply.header('cache-control', 'no-store');
      return reply.status(200).send({
        status: health.database === 'up' ? 'ok' : 'degraded',
        ...health,
        version: options.version,
        pid: process.pid,
      });
    },
  );

  // Readiness: 200 only when the database is migrated and answers a ping now; a load
  // balancer sends traffic to ready instances only.
  const readyBody = z.object({
    status: z.enum(['ready', 'not-ready']),
    migrated: z.boolean(),
    database: z.string(),
    engine: z.string(),
    version: z.string(),
  });
  const started = options.started ?? (() => true);
  app.get(
    '/ready',
    {
      schema: {
        tags: ['service'],
        summary: 'Readiness: 200 when migrated and the database answers, 503 otherwise',
        response: { 200: readyBody, 503: readyBody },
      },
    },
    async (_request, reply) => {
      const migrated = started();
      const health = await databaseHealth();
      const ready = migrated && health.database === 'up';
      reply.header('cache-control', 'no-store');
      if (!ready) setRetryAfterIfUnavailable(reply, 'SERVICE_UNAVAILABLE');
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not-ready', migrated, ...health, version: options.version });
    },
  );

  // Until the database is migrated, nothing but liveness, readiness and static files is served.
  app.addHook('onRequest', async (request, reply) => {
    if (started() || /^\/(health|ready|assets\/)/.test(request.url)) return;
    return wantsHtmlPage(request)
      ? sendErrorPage(request, reply, 'SERVICE_UNAVAILABLE')
      : sendProblem(reply, problem('SERVICE_UNAVAILABLE', 'The service is starting: the database is not ready yet.'));
  });

  app.get(
    '/api/errors',
    {
      schema: {
        tags: ['service'],
        summary: 'Every error code, its HTTP status and meaning',
        response: {
          200: z.object({ errors: z.array(z.object({ code: z.string(), status: z.number(), meaning: z.string() })) }),
        },
      },
    },
    async () => ({
      errors: Object.entries(ERROR_CATALOGUE).map(([code, meaning]) => ({
        code,
        status: STATUS_OF[code as keyof typeof STATUS_OF],
        meaning,
      })),
    }),
  );

  for (const feature of options.features) if (feature.routes) await app.register(feature.routes);
  await app.register(options.backOffice.api(options.features.flatMap((f) => (f.agentRoutes ? [f.agentRoutes] : []))));
  await app.register(
    webPlugin({ secureCookies: options.secureCookies ?? false }, [
      ...options.features.flatMap((f) => (f.pages ? [f.pages] : [])),
      options.backOffice.pages(
        options.features.flatMap((f) => (f.agentPages ? [f.agentPages] : [])),
        { secureCookies: options.secureCookies ?? false },
      ),
    ]),
  );
  return app as unknown as FastifyInstance;
}
