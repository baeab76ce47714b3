// Rate limits per client IP and per route (@fastify/rate-limit), counted in this process by
// default and in Redis when a client is given, so that every instance shares one budget.
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
// A refusal is 429 problem+json RATE_LIMITED with Retry-After (seconds), and a
// 'rate_limited' security event. While Redis is unreachable, counting falls back to this
// process (see redis-attempt-limiter.ts).
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { MemoryWindowCounter, type WindowCounter } from '../adapters/limits/memory-attempt-limiter.ts';
import { createRedisAttemptLimiter } from '../adapters/limits/redis-attempt-limiter.ts';
import { DomainError } from '../domain/errors.ts';
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
  /** Shared counting across instances; null counts in this process. */
  redis: Redis | null;
  perMinute: number;
  sensitivePerMinute: number;
  events: SecurityEventLog;
  /** Redis key prefix (tests use a unique one). Default 'creneau:rl:'. */
  keyPrefix?: string;
  /** Redis failures (reported at most every 10 s); counting goes on in process meanwhile. */
  onRedisError?: (error: Error) => void;
}

/** `GET /api/slots`; for unknown URLs the path itself (the route field of security events). */
function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
}

/** The plugin's store interface over our fixed-window counters (memory: no promise per request). */
function storeOver(
  count: (
    key: string,
    windowMs: number,
    done: (error: Error | null, result?: { current: number; ttl: number }) => void,
  ) => void,
) {
  return class WindowStore {
    incr(
      key: string,
      done: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      count(key, timeWindow, done);
    }
    child(): WindowStore {
      return this;
    }
  };
}

function storeFor(options: RateLimitOptions) {
  if (!options.redis) {
    const counter = new MemoryWindowCounter({ maxKeys: 200_000 });
    return storeOver((key, windowMs, done) => {
      const { current, ttlMs } = counter.countNow(key, windowMs);
      done(null, { current, ttl: ttlMs });
    });
  }
  const counter: WindowCounter = createRedisAttemptLimiter(options.redis, {
    keyPrefix: options.keyPrefix ?? 'creneau:rl:',
    ...(options.onRedisError ? { onError: options.onRedisError } : {}),
  });
  return storeOver((key, windowMs, done) => {
    counter.count(key, windowMs).then(
      ({ current, ttlMs }) => done(null, { current, ttl: ttlMs }),
      (error: Error) => done(error),
    );
  });
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
    store: storeFor(options),
    timeWindow: WINDOW_MS,
    max: (request) => (isSensitive(request) ? options.sensitivePerMinute : options.perMinute),
    // IPv6 clients are counted per /64, as the plugin does by default.
    keyGenerator: (request) =>
      `${normalizeIP(request.ip)}|${request.method} ${request.routeOptions.url ?? '(unknown)'}`,
    // Counting failures never refuse a request (the Redis counter already falls back in process).
    skipOnError: true,
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
