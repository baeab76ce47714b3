// A site's details as the public sees them: name, address, phone, opening hours of the desk.
import { assertNoProblems, type SiteDetails, siteDetailsProblems } from '../../domain/configuration-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigSite } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { siteFor } from './configuration-scope.ts';

export async function updateSite(
  ctx: ConfigurationContext<'sites', 'sites' | 'audit'>,
  agent: Agent,
  siteId: string,
  input: SiteDetails,
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<ConfigSite> {
  const site = await siteFor(ctx.store, agent, siteId);
  assertNoProblems(siteDetailsProblems(input));
  const fields = {
    name: input.name.trim(),
    address: input.address.trim(),
    phone: input.phone.trim() || null,
    publicHours: input.publicHours.trim() || null,
  };
  return ctx.store.transaction(async (tx) => {
    await tx.sites.update(site.id, fields);
    const after = { ...site, ...fields };
    await recordAudit(tx.audit, {
      agent,
      prefectureId: site.prefectureId,
      action: 'site.update',
      target: { type: 'site', id: site.id },
      before: site,
      after,
      at: ctx.clock.now(),
      ip: origin.ip,
    });
    return after;
  });
}
