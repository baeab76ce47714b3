// Rate limits per client IP and per route (@fastify/rate-limit), counted by the counter the
// composition root gives: in this process, or in Redis so that every instance shares one budget.
//
// Budgets, per IP, per route pattern, per fixed minute:
//   * `perMinute` for every route, unknown URLs (404) included: they share one budget;
//   * `sensitivePerMinute` for the routes that declare `config: SENSITIVE_ROUTE`
//     (i.e. `config: { rateLimitClass: 'sensitive' }`): POST /api/bookings,
//     POST /api/email-verifications, GET /api/pow/challenge, the appointment management routes;
//   * none for GET /health and GET /ready (supervisors and load balancers poll them).
// "Per route" means the pattern: GET /api/slots?… and GET /api/slots?… with other queries
// share a budget; GET /api/slots and POST /api/bookings do not.
//
// A refusal is 429 problem+json RATE_LIMITED with Retry-After (seconds) and the x-ratelimit-*
// headers, and a 'rate_limited' security event; an answer within the budget tells nothing of
// it. The counter is built by the composition root (adapters/limits/rate-limit-counter.ts): in
// this process, or in Redis, falling back to this process while Redis is unreachable.
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.ts';
import type { AttemptWindow, RequestCounter } from '../ports/attempt-limiter.ts';
import type { SecurityEventLog } from '../ports/security-events.ts';

export type RateLimitClass = 'sensitive';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which per-IP budget the route draws on; see src/http/rate-limit.ts. Default: the general one. */
    rateLimitClass?: RateLimitClass;
  }
}

/** Route option for the sensitive budget: `app.post('/api/bookings', { config: SENSITIVE_ROUTE, schema … })`. */
export const SENSITIVE_ROUTE = { rateLimitClass: 'sensitive' } as const;

/** Routes never limited. */
const UNLIMITED_ROUTES = new Set(['/health', '/ready']);

const WINDOW_MS = 60_000;

export interface RateLimitOptions {
  /** Where requests are counted: this process, or Redis shared by every instance. */
  counter: RequestCounter;
  perMinute: number;
  sensitivePerMinute: number;
  events: SecurityEventLog;
}

/** `GET /api/slots`; for unknown URLs the path itself (the route field of security events). */
function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
}

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The plugin's store interface over our fixed-window counter (an answer at once needs no promise). */
function storeOver(counter: RequestCounter) {
  const answer = ({ current, ttlMs }: AttemptWindow, done: StoreCallback) => done(null, { current, ttl: ttlMs });
  return class WindowStore {
    incr(key: string, done: StoreCallback, timeWindow: number): void {
      const counted = counter.count(key, timeWindow);
      if (counted instanceof Promise)
        counted.then(
          (window) => answer(window, done),
          (error: Error) => done(error),
        );
      else answer(counted, done);
    }
    child(): WindowStore {
      return this;
    }
  };
}

/**
 * Registers the limits on every route, present and future, and on the 404 handler. Call it
 * on the root instance, before or after the routes (hooks are attached when the app is ready).
 */
export async function registerRateLimits(
  // biome-ignore lint/suspicious/noExplicitAny: any Fastify instance, whatever its type provider
  app: FastifyInstance<any, any, any, any, any>,
  options: RateLimitOptions,
): Promise<void> {
  const isSensitive = (request: FastifyRequest) => request.routeOptions.config?.rateLimitClass === 'sensitive';

  await app.register(rateLimit, {
    // Our own root hook below applies the limit, so that 404s are counted too.
    global: false,
    store: storeOver(options.counter),
    timeWindow: WINDOW_MS,
    max: (request) => (isSensitive(request) ? options.sensitivePerMinute : options.perMinute),
    // IPv6 clients are counted per /64, as the plugin does by default.
    keyGenerator: (request) =>
      `${normalizeIP(request.ip)}|${request.method} ${request.routeOptions.url ?? '(unknown)'}`,
    // Counting failures never refuse a request (the Redis counter already falls back in process).
    skipOnError: true,
    // Within the budget, no x-ratelimit-* headers: a script is not told how much it has left to
    // pace itself just under the limit, and an answer (a poll's 304) carries three headers fewer.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    onExceeded: (request) => {
      options.events.record({
        ip: request.ip,
        route: routeOf(request),
        reason: 'rate_limited',
        details: { budget: isSensitive(request) ? 'sensitive' : 'general' },
      });
    },
    // Thrown by the plugin after it set Retry-After; the error handler renders it as problem+json.
    errorResponseBuilder: (_request, context) => {
      const retryAfterSeconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new DomainError('RATE_LIMITED', `Too many requests from this address; retry in ${retryAfterSeconds} s.`, {
        retryAfterSeconds,
      });
    },
  });

  const limit = app.rateLimit();
  app.addHook('onRequest', async function rateLimitHook(request, reply) {
    if (UNLIMITED_ROUTES.has(request.routeOptions.url ?? '')) return;
    await limit.call(this, request, reply);
  });
}
