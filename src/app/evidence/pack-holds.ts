// The supervisors' page's holds (/agent/evidence): the active holds placed by agents of their
// prefecture (an administrator: all), and their release — audited, as `creneau evidence release`.
import { can } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { EvidenceHold } from '../../domain/retention.ts';
import type { ListedHold, PackAgent } from '../../ports/evidence-pack.ts';
import { releaseEvidenceHold } from '../retention/release-evidence-hold.ts';
import type { EvidencePackContext } from './evidence-pack-context.ts';

export function listPackHolds(ctx: Pick<EvidencePackContext, 'packs'>, agent: PackAgent): Promise<ListedHold[]> {
  if (!can(agent, 'evidence.export')) throw new DomainError('FORBIDDEN_SCOPE');
  return ctx.packs.activeHolds(agent.role === 'admin' ? null : agent.prefectureId);
}

export async function releasePackHold(
  ctx: Pick<EvidencePackContext, 'packs' | 'retention' | 'clock'>,
  agent: PackAgent,
  id: string,
): Promise<EvidenceHold> {
  const visible = await listPackHolds(ctx, agent);
  if (!visible.some((hold) => hold.id === id))
    // Another prefecture's hold looks like no hold at all (as other scoped ids do).
    throw new DomainError('EVIDENCE_HOLD_NOT_FOUND');
  return releaseEvidenceHold(ctx, { id, by: agent.email });
}
