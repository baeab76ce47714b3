// What the agent use cases need: ports only, wired in main.ts.
import type { AgentCredentials } from '../../ports/agent-credentials.ts';
import type { AgentStore } from '../../ports/agent-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Hasher, SecretGenerator } from '../../ports/secrets.ts';

export interface AgentContext {
  agents: AgentStore;
  credentials: AgentCredentials;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
}

/** Where an agent's request came from, for sessions and the audit trail. */
export interface AgentOrigin {
  ip: string | null;
  userAgent: string | null;
}
