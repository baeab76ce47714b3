// A query string that crowds send alike — the free-slot calendar's polls, where everyone asks
// for the same URL — validated once per distinct query instead of once per request: zod's parse
// of the calendar's query was 7.5 % of a polling storm's CPU (bench:calendar, PGlite, no
// bookings). The validated value is frozen, since every request with that query shares it.
// Refusals are not kept: a malformed query costs its sender the whole validation every time.
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { FastifyRouteSchemaDef, FastifyValidationResult } from 'fastify/types/schema.js';
import { validatorCompiler } from 'fastify-type-provider-zod';

/** Distinct queries kept per route (the oldest goes first): a bot varying its query only misses. */
const KEPT_QUERIES = 256;

/** A route's validator compiler (`validatorCompiler` in its options): its query validated once per distinct query string. */
export function sharedQueryValidator<S extends FastifySchema>(
  route: FastifyRouteSchemaDef<S>,
): FastifyValidationResult {
  const validate = (validatorCompiler as unknown as FastifySchemaCompiler<S>)(route);
  if (route.httpPart !== 'querystring') return validate;
  const kept = new Map<string, { value: unknown }>();
  return (data) => {
    const key = keyOf(data);
    if (key === null) return validate(data);
    const known = kept.get(key);
    if (known) return known;
    const result = validate(data);
    if (typeof result !== 'object' || 'then' in result || result.error || !('value' in result)) return result;
    const answer = { value: frozen(result.value) };
    kept.set(key, answer);
    if (kept.size > KEPT_QUERIES) kept.delete(kept.keys().next().value!);
    return answer;
  };
}

/** The parsed query string as one string (names and values, in order), or null when a value is not a single string. */
function keyOf(data: unknown): string | null {
  if (data === null || typeof data !== 'object') return null;
  let key = '';
  for (const [name, value] of Object.entries(data)) {
    if (typeof value !== 'string') return null;
    // Each part carries its length: no name or value can pass for another.
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  return key;
}

function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}
