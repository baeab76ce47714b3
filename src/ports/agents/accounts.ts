// Agents' accounts: who they are, their credentials, their state.
import type { Agent, AgentCredentialsRecord, AgentListQuery, NewAgent } from './records.ts';

export interface AgentAccountReader {
  /** Any case. */
  findByEmail(email: string): Promise<AgentCredentialsRecord | null>;
  /** null for an unknown or malformed id. */
  findById(id: string): Promise<AgentCredentialsRecord | null>;
  /** Accounts of one prefecture (null: every account, administrators' too), by role then name. */
  list(query: AgentListQuery): Promise<Agent[]>;
}

export interface AgentAccountRepository extends AgentAccountReader {
  /** AGENT_EMAIL_TAKEN when the address has an account; SITE_NOT_FOUND when a site is not of the prefecture. */
  insert(agent: NewAgent): Promise<Agent>;
  /**
   * Resets the failures and spends the TOTP step, only if no code of this step or a later one
   * was accepted before (one conditional UPDATE): false means the code was already used.
   */
  recordLoginSuccess(agentId: string, totpStep: number): Promise<boolean>;
  /** Sets disabled_at if not set yet; false when it was already disabled. */
  disable(agentId: string, at: Date): Promise<boolean>;
  /** A new TOTP secret (sealed by the store); the last accepted step and failures are reset. False when no such agent. */
  replaceTotpSecret(agentId: string, totpSecret: string): Promise<boolean>;
}
