// Property-based fuzzing of the whole HTTP surface: bad input on any route is a 4xx
// RFC 9457 problem+json with a stable code published at /api/errors — never a 5xx, never
// a stack trace. Routes come from the server's own OpenAPI document, so a route added
// later is fuzzed without touching this file.
//   FUZZ_SEED=123 FUZZ_RUNS=1000 node --import tsx test/all.ts test/http/fuzz   (runs per route, both engines together)
// On failure fast-check prints the seed and the shrunk counterexample.
import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { agentApiToken, givenAgent, testAgentContext } from '../support/agents.ts';
import { describeEachEngine, ENGINES } from '../support/databases.ts';
import { solvedPow, testServer } from '../support/http.ts';
import { applicant, createScenario, knownEmailProof, TestClock, testContext } from '../support/scenario.ts';

const NOW = new Date('2026-06-01T08:00:00Z');
const TOMORROW_9H = new Date('2026-06-02T07:00:00Z');
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_601);
// Runs per route in all, shared by the engines: each engine gets its own seed and its share,
// so the two halves try different inputs (the HTTP layer is the same; the same inputs twice
// only doubled the suite's costliest file).
const RUNS = Math.ceil(Number(process.env.FUZZ_RUNS ?? 150) / ENGINES.length);

interface Route {
  method: string;
  path: string;
  operation: OpenApiOperation | null;
}
interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}
interface JsonSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}
interface FuzzRequest {
  method: InjectOptions['method'] & string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** What the seeded database holds: valid values that get generated requests past validation. */
interface Known {
  prefectureIds: string[];
  siteIds: string[];
  procedureIds: string[];
  slotIds: string[];
  tokens: string[];
}

// ---------------------------------------------------------------- generic nasty values

const NASTY_CONSTANTS = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '..%2F..',
  '%',
  '%2',
  '%zz',
  '%00',
  '%E0%A4%A',
  '%C3%28',
  '%2F',
  '%252F',
  '?',
  '#',
  '&',
  '=',
  '\u0000',
  '\u202e',
  '\ufeff',
  '\uD800',
  '\uDFFF',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e999',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'é',
  'İ',
  'ß',
  '💥',
  '🇫🇷',
  'Ωmega',
  '2A',
  '2a',
  '93',
  '00',
  '97',
  '976',
  '977',
  '2026-02-30',
  '2026-13-01',
  '0000-01-01',
  '0000-02-29',
  '9999-12-31',
  "' or 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, meant literally
  '${7*7}',
  '<script>',
  'a,b,,c',
];

const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_CONSTANTS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 15 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 15 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '%', '9', '-'), fc.integer({ min: 60, max: 5000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

const DATE_STRINGS = [
  '2026-06-01',
  '2026-06-02',
  '2026-06-30',
  '2026-07-15',
  '2026-08-31',
  '2026-09-01',
  '2025-12-31',
  '2024-02-29',
  '1990-04-12',
  '2026-02-30',
  '2026-02-29',
  '2026-04-31',
  '2026-13-01',
  '2026-00-10',
  '2026-06-00',
  '0000-01-01',
  '0000-02-29',
  '0001-01-01',
  '9999-12-31',
  '+002026-06-01',
  '2026-6-1',
  '20260601',
  '2026-06-01T00:00:00Z',
  '2026-06-01 ',
  ' 2026-06-01',
  '2026/06/01',
  '01/06/2026',
];
/** Well-formed YYYY-MM-DD dates anywhere in the four-digit calendar, biased towards its edges. */
const calendarDate = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(0, 1, 999, 1582, 1900, 1970, 2000, 2026, 2038, 9999) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 9999 }) },
    ),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
  )
  .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

const dateString = fc.oneof(
  { weight: 1, arbitrary: calendarDate },
  { weight: 3, arbitrary: fc.constantFrom(...DATE_STRINGS) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: -40, max: 200 })
      .map((d) => new Date(NOW.getTime() + d * 86_400_000).toISOString().slice(0, 10)),
  },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: nastyString },
);

