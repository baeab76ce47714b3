// Removes an exceptional opening: its free slots are withdrawn (booked ones stay), and that
// day's rules apply again to the counter and procedure.

import { canAccessPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { requirePermission } from './configuration-scope.ts';
import { type ResyncReport, type ResyncRepositories, resyncSlots } from './resync-slots.ts';

export async function removeExceptionalOpening(
  ctx: ConfigurationContext<'exceptionalOpenings', 'exceptionalOpenings' | ResyncRepositories | 'audit'>,
  agent: Agent,
  openingId: string,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<{ counterId: string; slots: ResyncReport }> {
  requirePermission(agent);
  const opening = await ctx.store.exceptionalOpenings.get(openingId);
  if (!opening) throw new DomainError('EXCEPTIONAL_OPENING_NOT_FOUND');
  if (!canAccessPrefecture(agent, opening.prefectureId)) throw new DomainError('FORBIDDEN_SCOPE');
  return ctx.store.transaction(async (tx) => {
    await tx.exceptionalOpenings.delete(opening.id);
    const now = ctx.clock.now();
    const slots = await resyncSlots(tx, opening.prefectureId, opening.date, { now, horizonDays: ctx.horizonDays });
    await recordAudit(tx.audit, {
      agent,
      prefectureId: opening.prefectureId,
      action: 'exceptional_opening.delete',
      target: { type: 'exceptional_opening', id: opening.id },
      before: opening,
      after: { slots },
      at: now,
      ip: origin.ip,
    });
    return { counterId: opening.counterId, slots };
  });
}
