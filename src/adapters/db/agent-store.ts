// Kysely implementation of the agent store, the same on PostgreSQL and PGlite: one repository
// per entity (adapters/db/agents/), bound to the pool outside a transaction and to one
// transaction for a change, with the audit writer of that transaction.
import type { AgentReaders, AgentRepositories, AgentStore } from '../../ports/agent-store.ts';
import type { SecretBox } from '../agent-credentials.ts';
import { agentAccountRepository } from './agents/accounts.ts';
import { assignedCallbackRepository } from './agents/assigned-callbacks.ts';
import { agentSessionRepository } from './agents/sessions.ts';
import { auditTrailReader, auditWriter } from './audit-repository.ts';
import type { Db } from './database.ts';
import { prefectureRepository } from './prefecture-repository.ts';

export function createAgentStore(db: Db, box: SecretBox): AgentStore {
  const readers: AgentReaders = {
    accounts: agentAccountRepository(db, box),
    sessions: agentSessionRepository(db),
    prefectures: prefectureRepository(db),
    auditTrail: auditTrailReader(db),
  };
  return {
    ...readers,
    transaction: (work) =>
      db.transaction().execute((trx) => {
        const repos: AgentRepositories = {
          accounts: agentAccountRepository(trx, box),
          sessions: agentSessionRepository(trx),
          callbacks: assignedCallbackRepository(trx),
          audit: auditWriter(trx),
        };
        return work(repos);
      }),
  };
}
