// Agent accounts, sessions and audit events as the repositories read and write them; the
// store (ports/agent-store.ts) assembles the repositories.
import type { AgentRole } from '../../domain/agent-rules.ts';

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
  /** Their name, for display (null when the agent is unknown). */
  agentName: string | null;
  /** What the target is called: an appointment's or request's reference, an agent's, site's or counter's name (null: none known). */
  targetLabel: string | null;
}

/** What an audit list can be narrowed to: the agents and actions that appear in it. */
export interface AuditFacets {
  agents: { id: string; name: string }[];
  actions: string[];
}

export interface AuditQuery {
  /** null: every prefecture (administrators only). */
  prefectureId: string | null;
  from?: Date;
  to?: Date;
  limit: number;
  /** Newest first: the id of the last event of the previous page. */
  beforeId?: string;
  /** Only this agent's events. */
  agentId?: string;
  /** Only this action ("appointment.cancel_for_caller"). */
  action?: string;
}

export interface AgentListQuery {
  /** null: every account (national administrators only; the use case decides). */
  prefectureId: string | null;
  /** Disabled accounts too (the admin list shows them; an assignee list does not). */
  includeDisabled: boolean;
  limit: number;
}
