// An in-process API server over a test database (requests go through app.inject: the full
// Fastify pipeline — parsing, validation, error mapping — without a socket).
import type { FastifyInstance } from 'fastify';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { ping } from '../../src/adapters/db/database.ts';
import { buildServer } from '../../src/http/server.ts';
import { testContext, type TestClock } from './scenario.ts';

export async function testServer(database: OpenDatabase, clock: TestClock): Promise<FastifyInstance> {
  const app = await buildServer({
    ctx: testContext(database.db, clock),
    logger: false,
    version: 'test',
    health: async () => ({ database: (await ping(database.db)) ? 'up' : 'down', engine: database.engine }),
  });
  await app.ready();
  return app;
}
