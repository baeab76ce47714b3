// What the agent use cases need: ports only, wired in main.ts. Each use case names the
// readers and repositories of the agent store it uses (AgentContext<R, W>).
import type { AgentCredentials } from '../../ports/agent-credentials.ts';
import type { AgentReaders, AgentRepositories, AgentStore } from '../../ports/agent-store.ts';
import type { AttemptCounter } from '../../ports/attempt-limiter.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Hasher, SecretGenerator } from '../../ports/secrets.ts';
import type { SecurityEventLog } from '../../ports/security-events.ts';

export interface AgentContext<
  R extends keyof AgentReaders = keyof AgentReaders,
  W extends keyof AgentRepositories = keyof AgentRepositories,
> {
  agents: AgentStore<R, W>;
  credentials: AgentCredentials;
  clock: Clock;
  secrets: SecretGenerator;
  hasher: Hasher;
  /** Log-in failures per account and per (account, address): shared by instances with Redis. */
  limiter: AttemptCounter;
  /** Where a log-in lock-out is recorded. */
  securityEvents: SecurityEventLog;
}

/** Where an agent's request came from, for sessions and the audit trail. */
export interface AgentOrigin {
  ip: string | null;
  userAgent: string | null;
  /** The route, for security events (a log-in lock-out). */
  route?: string;
}
