// Which errors mean "the database is not there right now" (503, retried at start-up), and the
// start-up wait built on it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable } from '../../src/adapters/db/connection-errors.ts';
import { waitForDatabase } from '../../src/adapters/db/wait-for-database.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises refused, reset and cut connections, the pool timeout and PostgreSQL shutting down or starting', () => {
    const unavailable = [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P02'),
      withCode('57P03', 'the database system is starting up'),
      withCode('08006'),
      withCode('08P01'),
      withCode('53300', 'sorry, too many clients already'),
      // Node tries every address of "localhost": one AggregateError of refusals.
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''),
      new Error('query failed', { cause: withCode('ECONNRESET') }),
    ];
    for (const error of unavailable)
      assert.equal(
        isDatabaseUnavailable(error),
        true,
        `${(error as Error).message} ${(error as { code?: string }).code}`,
      );
  });

  it('leaves every other error alone: constraints, syntax, missing tables, wrong password, bugs', () => {
    const others = [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('42601', 'syntax error'),
      withCode('42P01', 'relation "slot" does not exist'),
      withCode('28P01', 'password authentication failed'),
      withCode('3D000', 'database "x" does not exist'),
      new TypeError('Cannot read properties of undefined'),
      new AggregateError([withCode('ECONNREFUSED'), withCode('23505')], ''),
      'ECONNREFUSED',
      null,
      undefined,
    ];
    for (const error of others)
      assert.equal(isDatabaseUnavailable(error), false, String((error as Error | null)?.message ?? error));
  });
});

describe('waitForDatabase', () => {
  it('retries while the database is unreachable, with a doubling delay up to the cap, then returns the result', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await waitForDatabase(
      async () => {
        if (++calls < 5) throw withCode('ECONNREFUSED');
        return 'migrated';
      },
      { initialDelayMs: 1, maxDelayMs: 4, onRetry: (_error, delayMs) => delays.push(delayMs) },
    );
    assert.equal(result, 'migrated');
    assert.deepEqual(delays, [1, 2, 4, 4]);
  });

  it('throws at once an error waiting will not cure (a failing migration)', async () => {
    let calls = 0;
    await assert.rejects(
      waitForDatabase(
        async () => {
          calls++;
          throw withCode('42601', 'syntax error');
        },
        { initialDelayMs: 1 },
      ),
      /syntax error/,
    );
    assert.equal(calls, 1);
  });

  it('stops waiting when the server shuts down', async () => {
    const closing = new AbortController();
    const waiting = waitForDatabase(
      async () => {
        throw withCode('ECONNREFUSED');
      },
      { initialDelayMs: 60_000, signal: closing.signal, onRetry: () => closing.abort() },
    );
    await assert.rejects(waiting, { name: 'AbortError' });
  });
});
