// A supervisor reads the audit trail of their own prefecture; an administrator any
// prefecture's, or all; a counter agent none (FORBIDDEN_SCOPE). Asking for another
// prefecture is refused, never silently narrowed. Newest first, by pages.
import { can, scopedPrefecture } from '../../domain/agent-rules.ts';
import { addDays } from '../../domain/calendar-date.ts';
import { DomainError } from '../../domain/errors.ts';
import { NATIONAL_TIME_ZONE, startOfLocalDate } from '../../domain/local-time.ts';
import type { Agent, AgentReaders, AuditEvent } from '../../ports/agent-store.ts';

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
}

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

export async function listAudit(
  ctx: { agents: Pick<AgentReaders, 'auditTrail' | 'prefectures'> },
  agent: Agent,
  filter: AuditFilter,
  limit = AUDIT_PAGE_SIZE,
): Promise<{ events: AuditEvent[]; nextBeforeId: string | null; prefectureId: string | null; timeZone: string }> {
  const prefectureId = auditScope(agent, filter.prefectureId);
  const { timeZone, ...period } = await auditPeriod(ctx, prefectureId, filter);
  const events = await ctx.agents.auditTrail.list({
    prefectureId,
    limit: limit + 1,
    ...period,
    ...(filter.beforeId ? { beforeId: filter.beforeId } : {}),
  });
  const page = events.slice(0, limit);
  return {
    events: page,
    nextBeforeId: events.length > limit ? page[page.length - 1]!.id : null,
    prefectureId,
    timeZone,
  };
}
