// Which database errors mean "PostgreSQL is not there right now" (an outage, a restart, a
// full pool) rather than "this statement or its input is wrong". The HTTP layer answers the
// first kind with 503 SERVICE_UNAVAILABLE and Retry-After (http/problem.ts), start-up retries
// on them (main.ts), and a request that hits them is worth retrying by the client.

/** Socket errors of Node (the server refused, reset or never answered the connection). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now (starting up, recovering), 53300 too many connections.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages of node-postgres and pg-pool that carry no code. */
const MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect/, // pg-pool: no connection within connectionTimeoutMillis
  /^Client has encountered a connection error and is not queryable/,
  /^Connection refused/,
];

function isUnavailableItself(error: object): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)))
    return true;
  return typeof message === 'string' && MESSAGES.some((m) => m.test(message));
}

/**
 * True for an error (or its cause, or one of an AggregateError's errors: Node tries every
 * address of a host name) that says the database cannot be reached now.
 * Examples: ECONNREFUSED, "Connection terminated unexpectedly", SQLSTATE 57P01.
 * False for constraint violations, syntax errors, missing tables and anything else.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  if (isUnavailableItself(error)) return true;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (isDatabaseUnavailable(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => isDatabaseUnavailable(e, depth + 1));
}
