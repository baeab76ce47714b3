// What the agent use cases need from storage: accounts, sessions (stored by the digest of
// their token) and the append-only audit trail, one small repository each (ports/agents/).
// Every write of a use case goes through one unit of work, so that its audit event commits or
// rolls back with it.
import type { AgentRole } from '../domain/agent-rules.ts';
import type { AgentAccountReader, AgentAccountRepository } from './agents/accounts.ts';
import type { AssignedCallbackRepository } from './agents/assigned-callbacks.ts';
import type { AgentSessionLookup, AgentSessionRepository } from './agents/sessions.ts';
import type { AuditTrailReader, AuditWriter } from './audit-trail.ts';
import type { PrefectureRepository } from './prefectures.ts';
import type { NarrowStore } from './unit-of-work.ts';

export interface Agent {
  id: string;
  email: string;
  displayName: string;
  role: AgentRole;
  prefectureId: string | null;
  siteIds: string[];
  disabledAt: Date | null;
  createdAt: Date;
}

/** An account with what the log-in checks (never leaves the app layer). */
export interface AgentCredentialsRecord extends Agent {
  passwordHash: string;
  /** The TOTP secret in base32, decrypted by the store. */
  totpSecret: string;
  /** The last TOTP time step accepted: a code of this step or an earlier one is not accepted again. */
  lastTotpStep: number | null;
  failedAttempts: number;
  lockedUntil: Date | null;
}

export interface NewAgent {
  email: string;
  displayName: string;
  passwordHash: string;
  totpSecret: string;
  role: AgentRole;
  prefectureId: string | null;
  siteIds: string[];
  createdAt: Date;
}

export interface AgentSession {
  /** Digest of the cookie's token. */
  id: string;
  agentId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEventInput {
  at: Date;
  agentId: string | null;
  /** null for national actions (an administrator's, a failed log-in of an unknown address). */
  prefectureId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

export interface AuditEvent extends Required<AuditEventInput> {
  id: string;
  /** The zone of the event's prefecture (metropolitan time for national events): how it is shown. */
  timeZone: string;
  /** Who did it, for display (null when the agent is unknown). */
  agentEmail: string | null;
}

export interface AuditQuery {
  /** null: every prefecture (administrators only). */
  prefectureId: string | null;
  from?: Date;
  to?: Date;
  limit: number;
  /** Newest first: the id of the last event of the previous page. */
  beforeId?: string;
}

export interface AgentListQuery {
  /** null: every account (national administrators only; the use case decides). */
  prefectureId: string | null;
  /** Disabled accounts too (the admin list shows them; an assignee list does not). */
  includeDisabled: boolean;
  limit: number;
}

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
