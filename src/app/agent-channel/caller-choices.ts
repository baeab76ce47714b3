// What the agent may book or file in for a caller: the sites in their scope (a counter
// agent's own sites, a supervisor's prefecture, any for an administrator) and the
// procedures done at a counter (each takes requests, drawn, and bookings of the agents' reserve).
import { type AgentScope, can, canAccessSite } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Prefecture, Procedure, Site } from '../../ports/booking-store.ts';
import type { AppContext } from '../shared/context.ts';

export interface CallerChoices {
  /** The sites the agent may book at, each with its prefecture. */
  sites: (Site & { prefecture: Prefecture })[];
  procedures: Procedure[];
}

export async function callerChoices(ctx: Pick<AppContext, 'store'>, agent: AgentScope): Promise<CallerChoices> {
  if (!can(agent, 'channel.book')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectures = (await ctx.store.listPrefectures()).filter(
    (p) => agent.role === 'admin' || p.id === agent.prefectureId,
  );
  const sites: CallerChoices['sites'] = [];
  for (const prefecture of prefectures) {
    for (const site of await ctx.store.listSites(prefecture.id))
      if (canAccessSite(agent, site)) sites.push({ ...site, prefecture });
  }
  const procedures = (await ctx.store.listProcedures()).filter((p) => p.channel === 'appointment');
  return { sites, procedures };
}

/** The site, if this agent may book there: SITE_NOT_FOUND when it does not exist, FORBIDDEN_SCOPE when out of scope. */
export async function siteInScope(ctx: Pick<AppContext, 'store'>, agent: AgentScope, siteId: string): Promise<Site> {
  if (!can(agent, 'channel.book')) throw new DomainError('FORBIDDEN_SCOPE');
  const site = await ctx.store.getSite(siteId);
  if (!site) throw new DomainError('SITE_NOT_FOUND');
  if (!canAccessSite(agent, site)) throw new DomainError('FORBIDDEN_SCOPE');
  return site;
}
