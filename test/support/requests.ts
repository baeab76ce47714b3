// Scenario builders for appointment requests: a procedure allocated by draws, with opening
// rules (requests may only name sites that receive the procedure), and the request routes
// on a test server (until they are wired into buildServer).
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db, OpenDatabase } from '../../src/adapters/db/database.ts';
import { createRequestStore } from '../../src/adapters/db/request-store.ts';
import { signerFromConfig } from '../../src/adapters/ed25519-signer.ts';
import { createAltchaProofOfWork } from '../../src/adapters/pow/altcha-proof-of-work.ts';
import { createDbReplayStore } from '../../src/adapters/pow/db-replay-store.ts';
import { createDifficultyPolicy } from '../../src/domain/pow-difficulty.ts';
import { requestRoutes } from '../../src/http/routes/requests.ts';
import { TEST_POW_DIFFICULTY, testServer, type TestServerOptions } from './http.ts';
import { createScenario, TEST_IDENTITY_SECRET, testContext, type TestClock } from './scenario.ts';

/** Opening rules (mornings of `weekdays`) for the procedure on each counter. */
export async function openCounters(db: Db, counterIds: string[], procedureId: string, weekdays = [1, 2, 3, 4, 5]): Promise<void> {
  for (const counterId of counterIds) {
    await db.insertInto('opening_rule').values({
      counter_id: counterId, procedure_id: procedureId, weekdays: sql<number[]>`cast(${`{${weekdays.join(',')}}`} as smallint[])`,
      valid_from: '2026-01-01', valid_until: null, windows: JSON.stringify([{ start: '09:00', end: '12:00' }]), slot_minutes: 30,
    }).execute();
  }
}

export interface AllocationOptions { identityProof?: 'agdref' | 'passport'; order?: 'fifo' | 'lottery'; urgentWithinDays?: number; registryCheck?: boolean }

/** A prefecture-93 site with a procedure allocated by draws, received Monday to Friday. */
export async function allocationScenario(db: Db, options: AllocationOptions = {}) {
  const s = await createScenario(db, { procedure: { bookingMode: 'allocation', identityProof: options.identityProof ?? 'passport' } });
  await db.updateTable('procedure').set({
    allocation_order: options.order ?? 'fifo', urgent_within_days: options.urgentWithinDays ?? 30, registry_check: options.registryCheck ?? false,
  }).where('id', '=', s.procedureId).execute();
  await openCounters(db, s.counterIds, s.procedureId);
  return s;
}
export type AllocationScenario = Awaited<ReturnType<typeof allocationScenario>>;

/**
 * testServer with the request routes. Until buildServer registers them, they are added here,
 * with the same proof of work (same key and replay store) and the test signing key.
 */
export async function testServerWithRequests(database: OpenDatabase, clock: TestClock, options: TestServerOptions = {}): Promise<FastifyInstance> {
  return testServer(database, clock, {
    ...options,
    setup: async (app) => {
      await options.setup?.(app);
      if (app.hasRoute({ method: 'POST', url: '/api/requests' })) return;
      const pow = createAltchaProofOfWork({
        hmacKey: 'test-pow-hmac-key-0123456789abcdef0123',
        clock,
        replayStore: createDbReplayStore(database.db, clock),
        difficulty: createDifficultyPolicy(TEST_POW_DIFFICULTY),
      });
      await app.register(requestRoutes({
        ctx: testContext(database.db, clock, options.ctx),
        pow,
        requests: createRequestStore(database.db),
        signer: signerFromConfig({ convocationSigningKey: null, identityKeySecret: TEST_IDENTITY_SECRET }),
      }) as never);
    },
  });
}
