// The one place where error codes become HTTP statuses, as RFC 9457 problem+json.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_CATALOGUE, type ErrorCode, isDomainError } from '../domain/errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether an error means the database cannot be reached now: buildServer's option of that name. */
    isDatabaseUnavailable: (error: unknown) => boolean;
  }
}

export const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_BODY: 400,
  MALFORMED_REQUEST: 400,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  PREFECTURE_NOT_FOUND: 404,
  SITE_NOT_FOUND: 404,
  PROCEDURE_NOT_FOUND: 404,
  PROCEDURE_NOT_BOOKABLE_DIRECTLY: 409,
  DATE_RANGE_INVALID: 400,
  IDENTITY_PROOF_MISMATCH: 422,
  SLOT_NOT_FOUND: 404,
  SLOT_UNAVAILABLE: 409,
  SLOT_TAKEN: 409,
  ALREADY_BOOKED_FOR_PROCEDURE: 409,
  IDENTITY_MISMATCH: 409,
  COOLING_OFF: 409,
  EMAIL_CAP_REACHED: 409,
  IDEMPOTENCY_KEY_INVALID: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PROOF_OF_WORK_REQUIRED: 400,
  PROOF_OF_WORK_REJECTED: 403,
  MANAGEMENT_TOKEN_MISSING: 401,
  SMS_GATEWAY_KEY_INVALID: 401,
  APPOINTMENT_NOT_FOUND: 404,
  APPOINTMENT_NOT_ACTIVE: 409,
  RESCHEDULE_LIMIT_REACHED: 409,
  RESCHEDULE_NEEDS_EMAIL: 409,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  IDENTITY_NOT_VERIFIED: 422,
  PERMIT_EXPIRED: 422,
  OUTSIDE_RENEWAL_WINDOW: 422,
  REGISTRY_UNAVAILABLE: 503,
  REGISTRY_ATTEMPTS_LIMITED: 429,
  RATE_LIMITED: 429,
  EMAIL_CODE_SEND_LIMITED: 429,
  EMAIL_CODE_INVALID: 422,
  // One refusal for every invalid convocation: nothing tells altered from cancelled or expired.
  CONVOCATION_INVALID: 404,
  APPOINTMENT_STATUS_CONFLICT: 409,
  CHECK_IN_NOT_TODAY: 409,
  NO_SHOW_TOO_EARLY: 409,
  CHECK_IN_UNDO_TOO_LATE: 409,
  REQUEST_NOT_FOUND: 404,
  OFFER_NOT_FOUND: 404,
  OFFER_EXPIRED: 410,
  OFFER_ALREADY_EXTENDED: 409,
  OFFER_NOT_EXTENDABLE: 409,
  OFFER_WITHDRAWN: 409,
  DRAW_NOT_FOUND: 404,
  PROCEDURE_NOT_REQUESTABLE: 409,
  ALREADY_REQUESTED_FOR_PROCEDURE: 409,
  REQUEST_NOT_ACTIVE: 409,
  REQUEST_NOT_PAUSED: 409,
  // One refusal for every invalid attestation: nothing tells altered from unknown.
  ATTESTATION_INVALID: 404,
  CSRF_TOKEN_INVALID: 403,
  // One refusal for unknown address, wrong password, wrong or reused code, disabled account.
  AGENT_LOGIN_FAILED: 401,
  AGENT_LOCKED: 429,
  AGENT_SESSION_INVALID: 401,
  AGENT_EMAIL_TAKEN: 409,
  FORBIDDEN_SCOPE: 403,
  CALLBACK_NOT_FOUND: 404,
  CALLBACK_ALREADY_TAKEN: 409,
  CALLBACK_CHANGED: 409,
  CALLBACK_ALREADY_OPEN: 409,
  AGENT_NOT_FOUND: 404,
  AGENT_SELF_ACTION: 403,
  COUNTER_NOT_FOUND: 404,
  OPENING_RULE_NOT_FOUND: 404,
  COUNTER_NAME_TAKEN: 409,
  CLOSURE_CONFIRMATION_REQUIRED: 409,
  EXCEPTIONAL_OPENING_NOT_FOUND: 404,
  URGENCY_NOT_FOUND: 404,
  URGENCY_ALREADY_REVIEWED: 409,
  EVIDENCE_SCOPE_EMPTY: 422,
  EVIDENCE_HOLD_NOT_FOUND: 404,
  EVIDENCE_RECORD_NOT_FOUND: 404,
  FRAUD_CASE_NOT_FOUND: 404,
  HOLD_ALREADY_DECIDED: 409,
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  [extension: string]: unknown;
}

