// The PostgreSQL pool keeps the connections it opened: a quiet spell does not close them, so a
// storm after it finds their prepared statements already planned (database.ts, openPostgres).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { type OpenDatabase, openPostgres } from '../../src/adapters/db/database.ts';
import { assertPostgresReachable, postgresSkipReason, postgresUrl } from '../support/databases.ts';

/** pg-pool closes a connection idle for this long unless told to keep it (its default). */
const POOL_IDLE_TIMEOUT_MS = 10_000;
const POOL_SIZE = 3;

describe('the PostgreSQL pool [postgres]', { skip: postgresSkipReason() }, () => {
  let open: OpenDatabase;
  before(() => {
    assertPostgresReachable();
    open = openPostgres(postgresUrl, POOL_SIZE);
  });
  after(() => open?.close());

  /** The server processes behind POOL_SIZE statements run at once (each holds its connection a moment). */
  const backendsAtOnce = async () => {
    const pids = await Promise.all(
      Array.from({ length: POOL_SIZE }, async () => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.1)`.execute(open.db);
        return rows[0]!.pid;
      }),
    );
    return new Set(pids);
  };

  it('keeps every connection it opened through a quiet spell longer than the idle timeout', async () => {
    const first = await backendsAtOnce();
    assert.equal(first.size, POOL_SIZE);
    await sleep(POOL_IDLE_TIMEOUT_MS + 1_500);
    assert.deepEqual(await backendsAtOnce(), first, 'the same server processes answer: no connection was closed');
  });
});
