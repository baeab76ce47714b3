// Who reviews what: 'fraud.review' (supervisors, administrators), a supervisor in their own
// prefecture only; another prefecture's case looks unknown (FRAUD_CASE_NOT_FOUND).
import { type AgentScope, can, canAccessPrefecture, scopedPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { FraudCase } from '../../ports/fraud-store.ts';
import type { FraudContext } from './fraud-context.ts';

/** The prefecture a list shows: a supervisor's own, the one an administrator chose (required). */
export function reviewedPrefecture(agent: AgentScope, asked: string | null): string {
  if (!can(agent, 'fraud.review')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, asked);
  if (prefectureId === undefined || prefectureId === null) throw new DomainError('FORBIDDEN_SCOPE');
  return prefectureId;
}

export async function caseInScope(
  ctx: FraudContext,
  agent: AgentScope,
  kind: 'request' | 'appointment',
  id: string,
): Promise<FraudCase> {
  if (!can(agent, 'fraud.review')) throw new DomainError('FORBIDDEN_SCOPE');
  const found = await ctx.fraud.findCase(kind, id);
  if (!found || !canAccessPrefecture(agent, found.prefectureId)) throw new DomainError('FRAUD_CASE_NOT_FOUND');
  return found;
}
