// The two shapes of ids, written once: slugs name what people configure (sites, counters,
// procedures), UUIDs what the system creates (appointments, requests, agents…). The adapters
// check a UUID before a query (PostgreSQL refuses a malformed one with an error, not "not
// found"); http/schemas.ts builds its zod schemas from these.

/** The CHECK on site, counter and procedure ids (migration 0001): "bobigny", "premiere-demande"; 2 to 64 characters. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,63}$/;

export const isSlug = (value: unknown): value is string => typeof value === 'string' && SLUG_PATTERN.test(value);

/** A UUID in its 8-4-4-4-12 hexadecimal form, either case: what PostgreSQL's `uuid` reads and writes. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_PATTERN.test(value);

/**
 * A département, the id of its prefecture: 01–95 but 20 (Corsica is 2A and 2B since 1976),
 * overseas 971–974 and 976 (975, Saint-Pierre-et-Miquelon, is a collectivité, not a département).
 */
export const DEPARTEMENT_CODE_PATTERN = /^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-46])$/;

export const isDepartementCode = (value: unknown): value is string =>
  typeof value === 'string' && DEPARTEMENT_CODE_PATTERN.test(value);