/** Values a field gets when it is corrupted: wrong types, nulls, huge, nested, any JSON. */
const corruptValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  nastyString,
  dateString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(nastyString, { maxLength: 4 }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
  fc.integer({ min: 2, max: 400 }).map((depth) => nest(depth)),
);

function nest(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

function encodeSegment(raw: string, how: 'encoded' | 'raw' | 'double'): string {
  try {
    if (how === 'encoded') return encodeURIComponent(raw);
    if (how === 'double') return encodeURIComponent(encodeURIComponent(raw));
  } catch {
    // Lone surrogates cannot be percent-encoded: send them raw.
  }
  return raw;
}
const encoding = fc.constantFrom<'encoded' | 'raw' | 'double'>(
  'encoded',
  'encoded',
  'encoded',
  'encoded',
  'encoded',
  'encoded',
  'raw',
  'raw',
  'double',
);

/**
 * Header values as Node delivers them: bytes sent as UTF-8 arrive decoded as latin1, and
 * CR, LF and NUL never get past the HTTP parser.
 */
const asReceivedHeader = (value: string): string =>
  Buffer.from(value, 'utf8')
    .toString('latin1')
    .replace(/[\r\n\0]/g, '');

// ---------------------------------------------------------------- per-part generators

function pathParamValue(name: string, known: Known): fc.Arbitrary<string> {
  const valid = name.startsWith('prefecture')
    ? known.prefectureIds
    : name.startsWith('procedure')
      ? known.procedureIds
      : name.startsWith('site')
        ? known.siteIds
        : name.startsWith('slot')
          ? known.slotIds
          : [...known.prefectureIds, ...known.procedureIds, ...known.siteIds];
  return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...valid) }, { weight: 3, arbitrary: nastyString });
}

const day = (offset: number): string => new Date(NOW.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

/** A value that passes validation (so the request goes deep), or garbage for a name we do not know. */
function validQueryValue(name: string, known: Known): fc.Arbitrary<string> {
  switch (name) {
    case 'procedureId':
      return fc.constantFrom(...known.procedureIds);
    case 'siteIds':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...known.siteIds) },
        { weight: 1, arbitrary: fc.subarray(known.siteIds, { minLength: 1 }).map((ids) => ids.join(',')) },
      );
    case 'from':
      return fc.integer({ min: -5, max: 30 }).map(day);
    case 'to':
      return fc.integer({ min: 30, max: 60 }).map(day);
    case 'limit':
      return fc.integer({ min: 1, max: 2000 }).map(String);
    default:
      return nastyString;
  }
}

/** A value meant to be refused (or to sit on a boundary). */
function badQueryValue(name: string, known: Known): fc.Arbitrary<string> {
  switch (name) {
    case 'siteIds':
      return fc.oneof(
        fc
          .array(fc.oneof(fc.constantFrom(...known.siteIds), nastyString), { maxLength: 25 })
          .map((ids) => ids.join(',')),
        fc.constantFrom(
          ' , ',
          ',,,',
          `${known.siteIds[0]} , ${known.siteIds[0]}`,
          Array(30).fill(known.siteIds[0]).join(','),
        ),
        nastyString,
      );
    case 'from':
    case 'to':
      return dateString;
    case 'limit':
      return fc.oneof(
        fc.constantFrom(
          '1',
          '2000',
          '2001',
          '0',
          '-1',
          '1.5',
          '1e3',
          '0x10',
          ' 5',
          'Infinity',
          'NaN',
          '',
          '9'.repeat(400),
        ),
        fc.integer().map(String),
        nastyString,
      );
    default:
      return nastyString;
  }
}

type QueryCorruption = {
  op: 'delete' | 'garbage' | 'duplicate' | 'extra' | 'huge' | 'bare';
  pick: number;
  key: string;
  value: string;
  size: number;
};

