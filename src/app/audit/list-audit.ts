// A supervisor reads the audit trail of their own prefecture; an administrator any
// prefecture's, or all; a counter agent none (FORBIDDEN_SCOPE). Asking for another
// prefecture is refused, never silently narrowed. Newest first, by pages.
import { can, scopedPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent, AgentStore, AuditEvent } from '../../ports/agent-store.ts';

export const AUDIT_PAGE_SIZE = 50;
/** The CSV export's cap: a year of a large prefecture stays well under it. */
export const AUDIT_EXPORT_MAX = 100_000;

export interface AuditFilter {
  /** null: the agent's own prefecture (all of them for an administrator). */
  prefectureId: string | null;
  from?: Date;
  to?: Date;
  beforeId?: string;
}

export function auditScope(agent: Agent, asked: string | null): string | null {
  if (!can(agent, 'audit.read')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, asked);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  return prefectureId;
}

export async function listAudit(ctx: { agents: AgentStore }, agent: Agent, filter: AuditFilter, limit = AUDIT_PAGE_SIZE): Promise<{ events: AuditEvent[]; nextBeforeId: string | null; prefectureId: string | null }> {
  const prefectureId = auditScope(agent, filter.prefectureId);
  const events = await ctx.agents.listAuditEvents({
    prefectureId, limit: limit + 1,
    ...(filter.from ? { from: filter.from } : {}), ...(filter.to ? { to: filter.to } : {}), ...(filter.beforeId ? { beforeId: filter.beforeId } : {}),
  });
  const page = events.slice(0, limit);
  return { events: page, nextBeforeId: events.length > limit ? page[page.length - 1]!.id : null, prefectureId };
}
