// The accounts an agent manager sees: a supervisor those of their prefecture (all roles, to
// know who is who; they manage only its counter agents), a national administrator every
// account or one prefecture's. Each account says whether the viewer may change it.
import { canManageAgent, isSelf } from '../../domain/agent-admin-rules.ts';
import { can, scopedPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { AgentContext } from './agent-context.ts';

export const AGENT_LIST_LIMIT = 1000;

export interface ListedAgent extends Agent {
  /** The viewer may disable it or reset its second factor. */
  manageable: boolean;
}

export async function listAgentAccounts(
  ctx: AgentContext<'accounts', never>,
  actor: Agent,
  asked: { prefectureId: string | null },
): Promise<{ prefectureId: string | null; agents: ListedAgent[] }> {
  if (!can(actor, 'agents.manage')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(actor, asked.prefectureId);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  const agents = await ctx.agents.accounts.list({ prefectureId, includeDisabled: true, limit: AGENT_LIST_LIMIT });
  return {
    prefectureId,
    agents: agents.map((a) => ({ ...a, manageable: !isSelf(actor, a) && canManageAgent(actor, a) })),
  };
}
