// One set of migrations for both engines, listed in code (no directory scanning, so the
// same list works under tsx, in tests and in a bundled build).
import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import * as bookingCore from './migrations/0001-booking-core.ts';
import * as identityAndProtections from './migrations/0002-identity-and-protections.ts';
import * as allocation from './migrations/0003-allocation.ts';
import * as outbox from './migrations/0004-outbox.ts';
import * as callbacks from './migrations/0005-callbacks.ts';
import * as agents from './migrations/0006-agents.ts';
import * as siteProcedures from './migrations/0007-site-procedures.ts';
import * as configuration from './migrations/0008-configuration.ts';
import * as agenda from './migrations/0009-agenda.ts';
import * as agentChannel from './migrations/0010-agent-channel.ts';
import * as callbackQueue from './migrations/0011-callback-queue.ts';
import * as oneFlow from './migrations/0012-one-flow.ts';
import * as oneProofOneAction from './migrations/0013-one-proof-one-action.ts';
import * as freeSlotChanges from './migrations/0014-free-slot-changes.ts';
import * as drawWrites from './migrations/0015-draw-writes.ts';
import * as evidenceChain from './migrations/0016-evidence-chain.ts';
import * as wayBackIn from './migrations/0017-way-back-in.ts';
import * as callerPhone from './migrations/0018-caller-phone.ts';
import * as textMessages from './migrations/0019-text-messages.ts';
import * as drawCommitments from './migrations/0020-draw-commitments.ts';
import * as publicStatistics from './migrations/0021-public-statistics.ts';
import * as retention from './migrations/0022-retention.ts';
import * as fraudSignals from './migrations/0023-fraud-signals.ts';
import * as publicStatisticsFraud from './migrations/0024-public-statistics-fraud.ts';
import * as nameKey from './migrations/0025-name-key.ts';
import * as offeredDerived from './migrations/0026-offered-derived.ts';
import * as offerReferences from './migrations/0027-offer-references.ts';
import * as drawSnapshotFinish from './migrations/0028-draw-snapshot-finish.ts';
import * as slotSiteStart from './migrations/0029-slot-site-start.ts';
import * as queueTally from './migrations/0030-queue-tally.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001-booking-core': bookingCore,
  '0002-identity-and-protections': identityAndProtections,
  '0003-allocation': allocation,
  '0004-outbox': outbox,
  '0005-callbacks': callbacks,
  '0006-agents': agents,
  '0007-site-procedures': siteProcedures,
  '0008-configuration': configuration,
  '0009-agenda': agenda,
  '0010-agent-channel': agentChannel,
  '0011-callback-queue': callbackQueue,
  '0012-one-flow': oneFlow,
  '0013-one-proof-one-action': oneProofOneAction,
  '0014-free-slot-changes': freeSlotChanges,
  '0015-draw-writes': drawWrites,
  '0016-evidence-chain': evidenceChain,
  '0017-way-back-in': wayBackIn,
  '0018-caller-phone': callerPhone,
  '0019-text-messages': textMessages,
  '0020-draw-commitments': drawCommitments,
  '0021-public-statistics': publicStatistics,
  '0022-retention': retention,
  '0023-fraud-signals': fraudSignals,
  '0024-public-statistics-fraud': publicStatisticsFraud,
  '0025-name-key': nameKey,
  '0026-offered-derived': offeredDerived,
  '0027-offer-references': offerReferences,
  '0028-draw-snapshot-finish': drawSnapshotFinish,
  '0029-slot-site-start': slotSiteStart,
  '0030-queue-tally': queueTally,
};

/** The migrations in order (benchmarks name their seeded templates after them). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

// biome-ignore lint/suspicious/noExplicitAny: migrations run before any table type exists
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}
