// An in-process API server over a test database (requests go through app.inject: the full
// Fastify pipeline — parsing, validation, error mapping — without a socket).
import type { FastifyInstance } from 'fastify';
import type { OpenDatabase } from '../../src/adapters/db/database.ts';
import { ping } from '../../src/adapters/db/database.ts';
import { buildServer } from '../../src/http/server.ts';
import { testContext, type TestClock } from './scenario.ts';

export interface TestServerOptions {
  /** Extra setup on the built application before it is made ready (plugins, hooks, test routes). */
  setup?: (app: FastifyInstance) => Promise<void> | void;
}

export async function testServer(database: OpenDatabase, clock: TestClock, options: TestServerOptions = {}): Promise<FastifyInstance> {
  const app = await buildServer({
    ctx: testContext(database.db, clock),
    logger: false,
    version: 'test',
    health: async () => ({ database: (await ping(database.db)) ? 'up' : 'down', engine: database.engine }),
  });
  await options.setup?.(app);
  await app.ready();
  return app;
}