/**
 * A query string shaped like the expected one, then corrupted: params missing, garbage,
 * duplicated, unknown, huge, without '='; date ranges reversed, too long or impossible.
 */
function queryString(names: string[], known: Known): fc.Arbitrary<string> {
  const corruption = (name: string): fc.Arbitrary<QueryCorruption> =>
    fc.record({
      op: fc.constantFrom<QueryCorruption['op']>('delete', 'garbage', 'garbage', 'duplicate', 'extra', 'huge', 'bare'),
      pick: fc.nat(),
      key: fc.oneof(
        fc.constantFrom(...names, 'x', '__proto__', 'constructor', 'from[]', 'siteIds[0]', ''),
        nastyString,
      ),
      value: badQueryValue(name, known),
      size: fc.integer({ min: 1000, max: 20_000 }),
    });
  const shift = (date: string, days: number): string => {
    const t = new Date(`${date}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() + days);
    return t.toISOString().slice(0, 10);
  };
  // Reversed and over-long ranges too, near today or anywhere in the calendar.
  const range = fc.oneof(
    fc
      .tuple(fc.integer({ min: -10, max: 120 }), fc.integer({ min: -10, max: 120 }))
      .map(([start, length]) => ({ from: day(start), to: day(start + length) })),
    fc
      .tuple(calendarDate, fc.integer({ min: -5, max: 100 }))
      .map(([from, length]) => ({ from, to: shift(from, length) })),
  );
  return fc
    .record({
      values: fc.tuple(...names.map((name) => validQueryValue(name, known))),
      range: fc.option(range, { freq: 2 }),
      corruptions: fc.oneof(
        fc.constant([]),
        fc.array(fc.constantFrom(...names).chain(corruption), { minLength: 1, maxLength: 3 }),
      ),
      how: encoding,
    })
    .map(({ values, range, corruptions, how }) => {
      const pairs: [string, string | null][] = names.map((name, i) => {
        const fromRange = range && (name === 'from' || name === 'to') ? range[name] : undefined;
        return [name, fromRange ?? values[i]!];
      });
      for (const c of corruptions) {
        const i = pairs.length ? c.pick % pairs.length : 0;
        if (c.op === 'extra' || pairs.length === 0) pairs.push([c.key, c.value]);
        else if (c.op === 'delete') pairs.splice(i, 1);
        else if (c.op === 'garbage') pairs[i] = [pairs[i]![0], c.value];
        else if (c.op === 'duplicate') pairs.push([pairs[i]![0], c.value]);
        else if (c.op === 'huge') pairs[i] = [pairs[i]![0], 'x'.repeat(c.size)];
        else pairs[i] = [pairs[i]![0], null];
      }
      const query = pairs
        .map(([k, v]) => (v === null ? encodeSegment(k, how) : `${encodeSegment(k, how)}=${encodeSegment(v, how)}`))
        .join('&');
      return query ? `?${query}` : '';
    });
}

const JSON_CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json;charset=utf-8',
  'Application/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=',
  'application/json;;;',
  'application/json; boundary=x; charset=utf-8',
];
const OTHER_CONTENT_TYPES = [
  'application/problem+json',
  'application/merge-patch+json',
  'text/json',
  'text/plain',
  'text/plain; charset=utf-8',
  'multipart/form-data',
  'multipart/form-data; boundary=----fuzz',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  '*/*',
  '',
  ';',
  'application/',
  '/json',
  'é/ü',
];

function headersArb(known: Known): fc.Arbitrary<Record<string, string>> {
  // Read at generation time: each family starts with freshly booked appointments (see freshTokens).
  const token = fc.nat().map((i) => known.tokens[i % known.tokens.length]!);
  const authorization = fc.oneof(
    { weight: 8, arbitrary: token.map((t) => `Bearer ${t}`) },
    { weight: 1, arbitrary: token.map((t) => `bearer ${t}`) },
    { weight: 1, arbitrary: token.map((t) => `Bearer  ${t} `) },
    { weight: 3, arbitrary: nastyString.map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }).map((n) => `Bearer ${'A'.repeat(n)}`) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Token abc', '', ' ') },
    { weight: 1, arbitrary: nastyString },
  );
  const idempotencyKey = fc.oneof(
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 140 }) },
    { weight: 2, arbitrary: nastyString },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'clé-idempotence-1',
        'ключ-ключ-ключ',
        '🔑🔑🔑🔑🔑🔑🔑🔑',
        'short',
        'a'.repeat(129),
        'a'.repeat(128),
      ),
    },
  );
  return fc
    .record({
      contentType: fc.option(
        fc.oneof(
          { weight: 8, arbitrary: fc.constant('application/json') },
          { weight: 3, arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES) },
          { weight: 1, arbitrary: fc.constantFrom(...OTHER_CONTENT_TYPES) },
          { weight: 1, arbitrary: nastyString },
        ),
        { freq: 10 },
      ),
      authorization: fc.option(authorization, { freq: 4 }),
      idempotencyKey: fc.option(idempotencyKey, { freq: 3 }),
      extra: fc.option(
        fc.tuple(
          fc.constantFrom('accept', 'accept-language', 'x-forwarded-for', 'content-encoding', 'x-request-id', 'host'),
          nastyString,
        ),
        { freq: 4 },
      ),
    })
    .map(({ contentType, authorization, idempotencyKey, extra }) => {
      const headers: Record<string, string> = {};
      if (contentType !== null) headers['content-type'] = asReceivedHeader(contentType);
      if (authorization !== null) headers.authorization = asReceivedHeader(authorization);
      if (idempotencyKey !== null) headers['idempotency-key'] = asReceivedHeader(idempotencyKey);
      if (extra !== null) headers[extra[0]] = asReceivedHeader(extra[1]);
      return headers;
    });
}

/** A valid value for a body property, chosen by name first (to reach deep code), then by schema. */
function validPropertyValue(name: string, schema: JsonSchema, known: Known): fc.Arbitrary<unknown> {
  switch (name) {
    case 'slotId':
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known.slotIds) }, { weight: 1, arbitrary: fc.uuid() });
    case 'surname':
      return fc.constantFrom('Diallo', 'N’Diaye', "O'Brien", 'Ndiaye-Diop', 'Éloïse', ' Lê ');
    case 'givenNames':
      return fc.constantFrom('Aminata', 'Jean Pierre', 'Zoë', 'Ana-María');
    case 'birthDate':
      return fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom('1990-04-12', '2000-02-29', '1950-12-31') },
        { weight: 2, arbitrary: calendarDate },
        { weight: 1, arbitrary: dateString },
      );
    case 'nationality':
      return fc.constantFrom('SEN', 'mli', 'DZA', 'FRA');
    case 'email':
      return fc
        .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.constantFrom('example.org', 'gmail.com', 'googlemail.com'))
        .map(([l, d]) => `${l}@${d}`);
    case 'passportNumber':
      return fc.oneof(fc.stringMatching(/^[A-Z0-9]{5,20}$/), fc.constantFrom('ab 12-345', '12', ''));
    case 'agdrefNumber':
      return fc.oneof(fc.stringMatching(/^[0-9]{9,10}$/), fc.constantFrom('75 123 4567', 'abc', ''));
  }
  return validFromSchema(schema, known);
}

function validFromSchema(schema: JsonSchema, known: Known): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || schema.properties) {
    const props = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    const entries = Object.entries(props).map(([k, s]) => [k, validPropertyValue(k, s, known)] as const);
    return fc.record(Object.fromEntries(entries), { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
  }
  if (type === 'array') return fc.array(validFromSchema(schema.items ?? {}, known), { maxLength: 3 });
  if (type === 'integer' || type === 'number') return fc.integer({ min: 0, max: 10 });
  if (type === 'boolean') return fc.boolean();
  if (schema.format === 'uuid') return fc.constantFrom(...known.slotIds);
  if (schema.format === 'date') return dateString;
  if (schema.format === 'email') return fc.constant('fuzz@example.org');
  return fc.constantFrom('x', 'abc');
}

/** Every path (list of keys) to an object or property inside a JSON value, root included. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

type Mutation = { op: 'set' | 'delete' | 'extra'; pick: number; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom<Mutation['op']>('set', 'set', 'set', 'delete', 'extra'),
  pick: fc.nat(),
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'isAdmin', ''), nastyString),
  value: corruptValue,
});

/** Sets an own property, even "__proto__", so that JSON.stringify writes it out. */
function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/** Applies mutations (replace, delete, add a key) at random places of a copy of `base`. */
function corrupt(base: unknown, mutations: Mutation[]): unknown {
  let root: unknown = structuredClone(base);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.pick % paths.length]!;
    if (path.length === 0) {
      if (m.op === 'set' || !root || typeof root !== 'object' || Array.isArray(root)) root = m.value;
      else setOwn(root, m.key, m.value);
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root) as Record<string, unknown>;
    const key = path[path.length - 1]!;
    if (m.op === 'delete') delete parent[key];
    else if (m.op === 'set') setOwn(parent, key, m.value);
    else {
      const target = parent[key];
      setOwn(
        target && typeof target === 'object' && !Array.isArray(target) ? target : parent,
        target && typeof target === 'object' && !Array.isArray(target) ? m.key : key,
        m.value,
      );
    }
  }
  return root;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

/** Payloads: valid, corrupted, any JSON, broken JSON, invalid UTF-8, prototype pollution, deep, huge, none. */
function bodyArb(schema: JsonSchema | null, known: Known): fc.Arbitrary<string | Buffer | undefined> {
  const valid = schema ? validFromSchema(schema, known) : fc.jsonValue({ maxDepth: 2 });
  const validText = valid.map(safeStringify);
  return fc.oneof(
    { weight: 6, arbitrary: validText },
    {
      weight: 8,
      arbitrary: fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 2 }))
        .map(([v, ms]) => safeStringify(corrupt(v, ms))),
    },
    { weight: 2, arbitrary: fc.jsonValue().map(safeStringify) },
    { weight: 1, arbitrary: fc.tuple(validText, fc.nat()).map(([t, n]) => t.slice(0, n % Math.max(1, t.length))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          validText,
          fc.nat(),
          fc.constantFrom(
            [0xff],
            [0xc3, 0x28],
            [0xe2, 0x82],
            [0xed, 0xa0, 0x80],
            [0xf8, 0x88, 0x80, 0x80, 0x80],
            [0x00],
          ),
        )
        .map(([t, n, bytes]) => {
          const b = Buffer.from(t, 'utf8');
          const at = n % (b.length + 1);
          return Buffer.concat([b.subarray(0, at), Buffer.from(bytes), b.subarray(at)]);
        }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          validText,
          fc.constantFrom(
            '"__proto__":{"isAdmin":true}',
            '"constructor":{"prototype":{"isAdmin":true}}',
            '"__proto__":null',
            '"constructor":null',
            '"\\u005f_proto__":{"x":1}',
            '"prototype":{}',
          ),
        )
        .map(([t, pollution]) =>
          t.startsWith('{') && t.length > 2 ? `{${pollution},${t.slice(1)}` : `{${pollution}}`,
        ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 30_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1_000, max: 80_000 }).map((n) => JSON.stringify({ slotId: 'a'.repeat(n) })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'null',
        '""',
        '[]',
        '{}',
        '{"slotId":',
        '{,}',
        "{'a':1}",
        'NaN',
        '{"a":1}{"b":2}',
        '\ufeff{}',
      ),
    },
    { weight: 2, arbitrary: fc.constant(undefined) },
  );
}

// ---------------------------------------------------------------- the property

const STACK_TRACE = /\bat .+:\d+:\d+/;

function checkResponse(
  request: FuzzRequest,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  codes: Map<string, number>,
): void {
  const payload = request.payload === undefined ? '' : String(request.payload).slice(0, 200);
  const where = `${request.method} ${request.url.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${JSON.stringify(payload)} → ${res.statusCode} ${String(res.headers['content-type'])} ${res.body.slice(0, 400)}`;
  assert.ok(res.statusCode < 500, `server error: ${where}`);
  if (res.statusCode < 400) return;
  assert.match(String(res.headers['content-type'] ?? ''), /^application\/problem\+json/, `not problem+json: ${where}`);
  if (request.method === 'HEAD') return; // no body by definition
  let body: any;
  try {
    body = JSON.parse(res.body);
  } catch {
    assert.fail(`problem body does not parse: ${where}`);
  }
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), `problem is not an object: ${where}`);
  assert.equal(typeof body.type, 'string', `problem without type: ${where}`);
  assert.equal(typeof body.title, 'string', `problem without title: ${where}`);
  assert.equal(body.status, res.statusCode, `problem status differs from HTTP status: ${where}`);
  assert.ok(codes.has(body.code), `code ${JSON.stringify(body.code)} is not listed by /api/errors: ${where}`);
  assert.equal(codes.get(body.code), res.statusCode, `code ${body.code} is documented with another status: ${where}`);
  assert.doesNotMatch(res.body, STACK_TRACE, `stack trace in the answer: ${where}`);
  assert.ok(!res.body.includes('node_modules'), `internal path in the answer: ${where}`);
}

/** A stable 32-bit seed per family (and engine), so adding a route does not reshuffle the others. */
function seedOf(name: string): number {
  let h = SEED | 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h | 0;
}

const ALL_METHODS = METHODS as (InjectOptions['method'] & string)[];
function methodArb(declared: string): fc.Arbitrary<InjectOptions['method'] & string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(declared.toUpperCase() as InjectOptions['method'] & string) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_METHODS) },
  );
}

function requestArb(route: Route, known: Known): fc.Arbitrary<FuzzRequest> {
  const params = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const queryNames = (route.operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  const bodySchema = route.operation?.requestBody?.content?.['application/json']?.schema ?? null;
  const pathArb = fc
    .tuple(
      fc.tuple(...params.map((p) => pathParamValue(p, known))),
      encoding,
      fc.oneof(
        { weight: 12, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: fc.constantFrom('/', '//', '/..', '/extra', '/%2e%2e') },
      ),
    )
    .map(([values, how, suffix]) => {
      let i = 0;
      return route.path.replace(/\{[^}]+\}/g, () => encodeSegment(values[i++]!, how)) + suffix;
    });
  const query =
    queryNames.length > 0 ? queryString(queryNames, known) : fc.oneof(fc.constant(''), queryString(['x'], known));
  return fc
    .record({
      method: methodArb(route.method),
      path: pathArb,
      query,
      headers: headersArb(known),
      payload: bodySchema ? bodyArb(bodySchema, known) : fc.option(bodyArb(null, known), { freq: 3, nil: undefined }),
    })
    .map(({ method, path, query, headers, payload }) => ({
      method,
      url: path + query,
      headers,
      ...(payload === undefined ? {} : { payload }),
    }));
}

/** Paths no route declares, including look-alikes of real ones. */
function unknownRouteArb(routes: Route[], known: Known): fc.Arbitrary<FuzzRequest> {
  const prefixes = [...new Set(routes.map((r) => r.path.replace(/\{[^}]+\}.*$/, '')))];
  const path = fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...prefixes, '/', '/api/', '/docs/', '/API/', '/api/v2/'),
        fc.array(nastyString, { minLength: 1, maxLength: 4 }),
        encoding,
      )
      .map(
        ([prefix, segments, how]) => prefix.replace(/\/?$/, '/') + segments.map((s) => encodeSegment(s, how)).join('/'),
      ),
    fc.constantFrom(
      '/nowhere',
      '/api',
      '/api/bookings/1',
      '/api/appointment/delete',
      '/.env',
      '/%',
      '/%zz/..',
      '/api/%E0%A4%A',
      `/${'x/'.repeat(500)}`,
    ),
  );
  return fc
    .record({
      method: fc.constantFrom(...ALL_METHODS),
      path,
      query: fc.oneof(fc.constant(''), queryString(['x', 'procedureId'], known)),
      headers: headersArb(known),
      payload: fc.option(bodyArb(null, known), { freq: 3, nil: undefined }),
    })
    .map(({ method, path, query, headers, payload }) => ({
      method,
      url: path + query,
      headers,
      ...(payload === undefined ? {} : { payload }),
    }));
}

// ---------------------------------------------------------------- the suite

describeEachEngine('HTTP fuzzing', (database, engine) => {
  const clock = new TestClock(NOW);
  let app: FastifyInstance;
  let known: Known;
  let reservedSlots: string[] = [];

  before(async () => {
    const db = database().db;
    app = await testServer(database(), clock);
    // A realistic bit of data: two prefectures, passport, AGDREF and allocation procedures,
    // open, past and not-yet-released slots. Valid ids are mixed into generated requests.
    const paris = await createScenario(db, { prefectureId: '75', counters: 3 });
    const seine = await createScenario(db, { prefectureId: '93', counters: 2, procedure: { identityProof: 'agdref' } });
    const allocation = await createScenario(db, { prefectureId: '93', procedure: { channel: 'postal' } });
    const slotIds = [
      ...(await paris.addSlots(90, TOMORROW_9H)),
      ...(await paris.addSlots(3, new Date('2026-05-20T07:00:00Z'))),
      ...(await paris.addSlots(3, new Date('2026-09-01T07:00:00Z'), { releasedAt: new Date('2026-08-01T06:00:00Z') })),
      ...(await seine.addSlots(30, TOMORROW_9H)),
      ...(await allocation.addSlots(4, TOMORROW_9H)),
    ];
    // Slots kept out of the generated pool, booked before each family for live management tokens.
    reservedSlots = await paris.addSlots(120, new Date('2026-07-01T07:00:00Z'));
    known = {
      prefectureIds: ['75', '93', '2A', '94', '00'],
      siteIds: [paris.siteId, seine.siteId, allocation.siteId, 'unknown-site'],
      procedureIds: [paris.procedureId, seine.procedureId, allocation.procedureId, 'unknown-procedure'],
      slotIds: [
        ...slotIds,
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        '6f1c2a9e-0000-4000-8000-000000000000',
      ],
      tokens: [],
    };
  });
  after(async () => app?.close());

  async function documentedCodes(): Promise<Map<string, number>> {
    const res = await app.inject('/api/errors');
    assert.equal(res.statusCode, 200);
    const { errors } = res.json() as { errors: { code: string; status: number }[] };
    assert.ok(errors.length > 0, '/api/errors lists no code');
    return new Map(errors.map((e) => [e.code, e.status]));
  }

  async function routesOfOpenApi(): Promise<Route[]> {
    const res = await app.inject('/openapi.json');
    assert.equal(res.statusCode, 200);
    const spec = res.json() as { paths?: Record<string, Record<string, OpenApiOperation>> };
    const routes = Object.entries(spec.paths ?? {}).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ALL_METHODS.includes(method.toUpperCase() as never))
        .map(([method, operation]): Route => ({ method: method.toUpperCase(), path, operation })),
    );
    assert.ok(routes.length > 0, 'the OpenAPI document lists no route: nothing to fuzz');
    // Service routes are fuzzed even if hidden from the document.
    for (const path of ['/health', '/openapi.json', '/api/errors']) {
      if (!routes.some((r) => r.method === 'GET' && r.path === path))
        routes.push({ method: 'GET', path, operation: null });
    }
    return routes;
  }

  let bookingTokens: string[] = [];
  let agentToken: string | null = null;
  const answers = async (url: string, token: string) =>
    app.inject({ url, headers: { authorization: `Bearer ${token}` } });

  /**
   * Gives every family, whatever ran before it, four active management tokens and an agent
   * session, so that the manage and back-office APIs are fuzzed past their bearer checks. The
   * tokens still active are kept (most families cancel nothing), the others replaced by new
   * bookings; a closed session by a new supervisor's (a TOTP code opens one session). Booking
   * and logging in anew for every family was about half of the file's CPU time.
   */
  async function freshTokens(): Promise<void> {
    const active: string[] = [];
    for (const token of bookingTokens) {
      const res = await answers('/api/appointment', token);
      if (res.statusCode === 200 && res.json().status === 'booked') active.push(token);
    }
    for (const slotId of reservedSlots.splice(0, 4 - active.length)) {
      const person = applicant();
      const payload = {
        slotId,
        applicant: person,
        emailVerification: await knownEmailProof(testContext(database().db, clock), person.email),
        altcha: await solvedPow(app),
      };
      const res = await app.inject({ method: 'POST', url: '/api/bookings', payload });
      assert.equal(res.statusCode, 201, res.body);
      active.push(res.json().managementToken);
    }
    assert.equal(active.length, 4, 'the reserved slots ran out');
    bookingTokens = active;
    if (agentToken === null || (await answers('/api/agent/me', agentToken)).statusCode !== 200) {
      const supervisor = await givenAgent(testAgentContext(database().db, clock), 'supervisor', '93');
      agentToken = await agentApiToken(app, supervisor);
    }
    known.tokens = [...bookingTokens, agentToken, 'AAAAAAAAAAAAAAAAAAAAAAAA'];
  }

  async function fuzz(
    name: string,
    arb: fc.Arbitrary<FuzzRequest>,
    codes: Map<string, number>,
    numRuns: number,
  ): Promise<void> {
    await freshTokens();
    // FUZZ_STATS=1 prints which answers each family reached (to check that generation gets past validation).
    const stats = process.env.FUZZ_STATS ? new Map<string, number>() : null;
    await fc.assert(
      fc.asyncProperty(arb, async (request) => {
        const res = await app.inject(request);
        if (stats) {
          const code =
            res.statusCode >= 400
              ? ((): string => {
                  try {
                    return JSON.parse(res.body).code;
                  } catch {
                    return '?';
                  }
                })()
              : '';
          const key = `${res.statusCode} ${code}`;
          stats.set(key, (stats.get(key) ?? 0) + 1);
        }
        checkResponse(request, res, codes);
      }),
      { seed: seedOf(`${engine} ${name}`), numRuns, includeErrorInReport: true },
    );
    if (stats)
      console.log(
        `# ${name}: ${[...stats]
          .sort()
          .map(([k, n]) => `${k}×${n}`)
          .join(', ')}`,
      );
  }

  it('answers bad input on every route of the OpenAPI document with a documented problem, never a 5xx', async (t) => {
    const codes = await documentedCodes();
    const routes = await routesOfOpenApi();
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      // Routes that take input get more runs than the parameterless GETs.
      const takesInput = Boolean(
        route.operation?.requestBody || route.operation?.parameters?.length || route.operation?.security,
      );
      await t.test(name, () => fuzz(name, requestArb(route, known), codes, takesInput ? RUNS * 2 : RUNS));
    }
  });

  it('answers unknown paths and methods with a documented problem, never a 5xx', async () => {
    const codes = await documentedCodes();
    const routes = await routesOfOpenApi();
    await fuzz('unknown routes', unknownRouteArb(routes, known), codes, RUNS * 2);
  });
});
