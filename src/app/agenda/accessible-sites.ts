// The sites an agent works on: a counter agent's own, a supervisor's prefecture, every site
// for an administrator. What the agenda offers to choose from, and nothing else.
import { type AgentScope, canAccessSite } from '../../domain/agent-rules.ts';
import type { AgendaSite } from '../../ports/agenda-store.ts';
import type { AgendaContext } from './agenda-context.ts';

export async function accessibleSites(ctx: AgendaContext, agent: AgentScope): Promise<AgendaSite[]> {
  const sites = await ctx.agenda.listSites(agent.role === 'admin' ? null : agent.prefectureId);
  return sites.filter((site) => canAccessSite(agent, site));
}
