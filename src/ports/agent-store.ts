import type { AgentAccountReader, AgentAccountRepository } from './agents/accounts.ts';
import type { AssignedCallbackRepository } from './agents/assigned-callbacks.ts';
import type { AgentSessionLookup, AgentSessionRepository } from './agents/sessions.ts';
import type { AuditTrailReader, AuditWriter } from './audit-trail.ts';
import type { PrefectureRepository } from './prefectures.ts';
import type { NarrowStore } from './unit-of-work.ts';

export type * from './agents/records.ts';

/** What may be used outside a transaction. */
export interface AgentReaders {
  accounts: AgentAccountReader;
  sessions: AgentSessionLookup;
  prefectures: PrefectureRepository;
  auditTrail: AuditTrailReader;
}

/** The repositories of one transaction: a change to an account or a session, and its audit. */
export interface AgentRepositories {
  accounts: AgentAccountRepository;
  sessions: AgentSessionRepository;
  callbacks: AssignedCallbackRepository;
  audit: AuditWriter;
}

/** The agent storage a use case declares (NarrowStore). */
export type AgentStore<
  R extends keyof AgentReaders = keyof AgentReaders,
  W extends keyof AgentRepositories = keyof AgentRepositories,
> = NarrowStore<AgentReaders, AgentRepositories, R, W>;
