// Agents' sessions, stored by the digest of their token.
import type { Agent, AgentSession } from './records.ts';

/** What every agent request does, outside any transaction. */
export interface AgentSessionLookup {
  /** The session and its agent, whatever their state (the caller decides). */
  find(id: string): Promise<{ session: AgentSession; agent: Agent } | null>;
  /** Slides last_seen_at forward (one conditional UPDATE: never backwards). */
  touch(id: string, at: Date): Promise<void>;
}

export interface AgentSessionRepository {
  insert(session: AgentSession): Promise<void>;
  /** False when it was already revoked. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Revokes every live session of the agent; returns how many. */
  revokeAllOf(agentId: string, at: Date): Promise<number>;
}
