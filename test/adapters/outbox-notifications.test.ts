// NOTIFY after a commit, LISTEN in the workers, on a real PostgreSQL database: a burst of
// commits costs a notification or two, and a listener whose connection is cut comes back by
// itself and looks once more (something may have been committed while it was away).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type OpenDatabase, openPostgres } from '../../src/adapters/db/database.ts';
import {
  createOutboxAnnouncer,
  listenForOutbox,
  type OutboxListener,
} from '../../src/adapters/db/outbox-notifications.ts';
import { createPostgresDatabase, eventually, sleep } from '../support/creneau-process.ts';
import { assertPostgresReachable, postgresSkipReason } from '../support/databases.ts';

/** Waits until `check()` holds. */
const until = (what: string, check: () => boolean) =>
  eventually(what, async () => (check() ? true : undefined), 20_000, 20);

describe('outbox notifications [postgres]', { skip: postgresSkipReason() }, () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let open: OpenDatabase;
  let listener: OutboxListener;
  let heard = 0;
  let listening = 0;
  before(async () => {
    assertPostgresReachable();
    database = await createPostgresDatabase('creneau_notify');
    open = openPostgres(database.url, 2);
    listener = listenForOutbox(database.url, () => heard++, { onListening: () => listening++ });
    await until('listening', () => listening === 1);
  });
  after(async () => {
    await listener?.close();
    await open?.close();
    await database?.drop();
  });

  it('hears an announcement from another connection; a burst of ten costs at most two', async () => {
    await until('the look on connecting', () => heard === 1);
    const announcer = createOutboxAnnouncer(open.db, { minIntervalMs: 200 });
    for (let i = 0; i < 10; i++) announcer.announce();
    await announcer.close();
    await until('the burst heard', () => heard >= 2);
    await sleep(500);
    assert.ok(heard - 1 <= 2, `${heard - 1} notifications for ten announcements`);
  });

  it('comes back after its connection is cut, and looks once more', async () => {
    const before = heard;
    const { rows } = await sql<{ cut: boolean }>`
      select pg_terminate_backend(pid) as cut from pg_stat_activity
       where datname = current_database() and query ilike 'listen %'`.execute(open.db);
    assert.deepEqual(
      rows.map((r) => r.cut),
      [true],
    );
    await until('listening again', () => listening === 2);
    await until('the look on reconnecting', () => heard === before + 1);
    const announcer = createOutboxAnnouncer(open.db);
    announcer.announce();
    await announcer.close();
    await until('an announcement heard on the new connection', () => heard === before + 2);
  });
});
