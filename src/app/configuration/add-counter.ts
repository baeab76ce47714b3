// A new counter at a site (active, no opening rule yet: it gets slots once it has one).
import { assertNoProblems, counterNameProblems } from '../../domain/configuration-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConfigCounter } from '../../ports/configuration-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { siteFor } from './configuration-scope.ts';

export async function addCounter(
  ctx: ConfigurationContext<'sites', 'counters' | 'audit'>,
  agent: Agent,
  siteId: string,
  input: { name: string },
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<ConfigCounter> {
  const site = await siteFor(ctx.store, agent, siteId);
  assertNoProblems(counterNameProblems(input.name));
  return ctx.store.transaction(async (tx) => {
    const counter = await tx.counters.insert(site.id, input.name.trim());
    await recordAudit(tx.audit, {
      agent,
      prefectureId: site.prefectureId,
      action: 'counter.create',
      target: { type: 'counter', id: counter.id },
      after: counter,
      at: ctx.clock.now(),
      ip: origin.ip,
    });
    return counter;
  });
}
