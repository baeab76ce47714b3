// A supervisor reads the audit trail of their own prefecture; an administrator any
// prefecture's, or all; a counter agent none (FORBIDDEN_SCOPE). Asking for another
// prefecture is refused, never silently narrowed. Newest first, by pages.
import { can, scopedPrefecture } from '../../domain/agent-rules.ts';
import { addDays } from '../../domain/calendar-date.ts';
import { DomainError } from '../../domain/errors.ts';
import { NATIONAL_TIME_ZONE, startOfLocalDate } from '../../domain/local-time.ts';
import type { Agent, AgentReaders, AuditEvent } from '../../ports/agent-store.ts';
import type { AuditFacets } from '../../ports/agents/records.ts';

export const AUDIT_PAGE_SIZE = 50;
/** The CSV export's cap: a year of a large prefecture stays well under it. */
export const AUDIT_EXPORT_MAX = 100_000;

export interface AuditFilter {
  /** null: the agent's own prefecture (all of them for an administrator). */
  prefectureId: string | null;
  /** Local dates, inclusive, read in the prefecture's own zone (metropolitan time for national lists). */
  fromDate?: string;
  toDate?: string;
  beforeId?: string;
  /** Only this agent's events (the filter lists the agents found in the audit). */
  agentId?: string;
  /** Only this action. */
  action?: string;
}

/** The filter's agent and action, as the store reads them. */
const narrowing = (filter: Pick<AuditFilter, 'agentId' | 'action'>) => ({
  ...(filter.agentId ? { agentId: filter.agentId } : {}),
  ...(filter.action ? { action: filter.action } : {}),
});

/** The instants of a filter's local dates; "to" is inclusive, so it ends at the next midnight. */
export async function auditPeriod(
  ctx: { agents: Pick<AgentReaders, 'auditTrail' | 'prefectures'> },
  prefectureId: string | null,
  filter: Pick<AuditFilter, 'fromDate' | 'toDate'>,
): Promise<{ from?: Date; to?: Date; timeZone: string }> {
  const timeZone = (prefectureId && (await ctx.agents.prefectures.get(prefectureId))?.timeZone) || NATIONAL_TIME_ZONE;
  return {
    timeZone,
    ...(filter.fromDate ? { from: startOfLocalDate(filter.fromDate, timeZone) } : {}),
    ...(filter.toDate ? { to: startOfLocalDate(addDays(filter.toDate, 1), timeZone) } : {}),
  };
}

export function auditScope(agent: Agent, asked: string | null): string | null {
  if (!can(agent, 'audit.read')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, asked);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  return prefectureId;
}

export { narrowing as auditNarrowing };

export async function listAudit(
  ctx: { agents: Pick<AgentReaders, 'auditTrail' | 'prefectures'> },
  agent: Agent,
  filter: AuditFilter,
  limit = AUDIT_PAGE_SIZE,
): Promise<{
  events: AuditEvent[];
  nextBeforeId: string | null;
  prefectureId: string | null;
  timeZone: string;
  /** The agents and actions the filter offers. */
  facets: AuditFacets;
}> {
  const prefectureId = auditScope(agent, filter.prefectureId);
  const { timeZone, ...period } = await auditPeriod(ctx, prefectureId, filter);
  const events = await ctx.agents.auditTrail.list({
    prefectureId,
    limit: limit + 1,
    ...period,
    ...narrowing(filter),
    ...(filter.beforeId ? { beforeId: filter.beforeId } : {}),
  });
  const page = events.slice(0, limit);
  return {
    events: page,
    nextBeforeId: events.length > limit ? page[page.length - 1]!.id : null,
    prefectureId,
    timeZone,
    facets: await ctx.agents.auditTrail.facets(prefectureId),
  };
}
