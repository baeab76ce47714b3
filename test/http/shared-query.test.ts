// The polled routes' query validated once per distinct query string (src/http/shared-query.ts).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import { z } from 'zod';
import { sharedQueryValidator } from '../../src/http/shared-query.ts';

const Query = z
  .object({
    ids: z.string().transform((v) => v.split(',')),
    limit: z.coerce.number().int().min(1).default(10),
  })
  .strict();

let parses = 0;
const Counted = Query.transform((value) => {
  parses++;
  return value;
});

const validatorOf = (schema: z.ZodType, httpPart = 'querystring') =>
  sharedQueryValidator({ schema, httpPart, method: 'GET', url: '/t' } as unknown as FastifyRouteSchemaDef<never>);

type Result = { value?: { ids: string[]; limit: number }; error?: unknown };

it('gives the same query string the same frozen value, parsed once', () => {
  parses = 0;
  const validate = validatorOf(Counted);
  const first = validate({ ids: 'a,b', limit: '5' }) as Result;
  const again = validate({ ids: 'a,b', limit: '5' }) as Result;
  assert.deepEqual(first.value, { ids: ['a', 'b'], limit: 5 });
  assert.equal(again.value, first.value);
  assert.equal(parses, 1);
  assert.ok(Object.isFrozen(first.value) && Object.isFrozen(first.value!.ids));
  assert.throws(() => first.value!.ids.push('c'), TypeError);
});

it('never answers one query with another: names and values are told apart whatever they hold', () => {
  const validate = validatorOf(Query);
  assert.deepEqual((validate({ ids: 'a', limit: '2' }) as Result).value, { ids: ['a'], limit: 2 });
  assert.deepEqual((validate({ ids: 'a', limit: '3' }) as Result).value, { ids: ['a'], limit: 3 });
  // The same characters split differently between a value and the next name.
  assert.deepEqual((validate({ ids: 'a2:limit' }) as Result).value, { ids: ['a2:limit'], limit: 10 });
  assert.deepEqual((validate({ ids: 'a' }) as Result).value, { ids: ['a'], limit: 10 });
});

it('keeps no refusal: a malformed query is refused every time, with its error', () => {
  parses = 0;
  const validate = validatorOf(Counted);
  for (let i = 0; i < 2; i++) {
    const refused = validate({ ids: 'a', limit: '0' }) as Result;
    assert.ok(refused.error, 'refused');
    assert.equal(refused.value, undefined);
  }
  assert.equal(parses, 0);
  assert.equal((validate({ ids: 'a', limit: '1' }) as Result).value?.limit, 1);
});

it('validates a repeated parameter (an array) every time, and other parts as zod does', () => {
  const validate = validatorOf(Query);
  const repeated = validate({ ids: ['a', 'b'] }) as Result;
  assert.ok(repeated.error, 'an array is not a string');
  const body = validatorOf(Query, 'body');
  const a = body({ ids: 'x' }) as Result;
  const b = body({ ids: 'x' }) as Result;
  assert.deepEqual(a.value, b.value);
  assert.notEqual(a.value, b.value, 'a body is parsed anew');
  assert.equal(Object.isFrozen(a.value), false);
});
