// Whether a site offers a procedure, and the share of its new slots kept for the phone and
// counter channel. Future free slots follow at once (withdrawn, re-marked or added); booked
// ones stay.
import { assertNoProblems, reservedPercentProblems } from '../../domain/configuration-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isSlug } from '../../domain/identifiers.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { SiteOffer } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { siteFor } from './configuration-scope.ts';
import { type ResyncReport, type ResyncRepositories, resyncSlots } from './resync-slots.ts';

export async function updateSiteOffer(
  ctx: ConfigurationContext<'sites' | 'procedures', 'siteOffers' | ResyncRepositories | 'audit'>,
  agent: Agent,
  input: SiteOffer,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<{ offer: SiteOffer; slots: ResyncReport }> {
  const site = await siteFor(ctx.store, agent, input.siteId);
  assertNoProblems(reservedPercentProblems(input.reservedPercent));
  if (!isSlug(input.procedureId) || !(await ctx.store.procedures.get(input.procedureId)))
    throw new DomainError('PROCEDURE_NOT_FOUND');
  return ctx.store.transaction(async (tx) => {
    const before = (await tx.siteOffers.listAtSite(site.id)).find((o) => o.procedureId === input.procedureId) ?? {
      siteId: site.id,
      procedureId: input.procedureId,
      offered: true,
      reservedPercent: 0,
    };
    const offer = {
      siteId: site.id,
      procedureId: input.procedureId,
      offered: input.offered,
      reservedPercent: input.reservedPercent,
    };
    await tx.siteOffers.upsert(offer);
    const now = ctx.clock.now();
    const slots = await resyncSlots(tx, site.prefectureId, null, { now, horizonDays: ctx.horizonDays });
    await recordAudit(tx.audit, {
      agent,
      prefectureId: site.prefectureId,
      action: 'site_procedure.update',
      target: { type: 'site_procedure', id: `${site.id}/${input.procedureId}` },
      before,
      after: { ...offer, slots },
      at: now,
      ip: origin.ip,
    });
    return { offer, slots };
  });
}