export function problem(
  code: ErrorCode,
  detail: string = ERROR_CATALOGUE[code],
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    type: `/api/errors#${code}`,
    title: ERROR_CATALOGUE[code],
    status: STATUS_OF[code],
    code,
    detail,
    ...extensions,
  };
}

/** Seconds a client waits before retrying a 503 SERVICE_UNAVAILABLE: outages we ride out are short (the pool reconnects at once). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/** Every 503 SERVICE_UNAVAILABLE, JSON or page, tells when to come back. */
export function setRetryAfterIfUnavailable(reply: FastifyReply, code: ErrorCode): void {
  if (code === 'SERVICE_UNAVAILABLE' && !reply.hasHeader('retry-after'))
    reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  if (body.code === 'MANAGEMENT_TOKEN_MISSING' || body.code === 'AGENT_SESSION_INVALID')
    reply.header('www-authenticate', 'Bearer');
  // Every 429 tells when to come back, whichever limit refused it.
  const retryAfter = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (body.status === 429 && typeof retryAfter === 'number' && retryAfter > 0 && !reply.hasHeader('retry-after')) {
    reply.header('retry-after', String(Math.ceil(retryAfter)));
  }
  setRetryAfterIfUnavailable(reply, body.code);
  return reply.status(body.status).type('application/problem+json; charset=utf-8').send(body);
}

/** Fastify's own 4xx errors (parsing, limits, routing) under our stable codes. */
function codeOfFastifyError(error: FastifyError): ErrorCode | null {
  if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'PAYLOAD_TOO_LARGE';
  if (error.statusCode === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'UNSUPPORTED_MEDIA_TYPE';
  if (error.statusCode === 404) return 'ROUTE_NOT_FOUND';
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return 'MALFORMED_BODY';
  return null;
}

export function toProblem(error: unknown, request: FastifyRequest): Problem {
  if (isDomainError(error)) {
    const { errors, ...details } = error.details ?? {};
    return problem(error.code, error.message, {
      ...(errors ? { errors } : {}),
      ...(Object.keys(details).length ? { details } : {}),
    });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      path: `${error.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`,
      message: v.message ?? 'invalid',
    }));
    return problem('VALIDATION_FAILED', 'Some fields are missing or invalid.', { errors });
  }
  const fastifyError = error as FastifyError;
  // biome-ignore lint/suspicious/noExplicitAny: Fastify's validation errors carry an untyped `validation` array
  if (fastifyError && typeof fastifyError === 'object' && Array.isArray((fastifyError as any).validation)) {
    return problem('VALIDATION_FAILED', fastifyError.message);
  }
  if (
    fastifyError &&
    typeof fastifyError === 'object' &&
    (fastifyError.code === 'FST_ERR_BAD_URL' || fastifyError.code === 'FST_ERR_MAX_PARAM_LENGTH')
  ) {
    return problem(
      'VALIDATION_FAILED',
      'The URL path is invalid: malformed percent-encoding or a segment that is too long.',
      { errors: [{ path: 'params', message: 'invalid URL path' }] },
    );
  }
  const fastifyCode = fastifyError && typeof fastifyError === 'object' ? codeOfFastifyError(fastifyError) : null;
  if (fastifyCode)
    return problem(
      fastifyCode,
      fastifyCode === 'MALFORMED_BODY'
        ? 'The request could not be read: check the JSON syntax and headers.'
        : ERROR_CATALOGUE[fastifyCode],
    );
  if (request.server.isDatabaseUnavailable(error)) {
    // An outage, not a bug: a short warning per request (no stack: there may be thousands),
    // the cause is logged by the pool, and the client retries after Retry-After.
    request.log.warn(
      { reason: (error as { code?: unknown }).code ?? (error as Error).message },
      'database unavailable: 503',
    );
    return problem('SERVICE_UNAVAILABLE');
  }
  request.log.error({ err: error }, 'unexpected error');
  return problem('INTERNAL_ERROR', ERROR_CATALOGUE.INTERNAL_ERROR, { requestId: request.id });
}

/**
 * Requests Node's HTTP parser rejects never reach Fastify's handlers; answer them with a
 * problem body too, written straight to the socket, then close it.
 */
export function clientErrorResponse(error: { code?: string }): string {
  const [code, status] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? (['HEADERS_TOO_LARGE', '431 Request Header Fields Too Large'] as const)
      : // A request (headers and body) still incomplete after the server's request timeout: a slow client, or a slowloris.
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? (['REQUEST_TIMEOUT', '408 Request Timeout'] as const)
        : (['MALFORMED_REQUEST', '400 Bad Request'] as const);
  const body = JSON.stringify(problem(code));
  return `HTTP/1.1 ${status}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
