// What the agents' call-back use cases need: ports only, wired in main.ts (the call-back
// store of the contact page, the agent store for assignees, the clock).
import type { AgentReaders } from '../../ports/agent-store.ts';
import type { CallbackStore } from '../../ports/callback-store.ts';
import type { Clock } from '../../ports/clock.ts';

export interface CallbackQueueContext {
  callbacks: CallbackStore;
  agents: Pick<AgentReaders, 'accounts'>;
  clock: Clock;
}

/** Where an agent's request came from, for the audit trail. */
export interface CallbackOrigin {
  ip: string | null;
}
