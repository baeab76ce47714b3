// What the agent use cases need from storage: accounts, sessions (stored by the digest of
// their token) and the append-only audit trail. Every write of a use case goes through one
// AgentTransaction, so that its audit event commits or rolls back with it.
import type { AgentRole } from '../domain/agent-rules.ts';

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

/** Writes inside one transaction; the audit event of a change is written through the same one. */
export interface AgentTransaction {
  findAgentByEmail(email: string): Promise<AgentCredentialsRecord | null>;
  findAgentById(id: string): Promise<AgentCredentialsRecord | null>;
  /** AGENT_EMAIL_TAKEN when the address has an account; SITE_NOT_FOUND when a site is not of the prefecture. */
  insertAgent(agent: NewAgent): Promise<Agent>;
  /**
   * Resets the failures and spends the TOTP step, only if no code of this step or a later one
   * was accepted before (one conditional UPDATE): false means the code was already used.
   */
  recordLoginSuccess(agentId: string, totpStep: number): Promise<boolean>;
  insertSession(session: AgentSession): Promise<void>;
  revokeSession(id: string, at: Date): Promise<boolean>;
  /** Revokes every live session of the agent; returns how many. */
  revokeAgentSessions(agentId: string, at: Date): Promise<number>;
  /** Gives back to the queue the open call-backs (to call, called) assigned to the agent; returns how many. */
  releaseCallbacks(agentId: string, at: Date): Promise<number>;
  /** Sets disabled_at if not set yet; false when it was already disabled. */
  disableAgent(agentId: string, at: Date): Promise<boolean>;
  /** A new TOTP secret (sealed by the store); the last accepted step and failures are reset. False when no such agent. */
  replaceTotpSecret(agentId: string, totpSecret: string): Promise<boolean>;
  insertAuditEvent(event: AuditEventInput): Promise<void>;
}

export interface AgentStore extends AgentTransaction {
  transaction<T>(work: (tx: AgentTransaction) => Promise<T>): Promise<T>;
  /** The session and its agent, whatever their state (the caller decides). */
  findSession(id: string): Promise<{ session: AgentSession; agent: Agent } | null>;
  touchSession(id: string, at: Date): Promise<void>;
  listAuditEvents(query: AuditQuery): Promise<AuditEvent[]>;
  /** Accounts of one prefecture (null: every account, administrators' too), by role then name. */
  listAgents(query: AgentListQuery): Promise<Agent[]>;
  prefectureExists(id: string): Promise<boolean>;
  /** The IANA zone of a prefecture (its audit's dates and times), null when unknown. */
  prefectureTimeZone(id: string): Promise<string | null>;
}
