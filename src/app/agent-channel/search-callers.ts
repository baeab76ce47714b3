// The agents' search for people (issue 15, Agents 2): by name, reference, phone, email or
// identity document number, in one box (domain/caller-search.ts reads the text). Scoped to
// the agent's prefecture — a counter agent or supervisor never sees another prefecture's
// people, whatever they type; a national administrator searches them all. Every result has
// the same shape, whatever matched; `canAct` says whether this agent may cancel or move it
// (a counter agent: at their own sites only).
import { type AgentScope, can, canAccessSite, scopedPrefecture } from '../../domain/agent-rules.ts';
import { SEARCH_PAGE_SIZE, searchCriteriaOf } from '../../domain/caller-search.ts';
import { DomainError } from '../../domain/errors.ts';
import type { CallerSearchHit } from '../../ports/caller-search.ts';
import type { AgentChannelContext } from './agent-channel-context.ts';

export interface FoundCaller extends CallerSearchHit {
  /** This agent may cancel or move it (an active appointment at one of their sites). */
  canAct: boolean;
}

export interface CallerSearchPage {
  /** False when the text had nothing to search ("", "a"): no query ran. */
  searched: boolean;
  page: number;
  hits: FoundCaller[];
  hasNext: boolean;
}

/** Whether `agent` may act on this appointment for the caller (the prefecture is already checked). */
export const mayActOn = (agent: AgentScope, hit: Pick<CallerSearchHit, 'kind' | 'siteId' | 'prefectureId'>) =>
  hit.kind === 'appointment' &&
  hit.siteId !== null &&
  can(agent, 'channel.book') &&
  canAccessSite(agent, { id: hit.siteId, prefectureId: hit.prefectureId });

export async function searchCallers(
  ctx: Pick<AgentChannelContext, 'callerSearch'>,
  agent: AgentScope,
  typed: string,
  page = 1,
): Promise<CallerSearchPage> {
  if (!can(agent, 'channel.book')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, null);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  const criteria = searchCriteriaOf(typed);
  if (!criteria) return { searched: false, page: 1, hits: [], hasNext: false };
  const found = await ctx.callerSearch.search({
    prefectureId,
    criteria,
    limit: SEARCH_PAGE_SIZE + 1,
    offset: (page - 1) * SEARCH_PAGE_SIZE,
  });
  return {
    searched: true,
    page,
    hits: found.slice(0, SEARCH_PAGE_SIZE).map((hit) => ({ ...hit, canAct: mayActOn(agent, hit) })),
    hasNext: found.length > SEARCH_PAGE_SIZE,
  };
}
